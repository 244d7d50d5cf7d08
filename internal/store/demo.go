package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DemoState reads a value kept by the local demo (internal/demo) under key;
// ok is false when there is none.
func (s *Store) DemoState(ctx context.Context, key string) (value []byte, ok bool, err error) {
	err = s.db.QueryRow(ctx, `SELECT value FROM demo_state WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load demo state %s: %w", key, err)
	}
	return value, true, nil
}

// SaveDemoState replaces the demo's value under key.
func (s *Store) SaveDemoState(ctx context.Context, key string, value []byte) error {
	_, err := s.db.Exec(ctx, `
		INSERT INTO demo_state (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, key, value)
	if err != nil {
		return fmt.Errorf("save demo state %s: %w", key, err)
	}
	return nil
}

// EnsurePosts creates the mediator posts that do not exist yet (by
// identifier), without a Telegram account, and returns the id of every
// post of posts by identifier. The demo's synthetic mediators are such
// posts: they report through imports, never through the bot.
func (s *Store) EnsurePosts(ctx context.Context, posts []Mediator) (map[string]MediatorID, error) {
	ids := map[string]MediatorID{}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		idents := make([]string, len(posts))
		batch := &pgx.Batch{}
		for i, p := range posts {
			idents[i] = p.Identifier
			batch.Queue(`
				INSERT INTO mediators (identifier, departement, structure, rural) VALUES ($1, $2, $3, $4)
				ON CONFLICT (identifier) DO NOTHING`, p.Identifier, p.Departement, p.Structure, p.Rural)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT identifier, id FROM mediators WHERE identifier = ANY($1)`, idents)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ident string
			var id MediatorID
			if err := rows.Scan(&ident, &id); err != nil {
				return err
			}
			ids[ident] = id
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("ensure posts: %w", err)
	}
	return ids, nil
}

// SaveHistory writes past collective actions and annual reviews in one
// transaction, as they were logged then: reviews are not refused for a
// passed deadline (see SaveReview). Rows already there (same action id, same
// mediator and year) are kept, so writing the same history twice is
// harmless. The demo uses it to load its synthetic year.
func (s *Store) SaveHistory(ctx context.Context, actions []Action, reviews []Review) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for _, a := range actions {
			var partner *string
			if a.PartnerType != "" {
				partner = &a.PartnerType
			}
			batch.Queue(`
				INSERT INTO actions (id, mediator_id, date, role, audience, themes, partner_type, participants, title)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
				a.ID, a.MediatorID, Day(a.Date), a.Role, a.Audience, textArray(a.Themes), partner, a.Participants, a.Title)
		}
		for _, r := range reviews {
			batch.Queue(`
				INSERT INTO reviews (mediator_id, year, identified, missions_known, cpam_partnership, partner_bodies,
				                     partners_sanitaire, partners_social, partners_medico, helped, hindered, improve,
				                     health_needs, professional_project, training)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
				ON CONFLICT (mediator_id, year) DO NOTHING`,
				r.MediatorID, r.Year, r.Identified, r.MissionsKnown, r.CPAMPartnership, r.PartnerBodies,
				r.PartnersSanitaire, r.PartnersSocial, r.PartnersMedico, r.Helped, r.Hindered, r.Improve,
				textArray(r.HealthNeeds), r.ProfessionalProject, r.Training)
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	return nil
}

// ForgetEmptyReminderDay lets today's daily reminder of these posts run
// again when it was recorded with nothing to send (job_runs): the demo
// loads its synthetic follow-ups just after its accounts register, and a
// reminder pass may have looked at them in between.
func (s *Store) ForgetEmptyReminderDay(ctx context.Context, mediatorIDs []MediatorID, today time.Time) error {
	_, err := s.db.Exec(ctx, `
		DELETE FROM job_runs j WHERE j.job = $1 AND j.period = $2 AND j.mediator_id = ANY($3)
		  AND NOT EXISTS (SELECT 1 FROM requests r JOIN sheets s ON s.id = r.sheet_id
		                  WHERE s.mediator_id = j.mediator_id AND r.last_reminded_on = $4)`,
		JobFollowUps, ReminderPeriod(today), mediatorIDs, Day(today))
	if err != nil {
		return fmt.Errorf("forget empty reminder day: %w", err)
	}
	return nil
}
