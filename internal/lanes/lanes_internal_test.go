package lanes

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitQueued yields until n turns are queued or running, so that the next
// Enter surely lines up behind them; a broken chain fails the test instead
// of hanging it.
func waitQueued(t *testing.T, ls *Lanes, n int) {
	t.Helper()
	give := time.Now().Add(10 * time.Second)
	for ls.Queued() != n {
		if time.Now().After(give) {
			t.Fatalf("Queued() = %d, want %d", ls.Queued(), n)
		}
		runtime.Gosched()
	}
}

// record is a log of what the turns did, in the order they did it.
type record struct {
	mu  sync.Mutex
	log []string
}

func (r *record) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

func (r *record) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func TestTurnsOfOneChatGoInOrderOfEntry(t *testing.T) {
	ls := New(1, 3)
	ctx := context.Background()
	var rec record
	first, err := ls.Enter(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, name := range []string{"B", "C", "D"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			turn, err := ls.Enter(ctx, 42)
			if err != nil {
				rec.add(name + " error: " + err.Error())
				return
			}
			rec.add(name)
			turn.Leave()
		}()
		waitQueued(t, ls, i+2)
	}
	// Another chat does not wait for chat 42.
	other, err := ls.Enter(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	rec.add("other chat")
	other.Leave()
	rec.add("A")
	first.Leave()
	wg.Wait()
	if got, want := rec.get(), []string{"other chat", "A", "B", "C", "D"}; !slices.Equal(got, want) {
		t.Errorf("turns = %q, want %q", got, want)
	}
	if got := ls.Queued(); got != 0 {
		t.Errorf("Queued() = %d after every turn left, want 0", got)
	}
}

func TestCancelledWaiterKeepsTheChain(t *testing.T) {
	ls := New(1, 3)
	ctx := context.Background()
	var rec record
	first, err := ls.Enter(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelled := make(chan error, 1)
	go func() {
		turn, err := ls.Enter(cctx, 42)
		if err == nil {
			turn.Leave()
		}
		cancelled <- err
	}()
	waitQueued(t, ls, 2)
	third := make(chan struct{})
	go func() {
		defer close(third)
		turn, err := ls.Enter(ctx, 42)
		if err != nil {
			rec.add("C error: " + err.Error())
			return
		}
		rec.add("C")
		turn.Leave()
	}()
	waitQueued(t, ls, 3)

	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Enter = %v, want context.Canceled", err)
	}
	// The abandoned turn still stands in line until the first one ends.
	if got := ls.Queued(); got != 3 {
		t.Errorf("Queued() = %d after the cancel, want 3 (A running, B abandoned, C waiting)", got)
	}
	select {
	case <-third:
		t.Fatal("C took its turn while A still ran")
	default:
	}
	rec.add("A")
	first.Leave()
	<-third
	if got, want := rec.get(), []string{"A", "C"}; !slices.Equal(got, want) {
		t.Errorf("turns = %q, want %q", got, want)
	}
	waitQueued(t, ls, 0)
}

func TestIdleLaneIsForgotten(t *testing.T) {
	ls := New(1, 1)
	ctx := context.Background()

	// A turn that took none of the chat's rate leaves a full limiter: the
	// lane is forgotten as the turn ends.
	turn, err := ls.Enter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	turn.Leave()
	if got := len(ls.lanes); got != 0 {
		t.Errorf("lanes after an unpaced turn = %d, want 0", got)
	}

	// A paced turn emptied the limiter: the lane is kept, so the chat's
	// next call still waits for the rate.
	turn, err = ls.Enter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := turn.Pace(ctx); err != nil {
		t.Fatal(err)
	}
	turn.Leave()
	if got := len(ls.lanes); got != 1 {
		t.Fatalf("lanes after a paced turn = %d, want 1", got)
	}

	// Once its limiter has refilled, a sweep forgets it; sweeps run every
	// sweepEvery new lanes: chat 1's two lanes were the 1st and 2nd, these
	// are the 3rd to the 1023rd.
	ls.now = func() time.Time { return time.Now().Add(time.Minute) }
	for chat := int64(2); chat <= sweepEvery-1-1; chat++ {
		turn, err := ls.Enter(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		turn.Leave()
	}
	if _, ok := ls.lanes[1]; !ok {
		t.Fatalf("chat 1 forgotten after %d new lanes, want kept until the 1024th", ls.created)
	}
	turn, err = ls.Enter(ctx, 9999)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ls.lanes[1]; ok {
		t.Errorf("chat 1 kept after %d new lanes, want forgotten by the sweep of the 1024th", ls.created)
	}
	turn.Leave()
	if got := len(ls.lanes); got != 0 {
		t.Errorf("lanes at the end = %d, want 0", got)
	}
}

func TestSleepStopsAtShutdown(t *testing.T) {
	if !Sleep(context.Background(), 0) {
		t.Error("no wait on a live context: want true")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, 0) {
		t.Error("no wait on an ended context: want false")
	}
	if Sleep(ctx, time.Hour) {
		t.Error("an hour on an ended context: want false at once")
	}
}

// A new burst applies to a chat being served (its lane kept, with the
// tokens it had) and to the chats served next.
func TestSetBurstAppliesToLanesAlreadyThere(t *testing.T) {
	ls := New(0.001, 3) // no refill during the test
	ctx := context.Background()
	atOnce := func(turn *Turn) int { // calls the lane lets through now
		n := 0
		for n < 5 {
			short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			err := turn.Pace(short)
			cancel()
			if err != nil {
				break
			}
			n++
		}
		return n
	}
	served, err := ls.Enter(ctx, 1) // chat 1's lane holds 3 tokens
	if err != nil {
		t.Fatal(err)
	}
	defer served.Leave()
	ls.SetBurst(1)
	if n := atOnce(served); n != 1 {
		t.Errorf("chat being served: %d calls at once after SetBurst(1), want 1", n)
	}
	next, err := ls.Enter(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Leave()
	if n := atOnce(next); n != 1 {
		t.Errorf("new chat: %d calls at once after SetBurst(1), want 1", n)
	}
}
