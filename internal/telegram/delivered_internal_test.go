package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Which failures may have delivered the message (a Bulk call stops there)
// and which prove it was not (retried).
func TestMaybeDelivered(t *testing.T) {
	t.Parallel()
	post := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://api.telegram.org/bot<token>/sendMessage", Err: err}
	}
	var syntax json.SyntaxError
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"502 Bad Gateway", &tgbotapi.Error{Code: 502, Message: "Bad Gateway"}, true},
		{"500", tgbotapi.Error{Code: 500, Message: "Internal Server Error"}, true},
		{"upload answered Gateway Timeout", &tgbotapi.Error{Message: "Gateway Timeout"}, true},
		{"timeout after the request was written", post(context.DeadlineExceeded), true},
		{"connection reset", post(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), true},
		{"connection closed before the answer", post(io.EOF), true},
		{"proxy's HTML page", fmt.Errorf("decode: %w", &syntax), true},
		{"cut mid-call", post(context.Canceled), true},
		{"400", &tgbotapi.Error{Code: 400, Message: "Bad Request: chat not found"}, false},
		{"403", &tgbotapi.Error{Code: 403, Message: "Forbidden: bot was blocked by the user"}, false},
		{"429", &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 5", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 5}}, false},
		{"upload answered Too Many Requests", &tgbotapi.Error{Message: "Too Many Requests: retry after 5"}, false},
		{"connection refused", post(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), false},
		{"unknown host", post(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.telegram.org"}}), false},
		{"given up in the queue", fmt.Errorf("%w: %w", ErrNotSent, context.Canceled), false},
		{"request not built", errors.New("json: unsupported value"), false},
	} {
		if got := maybeDelivered(c.err); got != c.want {
			t.Errorf("%s: maybeDelivered = %v, want %v", c.name, got, c.want)
		}
	}
}
