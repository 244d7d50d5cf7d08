// Package retention runs the daily purge of what is older than
// RELAIS_RETENTION, once a day across replicas.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/store"
)

// Job purges what the retention no longer allows to keep.
type Job struct {
	Store     *store.Store
	Locker    jobs.Locker
	Retention config.Retention
	Location  *time.Location
	Log       *slog.Logger
	// Events, when set, forgets a transport's old event numbers (the
	// Matrix transport's, kept for a week to dedupe: not RELAIS_RETENTION).
	Events Events
}

// Events is a transport's bookkeeping of the events it handled or sent.
type Events interface {
	// PurgeEvents deletes what now no longer needs, and says how many.
	PurgeEvents(ctx context.Context, now time.Time) (int64, error)
}

// lockTTL keeps the day's lock past the day: one replica purges, the others
// find the lock taken until tomorrow. A failed purge gives it back, so the
// next tick tries again.
const lockTTL = 25 * time.Hour

// Schedule is the purge as a job of the runner (internal/jobs): every night
// at 03:30 and once at start, to catch up after downtime. The runner's lock
// holds one tick; the day's own lock (RunAt) makes it once a day, whatever
// the restarts.
func (j *Job) Schedule() jobs.Job {
	return jobs.Job{Name: "purge", Spec: "30 3 * * *", LockTTL: time.Hour, Run: j.RunAt}
}

// RunAt purges once for now's local date. It is safe to call from several
// replicas and as often as wanted: the first call of the day purges, the
// others return nil at once. Without Redis it still purges: a purge run
// twice removes nothing the second time.
func (j *Job) RunAt(ctx context.Context, now time.Time) error {
	now = now.In(j.Location)
	key := "purge:" + now.Format("2006-01-02")
	release, ok, err := j.Locker.TryLock(ctx, key, lockTTL)
	switch {
	case err != nil:
		j.Log.Warn("purge lock unavailable, purging anyway", "err", err)
		release = func() {}
	case !ok:
		return nil
	}
	cutoff := j.Retention.Cutoff(now)
	c, err := j.Store.Purge(ctx, cutoff, false)
	if err != nil {
		release()
		return fmt.Errorf("daily purge: %w", err)
	}
	var events int64
	if j.Events != nil {
		if events, err = j.Events.PurgeEvents(ctx, now); err != nil {
			release()
			return fmt.Errorf("daily purge: %w", err)
		}
	}
	j.Log.Info("daily purge", "before", cutoff.Format("2006-01-02"), "sheets", c.Sheets, "requests", c.Requests,
		"beneficiaries", c.Beneficiaries, "actions", c.Actions, "review_answers", c.ReviewAnswers, "job_runs", c.JobRuns,
		"job_executions", c.JobExecutions, "exports", c.Exports, "invitations", c.Invitations, "users", c.Users, "audit", c.Audit, "transport_events", events)
	return nil
}
