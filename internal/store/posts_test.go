package store_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A post may start and end on the same day; an end before the start is
// refused and changes nothing.
func TestSetPostDatesEndNotBeforeStart(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	id := mediator(t, db.Store, 601, "59").Mediator.Identifier
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	before := day.AddDate(0, 0, -1)
	if err := db.Store.SetPostDates(ctx, id, &day, &day, nil); err != nil {
		t.Fatalf("same start and end: %v", err)
	}
	if err := db.Store.SetPostDates(ctx, id, &day, &before, nil); !errors.Is(err, store.ErrPostDates) {
		t.Fatalf("end the day before the start: %v, want ErrPostDates", err)
	}
	var got string
	if err := db.SQL.QueryRow(ctx, `SELECT concat_ws(' ', post_start, post_end, (SELECT count(*) FROM audit WHERE action = 'post_dates'))
		FROM mediators WHERE identifier = $1`, id).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "2026-03-02 2026-03-02 1" {
		t.Errorf("start, end, audit lines = %q, want 2026-03-02 2026-03-02 1", got)
	}
}

// Touch writes the last activity again once TouchEvery has passed, to the
// instant, as NeedsTouch expects.
func TestTouchWritesAgainAfterTouchEvery(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	mediator(t, db.Store, 602, "59")
	seen := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{seen, seen.Add(store.TouchEvery - time.Second), seen.Add(store.TouchEvery)} {
		if err := db.Store.Touch(ctx, 602, 602, at); err != nil {
			t.Fatal(err)
		}
	}
	var last time.Time
	if err := db.SQL.QueryRow(ctx, `SELECT last_seen_at FROM users WHERE telegram_id = 602`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if want := seen.Add(store.TouchEvery); !last.Equal(want) {
		t.Errorf("last seen = %v, want %v", last.UTC(), want)
	}
}

// The PostgreSQL errors metric counts failed statements, not a statement
// its caller gave up on (a cancelled context) nor "no rows".
func TestOnQueryErrorCountsFailedStatementsOnly(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	var n atomic.Int32
	st, err := store.Open(context.Background(), db.URL, store.OnQueryError(func(error) { n.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var slept string
	if err := st.Reports().QueryRow(ctx, `SELECT pg_sleep(10)::text`).Scan(&slept); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled statement: %v", err)
	}
	var x int
	if err := st.Reports().QueryRow(context.Background(), `SELECT 1 WHERE false`).Scan(&x); err == nil {
		t.Fatal("no rows came back as a row")
	}
	if err := st.Reports().QueryRow(context.Background(), `SELECT 1/0`).Scan(&x); err == nil {
		t.Fatal("division by zero succeeded")
	}
	if got := n.Load(); got != 1 {
		t.Errorf("errors counted = %d, want 1 (the division by zero)", got)
	}
}
