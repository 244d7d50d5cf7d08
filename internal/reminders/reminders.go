// Package reminders sends the scheduled messages of Relais: each mediator's
// daily list of requests to follow up, and a nudge for a form left half
// filled. A robfig/cron schedule in RELAIS_TZ ticks every minute; each tick
// sends whatever is owed and not yet sent, so a run after downtime catches
// up. Several `relais serve` processes may run it: a Redis lock keeps one
// tick at a time, and every message goes through jobs.Sends (claimed in
// job_runs first, then sent, then marked), so it goes out once.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/draftprompt"
	"github.com/relais-sante/relais/internal/followup"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
)

// Sender delivers a message; in production the rate-limited Telegram sender.
type Sender interface {
	Post(ctx context.Context, m chat.Message) (int, error)
}

// Drafts is what the scheduler needs from the Redis state store: the forms
// left idle. A pass takes no lock: it runs on every replica at each tick,
// and each message is claimed before it is sent (jobs.Sends), so it goes
// once, from whichever replica claimed it.
type Drafts interface {
	Idle(ctx context.Context, olderThan time.Duration, now time.Time) ([]state.DraftRef, error)
}

const (
	// Nudges wait for the daytime: a form left at 19:00 is not recalled at 23:00
	// but at 08:00 the next morning.
	nudgeFromHour  = 8
	nudgeUntilHour = 20
	everyMinute    = "* * * * *"
)

// Options wires a Scheduler.
type Options struct {
	Store    *store.Store
	Drafts   Drafts
	Out      Sender
	Location *time.Location // RELAIS_TZ; nil: UTC
	// Hour is RELAIS_REMINDER_HOUR (config.ReminderHour): the reminder hour
	// of a user who never chose one (users.reminder_hour NULL); 0:
	// config.DefaultReminderHour.
	Hour       int
	NudgeAfter time.Duration // RELAIS_NUDGE_AFTER; 0: config.DefaultNudgeAfter
	Log        *slog.Logger
	// Forms are the loaded forms, whose titles name a draft in the nudge
	// ("Vous avez une fiche en cours (Fiche d'accompagnement).", as the bot
	// says it). nil: "Vous avez une saisie en cours."
	Forms map[string]*forms.Form
	// Metrics, when set, counts the messages sent.
	Metrics jobs.SendMetrics
}

// Scheduler sends the reminders, nudges and annual review reminders owed;
// its Job runs a pass every minute on the runner of `relais serve`.
type Scheduler struct {
	o     Options
	sends *jobs.Sends
	log   *slog.Logger
}

// New returns a Scheduler; register its Job on a jobs.Runner to run it.
func New(o Options) *Scheduler {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Hour <= 0 {
		o.Hour = config.DefaultReminderHour
	}
	if o.NudgeAfter <= 0 {
		o.NudgeAfter = config.DefaultNudgeAfter
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	log := o.Log.With("component", "reminders")
	return &Scheduler{o: o, log: log, sends: &jobs.Sends{Store: o.Store, Log: log, Metrics: o.Metrics}}
}

// Job is the reminders pass as a scheduled job: every minute, and at
// start-up (reminders missed while the bot was stopped go out then), on
// every replica: each message is claimed before it goes, so replicas
// share the 09:00 pass and its sending.
func (s *Scheduler) Job() jobs.Job {
	return jobs.Job{Name: "reminders", Spec: everyMinute, EveryReplica: true, Run: func(ctx context.Context, now time.Time) error {
		r, err := s.runDue(ctx, now)
		if r.Reminders > 0 || r.Nudges > 0 || r.Reviews > 0 {
			s.log.Info("reminders sent", "reminders", r.Reminders, "nudges", r.Nudges, "reviews", r.Reviews)
		}
		return err
	}}
}

// Report counts what a pass sent.
type Report struct {
	Reminders int
	Nudges    int
	Reviews   int // annual review reminders (January)
}

// runDue sends what is owed at now: the daily reminders of mediators whose
// hour has come today and who have not had them, the nudges of drafts idle
// for longer than NudgeAfter and the annual review reminders. It is safe to
// run from several processes at once and as often as wanted: each message
// goes out once.
func (s *Scheduler) runDue(ctx context.Context, now time.Time) (Report, error) {
	var r Report
	now = now.In(s.o.Location)
	var errs []error
	n, err := s.sendReminders(ctx, now)
	r.Reminders = n
	errs = append(errs, err)
	n, err = s.sendNudges(ctx, now)
	r.Nudges = n
	errs = append(errs, err)
	n, err = s.sendReviewReminders(ctx, now)
	r.Reviews = n
	errs = append(errs, err)
	return r, errors.Join(errs...)
}

// reminderWorkers is how many reminders of a pass are prepared and sent at
// once. Each one's message is wrapped in five statements (its claim, its
// due list, its mark, its requests' last reminder date, whose rollup
// triggers take a few milliseconds); one after the other they left part of
// the rate Telegram gives scheduled messages unused: 2 000 reminders while
// 100 mediators converse took 96 s, beyond the 90 s they are due in
// (docs/performance.md). The sender still paces them all (Bulk), behind
// the conversations.
const reminderWorkers = 4

// sendReminders sends the day's follow-up list to each mediator owed one,
// reminderWorkers at a time.
func (s *Scheduler) sendReminders(ctx context.Context, now time.Time) (int, error) {
	day := jobs.DayStart(now)
	targets, err := s.o.Store.PendingReminders(ctx, now, now.Hour(), s.o.Hour)
	if err != nil {
		return 0, err
	}
	var (
		mu   sync.Mutex
		sent int
		errs []error
		wg   sync.WaitGroup
		work = make(chan store.ReminderTarget)
	)
	for range min(reminderWorkers, len(targets)) {
		wg.Go(func() {
			for t := range work {
				ok, err := s.remind(ctx, t, now, day)
				mu.Lock()
				if ok {
					sent++
				}
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, t := range targets {
		if jobs.Stopping(ctx) {
			break
		}
		work <- t
	}
	close(work)
	wg.Wait()
	return sent, errors.Join(errs...)
}

// remind sends t's daily reminder unless it went already; sent says it went
// in this pass. A failure to send is retried next pass; a failure to mark
// the requests reminded once it went is returned beside sent.
func (s *Scheduler) remind(ctx context.Context, t store.ReminderTarget, now, day time.Time) (sent bool, err error) {
	var due []store.FollowUp
	m := jobs.Message{Key: store.SendKey{Job: store.JobFollowUps, Period: store.ReminderPeriod(now), MediatorID: t.MediatorID},
		Kind: "reminder", UserID: t.UserID, Now: now, DayStart: day}
	ok, err := s.sends.Once(ctx, m, func(ctx context.Context) error {
		var err error
		if due, err = s.o.Store.DueFollowUps(ctx, t.MediatorID, now); err != nil {
			return err
		}
		if len(due) == 0 {
			// Resolved since PendingReminders looked: a request due
			// later today still gets its reminder.
			return jobs.ErrNothingYet
		}
		shown := due
		if len(shown) > followup.PageSize {
			shown = shown[:followup.PageSize]
		}
		text, buttons := followup.Render(followup.DailyHeading(due, now), 1, followup.Lines(shown), followup.MoreFooter(len(due)-len(shown)), now)
		if _, err := s.o.Out.Post(ctx, chat.Message{ChatID: int64(t.ChatID), Text: text, Buttons: buttons}); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		return nil
	})
	if err != nil {
		// The others still get theirs; this one is retried next pass.
		return false, fmt.Errorf("daily reminder of mediator %d: %w", t.MediatorID, err)
	}
	if !ok {
		return false, nil
	}
	if err := s.o.Store.MarkReminded(context.WithoutCancel(ctx), due, now); err != nil {
		return true, err
	}
	return true, nil
}

// nudgeText is the nudge about a draft of form formID left half filled.
func (s *Scheduler) nudgeText(formID string) string {
	open := "Vous avez une saisie en cours."
	if s.o.Forms != nil {
		title := ""
		if f, ok := s.o.Forms[formID]; ok {
			title = f.Title.FR
		}
		open = draftprompt.InProgress(formID, title)
	}
	return open + " Voulez-vous la reprendre ?"
}

// sendNudges sends one nudge per idle draft (per time it was left), unless
// its user turned nudges off.
func (s *Scheduler) sendNudges(ctx context.Context, now time.Time) (int, error) {
	if now.Hour() < nudgeFromHour || now.Hour() >= nudgeUntilHour {
		return 0, nil
	}
	drafts, err := s.o.Drafts.Idle(ctx, s.o.NudgeAfter, now)
	if err != nil {
		return 0, fmt.Errorf("idle drafts: %w", err)
	}
	sent := 0
	var errs []error
	for _, d := range drafts {
		if jobs.Stopping(ctx) {
			break
		}
		u, err := s.o.Store.UserByTelegramID(ctx, d.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !u.Nudges || u.Disabled || u.Unreachable {
			continue
		}
		// The period is when the draft was last touched: a draft resumed and
		// left again earns a new nudge, the same idle draft never two.
		period := d.UpdatedAt.UTC().Format(time.RFC3339Nano)
		m := jobs.Message{Key: store.SendKey{Job: store.JobNudge, Period: period, TelegramID: d.UserID},
			Kind: "nudge", UserID: d.UserID, Now: now, DayStart: jobs.DayStart(now)}
		ok, err := s.sends.Once(ctx, m, func(ctx context.Context) error {
			nudge := chat.Message{ChatID: int64(d.ChatID), Text: s.nudgeText(d.FormID), Buttons: draftprompt.Buttons(d.RecordID, "")}
			if _, err := s.o.Out.Post(ctx, nudge); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("nudge of user %d: %w", d.UserID, err))
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}
