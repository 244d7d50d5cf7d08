package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/ids"
)

// Request statuses (codes of the catalogue).
const (
	StatusOpen       = "en_cours"
	StatusResolved   = "resolue"
	StatusUnresolved = "non_resolue"
	StatusAbandoned  = "abandonnee"
)

// FollowUp is a request as a mediator follows it up: enough to recognise it
// (sheet number and date, beneficiary code, type) and to act on it.
type FollowUp struct {
	ID          int64
	SheetNumber int64 // the sheet's number for its mediator (1, 2, 3…)
	Position    int   // rank of the request in its sheet, from 1
	SheetDate   time.Time
	Beneficiary string
	Kind        string
	Type        string
	Status      string
	FollowUpOn  *time.Time // the follow-up date, if any
	ResolvedAt  *time.Time
	// ClosedAt is when its status last changed (for a closed request shown
	// in a follow-up message: when a button closed it).
	ClosedAt *time.Time
}

// Ref names a request the way the mediator sees it: sheet number and rank.
type Ref struct {
	SheetNumber int64 // the sheet's number for its mediator (1, 2, 3…)
	Position    int
}

// Ref returns the request's sheet number and rank.
func (f FollowUp) Ref() Ref { return Ref{f.SheetNumber, f.Position} }

// DaysOpen counts the days since the accompaniment, as of today (a local date).
func (f FollowUp) DaysOpen(today time.Time) int {
	return int(Day(today).Sub(Day(f.SheetDate)) / (24 * time.Hour))
}

// Day turns a local time into the calendar date PostgreSQL stores (midnight
// UTC with the same year, month and day), so dates never shift by a time zone.
func Day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

const followUpColumns = `r.id, s.mediator_number, r.position, s.date, b.code, r.kind, r.type, r.status, r.follow_up, r.resolved_at, r.status_changed_at`

const followUpFrom = `
	FROM requests r
	JOIN sheets s ON s.id = r.sheet_id
	JOIN beneficiaries b ON b.id = s.beneficiary_id`

// lateFirst orders follow-ups by follow-up date, so the longest late come
// first, then those due today, then later ones, then those without a date;
// then by accompaniment date, sheet and rank.
const lateFirst = ` ORDER BY r.follow_up NULLS LAST, s.date, s.mediator_number, r.position`

func scanFollowUps(rows pgx.Rows) ([]FollowUp, error) {
	defer rows.Close()
	var out []FollowUp
	for rows.Next() {
		var f FollowUp
		if err := rows.Scan(&f.ID, &f.SheetNumber, &f.Position, &f.SheetDate, &f.Beneficiary, &f.Kind, &f.Type,
			&f.Status, &f.FollowUpOn, &f.ResolvedAt, &f.ClosedAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// rowsQuerier is what a pool and a transaction share for reading.
type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func dueFollowUps(ctx context.Context, tx rowsQuerier, mediatorID ids.MediatorID, today time.Time) ([]FollowUp, error) {
	rows, err := tx.Query(ctx, `SELECT `+followUpColumns+followUpFrom+`
		WHERE s.mediator_id = $1 AND r.status = 'en_cours' AND r.follow_up <= $2`+lateFirst,
		mediatorID, Day(today))
	if err != nil {
		return nil, err
	}
	return scanFollowUps(rows)
}

// DueFollowUps lists the mediator's open requests whose follow-up date has
// come by today (a local date), the longest late first.
func (s *Store) DueFollowUps(ctx context.Context, mediatorID ids.MediatorID, today time.Time) ([]FollowUp, error) {
	out, err := dueFollowUps(ctx, s.db, mediatorID, today)
	if err != nil {
		return nil, fmt.Errorf("due follow-ups: %w", err)
	}
	return out, nil
}

// OpenRequests lists all the mediator's open requests, with or without a
// follow-up date, the longest late first, those without a date last (/suivis).
func (s *Store) OpenRequests(ctx context.Context, mediatorID ids.MediatorID) ([]FollowUp, error) {
	rows, err := s.db.Query(ctx, `SELECT `+followUpColumns+followUpFrom+`
		WHERE s.mediator_id = $1 AND r.status = 'en_cours'`+lateFirst, mediatorID)
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
	}
	out, err := scanFollowUps(rows)
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
	}
	return out, nil
}

// FollowUpsByRef loads requests of the mediator's own sheets, whatever their
// status, in the order of refs; refs to other mediators' sheets are skipped.
// A follow-up message is redrawn from it after a button press.
func (s *Store) FollowUpsByRef(ctx context.Context, mediatorID ids.MediatorID, refs []Ref) ([]FollowUp, error) {
	numbers := make([]int64, len(refs))
	positions := make([]int32, len(refs))
	for i, r := range refs {
		numbers[i], positions[i] = r.SheetNumber, int32(r.Position)
	}
	rows, err := s.db.Query(ctx, `SELECT `+followUpColumns+followUpFrom+`
		JOIN unnest($2::bigint[], $3::int[]) WITH ORDINALITY AS want(number, position, ord)
		  ON want.number = s.mediator_number AND want.position = r.position
		WHERE s.mediator_id = $1
		ORDER BY want.ord`, mediatorID, numbers, positions)
	if err != nil {
		return nil, fmt.Errorf("follow-ups by ref: %w", err)
	}
	out, err := scanFollowUps(rows)
	if err != nil {
		return nil, fmt.Errorf("follow-ups by ref: %w", err)
	}
	return out, nil
}

// lockOwnRequest locks one of the mediator's requests and returns its status
// and follow-up date, or ErrNotFound when it is not theirs.
func lockOwnRequest(ctx context.Context, tx pgx.Tx, mediatorID ids.MediatorID, requestID int64) (string, *time.Time, error) {
	var status string
	var follow *time.Time
	err := tx.QueryRow(ctx, `
		SELECT r.status, r.follow_up FROM requests r JOIN sheets s ON s.id = r.sheet_id
		WHERE r.id = $1 AND s.mediator_id = $2
		FOR UPDATE OF r`, requestID, mediatorID).Scan(&status, &follow)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	return status, follow, err
}

// SetRequestStatus closes one of the mediator's open requests with status
// (resolue, non_resolue or abandonnee), noting when it was resolved. It
// returns false when the request was already closed, so a double tap is
// recorded once, and ErrNotFound when the request is not the mediator's.
func (s *Store) SetRequestStatus(ctx context.Context, mediatorID ids.MediatorID, requestID int64, status string, now time.Time) (bool, error) {
	switch status {
	case StatusResolved, StatusUnresolved, StatusAbandoned:
	default:
		return false, fmt.Errorf("set request status: %q is not a closing status", status)
	}
	changed := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		current, _, err := lockOwnRequest(ctx, tx, mediatorID, requestID)
		if err != nil || current != StatusOpen {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE requests SET status = $2, status_changed_at = $3,
			       resolved_at = CASE WHEN $2 = 'resolue' THEN $3::timestamptz END
			WHERE id = $1`, requestID, status, now)
		changed = err == nil
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("set request status: %w", err)
	}
	return changed, nil
}

// UndoWindow is how long a status recorded from a follow-up button can be undone.
const UndoWindow = 24 * time.Hour

// ErrStatusChanged: the request's status is no longer the one the undo
// button showed (a sheet correction set another since): nothing is undone.
var ErrStatusChanged = errors.New("request status changed since")

// UndoRequestStatus reopens one of the mediator's requests closed by a
// follow-up button less than UndoWindow ago (a slip of the finger). shown
// is the status the button undoes ("" for buttons made before it said):
// a status set since by a sheet correction is not the button's to undo
// (ErrStatusChanged). It returns the status undone ("" when nothing
// changed: already open, or too late) and ErrNotFound when the request is
// not the mediator's. The report rollups follow by their triggers.
func (s *Store) UndoRequestStatus(ctx context.Context, mediatorID ids.MediatorID, requestID int64, shown string, now time.Time) (string, error) {
	undone := ""
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		current, _, err := lockOwnRequest(ctx, tx, mediatorID, requestID)
		if err != nil || current == StatusOpen {
			return err
		}
		if shown != "" && current != shown {
			return ErrStatusChanged
		}
		tag, err := tx.Exec(ctx, `
			UPDATE requests SET status = 'en_cours', status_changed_at = $3, resolved_at = NULL
			WHERE id = $1 AND status_changed_at > $2`, requestID, now.Add(-UndoWindow), now)
		if err == nil && tag.RowsAffected() == 1 {
			undone = current
		}
		return err
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrStatusChanged) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("undo request status: %w", err)
	}
	return undone, nil
}

// Postpone moves the follow-up date of one of the mediator's open requests
// days later: from the current date, or from today if that date has passed
// (an overdue request postponed by a week comes back in a week, not
// tomorrow). shown is the follow-up date the mediator saw when pressing: if
// the date is no longer that one, a first tap already moved it and nothing
// changes, so a double tap is recorded once. It returns the follow-up date
// after the call, whether it changed, and ErrNotFound when the request is not
// the mediator's.
func (s *Store) Postpone(ctx context.Context, mediatorID ids.MediatorID, requestID int64, shown *time.Time, today time.Time, days int) (time.Time, bool, error) {
	var until time.Time
	changed := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		current, follow, err := lockOwnRequest(ctx, tx, mediatorID, requestID)
		if err != nil {
			return err
		}
		if follow != nil {
			until = Day(*follow)
		}
		if current != StatusOpen || !sameDay(follow, shown) {
			return nil
		}
		from := Day(today)
		if follow != nil && follow.After(from) {
			from = Day(*follow)
		}
		until = from.AddDate(0, 0, days)
		_, err = tx.Exec(ctx, `UPDATE requests SET follow_up = $2 WHERE id = $1`, requestID, until)
		changed = err == nil
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, false, err
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("postpone request: %w", err)
	}
	return until, changed, nil
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return Day(*a).Equal(Day(*b))
}

// Job names recorded in job_runs.
const (
	JobFollowUps = "followups"
	JobNudge     = "nudge"
)

// ReminderTarget is a mediator whose daily follow-up reminder is owed.
type ReminderTarget struct {
	MediatorID ids.MediatorID
	UserID     ids.TelegramID
	ChatID     ids.ChatID
}

// ReminderPeriod is the job_runs period of a daily reminder: the local date.
func ReminderPeriod(today time.Time) string { return today.Format("2006-01-02") }

// PendingReminders lists the active, reachable mediators whose reminder
// hour (users.reminder_hour, defaultHour when unset) has come by hour on
// now's day, who have a request due (open, follow-up date by today, as
// DueFollowUps) and whose reminder of the day has not been handled yet (or
// failed and may be retried). A mediator with nothing due is not a target
// and leaves no row: a request that falls due later the same day (saved,
// postponed to today) is reminded by the next pass.
func (s *Store) PendingReminders(ctx context.Context, now time.Time, hour, defaultHour int) ([]ReminderTarget, error) {
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	rows, err := s.db.Query(ctx, `
		SELECT m.id, u.telegram_id, u.chat_id
		FROM mediators m JOIN users u ON u.telegram_id = m.user_id
		WHERE m.active AND u.role = 'mediator' AND u.disabled_at IS NULL AND COALESCE(u.reminder_hour, $3) <= $2
		  AND u.unreachable_since IS NULL
		  AND EXISTS (SELECT 1 FROM requests r JOIN sheets s ON s.id = r.sheet_id
		              WHERE s.mediator_id = m.id AND r.status = 'en_cours' AND r.follow_up <= $7)
		  AND NOT EXISTS (SELECT 1 FROM job_runs j WHERE j.job = $4 AND j.period = $1 AND j.mediator_id = m.id
		                  AND NOT `+retryable("j", "$5", "$6")+`)
		ORDER BY m.id`, ReminderPeriod(now), hour, defaultHour, JobFollowUps, now, dayStart, Day(now))
	if err != nil {
		return nil, fmt.Errorf("pending reminders: %w", err)
	}
	defer rows.Close()
	var out []ReminderTarget
	for rows.Next() {
		var t ReminderTarget
		if err := rows.Scan(&t.MediatorID, &t.UserID, &t.ChatID); err != nil {
			return nil, fmt.Errorf("pending reminders: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending reminders: %w", err)
	}
	return out, nil
}

// MarkReminded notes that the due requests were in today's reminder.
func (s *Store) MarkReminded(ctx context.Context, due []FollowUp, today time.Time) error {
	ids := make([]int64, len(due))
	for i, f := range due {
		ids[i] = f.ID
	}
	if _, err := s.db.Exec(ctx, `UPDATE requests SET last_reminded_on = $2 WHERE id = ANY($1)`, ids, Day(today)); err != nil {
		return fmt.Errorf("mark requests reminded: %w", err)
	}
	return nil
}
