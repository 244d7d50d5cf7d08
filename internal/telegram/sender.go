package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"github.com/relais-sante/relais/internal/lanes"
)

// SenderOptions tune the Sender; the zero value gives Telegram's limits.
type SenderOptions struct {
	// GlobalRate is the sustained messages per second for the whole bot
	// (default 30, Telegram's documented limit).
	GlobalRate float64
	// GlobalBurst is how many messages may leave at once (default 27).
	// Telegram tolerates short bursts without documenting their size;
	// loadgram and internal/telegramtest model it as 30. At 30 the server's
	// bucket has no slack, and requests reordered by the network get a 429
	// now and then (about 1 in 2 300 messages); 3 tokens short of it absorb
	// 100 ms of jitter and make only the first burst of a wave 3 smaller.
	GlobalBurst int
	// ChatRate is the sustained messages per second in one chat (default 1).
	ChatRate float64
	// ChatBurst is how many messages may leave at once in one chat (default 3).
	ChatBurst int
	// GiveUpAfter bounds the retries of one message (default 2 minutes);
	// time spent queued behind the rate limits does not count.
	GiveUpAfter time.Duration
	// AttemptTimeout bounds one HTTP call (default 60 seconds).
	AttemptTimeout time.Duration
	// Unlimited turns pacing off (retries and ordering stay), for tests
	// against a fake Bot API without limits.
	Unlimited bool
	// Logger receives failures (chat id and method only, never text).
	Logger *slog.Logger
	// Waited, when set, is told how long each call waited its turn (its
	// chat's previous calls and the rate limits) before its first attempt.
	Waited func(method string, d time.Duration)
	// RetrySleep waits before a retry (retry_after, backoff) and reports
	// false if ctx ended first; default a timer. Tests replace it to go
	// through a long 429 storm without waiting it out.
	RetrySleep func(ctx context.Context, d time.Duration) bool
}

// ErrNotSent marks a call that was given up before any attempt reached
// Telegram (its context ended while it waited its turn): it was certainly
// not delivered, so it may be sent again without risk of a duplicate.
var ErrNotSent = errors.New("not sent")

// ErrMaybeDelivered marks a call whose request may have reached Telegram
// although it failed: a 5xx, a timeout or a connection cut once the request
// was written. Telegram may have delivered the message; sending it again
// may show it twice. A Bulk call stops at the first such failure (a
// scheduled message goes out at most once past its claim); a conversation's
// answer is retried.
var ErrMaybeDelivered = errors.New("maybe delivered")

// Sender is the one way Relais sends to Telegram. It paces messages under
// Telegram's limits (about 30 per second overall, about 1 per second per
// chat, bursts allowed), honours retry_after on 429, retries network errors
// and 5xx with backoff (a Bulk call only the failures that prove the
// request never reached Telegram: see ErrMaybeDelivered), gives up after a
// bounded time with a logged error, and keeps each chat's messages in the
// order Send was called. Different chats proceed in parallel; when they
// contend for the global rate the newest chat's message goes first unless
// one has waited staleAfter (see turns), and scheduled (Bulk) messages take
// what conversations leave.
// Safe for concurrent use.
type Sender struct {
	api   *tgbotapi.BotAPI
	opts  SenderOptions
	log   *slog.Logger
	turns *turns // the global rate limit's tokens, conversations first

	lanes *lanes.Lanes // each chat's calls in order, under the chat's rate

	sent, retries, tooMany, failed atomic.Int64
	bulkSent                       atomic.Int64
}

// bulkReserve is how many of the global burst's tokens bulk calls leave
// for conversations: a user's answer finds them there and leaves at once.
const bulkReserve = 5

type bulkKey struct{}

// Bulk marks ctx's calls as scheduled work (reminders, nudges, digests,
// review reminders): they use what conversations leave of the global rate
// and never make a user's answer wait more than one pacing slot, and a
// failure that may have delivered them is not retried (ErrMaybeDelivered).
func Bulk(ctx context.Context) context.Context { return context.WithValue(ctx, bulkKey{}, true) }

func isBulk(ctx context.Context) bool { b, _ := ctx.Value(bulkKey{}).(bool); return b }

// NewSender returns a Sender for api.
func NewSender(api *tgbotapi.BotAPI, opts SenderOptions) *Sender {
	if opts.GlobalRate <= 0 {
		opts.GlobalRate = 30
	}
	if opts.GlobalBurst <= 0 {
		opts.GlobalBurst = 27
	}
	if opts.ChatRate <= 0 {
		opts.ChatRate = 1
	}
	if opts.ChatBurst <= 0 {
		opts.ChatBurst = 3
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
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Sender{
		api:   api,
		opts:  opts,
		log:   log,
		turns: newTurns(rate.NewLimiter(rate.Limit(opts.GlobalRate), opts.GlobalBurst), time.Now),
		lanes: lanes.New(opts.ChatRate, opts.ChatBurst),
	}
}

// Share makes this process send its part of the bot's rate when replicas
// processes send for the bot (see state.Replicas): GlobalRate/replicas per
// second and GlobalBurst/replicas at once (at least 1), so together they stay
// under Telegram's limit. A chat's updates may go to any replica, so its
// burst is shared too (ChatBurst/replicas, at least 1): two replicas
// answering one chat in the same second no longer send it 3 messages each.
// Its rate is not: a person's next input comes seconds later. Share(1) is
// the whole rate, as at start.
func (s *Sender) Share(replicas int) {
	replicas = max(replicas, 1)
	s.turns.resize(rate.Limit(s.opts.GlobalRate/float64(replicas)), max(s.opts.GlobalBurst/replicas, 1))
	s.lanes.SetBurst(max(s.opts.ChatBurst/replicas, 1))
}

// Rate is the global rate this process paces its messages at now: messages
// per second and how many may leave at once (see Share).
func (s *Sender) Rate() (perSecond float64, burst int) {
	return s.turns.rate()
}

// SenderStats count what a Sender did, for benchmarks and health checks.
type SenderStats struct {
	Sent            int64 // calls that succeeded
	Retries         int64 // attempts repeated after a failure
	TooManyRequests int64 // 429 answers received
	Failed          int64 // calls that returned an error
	BulkSent        int64 // of Sent, scheduled (Bulk) calls
}

// QueueDepth is the number of calls queued or running in chats.
func (s *Sender) QueueDepth() int { return s.lanes.Queued() }

// Stats returns the counters so far.
func (s *Sender) Stats() SenderStats {
	return SenderStats{Sent: s.sent.Load(), Retries: s.retries.Load(), TooManyRequests: s.tooMany.Load(), Failed: s.failed.Load(), BulkSent: s.bulkSent.Load()}
}

// Send sends a message (text, document, photo…) and returns it as Telegram
// stored it. Files must be tgbotapi.FileBytes (or FilePath, FileID): a
// FileReader cannot be read again for a retry.
func (s *Sender) Send(ctx context.Context, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	resp, err := s.Request(ctx, c)
	if err != nil {
		return tgbotapi.Message{}, err
	}
	var m tgbotapi.Message
	if err := json.Unmarshal(resp.Result, &m); err != nil {
		return m, fmt.Errorf("telegram %s: decode message: %w", describe(c).method, err)
	}
	return m, nil
}

// Request makes any call: edits, deletions, answerCallbackQuery, commands.
// Calls about a chat are ordered with that chat's messages; messages and
// edits count against the rate limits, answerCallbackQuery and chat actions
// do not (they are answered at once). A "message is not modified" answer is
// returned as is (see IsNotModified), not retried.
func (s *Sender) Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	t := describe(c)
	t.entered = time.Now()
	if !t.inChat {
		return s.deliver(ctx, t, nil, c)
	}
	turn, err := s.lanes.Enter(ctx, t.chatID)
	if err != nil {
		s.failed.Add(1)
		return nil, fmt.Errorf("telegram %s to chat %d: %w: %w", t.method, t.chatID, ErrNotSent, err)
	}
	defer turn.Leave()
	return s.deliver(ctx, t, turn, c)
}

// deliver makes the call, waiting for the rate limits and retrying
// transient failures until GiveUpAfter.
func (s *Sender) deliver(ctx context.Context, t target, turn *lanes.Turn, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	var (
		giveUp  time.Time
		delay   = backoff{min: 500 * time.Millisecond, max: 30 * time.Second}
		lastErr error
		bulk    = isBulk(ctx)
		unsure  bool // an attempt may have reached Telegram
	)
	// fail marks err when an attempt may have been delivered.
	fail := func(attempts int, err error) error {
		if unsure {
			err = fmt.Errorf("%w: %w", ErrMaybeDelivered, err)
		}
		return s.fail(t, attempts, err)
	}
	for attempt := 1; ; attempt++ {
		if t.counted && !s.opts.Unlimited && turn != nil {
			err := turn.Pace(ctx)
			if err == nil {
				err = s.turns.wait(ctx, t.entered, bulk)
			}
			if err != nil {
				if attempt == 1 {
					err = fmt.Errorf("%w: %w", ErrNotSent, err)
				}
				return nil, fail(attempt-1, fmt.Errorf("%w (last error: %v)", err, lastErr))
			}
		}
		if attempt == 1 && ctx.Err() != nil {
			return nil, s.fail(t, 0, fmt.Errorf("%w: %w", ErrNotSent, ctx.Err()))
		}
		if giveUp.IsZero() {
			giveUp = time.Now().Add(s.opts.GiveUpAfter)
			if s.opts.Waited != nil {
				s.opts.Waited(t.method, time.Since(t.entered))
			}
		}
		actx, cancel := context.WithTimeout(ctx, s.opts.AttemptTimeout)
		resp, err := withContext(actx, s.api).Request(c)
		cancel()
		if err == nil {
			s.sent.Add(1)
			if bulk {
				s.bulkSent.Add(1)
			}
			return resp, nil
		}
		err = scrub(err, s.api.Token)
		lastErr = err
		unsure = unsure || maybeDelivered(err)
		if IsTooManyRequests(err) {
			s.tooMany.Add(1)
		}
		if ctx.Err() != nil {
			return nil, fail(attempt, err)
		}
		if bulk && unsure {
			// A scheduled message is not sent twice: at most once past its claim.
			return nil, fail(attempt, err)
		}
		retry, wait := retryDelay(err)
		if !retry {
			if IsNotModified(err) {
				return resp, fmt.Errorf("telegram %s to chat %d: %w", t.method, t.chatID, err)
			}
			return nil, fail(attempt, err)
		}
		if wait == 0 {
			wait = delay.next()
		}
		if time.Now().Add(wait).After(giveUp) {
			s.log.ErrorContext(ctx, "telegram: giving up", "chat", t.chatID, "method", t.method, "attempts", attempt, "err", err)
			return nil, fail(attempt, fmt.Errorf("gave up after %d attempts: %w", attempt, err))
		}
		s.retries.Add(1)
		s.log.DebugContext(ctx, "telegram: retrying", "chat", t.chatID, "method", t.method, "attempt", attempt, "retry_in", wait, "err", err)
		if !s.opts.RetrySleep(ctx, wait) {
			return nil, fail(attempt, fmt.Errorf("%w (last error: %v)", ctx.Err(), err))
		}
	}
}

// fail counts and logs a call that will not be delivered.
func (s *Sender) fail(t target, attempts int, err error) error {
	s.failed.Add(1)
	s.log.Warn("telegram: call failed", "chat", t.chatID, "method", t.method, "attempts", attempts, "err", err)
	return fmt.Errorf("telegram %s to chat %d: %w", t.method, t.chatID, err)
}

// target is what the Sender needs to know about a call.
type target struct {
	method  string
	chatID  int64
	inChat  bool // ordered with the chat's other calls
	counted bool // counted by Telegram's message limits
	entered time.Time
}

// describe classifies the Chattables Relais uses. Unknown ones are sent
// unordered and unpaced.
func describe(c tgbotapi.Chattable) target {
	switch v := c.(type) {
	case tgbotapi.MessageConfig:
		return target{method: "sendMessage", chatID: v.ChatID, inChat: true, counted: true}
	case *tgbotapi.MessageConfig:
		return describe(*v)
	case tgbotapi.DocumentConfig:
		return target{method: "sendDocument", chatID: v.ChatID, inChat: true, counted: true}
	case *tgbotapi.DocumentConfig:
		return describe(*v)
	case tgbotapi.PhotoConfig:
		return target{method: "sendPhoto", chatID: v.ChatID, inChat: true, counted: true}
	case *tgbotapi.PhotoConfig:
		return describe(*v)
	case tgbotapi.EditMessageTextConfig:
		return target{method: "editMessageText", chatID: v.ChatID, inChat: true, counted: true}
	case *tgbotapi.EditMessageTextConfig:
		return describe(*v)
	case tgbotapi.EditMessageReplyMarkupConfig:
		return target{method: "editMessageReplyMarkup", chatID: v.ChatID, inChat: true, counted: true}
	case *tgbotapi.EditMessageReplyMarkupConfig:
		return describe(*v)
	case tgbotapi.EditMessageCaptionConfig:
		return target{method: "editMessageCaption", chatID: v.ChatID, inChat: true, counted: true}
	case tgbotapi.DeleteMessageConfig:
		return target{method: "deleteMessage", chatID: v.ChatID, inChat: true}
	case tgbotapi.CallbackConfig:
		return target{method: "answerCallbackQuery"}
	case tgbotapi.ChatActionConfig:
		return target{method: "sendChatAction", chatID: v.ChatID}
	case tgbotapi.SetMyCommandsConfig:
		return target{method: "setMyCommands"}
	}
	return target{method: fmt.Sprintf("%T", c)}
}
