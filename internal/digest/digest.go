// Package digest sends the Monday summary: each coordinator gets their
// territory's week, each mediator their own, once per week even with several
// processes, and late rather than never after downtime.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// Sender delivers a message; in production the rate-limited Telegram sender.
type Sender interface {
	Post(ctx context.Context, m chat.Message) (int, error)
}

// Hour is when the digest is due on Mondays (RELAIS_TZ).
const Hour = 8

// Job sends the weekly digests.
type Job struct {
	Store    *store.Store
	Out      Sender
	Location *time.Location
	Log      *slog.Logger
	Sends    *jobs.Sends // nil: a default one on Store
	// Regions are the served regions (RELAIS_REGIONS); nil: the
	// Hauts-de-France alone, the default deployment.
	Regions territory.Served
}

// recipient is a user who gets a digest and the scope it covers.
type recipient struct {
	userID ids.TelegramID
	chatID ids.ChatID
	scope  indicators.Scope
}

// DueWeek is the week whose digest is due at now: the week before the
// latest Monday 08:00 that has passed.
func DueWeek(now time.Time) indicators.Period {
	this := indicators.Week(now)
	due := time.Date(this.From.Year(), this.From.Month(), this.From.Day(), Hour, 0, 0, 0, now.Location())
	if now.Before(due) {
		return indicators.Week(this.From.AddDate(0, 0, -8))
	}
	return indicators.Week(this.From.AddDate(0, 0, -1))
}

// Run sends every digest due at now and not sent yet; it returns how many it sent.
// Each one goes through jobs.Sends (claimed in job_runs, sent, marked), so a
// second process (or a second run, or a restart after a shutdown mid-send)
// does not send it again, and a failed send is retried later.
func (j *Job) Run(ctx context.Context, now time.Time) (int, error) {
	now = now.In(j.Location)
	week := DueWeek(now)
	period := week.From.Format(time.DateOnly)
	recipients, err := j.recipients(ctx, dueAt(week))
	if err != nil {
		return 0, err
	}
	sends := j.Sends
	if sends == nil {
		sends = &jobs.Sends{Store: j.Store, Log: j.Log}
	}
	sends.Plan("digest", len(recipients))
	sent := 0
	var errs []error
	for _, r := range recipients {
		if ctx.Err() != nil {
			break
		}
		m := jobs.Message{Key: store.SendKey{Job: JobName, Period: period, TelegramID: r.userID},
			Kind: "digest", UserID: r.userID, Now: now, DayStart: jobs.DayStart(now)}
		ok, err := sends.Once(ctx, m, func(ctx context.Context) error { return j.send(ctx, r, week, now) })
		if err != nil {
			errs = append(errs, fmt.Errorf("digest for user %d: %w", r.userID, err))
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// JobName is the digest's job in job_runs.
const JobName = "digest"

// figures computes the three reports of a digest in one read-only snapshot,
// committed before anything is sent: no transaction stays open across sends.
func (j *Job) figures(ctx context.Context, r recipient, week indicators.Period, now time.Time) (cur, prev, ytd *indicators.Report, err error) {
	opts := []indicators.Option{indicators.InZone(j.Location), indicators.AsOf(now)}
	if r.scope.Kind == indicators.KindMediator { // a mediator receives their own week
		opts = append(opts, indicators.ForTheMediator())
	}
	err = indicators.Snapshot(ctx, j.Store.Reports(), func(tx pgx.Tx) error {
		var err error
		if cur, err = indicators.Compute(ctx, tx, week, r.scope, opts...); err != nil {
			return err
		}
		if prev, err = indicators.Compute(ctx, tx, week.Previous(), r.scope, opts...); err != nil {
			return err
		}
		ytd, err = indicators.Compute(ctx, tx, indicators.YearToDate(week.To), r.scope, opts...)
		return err
	})
	return cur, prev, ytd, err
}

func (j *Job) send(ctx context.Context, r recipient, week indicators.Period, now time.Time) error {
	cur, prev, ytd, err := j.figures(ctx, r, week, now)
	if err != nil {
		return err
	}
	buttons := weekButtons(r.scope, week)
	var png []byte
	if ytd.Rights.Total+ytd.Care.Total > 0 {
		if png, err = indicators.RequestsPhoneChart(ytd); err != nil {
			j.logger().Warn("digest chart", "chat_id", r.chatID, "err", err)
			png = nil // the text goes alone, with the buttons
		}
	}
	text := chat.Message{ChatID: int64(r.chatID), Text: indicators.Digest(cur, prev, ytd)}
	if png == nil {
		text.Buttons = buttons
	}
	if _, err := j.Out.Post(ctx, text); err != nil {
		return err
	}
	if png == nil {
		return nil
	}
	who := ytd.Label // the territory, or the post's name (never its identifier)
	if ytd.Own {
		who = "vos chiffres"
	}
	photo := chat.Message{ChatID: int64(r.chatID), Text: "Demandes par type depuis le 1er janvier — " + who,
		File: &chat.File{Name: "demandes.png", Data: png, Photo: true}, Buttons: buttons}
	if _, err := j.Out.Post(ctx, photo); err != nil {
		// The text went out: the digest counts as sent; only the chart is missing.
		j.logger().Warn("digest chart", "chat_id", r.chatID, "err", err)
	}
	return nil
}

func (j *Job) logger() *slog.Logger {
	if j.Log == nil {
		return slog.Default()
	}
	return j.Log
}

// dueAt is the Monday 08:00 after week, when its digest goes out.
func dueAt(week indicators.Period) time.Time {
	next := week.To.AddDate(0, 0, 1)
	return time.Date(next.Year(), next.Month(), next.Day(), Hour, 0, 0, 0, time.UTC)
}

// recipients are the users registered before the digest was due (a user who
// joins on Wednesday does not get last week's digest as a catch-up).
func (j *Job) recipients(ctx context.Context, due time.Time) ([]recipient, error) {
	due = time.Date(due.Year(), due.Month(), due.Day(), due.Hour(), 0, 0, 0, j.Location)
	ds, err := j.Store.DigestRecipients(ctx, due)
	if err != nil {
		return nil, err
	}
	out := make([]recipient, 0, len(ds))
	for _, d := range ds {
		scope, ok := scopeOf(d, j.served())
		if !ok {
			// Never the region by default: someone whose territory is not
			// known gets nothing, and the operator a line to fix the row.
			var level territory.Level
			if d.Level != nil {
				level = *d.Level
			}
			j.logger().WarnContext(ctx, "digest recipient skipped: no known scope", "telegram_id", d.TelegramID, "role", d.Role, "scope", level)
			continue
		}
		out = append(out, recipient{userID: d.TelegramID, chatID: d.ChatID, scope: scope})
	}
	return out, nil
}

// served is the regions the digests cover.
func (j *Job) served() territory.Served {
	if len(j.Regions) > 0 {
		return j.Regions
	}
	hdf, _ := territory.FindRegion("32")
	return territory.Served{hdf}
}

// scopeOf is the territory of d's digest: a mediator's own week, the
// coordinator's structure or département, their region for regional
// coordinators, the region (every served region side by side when there
// are several) for admins and national coordinators. ok is false for
// anyone else.
func scopeOf(d store.DigestRecipient, served territory.Served) (s indicators.Scope, ok bool) {
	switch {
	case d.MediatorID != nil:
		return indicators.Mediator(*d.MediatorID), true
	case d.Role == roles.Admin:
		return indicators.Widest(served, indicators.Viewer{Role: roles.Admin})
	case d.Role != roles.Coordinator || d.Level == nil:
		return indicators.Scope{}, false
	}
	switch *d.Level {
	case territory.LevelNational, territory.LevelRegion:
		return indicators.Widest(served, indicators.Viewer{Role: roles.Coordinator, Level: *d.Level, Region: d.Region})
	case territory.LevelDepartement:
		return indicators.Departement(d.Departement), d.Departement != ""
	case territory.LevelStructure:
		return indicators.Structure(d.Departement, d.Structure), d.Departement != "" && d.Structure != ""
	}
	return indicators.Scope{}, false
}

// Schedule is the digest as a scheduled job: every ten minutes (and at
// start-up), sending whatever digest is due and not sent yet, on every
// replica (each digest is claimed before it is computed and sent).
func (j *Job) Schedule() jobs.Job {
	return jobs.Job{Name: JobName, Spec: "*/10 * * * *", EveryReplica: true, Run: func(ctx context.Context, now time.Time) error {
		n, err := j.Run(ctx, now)
		if n > 0 {
			j.logger().Info("weekly digests sent", "sent", n)
		}
		return err
	}}
}

// weekButtons go under the Monday summary of a week: its whole report and,
// for a coordinator, its mediators' activity and its export. They carry a
// figures result's data, so the bot checks a press like any other (role,
// territory) and the period stays the week whatever the day.
func weekButtons(scope indicators.Scope, week indicators.Period) [][]chat.Button {
	period, tag := callbackdata.PeriodCode(week.From, week.To), callbackdata.ScopeTag(scope.Key())
	detail := chat.Button{Text: "Détail de la semaine", Data: callbackdata.Figures(callbackdata.FlowOwn, period, tag, "v")}
	if scope.Kind == indicators.KindMediator { // a mediator's own week
		return [][]chat.Button{{detail}}
	}
	detail.Data = callbackdata.Figures(callbackdata.FlowIndicators, period, tag, "v")
	return [][]chat.Button{
		{detail, {Text: "Activité des médiateurs santé", Data: callbackdata.Figures(callbackdata.FlowActivity, period, tag, "v")}},
		{{Text: "Exporter (Excel)", Data: callbackdata.Figures(callbackdata.FlowExport, period, tag, "xlsx")}},
	}
}
