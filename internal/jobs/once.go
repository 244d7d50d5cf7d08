// Package jobs runs Relais's scheduled work: a Runner that runs every
// scheduled job the same way (mailroom's crons are the model), and Sends,
// the one pattern by which a scheduled message goes out exactly once.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
)

// ErrNothingToSend, returned by a send function, records the message as
// handled without sending anything (a review filled meanwhile): no later
// pass sends it.
var ErrNothingToSend = errors.New("nothing to send")

// ErrNothingYet, returned by a send function, says there is nothing to send
// now but there may be later in the message's period (a daily reminder
// before any request is due today): the claim is released, no trace is
// kept, and a later pass may claim and send it.
var ErrNothingYet = errors.New("nothing to send yet")

// Defaults of Sends. The send deadline is shorter than the lease, so a
// message is either finished or abandoned before anyone may claim it again.
const (
	DefaultLease    = 15 * time.Minute
	DefaultDeadline = 5 * time.Minute
)

// SendMetrics is told about scheduled messages (Prometheus in production).
type SendMetrics interface {
	Scheduled(kind, outcome string)
	Blocked()
	// Remaining is how many messages of kind the current pass has still
	// to handle (see Sends.Plan).
	Remaining(kind string, n int)
}

// Sends sends scheduled messages exactly once, across replicas, restarts
// and crashes, with one pattern for all of them:
//
//  1. claim: a job_runs row in state "claimed" until now+Lease, in its own
//     committed transaction (a twin process sees it and skips);
//  2. send, with a deadline (Deadline) shorter than the lease;
//  3. mark: "sent", "skipped" (nothing to send), "blocked" (403: the user
//     is marked unreachable and skipped from then on), "failed" (certainly
//     not delivered: a later pass retries, at most store.MaxSendAttempts
//     times) or "unknown" (a 5xx, a timeout, a cut mid-call: Telegram may
//     have delivered it, so it is never sent again). A send that finds
//     nothing to send yet (ErrNothingYet) gives its claim back instead.
//
// A crash between 1 and 3 leaves the row "claimed": the message may or may
// not have reached Telegram. It is not sent again while claimed, and once
// the lease has passed only on a later local day: never twice in a day, and
// a daily reminder never (its period is the day).
type Sends struct {
	Store    *store.Store
	Lease    time.Duration // default DefaultLease
	Deadline time.Duration // default DefaultDeadline
	Log      *slog.Logger
	Metrics  SendMetrics

	mu    sync.Mutex
	done  int              // messages handled since start, for the progress log
	plans map[string]*plan // announced passes, by kind
}

// plan is a pass announced with Plan: how many messages, how many handled,
// how many of them claimed by this pass (a pass that only finds messages
// handled already, every ten minutes all week for the digest, logs nothing).
type plan struct{ total, handled, worked int }

// Message is one scheduled message.
type Message struct {
	Key    store.SendKey
	Kind   string         // metric label: reminder, nudge, digest, review
	UserID ids.TelegramID // the recipient, marked unreachable on a 403
	// Now is the pass's time; DayStart the start of its local day.
	Now, DayStart time.Time
}

// Once sends m with send unless it was sent (or is being sent) already.
// sent tells whether send ran and succeeded; err is a failure to retry.
func (s *Sends) Once(ctx context.Context, m Message, send func(ctx context.Context) error) (sent bool, err error) {
	worked := false // claimed here: this pass does the work
	defer func() { s.handled(m.Kind, worked) }()
	lease, deadline := s.Lease, s.Deadline
	if lease <= 0 {
		lease = DefaultLease
	}
	if deadline <= 0 || deadline >= lease {
		deadline = min(DefaultDeadline, lease/2)
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	claimed, err := s.Store.ClaimSend(ctx, m.Key, m.Now, m.DayStart, lease)
	if err != nil || !claimed {
		return false, err
	}
	worked = true
	// Scheduled messages are bulk: the sender lets conversations go first.
	sctx, cancel := context.WithTimeout(telegram.Bulk(ctx), deadline)
	err = send(sctx)
	cut := sctx.Err() != nil && err != nil
	cancel()

	if errors.Is(err, ErrNothingYet) {
		s.release(ctx, m, log)
		return false, nil
	}
	state := store.SendSent
	switch {
	case err == nil:
	case errors.Is(err, ErrNothingToSend):
		state, err = store.SendSkipped, nil
	case telegram.IsForbidden(err):
		state = store.SendBlocked
	case errors.Is(err, telegram.ErrMaybeDelivered), cut && !errors.Is(err, telegram.ErrNotSent):
		// A 5xx, a timeout or a cut connection once the request left, or
		// a send cut mid-call (shutdown or deadline): Telegram may have
		// delivered it. Recorded unknown: never sent again.
		state = store.SendUnknown
		log.Warn("scheduled message may have reached Telegram, not sent again", "message", m.Key.String(), "err", err)
	default:
		// Certainly not delivered (refused, never reached Telegram, or
		// not sent at all): a later pass retries.
		state = store.SendFailed
	}
	// The mark must outlive a shutdown: the message is out.
	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer mcancel()
	if ferr := s.Store.FinishSend(mctx, m.Key, state, m.Now); ferr != nil {
		// The row stays claimed: treated as unknown, never sent twice a day.
		log.Error("record scheduled message", "message", m.Key.String(), "state", state, "err", ferr)
	}
	s.count(m.Kind, state)
	switch state {
	case store.SendBlocked:
		if m.UserID != 0 {
			if _, uerr := s.Store.MarkUnreachable(mctx, m.UserID, m.Now); uerr != nil {
				log.Error("mark user unreachable", "user_id", m.UserID, "err", uerr)
			}
		}
		if s.Metrics != nil {
			s.Metrics.Blocked()
		}
		log.Info("user blocked the bot, marked unreachable", "job", m.Key.Job, "user_id", m.UserID)
		return false, nil
	case store.SendFailed:
		return false, err
	case store.SendUnknown:
		return false, nil
	}
	return state == store.SendSent, nil
}

// release gives m's claim back: nothing was sent, so a later pass of the
// same period may claim it.
func (s *Sends) release(ctx context.Context, m Message, log *slog.Logger) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.Store.ReleaseSend(rctx, m.Key); err != nil {
		// The row stays claimed: this period's message is not sent.
		log.Error("release scheduled message", "message", m.Key.String(), "err", err)
	}
	s.count(m.Kind, "nothing_yet")
}

func (s *Sends) count(kind, outcome string) {
	if s.Metrics != nil {
		s.Metrics.Scheduled(kind, outcome)
	}
}

// Plan announces a pass of n messages of kind, such as a digest to 500
// recipients: long work shows how far it is, in the logs ("handled 200 of
// 500", from the first message it claims) and on /metrics
// (relais_scheduled_messages_remaining), until each of the n has gone
// through Once, whatever its outcome.
func (s *Sends) Plan(kind string, n int) {
	s.mu.Lock()
	if s.plans == nil {
		s.plans = map[string]*plan{}
	}
	s.plans[kind] = &plan{total: n}
	s.mu.Unlock()
	if s.Metrics != nil {
		s.Metrics.Remaining(kind, n)
	}
}

// handled counts one message through Once (sent, skipped, failed or
// already handled elsewhere) for the progress log and metric; worked says
// this pass claimed it.
func (s *Sends) handled(kind string, worked bool) {
	s.mu.Lock()
	s.done++
	done, p := s.done, s.plans[kind]
	var handled, total, claimed int
	if p != nil {
		p.handled++
		if worked {
			p.worked++
		}
		handled, total, claimed = p.handled, p.total, p.worked
		if handled >= total {
			delete(s.plans, kind)
		}
	}
	s.mu.Unlock()
	switch {
	case p == nil:
		if done%progressEvery == 0 {
			s.logger().Info("scheduled messages progress", "handled", done, "last_kind", kind)
		}
		return
	case worked && claimed == 1:
		s.logger().Info("scheduled messages to handle", "kind", kind, "total", total, "handled", handled)
	case claimed > 0 && (handled%progressEvery == 0 || handled >= total):
		s.logger().Info("scheduled messages progress", "kind", kind, "handled", handled, "total", total)
	}
	if s.Metrics != nil {
		s.Metrics.Remaining(kind, max(total-handled, 0))
	}
}

func (s *Sends) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// progressEvery is how often Sends logs its progress, in messages.
const progressEvery = 100

// DayStart is the start of t's local day.
func DayStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
