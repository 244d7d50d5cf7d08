package bot_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/testenv"
)

// BenchmarkSheetConversation plays whole sheets (24 updates each: taps and
// typed answers) through the fake Bot API with real Redis and PostgreSQL, one
// mediator after another: per-update latency as a mediator feels it.
func BenchmarkSheetConversation(b *testing.B) {
	h := newHarness(b)
	u := h.mediator(9001, "Awa", "59")
	updates := 0
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		fillToSummary(u)
		u.Press("✅ Enregistrer")
		u.Expect("Fiche n°")
		updates += 26
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(updates)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(elapsed.Microseconds())/float64(updates)/1000, "ms/update")
}

// BenchmarkSheetConversationParallel runs 20 mediators at once: throughput.
func BenchmarkSheetConversationParallel(b *testing.B) {
	h := newHarness(b)
	const mediators = 20
	users := make(chan int, mediators)
	for i := range mediators {
		h.mediator(int64(9100+i), fmt.Sprint("M", i), "59")
		users <- 9100 + i
	}
	b.ResetTimer()
	start := time.Now()
	var total int64
	b.SetParallelism(mediators / 2) // 2 cores × 10 = 20 goroutines
	b.RunParallel(func(pb *testing.PB) {
		id := <-users
		u := h.tg.NewUser(int64(id), "M").For(b)
		n := 0
		for pb.Next() {
			fillToSummary(u)
			u.Press("✅ Enregistrer")
			u.Expect("Fiche n°")
			n += 26
		}
		atomic.AddInt64(&total, int64(n))
	})
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(total)/elapsed.Seconds(), "updates/s")
}

// BenchmarkRawFloor is the least any update costs here: one Redis GET+SET
// and one PostgreSQL insert on loopback, no Telegram, no engine.
func BenchmarkRawFloor(b *testing.B) {
	db := testenv.NewDB(b)
	rdb := testenv.NewRedis(b)
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `CREATE TABLE floor (id BIGINT PRIMARY KEY, payload TEXT)`); err != nil {
		b.Fatal(err)
	}
	key := rdb.Prefix + "floor"
	b.ResetTimer()
	for i := range b.N {
		if err := rdb.Client.Get(ctx, key).Err(); err != nil && err.Error() != "redis: nil" {
			b.Fatal(err)
		}
		if err := rdb.Client.Set(ctx, key, "x", time.Hour).Err(); err != nil {
			b.Fatal(err)
		}
		if _, err := db.SQL.Exec(ctx, `INSERT INTO floor VALUES ($1, 'x')`, i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
