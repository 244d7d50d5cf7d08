package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
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

// demoMark is the demo_state key of the mark the demo writes in a database
// it uses (ClaimDemoDatabase). relais serve never writes demo_state.
const demoMark = "database"

// DemoDatabase is what a database holds, as the demo sees it before using
// it: the demo has no login, so it must never open real records.
type DemoDatabase struct {
	// Marked: the demo marked it as its own (it created it, found it
	// empty, or adopted an older demo's).
	Marked bool
	// DemoState: it holds other state only a demo writes (its chats, the
	// mark of its synthetic year): a database an older demo used.
	DemoState bool
	// What it holds, everything counted.
	Sheets, People, Posts, Actions, Reviews int
	// Traces of a real deployment before its first sheet: invitations
	// (relais invite), audit lines, codes erased on request. Only read in
	// a database without the demo's mark nor its state, where the demo
	// has written none of them yet.
	Invitations, AuditLines, ForgottenCodes int
	// OtherUsers are users that are not the demo's accounts; OtherPosts
	// are posts neither held by a demo account nor synthetic (no account,
	// an identifier of the demo's prefix).
	OtherUsers, OtherPosts int
}

// ClaimDemoDatabase reads what the database holds, asks decide whether
// the demo may use it, and marks it as the demo's when decide accepts:
// in one transaction, demo_state locked, so two demos starting at once
// decide one after the other. accounts are the demo's Telegram ids;
// synthetic posts have no account and an identifier starting with
// syntheticPrefix. decide's refusal is returned as it is (it is the
// sentence the person reads), and nothing is written.
func (s *Store) ClaimDemoDatabase(ctx context.Context, accounts []ids.TelegramID, syntheticPrefix string, decide func(DemoDatabase) error) error {
	var refused error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE demo_state IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var d DemoDatabase
		err := tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM demo_state WHERE key = $1),
			       EXISTS (SELECT 1 FROM demo_state WHERE key <> $1),
			       (SELECT count(*) FROM sheets), (SELECT count(*) FROM beneficiaries),
			       (SELECT count(*) FROM mediators), (SELECT count(*) FROM actions), (SELECT count(*) FROM reviews),
			       (SELECT count(*) FROM invitations), (SELECT count(*) FROM audit), (SELECT count(*) FROM forgotten_codes),
			       (SELECT count(*) FROM users WHERE NOT telegram_id = ANY($2)),
			       (SELECT count(*) FROM mediators
			         WHERE CASE WHEN user_id IS NULL THEN NOT starts_with(identifier, $3)
			                    ELSE NOT user_id = ANY($2) END)`,
			demoMark, accounts, syntheticPrefix).Scan(&d.Marked, &d.DemoState,
			&d.Sheets, &d.People, &d.Posts, &d.Actions, &d.Reviews,
			&d.Invitations, &d.AuditLines, &d.ForgottenCodes, &d.OtherUsers, &d.OtherPosts)
		if err != nil {
			return err
		}
		if refused = decide(d); refused != nil || d.Marked {
			return nil
		}
		mark, err := json.Marshal(map[string]any{"by": "relais demo", "adopted": d.DemoState})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO demo_state (key, value) VALUES ($1, $2)`, demoMark, mark)
		return err
	})
	if err != nil {
		return fmt.Errorf("claim demo database: %w", err)
	}
	return refused
}

// EnsurePosts creates the mediator posts that do not exist yet (by
// identifier), without a Telegram account, and returns the id of every
// post of posts by identifier. The demo's synthetic mediators are such
// posts: they report through imports, never through the bot.
func (s *Store) EnsurePosts(ctx context.Context, posts []Mediator) (map[string]ids.MediatorID, error) {
	out := map[string]ids.MediatorID{}
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
			var id ids.MediatorID
			if err := rows.Scan(&ident, &id); err != nil {
				return err
			}
			out[ident] = id
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("ensure posts: %w", err)
	}
	return out, nil
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
func (s *Store) ForgetEmptyReminderDay(ctx context.Context, mediatorIDs []ids.MediatorID, today time.Time) error {
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
