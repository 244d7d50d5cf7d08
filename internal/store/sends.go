package store

import (
	"context"
	"fmt"
	"time"

	"github.com/relais-sante/relais/internal/ids"
)

// Send states of a scheduled message in job_runs (see 00013).
const (
	SendClaimed = "claimed" // being sent; unknown once claimed_until has passed (the sender died)
	SendSent    = "sent"
	SendFailed  = "failed"  // not delivered: a later pass retries
	SendBlocked = "blocked" // 403: the user blocked the bot or left Telegram
	SendSkipped = "skipped" // nothing to send (a review filled meanwhile)
	// SendUnknown: the send failed in a way that may have delivered it (a
	// 5xx, a timeout, a connection cut mid-call): never sent again.
	SendUnknown = "unknown"
)

// MaxSendAttempts bounds the tries of one scheduled message.
const MaxSendAttempts = 5

// SendKey names one scheduled message: job, period and whom it is about.
// A message about a mediator post (follow-ups, review reminders: the post's
// requests, its review) sets ids.MediatorID; one for a person (nudges, the
// digest) sets ids.TelegramID. Exactly one is set: job_runs keeps each kind in
// its own column (00018), so a post id is never read as a Telegram id.
type SendKey struct {
	Job        string
	Period     string
	MediatorID ids.MediatorID
	TelegramID ids.TelegramID
}

func (k SendKey) String() string {
	if k.MediatorID != 0 {
		return fmt.Sprintf("%s %s/mediator:%d", k.Job, k.Period, k.MediatorID)
	}
	return fmt.Sprintf("%s %s/user:%d", k.Job, k.Period, k.TelegramID)
}

// subject is k's column in job_runs and its id; a key with neither id or
// both is refused before any SQL runs.
func (k SendKey) subject() (column string, id int64, err error) {
	switch {
	case k.MediatorID != 0 && k.TelegramID == 0:
		return "mediator_id", int64(k.MediatorID), nil
	case k.TelegramID != 0 && k.MediatorID == 0:
		return "telegram_id", int64(k.TelegramID), nil
	}
	return "", 0, fmt.Errorf("scheduled message %s %s: set a mediator id or a Telegram id, exactly one (mediator %d, user %d)",
		k.Job, k.Period, k.MediatorID, k.TelegramID)
}

// nullable is id for SQL, NULL when zero.
func nullable[ID ids.MediatorID | ids.TelegramID](id ID) *ID {
	if id == 0 {
		return nil
	}
	return &id
}

// retryable is the SQL condition (on job_runs j) under which a recorded
// message may be claimed again at $now: it failed, or its sender vanished
// mid-send (the claim expired: the message may or may not have gone out)
// and the claim dates from before $dayStart (an earlier local day), so an
// uncertain message is retried once a human-scale delay has passed and
// never twice in one day.
func retryable(j, now, dayStart string) string {
	return `(` + j + `.attempts < ` + fmt.Sprint(MaxSendAttempts) + ` AND (` + j + `.state = 'failed' OR (` + j + `.state = 'claimed' AND ` +
		j + `.claimed_until < ` + now + ` AND ` + j + `.ran_at < ` + dayStart + `)))`
}

// ClaimSend records, in its own committed transaction, that the message
// k is being sent until now+lease. false: it was sent, is being sent, or
// may not be retried yet. dayStart is the start of the local day.
func (s *Store) ClaimSend(ctx context.Context, k SendKey, now, dayStart time.Time, lease time.Duration) (bool, error) {
	if _, _, err := k.subject(); err != nil {
		return false, err
	}
	tag, err := s.db.Exec(ctx, `
		INSERT INTO job_runs AS j (job, period, mediator_id, telegram_id, ran_at, state, claimed_until, attempts)
		VALUES ($1, $2, $3, $4, $5, 'claimed', $6, 1)
		ON CONFLICT (job, period, mediator_id, telegram_id) DO UPDATE
		SET state = 'claimed', ran_at = $5, claimed_until = $6, attempts = j.attempts + 1, finished_at = NULL
		WHERE `+retryable("j", "$5", "$7"), k.Job, k.Period, nullable(k.MediatorID), nullable(k.TelegramID), now, now.Add(lease), dayStart)
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", k, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FinishSend records the outcome of a claimed message (SendSent,
// SendFailed, SendBlocked, SendSkipped or SendUnknown).
func (s *Store) FinishSend(ctx context.Context, k SendKey, state string, now time.Time) error {
	col, id, err := k.subject()
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `
		UPDATE job_runs SET state = $4, finished_at = $5
		WHERE job = $1 AND period = $2 AND `+col+` = $3 AND state = 'claimed'`,
		k.Job, k.Period, id, state, now)
	if err != nil {
		return fmt.Errorf("record %s %s: %w", k, state, err)
	}
	return nil
}

// ReleaseSend gives back the claim of a message that found nothing to send
// yet (jobs.ErrNothingYet): its row is deleted, so a later pass of the same
// period may claim it. Only a claimed row is released: a sent one never is.
func (s *Store) ReleaseSend(ctx context.Context, k SendKey) error {
	col, id, err := k.subject()
	if err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM job_runs WHERE job = $1 AND period = $2 AND `+col+` = $3 AND state = 'claimed'`,
		k.Job, k.Period, id); err != nil {
		return fmt.Errorf("release %s: %w", k, err)
	}
	return nil
}

// SendState returns the recorded state of k ("" when none).
func (s *Store) SendState(ctx context.Context, k SendKey) (string, error) {
	col, id, err := k.subject()
	if err != nil {
		return "", err
	}
	var st string
	err = s.db.QueryRow(ctx, `SELECT COALESCE(max(state), '') FROM job_runs WHERE job = $1 AND period = $2 AND `+col+` = $3`,
		k.Job, k.Period, id).Scan(&st)
	if err != nil {
		return "", fmt.Errorf("state of %s: %w", k, err)
	}
	return st, nil
}

// MarkUnreachable records that the user blocked the bot or deleted their
// account: scheduled messages skip them until they write again. It tells
// whether the user was reachable until now.
func (s *Store) MarkUnreachable(ctx context.Context, telegramID ids.TelegramID, now time.Time) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE users SET unreachable_since = $2 WHERE telegram_id = $1 AND unreachable_since IS NULL`, telegramID, now)
	if err != nil {
		return false, fmt.Errorf("mark user unreachable: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkReachable records that the user wrote to the bot (or unblocked it).
// It tells whether they were unreachable.
func (s *Store) MarkReachable(ctx context.Context, telegramID ids.TelegramID) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE users SET unreachable_since = NULL WHERE telegram_id = $1 AND unreachable_since IS NOT NULL`, telegramID)
	if err != nil {
		return false, fmt.Errorf("mark user reachable: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
