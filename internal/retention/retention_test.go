package retention_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/retention"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// Two replicas ticking the same day purge once; the next day purges again.
func TestDailyPurgeRunsOnceADayAcrossReplicas(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 3, 30, 0, 0, paris)
	st := db.Store
	if _, err := db.SQL.Exec(ctx, `INSERT INTO audit (at, action) VALUES ('2021-11-28 12:00+01', 'x'), ('2021-11-29 12:00+01', 'x')`); err != nil {
		t.Fatal(err)
	}
	job := func() *retention.Job {
		return &retention.Job{Store: st, Locker: state.New(rdb.Client, rdb.Prefix).Locks(), Retention: config.Retention{Years: 5},
			Location: paris, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	// A second replica, and the same replica later that day (15:00): no second purge.
	for _, at := range []time.Time{now, now, now.Add(11*time.Hour + 30*time.Minute)} {
		if err := job().RunAt(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	purges := func() int {
		var n int
		if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM audit WHERE action = $1`, store.AuditPurge).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var left int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM audit WHERE action = 'x'`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("old audit lines left = %d, %v (the 2021-11-28 one must go)", left, err)
	}
	if n := purges(); n != 1 {
		t.Fatalf("purges the same day = %d, want 1", n)
	}
	if err := job().RunAt(ctx, now.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if n := purges(); n != 2 {
		t.Fatalf("purges after the next day = %d, want 2", n)
	}
}

// The runner's record of executions (job_executions) goes with the
// retention like the record of sends (job_runs): an execution started
// before the cutoff (midnight local time, five years back) goes, one
// started at the cutoff stays.
func TestDailyPurgeRemovesOldJobExecutions(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(ctx, `INSERT INTO job_executions (job, scheduled, started_at, finished_at, outcome, host) VALUES
		('reminders', '2021-11-28 23:59:00+01', '2021-11-28 23:59:59+01', '2021-11-29 00:00:01+01', 'ok', 'old'),
		('reminders', '2021-11-29 00:00:00+01', '2021-11-29 00:00:00+01', '2021-11-29 00:00:02+01', 'ok', 'cutoff'),
		('digest', '2026-11-29 03:00:00+01', '2026-11-29 03:00:00+01', NULL, 'running', 'recent')`); err != nil {
		t.Fatal(err)
	}
	job := &retention.Job{Store: db.Store, Locker: state.New(rdb.Client, rdb.Prefix).Locks(), Retention: config.Retention{Years: 5},
		Location: paris, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := job.RunAt(ctx, time.Date(2026, 11, 29, 3, 30, 0, 0, paris)); err != nil {
		t.Fatal(err)
	}
	var left string
	if err := db.SQL.QueryRow(ctx, `SELECT string_agg(host, ',' ORDER BY started_at) FROM job_executions`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != "cutoff,recent" {
		t.Fatalf("job executions left: %s, want cutoff,recent", left)
	}
}

// events is a transport's bookkeeping that records the purges asked.
type events struct {
	asked []time.Time
	err   error
}

func (e *events) PurgeEvents(_ context.Context, now time.Time) (int64, error) {
	e.asked = append(e.asked, now)
	return 2, e.err
}

// The daily purge also asks the transport (Matrix) to forget its old event
// numbers, with the purge's own time (the transport keeps a week, not
// RELAIS_RETENTION); when that fails, the day's lock is given back and the
// next tick purges again.
func TestDailyPurgeForgetsTransportEvents(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 3, 30, 0, 0, testenv.Paris)
	failing := &events{err: errors.New("base indisponible")}
	job := func(e *events) *retention.Job {
		return &retention.Job{Store: db.Store, Locker: state.New(rdb.Client, rdb.Prefix).Locks(), Retention: config.Retention{Years: 5},
			Location: testenv.Paris, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Events: e}
	}
	if err := job(failing).RunAt(ctx, now); err == nil || !strings.Contains(err.Error(), "base indisponible") {
		t.Fatalf("a failed purge of the transport's events returned %v", err)
	}
	ok := &events{}
	if err := job(ok).RunAt(ctx, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if want := []time.Time{now.Add(time.Hour)}; !slices.EqualFunc(ok.asked, want, time.Time.Equal) || len(failing.asked) != 1 {
		t.Fatalf("the transport was asked to purge at %v (and %v before), want %v once the first attempt failed", ok.asked, failing.asked, want)
	}
}
