package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/chat"
)

// Handler processes one update, as a chat.Event: updates that say nothing
// Relais acts on never reach it. It gets a context that outlives the poll's
// own for a grace period at shutdown, so work in progress can finish. A
// non-nil error means the update was not handled and must be handled
// again later (another replica holds its chat, or shutdown cut it short):
// the update is retried after a pause, before the chat's next updates, and
// never confirmed to Telegram until it is handled. Errors the user was told
// about are handled updates: return nil.
type Handler func(ctx context.Context, ev chat.Event) error

// Poller receives updates by long polling. Updates of one chat are handled
// one after the other, in order; different chats are handled in parallel,
// up to Concurrency at once. An update is confirmed to Telegram (the
// offset moves past it) only once it and every update before it are
// handled: after a crash Telegram delivers again what was not finished,
// and handlers de-duplicate what was (at-least-once delivery).
type Poller struct {
	// Timeout is the long-poll wait (default 30s).
	Timeout time.Duration
	// Limit is the number of updates fetched at once (default 100). As the
	// offset stays at the oldest unfinished update, it also bounds how far
	// other chats get ahead of a slow one.
	Limit int
	// Concurrency bounds handlers running at once (default 8).
	Concurrency int
	// MaxPending bounds updates fetched but not yet handled; polling pauses
	// beyond it (default 2×Limit).
	MaxPending int
	// AllowedUpdates restricts update types (default: Telegram's default).
	AllowedUpdates []string
	// DrainTimeout is how long handlers may still run after ctx is done
	// before their context is cancelled too (default 20s).
	DrainTimeout time.Duration
	// RetryAfter is the first pause before an update whose handler returned
	// an error is handled again (default 1s, doubling up to 2s).
	RetryAfter time.Duration
	// Logger receives polling failures (default slog.Default()).
	Logger *slog.Logger
	// Metrics, when set, observes the poller.
	Metrics Observer
}

// heldBackPause is the wait before asking Telegram again while an update
// is in flight (the offset stays on it, so Telegram would answer at once
// with it again, whatever else the answer held): new updates of other
// chats are fetched within it. A new update waits half of it on average while others
// are in flight, which under overload is always (answers paced up to
// staleAfter): at 100 mediators, 50 ms gave a median tap → answer of 60 ms,
// 20 ms gives 28 ms for 81 getUpdates/s instead of 55 (loadgram, docs/performance.md).
const heldBackPause = 20 * time.Millisecond

// Observer is told what happens to updates (Prometheus in production).
type Observer interface {
	// Update is called once per handling attempt with its outcome
	// ("handled", "retry", "panic", "cut") and how long it took.
	Update(outcome string, d time.Duration)
}

// Poll runs a Poller with default settings; see Poller.Run.
func Poll(ctx context.Context, api *tgbotapi.BotAPI, handle Handler) error {
	return (&Poller{}).Run(ctx, api, handle)
}

// Run fetches updates until ctx is done, then stops fetching, waits for the
// updates already fetched to be handled, confirms the handled ones to
// Telegram and returns nil. Transient getUpdates failures are retried with
// backoff; a refused token returns an error.
func (p *Poller) Run(ctx context.Context, api *tgbotapi.BotAPI, handle Handler) error {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	limit := p.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	maxPending := p.MaxPending
	if maxPending <= 0 {
		maxPending = 2 * limit
	}
	concurrency := p.Concurrency
	if concurrency <= 0 {
		concurrency = 8
	}
	drain := p.DrainTimeout
	if drain <= 0 {
		drain = 20 * time.Second
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}

	hctx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	d := newDispatcher(hctx, handle, concurrency, log)
	d.retry, d.obs = p.RetryAfter, p.Metrics

	uc, err := newUpdatesClient(api, p.AllowedUpdates, d.known)
	if err != nil {
		return err
	}
	var (
		sent   int // the offset Telegram was last given
		delay  = backoff{min: time.Second, max: 30 * time.Second}
		runErr error
	)
	for ctx.Err() == nil {
		if !d.waitBelow(ctx, maxPending) {
			break
		}
		offset := d.offset()
		actx, cancel := context.WithTimeout(ctx, timeout+15*time.Second)
		updates, err := uc.get(actx, offset, limit, int(timeout/time.Second))
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			err = scrub(err, api.Token)
			if e, ok := apiError(err); ok && (e.Code == http.StatusUnauthorized || e.Code == http.StatusNotFound) {
				runErr = fmt.Errorf("telegram: getUpdates: the bot token was refused: %w", err)
				break
			}
			wait := delay.next()
			log.WarnContext(ctx, "telegram: getUpdates failed, retrying", "retry_in", wait, "err", err)
			if !sleep(ctx, wait) {
				break
			}
			continue
		}
		delay.reset()
		sent = offset
		for _, u := range updates {
			d.dispatch(u, nil)
		}
		if d.heldBack() {
			// Telegram would answer at once with the updates still being
			// handled (the offset waits for the oldest): pause before
			// asking again, but not long: another chat's press must not
			// wait for a handler paced at 1 message/s per chat.
			sleep(ctx, heldBackPause)
		}
	}

	// Let in-flight and queued handlers finish, within the grace period.
	stop := time.AfterFunc(drain, cancelHandlers)
	d.wait()
	stop.Stop()

	// Confirm what was handled since the last call, so a restart does not
	// see it again. Updates cut short stay unconfirmed and come back.
	if offset := d.offset(); offset > sent {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_, err := withContext(cctx, api).GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 1})
		cancel()
		if err != nil {
			log.Warn("telegram: could not confirm the last updates; they may be delivered again", "err", scrub(err, api.Token))
		}
	}
	return runErr
}

// known reports whether update id is in flight or handled already.
func (d *dispatcher) known(id int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inflight[id] || d.finished[id]
}

// chatKey is the chat an update belongs to, for ordering.
func chatKey(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil && u.EditedMessage.Chat != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	if from := u.SentFrom(); from != nil {
		return from.ID
	}
	return 0
}

// dispatcher runs handlers: one queue per chat, drained by one goroutine
// at a time, with a global bound on handlers running at once. It knows
// which updates are in flight, to tell the poller how far it may confirm.
type dispatcher struct {
	ctx    context.Context
	handle Handler
	sem    chan struct{}
	log    *slog.Logger
	retry  time.Duration
	obs    Observer
	// oneShot: an update whose handler fails is not retried here (the
	// webhook answers 503 and Telegram pushes it again).
	oneShot bool
	wg      sync.WaitGroup

	mu       sync.Mutex
	queues   map[int64][]queued
	pending  int
	inflight map[int]bool  // dispatched, not handled
	finished map[int]bool  // handled, above the oldest in flight
	next     int           // one past the highest update id dispatched
	freed    chan struct{} // signalled when pending decreases

	// idle hands a chat whose queue just started to a worker waiting for
	// one (see work).
	idle chan int64
}

// workerIdle is how long a worker that drained its chat waits for another
// one before it ends. A new goroutine per update started on a small stack
// and grew it on every update (4.5 % of the CPU at 100 mediators tapping
// every 3 s, docs/performance.md); a worker kept between updates keeps
// its grown stack.
const workerIdle = 10 * time.Second

// queued is an update waiting in its chat's queue; done, when set, gets
// the handler's verdict (the webhook answers with it).
type queued struct {
	u    tgbotapi.Update
	done chan<- error
}

func newDispatcher(ctx context.Context, handle Handler, concurrency int, log *slog.Logger) *dispatcher {
	return &dispatcher{
		ctx:      ctx,
		handle:   handle,
		sem:      make(chan struct{}, concurrency),
		log:      log,
		queues:   map[int64][]queued{},
		inflight: map[int]bool{},
		finished: map[int]bool{},
		freed:    make(chan struct{}, 1),
		idle:     make(chan int64),
	}
}

// dispatch queues u in its chat's queue; false when u is already in flight
// or handled (Telegram answering again from an offset held back).
func (d *dispatcher) dispatch(u tgbotapi.Update, done chan<- error) bool {
	key := chatKey(u)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inflight[u.UpdateID] || d.finished[u.UpdateID] {
		return false
	}
	d.inflight[u.UpdateID] = true
	d.next = max(d.next, u.UpdateID+1)
	d.pending++
	d.wg.Add(1)
	q, running := d.queues[key]
	d.queues[key] = append(q, queued{u: u, done: done})
	if !running {
		select {
		case d.idle <- key:
		default:
			go d.work(key)
		}
	}
	return true
}

// work handles key's queue, then the queues of the chats handed to it
// while it waits idle, until none comes for workerIdle or the dispatcher
// stops.
func (d *dispatcher) work(key int64) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		d.run(key)
		t.Reset(workerIdle)
		select {
		case key = <-d.idle:
		case <-t.C:
			return
		case <-d.ctx.Done():
			return
		}
	}
}

// offset is the getUpdates offset that confirms exactly the updates handled
// so far: the oldest update in flight, or one past the newest.
func (d *dispatcher) offset() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	off := d.next
	for id := range d.inflight {
		off = min(off, id)
	}
	for id := range d.finished {
		if id < off {
			delete(d.finished, id)
		}
	}
	return off
}

// run handles a chat's queue until it is empty.
func (d *dispatcher) run(key int64) {
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		item := q[0]
		d.queues[key] = q[1:]
		d.mu.Unlock()

		err := d.handleUntilDone(item.u)

		d.mu.Lock()
		d.pending--
		switch {
		case d.oneShot:
			delete(d.inflight, item.u.UpdateID)
		case err == nil:
			delete(d.inflight, item.u.UpdateID)
			d.finished[item.u.UpdateID] = true
		}
		d.mu.Unlock()
		if item.done != nil {
			item.done <- err
		}
		select {
		case d.freed <- struct{}{}:
		default:
		}
		d.wg.Done()
	}
}

// handleUntilDone runs the handler until it handles u, pausing between
// attempts; it returns an error only when the dispatcher is stopping (or,
// for the webhook, when Telegram itself will deliver again).
func (d *dispatcher) handleUntilDone(u tgbotapi.Update) error {
	// A busy chat frees up within seconds (another update finishing, or
	// a dead process's lease expiring): retry often, cheaply.
	pause := backoff{min: d.retry, max: 2 * time.Second}
	if pause.min <= 0 {
		pause.min = time.Second
	}
	for {
		d.sem <- struct{}{}
		start := time.Now()
		outcome, err := d.safeHandle(u)
		<-d.sem
		if err != nil && d.ctx.Err() != nil {
			outcome = "cut"
		}
		if d.obs != nil {
			d.obs.Update(outcome, time.Since(start))
		}
		if err == nil {
			return nil
		}
		if d.ctx.Err() != nil || d.oneShot {
			return err
		}
		wait := pause.next()
		d.log.Debug("telegram: update not handled yet, retrying", "update_id", u.UpdateID, "retry_in", wait, "err", err)
		if !sleep(d.ctx, wait) {
			return err
		}
	}
}

// safeHandle keeps one broken update from taking the bot down: a panic is
// logged and the update counts as handled (handling it again would panic again).
func (d *dispatcher) safeHandle(u tgbotapi.Update) (outcome string, err error) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("telegram: update handler panicked", "update_id", u.UpdateID, "panic", fmt.Sprint(r))
			outcome, err = "panic", nil
		}
	}()
	ev, ok := eventOf(u)
	if !ok {
		return "handled", nil
	}
	if err := d.handle(d.ctx, ev); err != nil {
		return "retry", err
	}
	return "handled", nil
}

// waitBelow blocks while n or more updates are pending; false if ctx ended.
func (d *dispatcher) waitBelow(ctx context.Context, n int) bool {
	for {
		d.mu.Lock()
		p := d.pending
		d.mu.Unlock()
		if p < n {
			return true
		}
		select {
		case <-d.freed:
		case <-ctx.Done():
			return false
		}
	}
}

// heldBack reports whether an update dispatched is not handled yet: the
// offset stays on it, and Telegram answers it again at once.
func (d *dispatcher) heldBack() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.inflight) > 0
}

// size is the number of updates queued or running.
func (d *dispatcher) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pending
}

func (d *dispatcher) wait() { d.wg.Wait() }
