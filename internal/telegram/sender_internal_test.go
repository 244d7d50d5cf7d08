package telegram

import "testing"

// The global burst default is 27, 3 short of the 30 Telegram tolerates (see
// SenderOptions.GlobalBurst), and bulk calls leave bulkReserve of it to
// conversations but never the whole bucket: with a burst of 3 they still
// find one token to take.
func TestSenderGlobalBurstAndBulkReserve(t *testing.T) {
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
