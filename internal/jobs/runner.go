package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/relais-sante/relais/internal/store"
)

// Job is one scheduled job.
type Job struct {
	// Name identifies the job in logs, locks, metrics and job_executions.
	Name string
	// Spec is its robfig/cron schedule, in the runner's location ("* * * * *").
	Spec string
	// Run does what is owed at now, and nothing twice: it is called at
	// start-up too (catch-up after downtime), and on several replicas.
	Run func(ctx context.Context, now time.Time) error
	// LockTTL bounds the Redis lock of one execution (default 5 minutes).
	LockTTL time.Duration
	// EveryReplica runs the job on every replica at each tick, without the
	// lock: for passes whose messages are claimed one by one (Sends), so
	// that the replicas share a pass, each sending its part at its share of
	// Telegram's rate. Under the lock, a pass of 2 000 reminders would go
	// out at one replica's share alone.
	EveryReplica bool
}

// Locker is a lock shared by all replicas (state.Locks, in Redis).
type Locker interface {
	TryLock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error)
}

// RunnerMetrics is told about executions (Prometheus in production).
type RunnerMetrics interface {
	JobExecution(job, outcome string, d time.Duration)
}

// Runner runs every scheduled job the same way: on its cron schedule in
// the runner's location and once at Start (catch-up), each execution
// with panic recovery, skipped while the previous one still runs, under a
// Redis lock per tick (one replica runs it, unless the job runs on every
// replica; if Redis is down, the job still runs and relies on its own
// once-only records), with a per-job logger, and recorded in
// job_executions.
type Runner struct {
	Store    *store.Store // records executions; nil: not recorded
	Lock     Locker       // nil: no cross-replica lock
	Location *time.Location
	Log      *slog.Logger
	Metrics  RunnerMetrics
	Now      func() time.Time
	// Grace is how long Stop lets running executions finish before
	// cancelling their context (default 10 s).
	Grace time.Duration

	jobs    []*entry
	cron    *cron.Cron
	cancel  context.CancelFunc
	quit    chan struct{}
	running sync.WaitGroup
	host    string
}

type entry struct {
	Job
	busy atomic.Bool
	log  *slog.Logger
}

type quitKey struct{}

// Stopping tells a job running under a Runner that Stop was called: it
// should not start another message, and finish the one in flight (its
// context is cancelled after the grace period).
func Stopping(ctx context.Context) bool {
	quit, _ := ctx.Value(quitKey{}).(chan struct{})
	if quit == nil {
		return ctx.Err() != nil
	}
	select {
	case <-quit:
		return true
	default:
		return ctx.Err() != nil
	}
}

// Register adds a job; call before Start.
func (r *Runner) Register(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("jobs: a job needs a name and a Run function")
	}
	if _, err := cron.ParseStandard(j.Spec); err != nil {
		return fmt.Errorf("jobs: schedule of %s: %w", j.Name, err)
	}
	if j.LockTTL <= 0 {
		j.LockTTL = 5 * time.Minute
	}
	r.jobs = append(r.jobs, &entry{Job: j, log: r.logger().With("job", j.Name)})
	return nil
}

func (r *Runner) logger() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

func (r *Runner) now() time.Time {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	if r.Now != nil {
		return r.Now().In(loc)
	}
	return time.Now().In(loc)
}

// Start runs every job once now (catch-up) and then on its schedule, until Stop.
func (r *Runner) Start(ctx context.Context) error {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	host, err := os.Hostname()
	if err != nil {
		// the host only labels the job records: name it and carry on
		host = "inconnu"
		r.logger().Warn("jobs: hostname unavailable, job records say \"inconnu\"", "err", err)
	}
	r.host = host
	r.quit = make(chan struct{})
	ctx, r.cancel = context.WithCancel(context.WithValue(context.WithoutCancel(ctx), quitKey{}, r.quit))
	r.cron = cron.New(cron.WithLocation(loc))
	for _, e := range r.jobs {
		if _, err := r.cron.AddFunc(e.Spec, func() { r.execute(ctx, e) }); err != nil {
			return fmt.Errorf("jobs: schedule %s: %w", e.Name, err)
		}
	}
	for _, e := range r.jobs {
		r.running.Add(1)
		go func() {
			defer r.running.Done()
			r.execute(ctx, e)
		}()
	}
	r.cron.Start()
	return nil
}

// Stop ends the schedules and waits for running executions, cancelling
// them after the grace period.
func (r *Runner) Stop() {
	if r.cron == nil {
		return
	}
	close(r.quit)
	cronDone := r.cron.Stop()
	done := make(chan struct{})
	go func() {
		<-cronDone.Done()
		r.running.Wait()
		close(done)
	}()
	grace := r.Grace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.logger().Warn("jobs still running at stop, cancelling them")
		r.cancel()
		<-done
	}
	r.cancel()
	r.cron = nil
}

func (r *Runner) execute(ctx context.Context, e *entry) {
	if ctx.Err() != nil {
		return
	}
	if _, err := r.executeAt(ctx, e, r.now()); err != nil && ctx.Err() == nil {
		e.log.Error("job failed", "err", err)
	}
}

// Outcomes of an execution.
const (
	OutcomeOK      = "ok"
	OutcomeFailed  = "failed"
	OutcomePanic   = "panic"
	OutcomeSkipped = "skipped" // still running, or another replica holds the tick
)

func (r *Runner) executeAt(ctx context.Context, e *entry, now time.Time) (outcome string, err error) {
	if !e.busy.CompareAndSwap(false, true) {
		e.log.Debug("previous execution still running, tick skipped")
		r.observe(e, OutcomeSkipped, 0)
		return OutcomeSkipped, nil
	}
	defer e.busy.Store(false)
	if r.Lock != nil && !e.EveryReplica {
		release, ok, lerr := r.Lock.TryLock(ctx, "job:"+e.Name, e.LockTTL)
		switch {
		case lerr != nil:
			e.log.Warn("job lock unavailable, running on the job's own records", "err", lerr)
		case !ok:
			r.observe(e, OutcomeSkipped, 0)
			return OutcomeSkipped, nil
		default:
			defer release()
		}
	}
	start := time.Now()
	id := r.recordStart(ctx, e, now)
	defer func() {
		if p := recover(); p != nil {
			outcome = OutcomePanic
			err = fmt.Errorf("panic: %v", p)
			e.log.Error("job panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		r.recordEnd(ctx, e, id, outcome, err)
		r.observe(e, outcome, time.Since(start))
	}()
	if err := e.Run(ctx, now); err != nil {
		return OutcomeFailed, err
	}
	return OutcomeOK, nil
}

func (r *Runner) observe(e *entry, outcome string, d time.Duration) {
	if r.Metrics != nil {
		r.Metrics.JobExecution(e.Name, outcome, d)
	}
}

func (r *Runner) recordStart(ctx context.Context, e *entry, scheduled time.Time) int64 {
	if r.Store == nil {
		return 0
	}
	id, err := r.Store.StartExecution(ctx, e.Name, scheduled, r.host)
	if err != nil {
		e.log.Warn("record job start", "err", err)
	}
	return id
}

func (r *Runner) recordEnd(ctx context.Context, e *entry, id int64, outcome string, runErr error) {
	if r.Store == nil || id == 0 {
		return
	}
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.Store.FinishExecution(ctx, id, outcome, msg); err != nil {
		e.log.Warn("record job end", "err", err)
	}
}
