// Package lanes keeps each chat's calls in order under the chat's own rate.
// Every messenger limits how fast one chat may receive (Telegram about one
// message a second, a Matrix homeserver its rc_message per room), and the
// calls of one chat must reach it in the order they were made; both
// transports take their turns here.
package lanes

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// sweepEvery is how many new lanes go by between two sweeps of the idle
// ones, so forgetting costs little however many chats are served.
const sweepEvery = 1024

// Lanes is one lane per chat: a chain of turns, each waiting for the
// previous one to end, and the chat's rate limiter. An idle lane whose
// limiter has refilled is forgotten (a new one would behave the same), so
// the map does not grow with every chat ever served.
// Safe for concurrent use.
type Lanes struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	lanes   map[int64]*lane
	created int
}

type lane struct {
	limiter *rate.Limiter
	tail    chan struct{} // closed when the newest turn of the chat ends
	users   int           // turns queued or running
}

// Turn is one call's place in its chat's lane; Leave ends it.
type Turn struct {
	lanes *Lanes
	chat  int64
	lane  *lane
	mine  chan struct{}
}

// New returns lanes allowing perSecond calls a second in one chat, burst
// at once.
func New(perSecond float64, burst int) *Lanes {
	return &Lanes{rate: rate.Limit(perSecond), burst: burst, now: time.Now, lanes: map[int64]*lane{}}
}

// SetBurst changes how many calls may leave at once in one chat, for the
// chats already served too (a replica's share: see telegram.Sender.Share).
func (ls *Lanes) SetBurst(burst int) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	now := ls.now()
	ls.burst = burst
	for _, l := range ls.lanes {
		l.limiter.SetBurstAt(now, burst)
	}
}

// Enter waits for the chat's previous turns to end. If ctx ends first it
// returns ctx's error, and the chain stays intact: the abandoned turn ends
// when the previous one does.
func (ls *Lanes) Enter(ctx context.Context, chat int64) (*Turn, error) {
	ls.mu.Lock()
	l := ls.lanes[chat]
	if l == nil {
		ls.sweepLocked()
		l = &lane{limiter: rate.NewLimiter(ls.rate, ls.burst)}
		ls.lanes[chat] = l
	}
	t := &Turn{lanes: ls, chat: chat, lane: l, mine: make(chan struct{})}
	prev := l.tail
	l.tail = t.mine
	l.users++
	ls.mu.Unlock()
	if prev != nil {
		select {
		case <-prev:
		case <-ctx.Done():
			go func() {
				<-prev
				t.Leave()
			}()
			return nil, ctx.Err()
		}
	}
	return t, nil
}

// Pace waits for the chat's rate to allow one more call.
func (t *Turn) Pace(ctx context.Context) error { return t.lane.limiter.Wait(ctx) }

// Leave ends the turn and lets the chat's next one start.
func (t *Turn) Leave() {
	close(t.mine)
	ls := t.lanes
	ls.mu.Lock()
	defer ls.mu.Unlock()
	t.lane.users--
	if t.lane.users == 0 {
		t.lane.tail = nil
		if t.lane.limiter.TokensAt(ls.now()) >= float64(ls.burst) {
			delete(ls.lanes, t.chat)
		}
	}
}

// Queued is the number of turns queued or running in all chats.
func (ls *Lanes) Queued() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	n := 0
	for _, l := range ls.lanes {
		n += l.users
	}
	return n
}

// sweepLocked forgets, every sweepEvery new lanes, the idle ones whose
// limiter has refilled since their last turn. Callers hold ls.mu.
func (ls *Lanes) sweepLocked() {
	ls.created++
	if ls.created%sweepEvery != 0 {
		return
	}
	now := ls.now()
	for id, l := range ls.lanes {
		if l.users == 0 && l.limiter.TokensAt(now) >= float64(ls.burst) {
			delete(ls.lanes, id)
		}
	}
}

// Sleep waits d, or less if ctx ends first; it tells whether the whole
// wait passed (the pacers' waits and retries, and the transports' pauses
// between polls, all stop at shutdown).
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
