package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// EditWindowDays is how long after saving a mediator may correct a sheet.
const EditWindowDays = 30

// EditWindow is EditWindowDays as a duration.
const EditWindow = EditWindowDays * 24 * time.Hour

// Editable tells whether a sheet saved at savedAt may still be corrected at
// now: the one rule the store, /mesfiches and the ✏️ button all follow.
func Editable(savedAt, now time.Time) bool { return now.Sub(savedAt) <= EditWindow }

// ErrTooOld refuses a correction after EditWindow.
var ErrTooOld = errors.New("sheet saved too long ago to be corrected")

// OwnSheet loads one of the mediator's sheets by its number for them, to
// correct it; ErrNotFound when they have no such sheet.
func (s *Store) OwnSheet(ctx context.Context, mediatorID ids.MediatorID, number int64) (Sheet, time.Time, error) {
	var sh Sheet
	var savedAt time.Time
	err := s.db.QueryRow(ctx, `
		SELECT s.id, s.mediator_id, s.date, b.code, s.sex, s.age, s.qpv, s.resources, s.contact_mode, s.level,
		       s.social_protection, s.obstacles, s.note, s.created_at
		FROM sheets s JOIN beneficiaries b ON b.id = s.beneficiary_id
		WHERE s.mediator_id = $1 AND s.mediator_number = $2`, mediatorID, number).Scan(
		&sh.ID, &sh.MediatorID, &sh.Date, &sh.Beneficiary, &sh.Sex, &sh.Age, &sh.QPV, &sh.Resources, &sh.ContactMode,
		&sh.Level, &sh.SocialProtection, &sh.Obstacles, &sh.Note, &savedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Sheet{}, time.Time{}, ErrNotFound
	}
	if err != nil {
		return Sheet{}, time.Time{}, fmt.Errorf("own sheet: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT id, kind, type, status, follow_up FROM requests WHERE sheet_id = $1 ORDER BY position`, sh.ID)
	if err != nil {
		return Sheet{}, time.Time{}, fmt.Errorf("own sheet requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Request
		if err := rows.Scan(&r.ID, &r.Kind, &r.Type, &r.Status, &r.FollowUp); err != nil {
			return Sheet{}, time.Time{}, fmt.Errorf("own sheet requests: %w", err)
		}
		sh.Requests = append(sh.Requests, r)
	}
	return sh, savedAt, rows.Err()
}

// UpdateSheet rewrites one of the mediator's sheets saved less than
// EditWindow before now: its fields, its beneficiary's latest attributes,
// and its requests position by position (a request kept keeps its row, so
// its reminders continue). Running it twice is harmless. The report
// rollups follow by their triggers. It returns the sheet's number for the
// mediator.
func (s *Store) UpdateSheet(ctx context.Context, sh Sheet, now time.Time) (int64, error) {
	var number int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var owner ids.MediatorID
		var savedAt time.Time
		err := tx.QueryRow(ctx, `SELECT mediator_id, mediator_number, created_at FROM sheets WHERE id = $1 FOR UPDATE`, sh.ID).
			Scan(&owner, &number, &savedAt)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && owner != sh.MediatorID) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !Editable(savedAt, now) {
			return ErrTooOld
		}
		benID, err := s.upsertBeneficiary(ctx, tx, sh)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE sheets SET beneficiary_id = $2, date = $3, sex = $4, age = $5, qpv = $6, resources = $7, contact_mode = $8,
			       level = $9, social_protection = $10, obstacles = $11, note = $12
			WHERE id = $1`, sh.ID, benID, sh.Date, sh.Sex, sh.Age, sh.QPV, sh.Resources, sh.ContactMode,
			sh.Level, sh.SocialProtection, textArray(sh.Obstacles), sh.Note); err != nil {
			return err
		}
		for i, r := range sh.Requests {
			if _, err := tx.Exec(ctx, `
				INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, status_changed_at, resolved_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $5 = 'resolue' THEN $7::timestamptz END)
				ON CONFLICT (sheet_id, position) DO UPDATE SET kind = EXCLUDED.kind, type = EXCLUDED.type,
				       follow_up = EXCLUDED.follow_up, status = EXCLUDED.status,
				       status_changed_at = CASE WHEN requests.status = EXCLUDED.status THEN requests.status_changed_at ELSE EXCLUDED.status_changed_at END,
				       resolved_at = CASE WHEN EXCLUDED.status <> 'resolue' THEN NULL
				                          WHEN requests.status = 'resolue' THEN requests.resolved_at
				                          ELSE EXCLUDED.resolved_at END`,
				sh.ID, i+1, r.Kind, r.Type, r.Status, r.FollowUp, now); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM requests WHERE sheet_id = $1 AND position > $2`, sh.ID, len(sh.Requests))
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrTooOld), errors.Is(err, ErrBeneficiaryNotYours), errors.Is(err, ErrBeneficiaryForgotten):
		return 0, err
	case err != nil:
		return 0, fmt.Errorf("update sheet: %w", err)
	}
	return number, nil
}
