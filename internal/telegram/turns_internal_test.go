package telegram

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// t0 is the fake clock's start; every instant below is t0 plus a literal.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// queuedTurns is a turns on a fake clock with named calls queued directly
// (no dispatcher goroutine): the test hands out tokens with grantLocked at
// chosen instants and reads which calls got one.
type queuedTurns struct {
	*turns
	waiting map[*turn]string
}

// newQueuedTurns has a limiter of 10 tokens a second (one every 100 ms)
// holding up to burst tokens, emptied at emptyAt ms; its clock (for wait)
// stands at t0.
func newQueuedTurns(burst, emptyAt int) *queuedTurns {
	l := rate.NewLimiter(10, burst)
	l.AllowN(at(emptyAt), burst)
	return &queuedTurns{turns: newTurns(l, func() time.Time { return t0 }), waiting: map[*turn]string{}}
}

func (q *queuedTurns) queue(name string, since time.Time, bulk bool) {
	w := &turn{since: since, granted: make(chan struct{})}
	q.waiting[w] = name
	if bulk {
		q.bulk = append(q.bulk, w)
	} else {
		q.conv = append(q.conv, w)
	}
}

// grant hands out the tokens there are at now and returns who got one
// (sorted) and how long until the next call could go.
func (q *queuedTurns) grant(now time.Time) ([]string, time.Duration) {
	next, _ := q.grantLocked(now)
	var got []string
	for w, n := range q.waiting {
		select {
		case <-w.granted:
			got = append(got, n)
			delete(q.waiting, w)
		default:
		}
	}
	slices.Sort(got)
	return got, next
}

// grants hands out tokens every 100 ms from first, n times, and returns who
// got them, in order.
func (q *queuedTurns) grants(first, n int) []string {
	var order []string
	for i := range n {
		got, _ := q.grant(at(first + 100*i))
		order = append(order, got...)
	}
	return order
}

// When chats contend for the global rate, the newest chat head goes first:
// most answers leave at once instead of everyone waiting the average. The
// first token is kept for a call arriving (arrivalReserve).
func TestTurnsNewestChatHeadFirstWhenContended(t *testing.T) {
	t.Parallel()
	q := newQueuedTurns(3, 0)
	q.queue("Awa", at(0), false)
	q.queue("Bilal", at(10), false)
	q.queue("Chloé", at(20), false)
	if got, next := q.grant(at(100)); len(got) != 0 || next != 100*time.Millisecond {
		t.Fatalf("at 100 ms (1 token): %q went, next in %v; want none, next in 100ms", got, next)
	}
	if got := q.grants(200, 3); !slices.Equal(got, []string{"Chloé", "Bilal", "Awa"}) {
		t.Fatalf("order %q, want newest first", got)
	}
}

// A call arriving takes the token queued calls leave for it and goes at
// once; it does not when a queued call has waited 1.2 s (no starvation).
func TestTurnsArrivalGoesAtOnceUnlessOneIsStale(t *testing.T) {
	t.Parallel()
	q := newQueuedTurns(3, 0)
	q.queue("Awa", at(0), false)
	if got, _ := q.grant(at(100)); len(got) != 0 {
		t.Fatalf("at 100 ms: %q took the arrival's token", got)
	}
	if !q.goesAtOnceLocked(at(150), false) {
		t.Fatal("a call arriving at 150 ms with a token there waits")
	}
	if q.goesAtOnceLocked(at(160), false) {
		t.Fatal("a second call arriving without a token goes")
	}
	q = newQueuedTurns(3, 1100) // 2 tokens at 1 300 ms
	q.queue("Awa", at(100), false)
	if q.goesAtOnceLocked(at(1300), false) {
		t.Fatal("a call arriving goes before Awa, queued 1.2 s ago")
	}
	if !q.goesAtOnceLocked(at(1299), false) {
		t.Fatal("a call arriving waits while Awa has queued 1 199 ms")
	}
}

// A chat head that has waited 1.2 s goes before newer ones, oldest first,
// and needs no token left for arrivals: nobody starves. At 1 199 ms the
// newest still goes first.
func TestTurnsHeadWaitingStaleAfterGoesFirst(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		now   int
		first string
	}{{1199, "Chloé"}, {1200, "Awa"}} {
		q := newQueuedTurns(3, c.now-200) // 2 tokens at now
		q.queue("Bilal", at(100), false)  // older than Chloé, younger than Awa
		q.queue("Chloé", at(600), false)
		q.queue("Awa", at(0), false)
		if got, _ := q.grant(at(c.now)); !slices.Equal(got, []string{c.first}) {
			t.Errorf("at %d ms: got %q, want %s", c.now, got, c.first)
		}
	}
	// Two stale heads, one token every 100 ms: the oldest of them, then the
	// other, then the rest newest first (each with a token left over).
	q := newQueuedTurns(3, 1300)
	q.queue("Chloé", at(1250), false)
	q.queue("Bilal", at(100), false)
	q.queue("Awa", at(0), false)
	q.queue("Daouda", at(1300), false)
	if got := q.grants(1400, 6); !slices.Equal(got, []string{"Awa", "Bilal", "Daouda", "Chloé"}) {
		t.Fatalf("order %q", got)
	}
}

// Bulk calls wait while a conversation does and leave the reserve (5 of
// the burst) to conversations; among themselves they go in order.
func TestTurnsBulkAfterConversations(t *testing.T) {
	t.Parallel()
	q := newQueuedTurns(7, -200) // 2 tokens at 0
	q.queue("rappel 1", at(0), true)
	q.queue("rappel 2", at(0), true)
	q.queue("Awa", at(0), false)
	got, next := q.grant(at(0))
	if !slices.Equal(got, []string{"Awa"}) || next != 500*time.Millisecond {
		t.Fatalf("at 0 ms: got %q, next in %v; want Awa, next in 500ms (6 tokens)", got, next)
	}
	if got, _ := q.grant(at(499)); len(got) != 0 {
		t.Fatalf("at 499 ms (5 tokens, the reserve): %q went", got)
	}
	if got, _ := q.grant(at(500)); !slices.Equal(got, []string{"rappel 1"}) {
		t.Fatalf("at 500 ms: got %q, want rappel 1", got)
	}
	q.queue("Bilal", at(550), false)
	if got, _ := q.grant(at(600)); !slices.Equal(got, []string{"Bilal"}) {
		t.Fatalf("at 600 ms: got %q, want Bilal before rappel 2", got)
	}
	if q.goesAtOnceLocked(at(700), true) { // 6 tokens
		t.Fatal("a bulk call arriving goes before rappel 2")
	}
	if got, _ := q.grant(at(700)); !slices.Equal(got, []string{"rappel 2"}) {
		t.Fatalf("at 700 ms: got %q, want rappel 2", got)
	}
}

// Uncontended, a call takes its token at once, without queueing or a
// dispatcher, as the plain limiter did; with none left, it waits.
func TestTurnsUncontendedTakesATokenAtOnce(t *testing.T) {
	t.Parallel()
	q := newQueuedTurns(2, -200) // full at 0
	for range 2 {
		if err := q.wait(context.Background(), at(0), false); err != nil {
			t.Fatal(err)
		}
	}
	q.mu.Lock()
	running, queued := q.running, len(q.conv)
	q.mu.Unlock()
	if running || queued != 0 {
		t.Fatalf("dispatcher running %v, %d queued: want neither", running, queued)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := q.wait(ctx, at(0), false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third call without a token: %v, want it to wait", err)
	}
}

// A replica's share (resize) takes effect at once on the calls waiting: the
// tokens beyond the smaller burst are gone and the next comes at the
// smaller rate.
func TestTurnsShareAppliesToCallsWaiting(t *testing.T) {
	t.Parallel()
	q := newQueuedTurns(6, -1000) // full (6) at 0
	q.resize(5, 3)
	for i, name := range []string{"Awa", "Bilal", "Chloé", "Driss", "Emma"} {
		q.queue(name, at(-50+10*i), false)
	}
	got, next := q.grant(at(0))
	if len(got) != 2 || next != 200*time.Millisecond {
		t.Fatalf("at 0 ms: %q went, the next in %s; want 2 (3 tokens, 1 kept for an arrival), the next in 200ms", got, next)
	}
}

// A share of a small burst still lets bulk calls go: the reserve they leave
// for conversations shrinks with the burst (with 27 it is 5; with a burst
// of 1 it is none, or they would never go).
func TestTurnsShareOfOneStillSendsBulk(t *testing.T) {
	t.Parallel()
	q := newQueuedTurns(27, 0)
	q.resize(10, 1)
	q.queue("rappel", at(0), true)
	if got, _ := q.grant(at(100)); !slices.Equal(got, []string{"rappel"}) {
		t.Fatalf("at 100 ms (1 token, burst 1): got %q, want rappel", got)
	}
}
