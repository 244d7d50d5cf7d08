package telegram

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/chat"
)

// push sends update id of chat to the webhook as Telegram does and
// returns the HTTP status it answered.
func push(w *Webhook, id int, chat int64) int {
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1,"date":0,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"A"},"text":"x"}}`, id, chat, chat)
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	req.Header.Set(SecretHeader, "s3cret")
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, req)
	return rec.Code
}

// waitPending waits until the webhook holds n updates not yet handled.
func waitPending(t *testing.T, w *Webhook, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); w.d.size() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates pending, want %d", w.d.size(), n)
		}
	}
}

// The webhook holds exactly MaxPending updates (200 by default): the one
// past the bound is answered 503 (Telegram retries it), and once an update
// is handled there is room for one more.
func TestWebhookHoldsExactlyMaxPendingUpdates(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name                string
		maxPending, holding int
	}{{"three", 3, 3}, {"default", 0, 200}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			hook := NewWebhook("s3cret", func(context.Context, chat.Event) error {
				<-release
				return nil
			}, WebhookOptions{MaxPending: c.maxPending})
			answers := make(chan int, c.holding+1)
			for i := range c.holding {
				go func() { answers <- push(hook, i+1, int64(100+i)) }()
			}
			waitPending(t, hook, c.holding)
			over := make(chan int, 1)
			go func() { over <- push(hook, c.holding+1, 99) }()
			select {
			case code := <-over:
				if code != http.StatusServiceUnavailable {
					t.Fatalf("update %d over a bound of %d answered %d, want 503", c.holding+1, c.holding, code)
				}
			case <-time.After(5 * time.Second):
				close(release)
				t.Fatalf("update %d over a bound of %d was queued, want 503 at once", c.holding+1, c.holding)
			}
			if n := hook.d.size(); n != c.holding {
				t.Fatalf("%d pending after a refusal, want %d", n, c.holding)
			}
			release <- struct{}{} // one handled: room for one more
			if code := <-answers; code != http.StatusOK {
				t.Fatalf("handled update answered %d", code)
			}
			waitPending(t, hook, c.holding-1)
			go func() { answers <- push(hook, c.holding+1, 99) }()
			waitPending(t, hook, c.holding)
			close(release)
			for range c.holding {
				if code := <-answers; code != http.StatusOK {
					t.Errorf("update answered %d, want 200", code)
				}
			}
			hook.Close()
		})
	}
}

// Updates arriving together cannot slip past the bound between the check
// and the queueing: with a bound of 3 and 40 at once, 3 are held and 37
// answered 503.
func TestWebhookBoundHoldsUnderConcurrentPushes(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hook := NewWebhook("s3cret", func(context.Context, chat.Event) error {
		<-release
		return nil
	}, WebhookOptions{MaxPending: 3})
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code := push(hook, i+1, int64(100+i))
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		refused := codes[http.StatusServiceUnavailable]
		mu.Unlock()
		if refused+hook.d.size() == 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d refused, %d pending", refused, hook.d.size())
		}
	}
	held := hook.d.size()
	close(release)
	wg.Wait()
	hook.Close()
	if held != 3 || codes[http.StatusOK] != 3 || codes[http.StatusServiceUnavailable] != 37 {
		t.Fatalf("held %d, answered %v; want 3 held, 3×200 and 37×503", held, codes)
	}
}
