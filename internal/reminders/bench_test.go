package reminders_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

// BenchmarkDailyPass measures one morning: 60 mediators (the region's posts)
// with 3 due requests each, each reminded through the fake Bot API (limits
// off: pacing is the sender's benchmark).
func BenchmarkDailyPass(b *testing.B) {
	ctx := context.Background()
	w := &world{t: b, db: testenv.NewDB(b), rd: testenv.NewRedis(b),
		srv: telegramtest.NewServer(b, telegramtest.WithoutRateLimits()), unlimited: true}
	var meds []*store.User
	for i := range 60 {
		u, _ := w.mediator(int64(1000+i), 9)
		meds = append(meds, u)
		for j := range 3 {
			w.sheet(u, fmt.Sprintf("s%d-%d", i, j), fmt.Sprintf("B%02d%03d", i, j), day(2026, 10, 1+j), day(2026, 11, 20))
		}
	}
	s := w.replica()
	for i := 0; b.Loop(); i++ {
		// Each iteration is a new day: every mediator is owed a reminder again.
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, paris).AddDate(0, 0, i)
		r, err := s.RunDue(ctx, now)
		if err != nil || r.Reminders != len(meds) {
			b.Fatalf("pass: %+v %v", r, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(len(meds)), "ms/mediator")
}
