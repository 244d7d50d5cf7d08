package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SecretHeader carries the webhook's secret token on every update Telegram pushes.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// ValidSecret tells whether s is a secret token Telegram accepts.
func ValidSecret(s string) bool { return secretPattern.MatchString(s) }

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
// per-chat ordered dispatcher as the Poller.
type Webhook struct {
	secret string
	d      *dispatcher
	cancel context.CancelFunc
	drain  time.Duration
	log    *slog.Logger
}

// NewWebhook returns an http.Handler for Telegram's pushes. Requests without
// the secret token are refused, so nobody else can inject updates.
func NewWebhook(secretToken string, handle Handler, log *slog.Logger) *Webhook {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Webhook{secret: secretToken, d: newDispatcher(ctx, handle, 8, log), cancel: cancel, drain: 20 * time.Second, log: log}
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
	// Answer at once: Telegram waits for the answer before pushing the next
	// update, and the bot de-duplicates a retried one.
	w.d.dispatch(u)
	rw.WriteHeader(http.StatusOK)
}

// Close waits for the updates received to be handled (within the drain period).
func (w *Webhook) Close() {
	stop := time.AfterFunc(w.drain, w.cancel)
	w.d.wait()
	stop.Stop()
	w.cancel()
}
