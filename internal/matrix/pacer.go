package matrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
	"maunium.net/go/mautrix"

	"github.com/relais-sante/relais/internal/lanes"
)

// SenderOptions tune the pacing of what the bot sends; the zero value suits
// a homeserver whose operators exempted the bot's account from rc_message
// (Synapse's default, 0.2 message per second and bursts of 10, is far too
// low for a bot: Tchap's operators must lift it), and 429 answers are
// honoured whatever the rate.
type SenderOptions struct {
	// GlobalRate is the sustained events per second for the whole bot
	// (default 10; MATRIX_RATE).
	GlobalRate float64
	// GlobalBurst is how many events may leave at once (default two
	// seconds' worth, at least 20).
	GlobalBurst int
	// RoomRate is the sustained events per second in one room (default 2).
	RoomRate float64
	// RoomBurst is how many events may leave at once in one room (default 5).
	RoomBurst int
	// GiveUpAfter bounds the retries of one call (default 2 minutes); time
	// spent queued behind the rate limits does not count.
	GiveUpAfter time.Duration
	// AttemptTimeout bounds one HTTP call (default 60 seconds).
	AttemptTimeout time.Duration
	// Unlimited turns pacing off (ordering and retries stay), for tests.
	Unlimited bool
	// RetrySleep waits before a retry and reports false if ctx ended
	// first; default a timer. Tests replace it to check the waits.
	RetrySleep func(ctx context.Context, d time.Duration) bool
}

// bulkReserve is how many of the global burst's tokens scheduled calls
// leave for conversations: a person's answer finds them and leaves at once.
const bulkReserve = 5

type bulkKey struct{}

// Bulk marks ctx's calls as scheduled work (reminders, digests): they use
// what conversations leave of the global rate.
func Bulk(ctx context.Context) context.Context { return context.WithValue(ctx, bulkKey{}, true) }

func isBulk(ctx context.Context) bool { b, _ := ctx.Value(bulkKey{}).(bool); return b }

// pacer orders each room's calls, paces them under the homeserver's limits
// (answers before bulk), and retries 429s (after retry_after_ms), 5xx and
// network failures. A retried send reuses its transaction id, so the
// homeserver stores it once however many attempts reach it.
type pacer struct {
	opts    SenderOptions
	log     *slog.Logger
	limiter *rate.Limiter
	waiting atomic.Int64 // conversation calls waiting for the global rate

	lanes *lanes.Lanes // each room's calls in order, under the room's rate

	sent, retries, tooMany, failed atomic.Int64
}

func newPacer(opts SenderOptions, log *slog.Logger) *pacer {
	if opts.GlobalRate <= 0 {
		opts.GlobalRate = 10
	}
	if opts.GlobalBurst <= 0 {
		opts.GlobalBurst = max(20, int(2*opts.GlobalRate))
	}
	if opts.RoomRate <= 0 {
		opts.RoomRate = 2
	}
	if opts.RoomBurst <= 0 {
		opts.RoomBurst = 5
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = 2 * time.Minute
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = 60 * time.Second
	}
	if opts.RetrySleep == nil {
		opts.RetrySleep = sleep
	}
	return &pacer{opts: opts, log: log, limiter: rate.NewLimiter(rate.Limit(opts.GlobalRate), opts.GlobalBurst), lanes: lanes.New(opts.RoomRate, opts.RoomBurst)}
}

// Stats count what the transport sent, for benchmarks and health checks.
type Stats struct {
	Sent            int64 // calls that succeeded
	Retries         int64 // attempts repeated after a failure
	TooManyRequests int64 // 429 answers received
	Failed          int64 // calls given up
}

func (p *pacer) stats() Stats {
	return Stats{Sent: p.sent.Load(), Retries: p.retries.Load(), TooManyRequests: p.tooMany.Load(), Failed: p.failed.Load()}
}

// do makes call in room's order; counted calls (messages, edits) are paced.
func (p *pacer) do(ctx context.Context, room int64, what string, counted bool, call func(ctx context.Context) error) error {
	turn, err := p.lanes.Enter(ctx, room)
	if err != nil {
		p.failed.Add(1)
		return fmt.Errorf("matrix %s in chat %d: not sent: %w", what, room, err)
	}
	defer turn.Leave()
	var (
		giveUp  time.Time
		delay   = backoff{min: 500 * time.Millisecond, max: 30 * time.Second}
		lastErr error
	)
	for attempt := 1; ; attempt++ {
		if counted && !p.opts.Unlimited {
			err := turn.Pace(ctx)
			if err == nil {
				err = p.global(ctx, isBulk(ctx))
			}
			if err != nil {
				p.failed.Add(1)
				return fmt.Errorf("matrix %s in chat %d: %w (last error: %v)", what, room, err, lastErr)
			}
		}
		if giveUp.IsZero() {
			giveUp = time.Now().Add(p.opts.GiveUpAfter)
		}
		actx, cancel := context.WithTimeout(ctx, p.opts.AttemptTimeout)
		err := call(actx)
		cancel()
		if err == nil {
			p.sent.Add(1)
			return nil
		}
		lastErr = err
		if IsTooManyRequests(err) {
			p.tooMany.Add(1)
		}
		retry, wait := retryDelay(err)
		if !retry || ctx.Err() != nil {
			p.failed.Add(1)
			return fmt.Errorf("matrix %s in chat %d: %w", what, room, err)
		}
		if wait == 0 {
			wait = delay.next()
		}
		if time.Now().Add(wait).After(giveUp) {
			p.failed.Add(1)
			p.log.ErrorContext(ctx, "matrix: giving up", "chat", room, "call", what, "attempts", attempt, "err", err)
			return fmt.Errorf("matrix %s in chat %d: gave up after %d attempts: %w", what, room, attempt, err)
		}
		p.retries.Add(1)
		p.log.DebugContext(ctx, "matrix: retrying", "chat", room, "call", what, "attempt", attempt, "retry_in", wait, "err", err)
		if !p.opts.RetrySleep(ctx, wait) {
			p.failed.Add(1)
			return fmt.Errorf("matrix %s in chat %d: %w (last error: %v)", what, room, ctx.Err(), err)
		}
	}
}

// global waits for the bot's rate: a conversation call takes the next
// token; a bulk call only one that leaves bulkReserve, when no
// conversation call waits.
func (p *pacer) global(ctx context.Context, bulk bool) error {
	if !bulk {
		p.waiting.Add(1)
		defer p.waiting.Add(-1)
		return p.limiter.Wait(ctx)
	}
	slot := time.Duration(float64(time.Second) / float64(p.limiter.Limit()))
	for {
		now := time.Now()
		if p.waiting.Load() == 0 && p.limiter.TokensAt(now) >= 1+bulkReserve && p.limiter.AllowN(now, 1) {
			return nil
		}
		if !sleep(ctx, slot) {
			return ctx.Err()
		}
	}
}

// backoff doubles from min to max.
type backoff struct{ min, max, cur time.Duration }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur
}

// IsTooManyRequests reports the homeserver's 429 (M_LIMIT_EXCEEDED).
func IsTooManyRequests(err error) bool {
	var h mautrix.HTTPError
	if errors.As(err, &h) {
		if h.RespError != nil && (h.RespError.StatusCode == http.StatusTooManyRequests || h.RespError.ErrCode == mautrix.MLimitExceeded.ErrCode) {
			return true
		}
		return h.IsStatus(http.StatusTooManyRequests)
	}
	return errors.Is(err, mautrix.MLimitExceeded)
}

// retryDelay says whether a failed call may succeed later and how long the
// homeserver asked to wait (0: use the backoff): retry_after_ms in a 429's
// body (Synapse, Dendrite), else its Retry-After header.
func retryDelay(err error) (retry bool, wait time.Duration) {
	if errors.Is(err, context.Canceled) {
		return false, 0
	}
	var h mautrix.HTTPError
	if errors.As(err, &h) {
		if IsTooManyRequests(err) {
			if h.RespError != nil {
				if ms, ok := h.RespError.ExtraData["retry_after_ms"].(float64); ok && ms > 0 {
					return true, time.Duration(ms) * time.Millisecond
				}
			}
			if h.Response != nil {
				if s, err := strconv.Atoi(h.Response.Header.Get("Retry-After")); err == nil && s > 0 {
					return true, time.Duration(s) * time.Second
				}
			}
			return true, 0
		}
		if h.Response != nil && h.Response.StatusCode >= 500 {
			return true, 0
		}
		if h.Response == nil && h.WrappedError != nil {
			return retryDelay(h.WrappedError)
		}
		return false, 0
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true, 0
	}
	return false, 0
}

// sleep is lanes.Sleep: a wait that ends at shutdown.
var sleep = lanes.Sleep
