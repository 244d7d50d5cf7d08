package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/metrics"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func msg(job string, now time.Time) jobs.Message {
	return jobs.Message{Key: store.SendKey{Job: job, Period: "p", TelegramID: 1}, Kind: "test", UserID: 1,
		Now: now, DayStart: jobs.DayStart(now)}
}

func TestOnceSendsOnceAcrossConcurrentPasses(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	s := &jobs.Sends{Store: st}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var calls atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Once(context.Background(), msg("a", now), func(context.Context) error {
				calls.Add(1)
				time.Sleep(20 * time.Millisecond)
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("sent %d times, want 1", calls.Load())
	}
	if state, err := st.SendState(context.Background(), msg("a", now).Key); err != nil || state != store.SendSent {
		t.Fatalf("state = %q (err %v)", state, err)
	}
}

func TestOnceOutcomes(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	s := &jobs.Sends{Store: st}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	count := func(job string, at time.Time, err error) (int, error) {
		n := 0
		_, e := s.Once(ctx, msg(job, at), func(context.Context) error { n++; return err })
		return n, e
	}

	// A failure is retried by the next pass.
	boom := errors.New("telegram down")
	if n, err := count("failed", now, boom); n != 1 || !errors.Is(err, boom) {
		t.Fatalf("failed: %d %v", n, err)
	}
	if n, err := count("failed", now.Add(time.Minute), nil); n != 1 || err != nil {
		t.Fatalf("retry: %d %v", n, err)
	}
	if n, err := count("failed", now.Add(2*time.Minute), nil); err != nil || n != 0 {
		t.Fatalf("sent again after success (err %v)", err)
	}

	// A 403 is tried once: the message is recorded blocked, not retried.
	forbidden := fmt.Errorf("send: %w", &tgbotapi.Error{Code: 403, Message: "Forbidden: user is deactivated"})
	if n, err := count("blocked", now, forbidden); n != 1 || err != nil {
		t.Fatalf("blocked: %d %v", n, err)
	}
	if n, err := count("blocked", now.Add(24*time.Hour), nil); err != nil || n != 0 {
		t.Fatalf("a blocked message was retried (err %v)", err)
	}
	if state, err := st.SendState(ctx, msg("blocked", now).Key); err != nil || state != store.SendBlocked {
		t.Fatalf("state = %q (err %v)", state, err)
	}

	// Nothing to send: recorded, not retried.
	if n, err := count("empty", now, jobs.ErrNothingToSend); n != 1 || err != nil {
		t.Fatalf("nothing to send: %d %v", n, err)
	}
	if state, err := st.SendState(ctx, msg("empty", now).Key); err != nil || state != store.SendSkipped {
		t.Fatalf("state = %q (err %v)", state, err)
	}
	if n, err := count("empty", now.Add(time.Minute), nil); err != nil || n != 0 {
		t.Fatalf("a message with nothing to send (a review filled meanwhile) was tried again (err %v)", err)
	}

	// Nothing to send yet: the claim is released, a later pass of the
	// same day sends it, and once sent it is not sent again.
	if n, err := count("later", now, jobs.ErrNothingYet); n != 1 || err != nil {
		t.Fatalf("nothing yet: %d %v", n, err)
	}
	if state, err := st.SendState(ctx, msg("later", now).Key); err != nil || state != "" {
		t.Fatalf("state after nothing yet = %q (err %v), want no row", state, err)
	}
	if n, err := count("later", now.Add(5*time.Minute), nil); n != 1 || err != nil {
		t.Fatalf("not sent by a later pass the same day: %d %v", n, err)
	}
	if n, err := count("later", now.Add(10*time.Minute), nil); n != 0 || err != nil {
		t.Fatalf("sent again: %d %v", n, err)
	}

	// Cut mid-send (shutdown): maybe delivered, not sent again that day.
	cctx, cancel := context.WithCancel(ctx)
	if _, err := s.Once(cctx, msg("cut", now), func(ctx context.Context) error { cancel(); return ctx.Err() }); err != nil {
		t.Fatal(err)
	}
	if n, err := count("cut", now.Add(time.Hour), nil); err != nil || n != 0 {
		t.Fatalf("an uncertain message was sent again the same day (err %v)", err)
	}
	if state, err := st.SendState(ctx, msg("cut", now).Key); err != nil || state != store.SendUnknown {
		t.Fatalf("state of a message cut mid-send = %q (err %v), want unknown", state, err)
	}

	// A failure that may have delivered it (a 502 after the request went
	// through): recorded unknown, never sent again, not an error to retry.
	maybe := fmt.Errorf("send: %w", fmt.Errorf("telegram sendMessage to chat 1: %w: %w", telegram.ErrMaybeDelivered,
		&tgbotapi.Error{Code: 502, Message: "Bad Gateway"}))
	if n, err := count("maybe", now, maybe); n != 1 || err != nil {
		t.Fatalf("maybe delivered: %d %v", n, err)
	}
	for _, later := range []time.Time{now.Add(time.Minute), now.Add(48 * time.Hour)} {
		if n, err := count("maybe", later, nil); err != nil || n != 0 {
			t.Fatalf("a message that may have been delivered was sent again at %s (err %v)", later, err)
		}
	}
	if state, err := st.SendState(ctx, msg("maybe", now).Key); err != nil || state != store.SendUnknown {
		t.Fatalf("state = %q (err %v), want unknown", state, err)
	}

	// Cut before it reached Telegram: certainly not delivered, retried.
	cctx, cancel = context.WithCancel(ctx)
	if _, err := s.Once(cctx, msg("queued", now), func(ctx context.Context) error {
		cancel()
		return fmt.Errorf("%w: %w", telegram.ErrNotSent, ctx.Err())
	}); err == nil {
		t.Fatal("a message cut in the queue is not reported")
	}
	if n, err := count("queued", now.Add(time.Minute), nil); err != nil || n != 1 {
		t.Fatalf("a message never sent was not retried (err %v)", err)
	}
}

// The send deadline is kept only when it is shorter than the lease;
// otherwise (unset, equal or longer) it is the default, at most half the
// lease, so a message is finished or abandoned before anyone may claim it
// again.
func TestOnceClampsTheSendDeadlineBelowTheLease(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		lease, deadline, want time.Duration
	}{
		{0, 0, 5 * time.Minute},                                                        // both defaults: 15 min lease, 5 min
		{10 * time.Minute, 0, 5 * time.Minute},                                         // default deadline
		{10 * time.Minute, 3 * time.Minute, 3 * time.Minute},                           // shorter than the lease: kept
		{10 * time.Minute, 10*time.Minute - time.Second, 10*time.Minute - time.Second}, // just under: kept
		{10 * time.Minute, 10 * time.Minute, 5 * time.Minute},                          // equal to the lease: clamped
		{10 * time.Minute, 20 * time.Minute, 5 * time.Minute},                          // longer: clamped
		{4 * time.Minute, 0, 2 * time.Minute},                                          // half a short lease
		{4 * time.Minute, 4 * time.Minute, 2 * time.Minute},                            // equal to a short lease: half of it
	} {
		s := &jobs.Sends{Store: st, Lease: c.lease, Deadline: c.deadline}
		var left time.Duration
		if _, err := s.Once(context.Background(), msg(fmt.Sprintf("clamp-%d", i), now), func(ctx context.Context) error {
			dl, ok := ctx.Deadline()
			if !ok {
				return errors.New("no deadline")
			}
			left = time.Until(dl)
			return nil
		}); err != nil {
			t.Fatalf("lease %v deadline %v: %v", c.lease, c.deadline, err)
		}
		// The send starts right after the claim: within a few seconds of the deadline set.
		if left > c.want || left < c.want-5*time.Second {
			t.Errorf("lease %v deadline %v: the send had %v, want %v", c.lease, c.deadline, left.Round(time.Second), c.want)
		}
	}
}

// A planned pass (a digest to its recipients) shows how many messages are
// left on /metrics and in the logs, whatever each one's outcome: sent,
// failed, or already sent by an earlier pass.
func TestPlanShowsProgressOnMetricsAndLogs(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	var logs strings.Builder
	mx := metrics.New()
	s := &jobs.Sends{Store: st, Metrics: mx, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	digest := func(user ids.TelegramID) jobs.Message {
		return jobs.Message{Key: store.SendKey{Job: "digest", Period: "2026-11-16", TelegramID: user}, Kind: "digest", UserID: user,
			Now: now, DayStart: jobs.DayStart(now)}
	}
	remaining := func() string {
		rec := httptest.NewRecorder()
		mx.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		for line := range strings.Lines(rec.Body.String()) {
			if strings.HasPrefix(line, `relais_scheduled_messages_remaining{kind="digest"}`) {
				return strings.TrimSpace(line)
			}
		}
		return "absent"
	}
	if _, err := s.Once(ctx, digest(3), func(context.Context) error { return nil }); err != nil { // an earlier pass
		t.Fatal(err)
	}
	s.Plan("digest", 3)
	if got := remaining(); got != `relais_scheduled_messages_remaining{kind="digest"} 3` {
		t.Fatalf("after Plan: %s", got)
	}
	if _, err := s.Once(ctx, digest(1), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Once(ctx, digest(2), func(context.Context) error { return errors.New("telegram down") }); err == nil {
		t.Fatal("want the failure back")
	}
	if got := remaining(); got != `relais_scheduled_messages_remaining{kind="digest"} 1` {
		t.Fatalf("after 2 of 3: %s", got)
	}
	if _, err := s.Once(ctx, digest(3), func(context.Context) error { t.Error("sent twice"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := remaining(); got != `relais_scheduled_messages_remaining{kind="digest"} 0` {
		t.Fatalf("after 3 of 3: %s", got)
	}
	for _, want := range []string{`msg="scheduled messages to handle" kind=digest total=3 handled=1`, `msg="scheduled messages progress" kind=digest handled=3 total=3`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}

	// The next tick finds them handled: the gauge counts down, the logs say nothing.
	logged := logs.Len()
	s.Plan("digest", 2)
	for _, u := range []ids.TelegramID{1, 3} {
		if _, err := s.Once(ctx, digest(u), func(context.Context) error { t.Error("sent twice"); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if got := remaining(); got != `relais_scheduled_messages_remaining{kind="digest"} 0` {
		t.Fatalf("after a pass with nothing to do: %s", got)
	}
	if more := logs.String()[logged:]; more != "" {
		t.Errorf("a pass with nothing to do logged:\n%s", more)
	}

	// The plan ended with its last message: one sent outside any plan is not
	// counted against it (no "to handle 3 of 2" in the logs).
	if _, err := s.Once(ctx, digest(4), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if more := logs.String()[logged:]; more != "" {
		t.Errorf("a message after the plan ended logged:\n%s", more)
	}
}
