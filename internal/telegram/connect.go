// Package telegram is Relais's transport to the Telegram Bot API: connecting
// without dying on a short outage, sending every outgoing message through
// one rate-limited, retrying, order-keeping Sender, and receiving updates
// with a long-polling Poller that handles chats in parallel but each chat in
// order.
//
// The bot token is a secret: it never appears in logs or returned errors
// (tgbotapi's network errors carry the request URL, which contains it; they
// are scrubbed here).
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/lanes"
)

// Connect checks the token with getMe and returns a ready client. Telegram
// being briefly unreachable is retried with capped exponential backoff until
// ctx is done; a refused token (401, 404) fails at once, since retrying
// cannot fix it. An empty endpoint means Telegram's.
func Connect(ctx context.Context, token, endpoint string) (*tgbotapi.BotAPI, error) {
	if token == "" {
		return nil, errors.New("telegram: empty bot token")
	}
	if endpoint == "" {
		endpoint = tgbotapi.APIEndpoint
	}
	base := &http.Client{}
	delay := backoff{min: 500 * time.Millisecond, max: 30 * time.Second}
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, ctxClient{ctx: attemptCtx, next: base})
		cancel()
		if err == nil {
			api.Client = base
			return api, nil
		}
		err = scrub(err, token)
		if e, ok := apiError(err); ok && (e.Code == http.StatusUnauthorized || e.Code == http.StatusNotFound) {
			return nil, fmt.Errorf("telegram: the bot token was refused: %w", err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("telegram: connect: %w (last error: %v)", ctx.Err(), err)
		}
		wait := delay.next()
		slog.WarnContext(ctx, "telegram: getMe failed, retrying", "attempt", attempt, "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil, fmt.Errorf("telegram: connect: %w (last error: %v)", ctx.Err(), err)
		}
	}
}

// ctxClient binds a context to tgbotapi's requests, which have none, so a
// cancelled caller (shutdown, give-up) aborts the HTTP call.
type ctxClient struct {
	ctx  context.Context
	next tgbotapi.HTTPClient
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.next.Do(req.WithContext(c.ctx))
}

// withContext returns a shallow copy of api whose requests are bound to ctx.
func withContext(ctx context.Context, api *tgbotapi.BotAPI) *tgbotapi.BotAPI {
	c := *api
	next := api.Client
	if next == nil {
		next = http.DefaultClient
	}
	c.Client = ctxClient{ctx: ctx, next: next}
	return &c
}

// scrub removes the token from an error's text, raw or URL-escaped (an
// *url.Error prints its URL escaped: a token with a space or a colon shows
// as "%20" or "%3A"). tgbotapi returns the *url.Error of the HTTP client as
// is, whose URL holds the token: it is rebuilt with the token masked,
// keeping its type for errors.As.
func scrub(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	mask := tokenMask(token)
	msg := err.Error()
	clean := mask.Replace(msg)
	if clean == msg {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) && err == error(ue) {
		// Only the URL held the token: keep the *url.Error.
		if masked := (&url.Error{Op: ue.Op, URL: mask.Replace(ue.URL), Err: ue.Err}); masked.Error() == clean {
			return masked
		}
	}
	return &scrubbedError{msg: clean, err: err}
}

// tokenMask replaces the token as is and escaped for a path or a query.
func tokenMask(token string) *strings.Replacer {
	var pairs []string
	for _, f := range []string{token, url.PathEscape(token), url.QueryEscape(token)} {
		if !slices.Contains(pairs, f) {
			pairs = append(pairs, f, "<token>")
		}
	}
	return strings.NewReplacer(pairs...)
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// backoff yields exponentially growing delays between min and max, with jitter.
type backoff struct {
	min, max time.Duration
	cur      time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	// ±20% so that many clients do not retry in lockstep.
	return time.Duration(float64(b.cur) * (0.8 + 0.4*rand.Float64()))
}

func (b *backoff) reset() { b.cur = 0 }

// withClient returns a shallow copy of api whose requests go through client.
func withClient(api *tgbotapi.BotAPI, client tgbotapi.HTTPClient) *tgbotapi.BotAPI {
	c := *api
	c.Client = client
	return &c
}

// httpClient is api's HTTP client, the default one if unset.
func httpClient(api *tgbotapi.BotAPI) tgbotapi.HTTPClient {
	if api.Client == nil {
		return http.DefaultClient
	}
	return api.Client
}

// sleep is lanes.Sleep: a wait that ends at shutdown.
var sleep = lanes.Sleep
