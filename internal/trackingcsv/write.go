package trackingcsv

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

// EachRow calls fn with every line of the scope's sheets over the period, in
// the tracking format (columns of Header), oldest first. Lines are streamed
// from PostgreSQL, never all held in memory. The free-text note is never
// read: exports carry no text that could identify a person.
func EachRow(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, fn func(row []string) error) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("export rows: %w", err)
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
		append([]any{indicators.Day(p.From), indicators.Day(p.To)}, args...)...)
	if err != nil {
		return fmt.Errorf("export rows: %w", err)
	}
	defer rows.Close()
	row := make([]string, len(Header))
	for rows.Next() {
		var date time.Time
		var age *int
		var followUp *time.Time
		if err := rows.Scan(&row[colSheet], &date, &row[colMediator], &row[colDepartement], &row[colBeneficiary],
			&row[colSex], &age, &row[colQPV], &row[colResources], &row[colContactMode], &row[colLevel],
			&row[colSocialProtection], &row[colRequestKind], &row[colRequestType], &row[colStatus], &followUp,
			&row[colObstacles]); err != nil {
			return fmt.Errorf("export rows: %w", err)
		}
		row[colDate] = date.Format(time.DateOnly)
		row[colAge] = ""
		if age != nil {
			row[colAge] = strconv.Itoa(*age)
		}
		row[colFollowUp] = ""
		if followUp != nil {
			row[colFollowUp] = followUp.Format(time.DateOnly)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export rows: %w", err)
	}
	return nil
}

// WriteCSV writes the scope's lines over the period as a tracking CSV
// (header included) that `relais import` reads back unchanged.
func WriteCSV(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	err := EachRow(ctx, db, p, s, func(row []string) error {
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// HeaderLine is the header as one CSV line, for messages and docs.
func HeaderLine() string { return strings.Join(Header, ",") }
