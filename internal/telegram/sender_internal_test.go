package telegram

import (
	"context"
	"testing"
	"time"
)

// The global burst default is 27, 3 short of the 30 Telegram tolerates (see
// SenderOptions.GlobalBurst), and bulk calls leave bulkReserve of it to
// conversations but never the whole bucket: with a burst of 3 they still
// find one token to take.
func TestSenderGlobalBurstAndBulkReserve(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		burst            int
		wantBurst        int
		wantBulkReserved float64
	}{
		{burst: 0, wantBurst: 27, wantBulkReserved: 5},
		{burst: 3, wantBurst: 3, wantBulkReserved: 2},
	} {
		s := NewSender(nil, SenderOptions{GlobalBurst: c.burst})
		if got := s.turns.limiter.Burst(); got != c.wantBurst {
			t.Errorf("GlobalBurst %d: burst %d, want %d", c.burst, got, c.wantBurst)
		}
		if s.turns.reserve != c.wantBulkReserved {
			t.Errorf("GlobalBurst %d: bulk leaves %v tokens, want %v", c.burst, s.turns.reserve, c.wantBulkReserved)
		}
	}
}

// The global rate default is Telegram's documented 30 messages a second.
func TestSenderGlobalRateIsThirtyASecond(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rate, want float64
	}{{0, 30}, {20, 20}} {
		s := NewSender(nil, SenderOptions{GlobalRate: c.rate})
		if got := float64(s.turns.limiter.Limit()); got != c.want {
			t.Errorf("GlobalRate %v: %v a second, want %v", c.rate, got, c.want)
		}
	}
}

// One chat gets 3 messages at once, then one a second (Telegram's « about
// one a second », its burst of 5 left unused). The limiter refuses at once
// a wait that would outlast the context's deadline: the fourth message
// would wait a full second, more than the 0.9 s left, however slow the
// machine (both shrink together); at two a second, or with a burst of 4,
// it would go. No clock is read by the test.
func TestSenderPacesOneChatAtOneASecondAfterThree(t *testing.T) {
	t.Parallel()
	s := NewSender(nil, SenderOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
	defer cancel()
	turn, err := s.lanes.Enter(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	defer turn.Leave()
	for i := range 3 {
		if err := turn.Pace(ctx); err != nil {
			t.Fatalf("message %d of the burst waited: %v", i+1, err)
		}
	}
	if err := turn.Pace(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("fourth message went within 0.9 s (err %v, ctx %v), want it refused: one a second", err, ctx.Err())
	}
	// Another chat has its own lane and rate.
	other, err := s.lanes.Enter(ctx, 43)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Leave()
	if err := other.Pace(ctx); err != nil {
		t.Fatalf("another chat waited: %v", err)
	}
}
