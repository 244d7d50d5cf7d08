package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"
)

const (
	conflictWebhook    = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictTerminated = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// intParam reads an integer parameter, 0 when absent.
func intParam(p params, name string) (int, *apiError) {
	raw := p.get(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, badRequest("invalid " + name + " specified")
	}
	return n, nil
}

// getUpdates implements long polling: updates below offset are confirmed and
// forgotten; the call waits up to timeout seconds for one to arrive; a newer
// getUpdates call ends a waiting one with 409, as on Telegram.
func (b *Bot) getUpdates(ctx context.Context, p params) (any, *apiError) {
	offset, aerr := intParam(p, "offset")
	if aerr != nil {
		return nil, aerr
	}
	limit := 100
	if p.has("limit") {
		if l, err := strconv.Atoi(p.get("limit")); err == nil {
			limit = min(max(l, 1), 100)
		}
	}
	timeout, aerr := intParam(p, "timeout")
	if aerr != nil {
		return nil, aerr
	}
	timeout = min(max(timeout, 0), 600)
	var allowed []string
	// tgbotapi sends "null" when none are given: that leaves the setting as is.
	if raw := p.get("allowed_updates"); raw != "" && raw != "null" {
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates JSON object")
		}
		if allowed == nil {
			allowed = []string{}
		}
	}

	b.mu.Lock()
	if b.webhook.url != "" {
		b.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: conflictWebhook}
	}
	if allowed != nil {
		b.allowed = allowed
	}
	b.confirm(offset)
	if b.poller != nil {
		close(b.poller)
	}
	mine := make(chan struct{})
	b.poller = mine
	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	expired := timeout == 0
	for {
		if ups := b.take(limit); len(ups) > 0 || expired {
			if b.poller == mine {
				b.poller = nil
			}
			b.mu.Unlock()
			return ups, nil
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-mine:
			return nil, &apiError{code: http.StatusConflict, desc: conflictTerminated}
		case <-timer.C:
			expired = true
		case <-ctx.Done():
			expired = true
		case <-b.srv.closed:
			expired = true
		}
		b.mu.Lock()
	}
}

// confirm forgets updates below offset; a negative offset keeps only the
// last -offset updates. Callers hold b.mu.
func (b *Bot) confirm(offset int) {
	switch {
	case offset > 0:
		b.pending = slices.DeleteFunc(b.pending, func(q queued) bool {
			return !q.redelivered && q.update.UpdateID < offset
		})
	case offset < 0:
		if n := -offset; len(b.pending) > n {
			b.pending = slices.Clone(b.pending[len(b.pending)-n:])
		}
	}
}

// take returns up to limit pending updates; redelivered ones are sent once.
// Callers hold b.mu.
func (b *Bot) take(limit int) []wireUpdate {
	out := make([]wireUpdate, 0, min(limit, len(b.pending)))
	n := 0
	for _, q := range b.pending {
		if len(out) == limit {
			break
		}
		out = append(out, q.update)
		n++
	}
	kept := b.pending[:0]
	for i, q := range b.pending {
		if i < n && q.redelivered {
			continue
		}
		kept = append(kept, q)
	}
	b.pending = kept
	return out
}

// enqueue gives an update the next update_id and queues it unless
// allowed_updates excludes its type. Callers hold b.mu.
func (b *Bot) enqueue(u wireUpdate) int {
	u.UpdateID = b.nextUpdateID
	b.nextUpdateID++
	b.history[u.UpdateID] = u
	if len(b.allowed) == 0 || slices.Contains(b.allowed, u.kind()) {
		b.pending = append(b.pending, queued{update: u})
	}
	b.touch()
	return u.UpdateID
}

// Redeliver queues an exact copy of an earlier update (same update_id), as
// Telegram does when it did not see the update confirmed (a crash before the
// offset advanced, a webhook answer lost). The copy is delivered once,
// whatever the offset.
func (b *Bot) Redeliver(updateID int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.history[updateID]
	if !ok {
		return fmt.Errorf("fake telegram: no update %d", updateID)
	}
	b.pending = append(b.pending, queued{update: u, redelivered: true})
	b.touch()
	return nil
}

// Redeliver re-sends an earlier update of the default bot; see Bot.Redeliver.
func (s *Server) Redeliver(updateID int) error { return s.def.Redeliver(updateID) }

type webhookState struct {
	url              string
	secret           string
	maxConnections   int
	allowed          []string
	lastErrorDate    int64
	lastErrorMessage string
	gen              int // bumped on every change; older delivery loops stop
}

var secretTokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (b *Bot) setWebhook(p params) (any, *apiError) {
	raw := p.get("url")
	if raw == "" {
		return b.deleteWebhook(p)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, badRequest("bad webhook: invalid URL")
	}
	// Telegram requires HTTPS; the fake also accepts plain HTTP so tests can
	// receive webhooks on an httptest server.
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p.get("secret_token")
	if secret != "" && !secretTokenPattern.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn := 40
	if v := p.get("max_connections"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, badRequest("bad webhook: max_connections must be between 1 and 100")
		}
		maxConn = n
	}
	var allowed []string
	if v := p.get("allowed_updates"); v != "" && v != "null" {
		if err := json.Unmarshal([]byte(v), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates JSON object")
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.get("drop_pending_updates") == "true" {
		b.pending = nil
	}
	if allowed != nil {
		b.allowed = allowed
	}
	gen := b.webhook.gen + 1
	b.webhook = webhookState{url: raw, secret: secret, maxConnections: maxConn, allowed: allowed, gen: gen}
	if b.poller != nil {
		close(b.poller)
		b.poller = nil
	}
	b.touch()
	go b.deliverWebhook(gen)
	return true, nil
}

func (b *Bot) deleteWebhook(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.get("drop_pending_updates") == "true" {
		b.pending = nil
	}
	b.webhook = webhookState{gen: b.webhook.gen + 1}
	b.touch()
	return true, nil
}

func (b *Bot) getWebhookInfo() (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.webhook
	info := wireWebhookInfo{URL: w.url, PendingUpdateCount: len(b.pending)}
	if w.url != "" {
		info.MaxConnections = w.maxConnections
		info.AllowedUpdates = w.allowed
		info.LastErrorDate = w.lastErrorDate
		info.LastErrorMessage = w.lastErrorMessage
	}
	return info, nil
}

// deliverWebhook posts pending updates to the webhook one at a time, in
// order, with the secret token header; an update is confirmed by a 2xx
// answer and retried otherwise.
func (b *Bot) deliverWebhook(gen int) {
	client := &http.Client{Timeout: 10 * time.Second}
	backoff := 50 * time.Millisecond
	for {
		b.mu.Lock()
		if b.webhook.gen != gen {
			b.mu.Unlock()
			return
		}
		if len(b.pending) == 0 {
			ch := b.changed
			b.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-b.srv.closed:
				return
			}
		}
		q := b.pending[0]
		target, secret := b.webhook.url, b.webhook.secret
		b.mu.Unlock()

		errMsg := ""
		body, err := json.Marshal(q.update)
		var req *http.Request
		if err != nil {
			errMsg = "fake telegram: encode update: " + err.Error()
		} else if req, err = http.NewRequestWithContext(b.srv.ctx, http.MethodPost, target, bytes.NewReader(body)); err == nil {
			req.Header.Set("Content-Type", "application/json")
			if secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			}
			var resp *http.Response
			if resp, err = client.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					errMsg = "Wrong response from the webhook: " + resp.Status
				}
			}
		}
		if err != nil && errMsg == "" {
			errMsg = "Connection refused"
		}
		b.mu.Lock()
		if b.webhook.gen != gen {
			b.mu.Unlock()
			return
		}
		if errMsg == "" {
			if len(b.pending) > 0 && b.pending[0] == q {
				b.pending = b.pending[1:]
			}
			backoff = 50 * time.Millisecond
		} else {
			b.webhook.lastErrorDate = time.Now().Unix()
			b.webhook.lastErrorMessage = errMsg
		}
		b.touch()
		b.mu.Unlock()
		if errMsg != "" {
			select {
			case <-time.After(backoff):
			case <-b.srv.closed:
				return
			}
			backoff = min(2*backoff, 2*time.Second)
		}
	}
}
