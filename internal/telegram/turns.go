package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// staleAfter is D, the bound of adaptive LIFO (Facebook's "Fail at Scale",
// CoDel + adaptive LIFO). When more chats wait for the global 30/s than it
// can serve, the wait is shared out by Little's law (100 mediators, 3 s
// between taps: a mean of about 333 ms whatever the order), but the order
// decides the distribution: FIFO gives everyone about 333 ms, newest-first
// gives most answers at once and makes a few wait up to staleAfter, after
// which they go first. 1.2 s keeps the slowest answers under the 1.5 s
// answer target once polling, handling and the HTTP round trip are added,
// and is long enough that fewer than a third of answers reach it at the
// 100-mediator load (mean 333 ms ≈ share × 1.2 s).
const staleAfter = 1200 * time.Millisecond

// arrivalReserve is how many tokens calls already queued leave for a call
// arriving, unless they have waited staleAfter. Under overload the bucket is
// empty: without it the newest call would wait for the next token (one slot,
// 33 ms at 30/s, the median answer); with one kept, it leaves at once. It
// costs a queued call at most one slot and Telegram's rate nothing (a token
// held for an arrival is spent by the next queued call one slot later).
const arrivalReserve = 1

// turns hands out the global rate limit's tokens to the calls waiting for
// one. Only chat heads wait here (a chat's next call waits for the previous
// one in its lane first), so choosing among them never reorders a chat.
// Conversation calls go first: when they contend, the newest goes first
// (a call arriving takes a token at once, queued ones leave arrivalReserve
// for it) unless one has waited staleAfter, then the oldest does. Bulk calls go in
// order, only when no conversation waits and bulkReserve tokens are left.
// Uncontended, a call takes a token at once, as a plain limiter would.
type turns struct {
	limiter *rate.Limiter
	reserve float64 // tokens bulk calls leave for conversations
	arrival float64 // tokens queued conversation calls leave for an arriving one
	now     func() time.Time

	mu      sync.Mutex
	conv    []*turn // conversation chat heads waiting, in no particular order
	bulk    []*turn // bulk calls waiting, oldest first
	running bool    // a dispatcher goroutine is handing out tokens
	wake    chan struct{}
}

// turn is one call waiting for a token.
type turn struct {
	since   time.Time     // when the call was made: its age decides its place
	granted chan struct{} // closed when the call got its token
}

func newTurns(limiter *rate.Limiter, now func() time.Time) *turns {
	t := &turns{limiter: limiter, now: now, wake: make(chan struct{}, 1)}
	t.reserve, t.arrival = reserves(limiter.Burst())
	return t
}

// reserves derives both reserves from the limiter's burst: neither may hold
// the whole bucket, or the calls that leave it would never go. A replica's
// share of a small burst keeps them below it (13 of 27 still leaves 5 for
// conversations; 2 leaves 1; 1 leaves none).
func reserves(burst int) (bulk, arrival float64) {
	return float64(min(bulkReserve, burst-1)), float64(min(arrivalReserve, burst-1))
}

// resize changes the rate and burst (a replica's share), tokens already
// there kept up to the new burst, and wakes the dispatcher, whose next
// grant time depended on the old rate.
func (t *turns) resize(limit rate.Limit, burst int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.limiter.SetLimitAt(now, limit)
	t.limiter.SetBurstAt(now, burst)
	t.reserve, t.arrival = reserves(burst)
	if t.running {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// rate is the limiter's rate and burst.
func (t *turns) rate() (float64, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return float64(t.limiter.Limit()), t.limiter.Burst()
}

// wait returns when the call made at since may go, or when ctx ends.
func (t *turns) wait(ctx context.Context, since time.Time, bulk bool) error {
	t.mu.Lock()
	if t.goesAtOnceLocked(t.now(), bulk) {
		t.mu.Unlock()
		return nil
	}
	w := &turn{since: since, granted: make(chan struct{})}
	if bulk {
		t.bulk = append(t.bulk, w)
	} else {
		t.conv = append(t.conv, w)
	}
	if !t.running {
		t.running = true
		go t.dispatch()
	} else {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
	t.mu.Unlock()
	select {
	case <-w.granted:
		return nil
	case <-ctx.Done():
		t.mu.Lock()
		t.conv = remove(t.conv, w)
		t.bulk = remove(t.bulk, w)
		t.mu.Unlock()
		return ctx.Err()
	}
}

// goesAtOnceLocked takes a token for a call arriving at now if it may go
// without queueing: a conversation call unless one has waited staleAfter
// (the newest goes first), a bulk call only when nobody waits.
func (t *turns) goesAtOnceLocked(now time.Time, bulk bool) bool {
	if t.staleLocked(now) || bulk && (len(t.conv) > 0 || len(t.bulk) > 0) {
		return false
	}
	return t.takeLocked(now, bulk)
}

// takeLocked takes a token if one is there for this kind of call.
func (t *turns) takeLocked(now time.Time, bulk bool) bool {
	need := 1.0
	if bulk {
		need += t.reserve
	}
	return t.takeIfLocked(now, need)
}

// takeIfLocked takes a token if the limiter holds need of them.
func (t *turns) takeIfLocked(now time.Time, need float64) bool {
	return t.limiter.TokensAt(now) >= need && t.limiter.AllowN(now, 1)
}

// staleLocked reports whether a conversation call has waited staleAfter.
func (t *turns) staleLocked(now time.Time) bool {
	for _, w := range t.conv {
		if now.Sub(w.since) >= staleAfter {
			return true
		}
	}
	return false
}

// dispatch hands out tokens as they come until nobody waits.
func (t *turns) dispatch() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		t.mu.Lock()
		next, more := t.grantLocked(t.now())
		if !more {
			t.running = false
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		timer.Reset(next)
		select {
		case <-timer.C:
		case <-t.wake:
		}
	}
}

// grantLocked gives the tokens available at now to the waiting calls in
// the order of the rules above, and says how long until the next call could
// go (more is false when nobody waits).
func (t *turns) grantLocked(now time.Time) (next time.Duration, more bool) {
	for {
		var w *turn
		switch {
		case len(t.conv) > 0:
			i, oldest, stale := t.pickLocked(now)
			if stale && !t.takeIfLocked(now, 1) {
				return t.untilLocked(now, 1), true
			}
			if !stale && !t.takeIfLocked(now, 1+t.arrival) {
				// Wake when the reserve is there, or when the oldest goes stale.
				untilStale := t.conv[oldest].since.Add(staleAfter).Sub(now)
				return min(t.untilLocked(now, 1+t.arrival), max(t.untilLocked(now, 1), untilStale)), true
			}
			w = t.conv[i]
			t.conv = append(t.conv[:i], t.conv[i+1:]...)
		case len(t.bulk) > 0:
			if !t.takeLocked(now, true) {
				return t.untilLocked(now, 1+t.reserve), true
			}
			w = t.bulk[0]
			t.bulk = t.bulk[1:]
		default:
			return 0, false
		}
		close(w.granted)
	}
}

// pickLocked chooses the conversation call that goes next: the oldest if
// it has waited staleAfter (stale), else the newest. It also says which is
// the oldest, whose age decides when the next one goes stale.
func (t *turns) pickLocked(now time.Time) (i, oldest int, stale bool) {
	oldest, newest := t.oldestLocked(), 0
	for i, w := range t.conv {
		if !w.since.Before(t.conv[newest].since) {
			newest = i
		}
	}
	if now.Sub(t.conv[oldest].since) >= staleAfter {
		return oldest, oldest, true
	}
	return newest, oldest, false
}

func (t *turns) oldestLocked() int {
	oldest := 0
	for i, w := range t.conv {
		if w.since.Before(t.conv[oldest].since) {
			oldest = i
		}
	}
	return oldest
}

// untilLocked is how long until the limiter holds n tokens.
func (t *turns) untilLocked(now time.Time, n float64) time.Duration {
	missing := n - t.limiter.TokensAt(now)
	d := time.Duration(missing / float64(t.limiter.Limit()) * float64(time.Second))
	return max(d, time.Millisecond)
}

func remove(ws []*turn, w *turn) []*turn {
	for i, x := range ws {
		if x == w {
			return append(ws[:i], ws[i+1:]...)
		}
	}
	return ws
}
