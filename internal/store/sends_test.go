package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A mediator post and a Telegram user that happen to share a number are two
// subjects: claiming, finishing and reading one leaves the other alone.
// With one subject column, the user's claim would find the post's row.
func TestSendKeyPostAndUserWithTheSameNumberAreApart(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	post := store.SendKey{Job: "j", Period: "2026-11-23", MediatorID: 7}
	user := store.SendKey{Job: "j", Period: "2026-11-23", TelegramID: 7}
	for _, k := range []store.SendKey{post, user} {
		if ok, err := st.ClaimSend(ctx, k, at, day, time.Minute); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", k, ok, err)
		}
	}
	if ok, err := st.ClaimSend(ctx, post, at, day, time.Minute); err != nil || ok {
		t.Fatalf("post claimed twice: %v %v", ok, err)
	}
	if err := st.FinishSend(ctx, post, store.SendSent, at); err != nil {
		t.Fatal(err)
	}
	if s, err := st.SendState(ctx, post); err != nil || s != "sent" {
		t.Errorf("post state = %q, %v; want sent", s, err)
	}
	if s, err := st.SendState(ctx, user); err != nil || s != "claimed" {
		t.Errorf("user state = %q, %v; want claimed (the post's send is not theirs)", s, err)
	}
	var rows string
	if err := db.SQL.QueryRow(ctx, `SELECT string_agg(concat_ws('|', job, period, COALESCE(mediator_id::text, '-'), COALESCE(telegram_id::text, '-'), state), ','
		ORDER BY mediator_id NULLS LAST) FROM job_runs`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != "j|2026-11-23|7|-|sent,j|2026-11-23|-|7|claimed" {
		t.Errorf("job_runs = %q", rows)
	}
	if post.String() != "j 2026-11-23/mediator:7" || user.String() != "j 2026-11-23/user:7" {
		t.Errorf("keys read %q and %q", post, user)
	}
}

// A key naming nobody, or both a post and a user, is refused before any SQL
// runs, and the table refuses such a row too.
func TestSendKeyNeedsExactlyOneSubject(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, k := range []store.SendKey{
		{Job: "j", Period: "p"},
		{Job: "j", Period: "p", MediatorID: 3, TelegramID: 42},
	} {
		if ok, err := st.ClaimSend(ctx, k, at, at, time.Minute); err == nil || ok || !strings.Contains(err.Error(), "exactly one") {
			t.Errorf("claim %+v = %v, %v; want refused", k, ok, err)
		}
		if err := st.FinishSend(ctx, k, store.SendSent, at); err == nil {
			t.Errorf("finish %+v accepted", k)
		}
		if _, err := st.SendState(ctx, k); err == nil {
			t.Errorf("state of %+v accepted", k)
		}
	}
	for _, q := range []string{
		`INSERT INTO job_runs (job, period) VALUES ('j', 'p')`,
		`INSERT INTO job_runs (job, period, mediator_id, telegram_id) VALUES ('j', 'p', 3, 42)`,
	} {
		if _, err := db.SQL.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "job_runs_one_subject") {
			t.Errorf("%s: %v, want the job_runs_one_subject check", q, err)
		}
	}
	var n int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM job_runs`).Scan(&n); err != nil || n != 0 {
		t.Errorf("job_runs rows = %d, %v", n, err)
	}
}

// A failed message is claimed again until it has had MaxSendAttempts
// attempts, never after; an uncertain one (its claim expired while
// 'claimed') only once its lease is over and on a later day than its
// claim. Each boundary is checked at its exact instant.
func TestClaimSendRetryBoundaries(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	failed := store.SendKey{Job: "j", Period: "p", TelegramID: 1}
	for i := 1; i <= store.MaxSendAttempts; i++ {
		if ok, err := st.ClaimSend(ctx, failed, at, day, time.Minute); err != nil || !ok {
			t.Fatalf("attempt %d: %v %v", i, ok, err)
		}
		if err := st.FinishSend(ctx, failed, store.SendFailed, at); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := st.ClaimSend(ctx, failed, at, day, time.Minute); err != nil || ok {
		t.Errorf("attempt %d claimed: %v %v", store.MaxSendAttempts+1, ok, err)
	}

	uncertain := store.SendKey{Job: "j", Period: "p", TelegramID: 2}
	if ok, err := st.ClaimSend(ctx, uncertain, at, day, time.Minute); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	leaseEnd, nextDay := at.Add(time.Minute), day.AddDate(0, 0, 1)
	for _, c := range []struct {
		name          string
		now, dayStart time.Time
		want          bool
	}{
		{"lease ending now, next day", leaseEnd, nextDay, false},
		{"lease over, the claim's day starting at the claim", nextDay, at, false},
		{"lease over, next day", nextDay, nextDay, true},
	} {
		if ok, err := st.ClaimSend(ctx, uncertain, c.now, c.dayStart, time.Minute); err != nil || ok != c.want {
			t.Errorf("%s: claimed %v (%v), want %v", c.name, ok, err, c.want)
		}
	}
}
