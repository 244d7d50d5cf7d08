package indicators

import (
	"context"
	"fmt"
	"time"
)

// SheetLine is one request of a sheet (or the sheet alone when it has
// none), with the codes the tracking file and the exports carry. The
// free-text note is not part of it: exports carry no text that could
// identify a person.
type SheetLine struct {
	SheetID, Mediator, Departement, Beneficiary string
	Date                                        time.Time
	Sex                                         string
	Age                                         *int
	QPV, Resources, ContactMode, Level          string
	SocialProtection                            string
	Kind, Type, Status                          string // "" for a sheet without request
	FollowUp                                    *time.Time
	Obstacles                                   string // codes joined by ";"
}

// EachSheetLine calls fn with every line of the scope's sheets over the
// period, oldest first, streamed from PostgreSQL (never all held in
// memory). fn must not keep line: it is reused.
func EachSheetLine(ctx context.Context, db Querier, p Period, s Scope, fn func(line *SheetLine) error) error {
	if err := s.Validate(everywhere()); err != nil {
		return fmt.Errorf("sheet lines: %w", err)
	}
	cond, args := s.Filter("m", 3)
	rows, err := db.Query(ctx, `
		SELECT s.id, s.date, m.identifier, m.departement, b.code, s.sex, s.age, s.qpv, s.resources,
		       s.contact_mode, s.level, s.social_protection, coalesce(r.kind, ''), coalesce(r.type, ''),
		       coalesce(r.status, ''), r.follow_up, array_to_string(s.obstacles, ';')
		FROM sheets s
		JOIN mediators m ON m.id = s.mediator_id
		JOIN beneficiaries b ON b.id = s.beneficiary_id
		LEFT JOIN requests r ON r.sheet_id = s.id
		WHERE s.date BETWEEN $1 AND $2 AND `+cond+`
		ORDER BY s.date, s.number, r.position`,
		append([]any{Day(p.From), Day(p.To)}, args...)...)
	if err != nil {
		return fmt.Errorf("sheet lines: %w", err)
	}
	defer rows.Close()
	var l SheetLine
	for rows.Next() {
		l.Age, l.FollowUp = nil, nil
		if err := rows.Scan(&l.SheetID, &l.Date, &l.Mediator, &l.Departement, &l.Beneficiary,
			&l.Sex, &l.Age, &l.QPV, &l.Resources, &l.ContactMode, &l.Level,
			&l.SocialProtection, &l.Kind, &l.Type, &l.Status, &l.FollowUp, &l.Obstacles); err != nil {
			return fmt.Errorf("sheet lines: %w", err)
		}
		if err := fn(&l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sheet lines: %w", err)
	}
	return nil
}
