//go:build goolm

package matrix_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// handled counts, under a lock, what a handler saw.
type handled struct {
	mu    sync.Mutex
	texts map[string]int
	seen  chan string
}

func newHandled() *handled { return &handled{texts: map[string]int{}, seen: make(chan string, 100)} }

func (h *handled) add(text string) {
	h.mu.Lock()
	h.texts[text]++
	h.mu.Unlock()
	h.seen <- text
}

func (h *handled) count(text string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.texts[text]
}

func (h *handled) wait(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case s := <-h.seen:
			if s == text {
				return
			}
		case <-deadline:
			t.Fatalf("%q was never handled", text)
		}
	}
}

func (h *handled) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprint(h.texts)
}
