package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SecretHeader carries the webhook's secret token on every update Telegram pushes.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// SetWebhook asks Telegram to push updates to url with secretToken in every
// request. tgbotapi v5.5.1's WebhookConfig has no secret_token field, so the
// call is made with raw parameters.
func SetWebhook(ctx context.Context, api *tgbotapi.BotAPI, url, secretToken string) error {
	params := tgbotapi.Params{"url": url, "secret_token": secretToken}
	if _, err := withContext(ctx, api).MakeRequest("setWebhook", params); err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", scrub(err, api.Token))
	}
	return nil
}

// DeleteWebhook switches the bot back to getUpdates (long polling); pending
// updates are kept.
func DeleteWebhook(ctx context.Context, api *tgbotapi.BotAPI) error {
	if _, err := withContext(ctx, api).MakeRequest("deleteWebhook", tgbotapi.Params{}); err != nil {
		return fmt.Errorf("telegram: deleteWebhook: %w", scrub(err, api.Token))
	}
	return nil
}

// Webhook receives the updates Telegram pushes and hands them to the same
// per-chat ordered dispatcher as the Poller. It answers Telegram only once
// the update is handled: 200 when it is, 503 when it could not be (its
// chat busy on another replica, the queue full, shutdown), so Telegram
// delivers it again; nothing is confirmed before it is done.
type Webhook struct {
	secret     string
	d          *dispatcher
	cancel     context.CancelFunc
	drain      time.Duration
	maxPending int
	log        *slog.Logger
	// admit makes the bound's check and the queueing one step: updates
	// pushed together cannot all see room for one and all be queued.
	admit sync.Mutex
}

// WebhookOptions tune a Webhook; the zero value is fine.
type WebhookOptions struct {
	// MaxPending bounds updates received and not yet handled (default 200,
	// as the Poller's); beyond it Telegram is answered 503 and retries.
	MaxPending int
	// Concurrency bounds handlers running at once (default 8).
	Concurrency int
	Logger      *slog.Logger
	Metrics     Observer
}

// NewWebhook returns an http.Handler for Telegram's pushes. Requests without
// the secret token are refused, so nobody else can inject updates.
func NewWebhook(secretToken string, handle Handler, o WebhookOptions) *Webhook {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 200
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := newDispatcher(ctx, handle, o.Concurrency, log)
	d.obs = o.Metrics
	d.oneShot = true // Telegram retries a refused update itself
	return &Webhook{secret: secretToken, d: d, cancel: cancel, drain: 20 * time.Second, maxPending: o.MaxPending, log: log}
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(SecretHeader)), []byte(w.secret)) != 1 {
		http.Error(rw, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u tgbotapi.Update
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&u); err != nil {
		http.Error(rw, "bad update", http.StatusBadRequest)
		return
	}
	done := make(chan error, 1)
	w.admit.Lock()
	full := w.d.size() >= w.maxPending
	queued := !full && w.d.dispatch(u, done)
	w.admit.Unlock()
	if full {
		http.Error(rw, "busy, retry later", http.StatusServiceUnavailable)
		return
	}
	if !queued {
		// The same update is being handled: Telegram will ask again.
		http.Error(rw, "in progress, retry later", http.StatusServiceUnavailable)
		return
	}
	select {
	case err := <-done:
		if err != nil {
			http.Error(rw, "not handled, retry later", http.StatusServiceUnavailable)
			return
		}
		rw.WriteHeader(http.StatusOK)
	case <-r.Context().Done():
		// Telegram gave up waiting and will deliver again; the handler goes
		// on and the bot's de-duplication skips the copy once it is done.
	}
}

// Close waits for the updates received to be handled (within the drain period).
func (w *Webhook) Close() {
	stop := time.AfterFunc(w.drain, w.cancel)
	w.d.wait()
	stop.Stop()
	w.cancel()
}
