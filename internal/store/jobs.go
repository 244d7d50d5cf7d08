package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// StartExecution records that a scheduled job started (job_executions), for
// the operator to see when each job last ran and how it ended.
func (s *Store) StartExecution(ctx context.Context, job string, scheduled time.Time, host string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `
		INSERT INTO job_executions (job, scheduled, started_at, host) VALUES ($1, $2, now(), $3) RETURNING id`,
		job, scheduled, host).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record job start: %w", err)
	}
	return id, nil
}

// FinishExecution records how an execution ended: ok, failed, panic or skipped,
// with the error's first 2 000 characters.
func (s *Store) FinishExecution(ctx context.Context, id int64, outcome, errText string) error {
	if utf8.RuneCountInString(errText) > 2000 {
		errText = string([]rune(errText)[:2000]) // whole characters: half of one is refused
	}
	if _, err := s.db.Exec(ctx, `
		UPDATE job_executions SET finished_at = now(), outcome = $2, error = $3 WHERE id = $1`, id, outcome, errText); err != nil {
		return fmt.Errorf("record job end: %w", err)
	}
	return nil
}

// DigestRecipient is who gets the Monday summary, with what they may see.
type DigestRecipient struct {
	TelegramID  ids.TelegramID
	ChatID      ids.ChatID
	Role        roles.Role
	MediatorID  *ids.MediatorID  // set for mediators: their own week
	Level       *territory.Level // coordinators only
	Region      string           // a coordinator's region (INSEE code); "" for a national one
	Departement string
	Structure   string
}

// DigestRecipients lists the users who asked for the summary and were
// registered before it was due (one who joins on Wednesday does not get last
// week's as a catch-up); disabled and unreachable users are left out.
func (s *Store) DigestRecipients(ctx context.Context, due time.Time) ([]DigestRecipient, error) {
	rows, err := s.db.Query(ctx, `
		SELECT u.telegram_id, u.chat_id, u.role, m.id, c.scope, COALESCE(c.region, ''), COALESCE(c.departement, ''), COALESCE(c.structure, '')
		FROM users u
		LEFT JOIN mediators m ON m.user_id = u.telegram_id
		LEFT JOIN coordinators c ON c.user_id = u.telegram_id
		WHERE u.digest AND u.created_at < $1 AND u.disabled_at IS NULL AND u.unreachable_since IS NULL
		  AND (u.role = 'admin' OR (m.id IS NOT NULL AND m.active) OR c.user_id IS NOT NULL)
		ORDER BY u.telegram_id`, due)
	if err != nil {
		return nil, fmt.Errorf("digest recipients: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DigestRecipient, error) {
		var d DigestRecipient
		err := r.Scan(&d.TelegramID, &d.ChatID, &d.Role, &d.MediatorID, &d.Level, &d.Region, &d.Departement, &d.Structure)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("digest recipients: %w", err)
	}
	return out, nil
}
