package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Handler processes one update. It gets a context that outlives the poll's
// own for a grace period at shutdown, so work in progress can finish.
type Handler func(ctx context.Context, u tgbotapi.Update)

// Poller receives updates by long polling. Updates of one chat are handled
// one after the other, in order; different chats are handled in parallel,
// up to Concurrency at once. Telegram may deliver an update twice (after a
// crash, say): handlers must be idempotent.
type Poller struct {
	// Timeout is the long-poll wait (default 30s).
	Timeout time.Duration
	// Limit is the number of updates fetched at once (default 100).
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
	// Logger receives polling failures (default slog.Default()).
	Logger *slog.Logger
}

// Poll runs a Poller with default settings; see Poller.Run.
func Poll(ctx context.Context, api *tgbotapi.BotAPI, handle Handler) error {
	return (&Poller{}).Run(ctx, api, handle)
}

// Run fetches updates until ctx is done, then stops fetching, waits for the
// updates already fetched to be handled, confirms them to Telegram and
// returns nil. An update is confirmed (the offset moves past it) only once
// it has been handed to its chat's queue. Transient getUpdates failures are
// retried with backoff; a refused token returns an error.
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

	var (
		offset    int
		confirmed int // highest offset Telegram has been sent
		delay     = backoff{min: time.Second, max: 30 * time.Second}
		runErr    error
	)
	for ctx.Err() == nil {
		if !d.waitBelow(ctx, maxPending) {
			break
		}
		cfg := tgbotapi.UpdateConfig{Offset: offset, Limit: limit, Timeout: int(timeout / time.Second), AllowedUpdates: p.AllowedUpdates}
		actx, cancel := context.WithTimeout(ctx, timeout+15*time.Second)
		updates, err := withContext(actx, api).GetUpdates(cfg)
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
		confirmed = offset
		for _, u := range updates {
			d.dispatch(u)
			offset = max(offset, u.UpdateID+1)
		}
	}

	// Let in-flight and queued handlers finish, within the grace period.
	stop := time.AfterFunc(drain, cancelHandlers)
	d.wait()
	stop.Stop()

	// Confirm what was dispatched since the last call, so a restart does not
	// see it again. Updates this call returns stay unconfirmed.
	if offset > confirmed {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_, err := withContext(cctx, api).GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 1})
		cancel()
		if err != nil {
			log.Warn("telegram: could not confirm the last updates; they may be delivered again", "err", scrub(err, api.Token))
		}
	}
	return runErr
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
// at a time, with a global bound on handlers running at once.
type dispatcher struct {
	ctx    context.Context
	handle Handler
	sem    chan struct{}
	log    *slog.Logger
	wg     sync.WaitGroup

	mu      sync.Mutex
	queues  map[int64][]tgbotapi.Update
	pending int
	freed   chan struct{} // signalled when pending decreases
}

func newDispatcher(ctx context.Context, handle Handler, concurrency int, log *slog.Logger) *dispatcher {
	return &dispatcher{
		ctx:    ctx,
		handle: handle,
		sem:    make(chan struct{}, concurrency),
		log:    log,
		queues: map[int64][]tgbotapi.Update{},
		freed:  make(chan struct{}, 1),
	}
}

func (d *dispatcher) dispatch(u tgbotapi.Update) {
	key := chatKey(u)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending++
	d.wg.Add(1)
	q, running := d.queues[key]
	d.queues[key] = append(q, u)
	if !running {
		go d.run(key)
	}
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
		u := q[0]
		d.queues[key] = q[1:]
		d.mu.Unlock()

		d.sem <- struct{}{}
		d.safeHandle(u)
		<-d.sem

		d.mu.Lock()
		d.pending--
		d.mu.Unlock()
		select {
		case d.freed <- struct{}{}:
		default:
		}
		d.wg.Done()
	}
}

// safeHandle keeps one broken update from taking the bot down.
func (d *dispatcher) safeHandle(u tgbotapi.Update) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("telegram: update handler panicked", "update_id", u.UpdateID, "panic", fmt.Sprint(r))
		}
	}()
	d.handle(d.ctx, u)
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

func (d *dispatcher) wait() { d.wg.Wait() }
