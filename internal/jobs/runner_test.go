package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/testenv"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A panic in a job is logged with the job's name and recorded; the process
// goes on and the next tick runs the job again.
func TestPanicInAJobIsLoggedAndTheNextTickRuns(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	rd := testenv.NewRedis(t)
	var logs syncBuffer
	var calls atomic.Int32
	r := &jobs.Runner{Store: db.Store, Lock: state.New(rd.Client, rd.Prefix).Locks(), Log: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := r.Register(jobs.Job{Name: "boom", Spec: "@every 1h", Run: func(context.Context, time.Time) error {
		if calls.Add(1) == 1 {
			panic("boom: a job's bug")
		}
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	// The start-up execution (catch-up) panics.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "job panicked") {
		if time.Now().After(deadline) {
			t.Fatalf("panic not logged: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "job=boom") || !strings.Contains(logs.String(), "boom: a job's bug") {
		t.Fatalf("log lacks the job or the panic: %s", logs.String())
	}
	// The next tick runs, once the start-up execution is recorded.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int
		if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM job_executions WHERE job = 'boom' AND outcome = 'panic'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the panicking execution was not recorded")
		}
	}
	out, err := r.RunNow(context.Background(), "boom", time.Now())
	if err != nil || out != jobs.OutcomeOK {
		t.Fatalf("next tick: %q %v", out, err)
	}
	var recorded []string
	rows, err := db.SQL.Query(context.Background(), `SELECT outcome FROM job_executions WHERE job = 'boom' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		recorded = append(recorded, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recorded, " "); got != "panic ok" {
		t.Fatalf("job_executions = %q, want \"panic ok\"", got)
	}
}

// A tick is skipped while the previous execution runs, and on a second
// replica while the first holds the tick's lock.
func TestTickSkippedWhileRunningAndOnAnotherReplica(t *testing.T) {
	t.Parallel()
	a, b, done, release, runs := twoReplicas(t, func(run func(context.Context, time.Time) error) jobs.Job {
		return jobs.Job{Name: "slow", Spec: "@every 1h", Run: run}
	})
	if out, err := a.RunNow(context.Background(), "slow", time.Now()); err != nil || out != jobs.OutcomeSkipped {
		t.Fatalf("same runner while running: %q (err %v)", out, err)
	}
	if out, err := b.RunNow(context.Background(), "slow", time.Now()); err != nil || out != jobs.OutcomeSkipped {
		t.Fatalf("other replica while locked: %q (err %v)", out, err)
	}
	close(release)
	if out := <-done; out != jobs.OutcomeOK {
		t.Fatalf("first execution: %q", out)
	}
	if out, err := b.RunNow(context.Background(), "slow", time.Now()); err != nil || out != jobs.OutcomeOK {
		t.Fatalf("other replica after release: %q (err %v)", out, err)
	}
	if runs.Load() != 2 {
		t.Fatalf("runs = %d, want 2", runs.Load())
	}
}

// A job that runs on every replica takes no lock: the other replica runs
// it at the same tick while the first is still at it.
func TestAnEveryReplicaJobRunsOnEachReplicaAtOnce(t *testing.T) {
	t.Parallel()
	a, b, done, release, runs := twoReplicas(t, func(run func(context.Context, time.Time) error) jobs.Job {
		return jobs.Job{Name: "pass", Spec: "@every 1h", EveryReplica: true, Run: run}
	})
	if out, err := b.RunNow(context.Background(), "pass", time.Now()); err != nil || out != jobs.OutcomeOK {
		t.Fatalf("other replica while the first runs: %q (err %v), want %q", out, err, jobs.OutcomeOK)
	}
	// Still one execution at a time within a replica.
	if out, err := a.RunNow(context.Background(), "pass", time.Now()); err != nil || out != jobs.OutcomeSkipped {
		t.Fatalf("same replica while running: %q (err %v), want %q", out, err, jobs.OutcomeSkipped)
	}
	close(release)
	if out := <-done; out != jobs.OutcomeOK {
		t.Fatalf("first replica: %q", out)
	}
	if runs.Load() != 2 {
		t.Fatalf("runs = %d, want 2", runs.Load())
	}
}

// twoReplicas registers job on two runners sharing one Redis lock, as two
// replicas of relais serve would, and starts an execution on a: it returns
// once that execution is inside the job, where it stays until release is
// closed; first then receives its outcome. runs counts the job's runs.
func twoReplicas(t *testing.T, job func(run func(context.Context, time.Time) error) jobs.Job) (a, b *jobs.Runner, first <-chan string, release chan struct{}, runs *atomic.Int32) {
	t.Helper()
	rd := testenv.NewRedis(t)
	lock := state.New(rd.Client, rd.Prefix).Locks()
	started := make(chan struct{})
	release, runs = make(chan struct{}), &atomic.Int32{}
	j := job(func(context.Context, time.Time) error {
		if runs.Add(1) == 1 {
			close(started)
			<-release
		}
		return nil
	})
	a, b = &jobs.Runner{Lock: lock}, &jobs.Runner{Lock: lock}
	for _, r := range []*jobs.Runner{a, b} {
		if err := r.Register(j); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan string, 1)
	go func() {
		out, err := a.RunNow(context.Background(), j.Name, time.Now())
		if err != nil {
			t.Errorf("first execution: %v", err) // Fatal must not leave this goroutine
		}
		done <- out
	}()
	<-started
	return a, b, done, release, runs
}
