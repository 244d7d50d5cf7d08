package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// Action is one collective prevention action as the mediator logged it
// (codes, never labels).
type Action struct {
	ID          string // chosen when the form started: saving twice is harmless
	MediatorID  ids.MediatorID
	Date        time.Time
	Role        string // coanimee | coconstruite | participation
	Audience    string // public | professionnels
	Themes      []string
	PartnerType string // "" when there is no co-animating partner
	// PartnerID is a partner of the mediator's registry (0: none); its type
	// then replaces PartnerType. A partner of another mediator is ignored.
	PartnerID    int64
	Participants *int
	Title        string
	// Cobuilt: a co-animated action also co-built with the inhabitants.
	Cobuilt bool
	// OtherPartnerTypes are the types of the other co-animating partners.
	OtherPartnerTypes []string
}

// SaveAction records the action once, keyed by its id, and returns its
// number and whether this call created it: a double tap or a redelivered
// update finds the action already there.
func (s *Store) SaveAction(ctx context.Context, a Action) (number int64, created bool, err error) {
	var partner *string
	if a.PartnerType != "" {
		partner = &a.PartnerType
	}
	err = s.db.QueryRow(ctx, `
		INSERT INTO actions (id, mediator_id, date, role, audience, themes, partner_id, partner_type, participants, title,
		                     cobuilt, other_partner_types)
		SELECT $1, $2, $3, $4, $5, $6, p.id, COALESCE(p.type, $7), $8, $9, $11, $12
		FROM (SELECT 1) AS one
		LEFT JOIN partners p ON p.id = $10 AND p.mediator_id = $2
		ON CONFLICT (id) DO NOTHING
		RETURNING number`,
		a.ID, a.MediatorID, Day(a.Date), a.Role, a.Audience, textArray(a.Themes), partner, a.Participants, a.Title, a.PartnerID,
		a.Cobuilt && a.Role == "coanimee", textArray(a.OtherPartnerTypes)).Scan(&number)
	if err == nil {
		return number, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("save action: %w", err)
	}
	// Already saved (by a twin update): only its author's number is returned.
	err = s.db.QueryRow(ctx, `SELECT number FROM actions WHERE id = $1 AND mediator_id = $2`, a.ID, a.MediatorID).Scan(&number)
	if err != nil {
		return 0, false, fmt.Errorf("save action: %w", err)
	}
	return number, false, nil
}

// ActionLine is one action in the mediator's list.
type ActionLine struct {
	Number       int64
	Date         time.Time
	Role         string
	Audience     string
	Themes       []string
	Participants *int
	Title        string
}

// RecentActions lists the mediator's own latest actions, newest first.
func (s *Store) RecentActions(ctx context.Context, mediatorID ids.MediatorID, limit int) ([]ActionLine, error) {
	rows, err := s.db.Query(ctx, `
		SELECT number, date, role, audience, themes, participants, title
		FROM actions WHERE mediator_id = $1
		ORDER BY date DESC, number DESC LIMIT $2`, mediatorID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent actions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ActionLine, error) {
		var l ActionLine
		err := r.Scan(&l.Number, &l.Date, &l.Role, &l.Audience, &l.Themes, &l.Participants, &l.Title)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("recent actions: %w", err)
	}
	return out, nil
}
