package telegram_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// A scheduled (Bulk) message is not retried after a failure that may have
// delivered it: Telegram delivered it and answered 502, or the connection
// dropped before the answer. The chat shows it once and the error says
// it may have been delivered. A conversation's answer is still retried.
func TestBulkSenderDoesNotRetryWhatMayHaveBeenDelivered(t *testing.T) {
	t.Parallel()
	for _, f := range []telegramtest.Fault{
		{Method: "sendMessage", Code: 502, Description: "Bad Gateway", Delivered: true},
		{Method: "sendMessage", Code: 500, Description: "Internal Server Error"},
		{Method: "sendMessage", Delivered: true}, // connection dropped
	} {
		srv := telegramtest.NewServer(t)
		u := srv.NewUser(1001, "Awa")
		s := telegram.NewSender(connect(t, srv), telegram.SenderOptions{RetrySleep: func(context.Context, time.Duration) bool { return true }})
		srv.InjectFault(f)
		_, err := s.Send(telegram.Bulk(context.Background()), tgbotapi.NewMessage(1001, "Rappel"))
		if !errors.Is(err, telegram.ErrMaybeDelivered) || errors.Is(err, telegram.ErrNotSent) {
			t.Errorf("fault %+v: err = %v, want it marked maybe delivered", f, err)
		}
		want := 0
		if f.Delivered {
			want = 1
		}
		if n := len(u.Messages()); n != want {
			t.Errorf("fault %+v: %d messages in the chat, want %d", f, n, want)
		}
		if st := srv.Stats(); st.ByMethod["sendmessage"] != 1 {
			t.Errorf("fault %+v: sendMessage called %d times, want 1", f, st.ByMethod["sendmessage"])
		}

		// The same failure in a conversation is retried.
		srv.InjectFault(telegramtest.Fault{Method: f.Method, Code: f.Code, Description: f.Description})
		if _, err := s.Send(context.Background(), tgbotapi.NewMessage(1001, "Réponse")); err != nil {
			t.Errorf("fault %+v: a conversation's answer was not retried: %v", f, err)
		}
		if last := u.LastMessage(); last.Text != "Réponse" {
			t.Errorf("fault %+v: last message %q, want the answer", f, last.Text)
		}
	}
}

// A failure that proves the request never reached Telegram is retried by
// the sender, Bulk or not: a 429 (retry_after), a refused connection.
func TestBulkSenderRetriesWhatWasNotDelivered(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	u := srv.NewUser(1001, "Awa")
	noWait := func(context.Context, time.Duration) bool { return true }
	s := telegram.NewSender(connect(t, srv), telegram.SenderOptions{RetrySleep: noWait})
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 429, Description: "Too Many Requests: retry after 3", RetryAfter: 3, Times: 2})
	if _, err := s.Send(telegram.Bulk(context.Background()), tgbotapi.NewMessage(1001, "Rappel")); err != nil {
		t.Fatal(err)
	}
	if n := len(u.Messages()); n != 1 || srv.Stats().ByMethod["sendmessage"] != 3 {
		t.Fatalf("%d messages after %d calls, want 1 after 3", n, srv.Stats().ByMethod["sendmessage"])
	}

	api := connect(t, srv)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	api.SetAPIEndpoint("http://" + closed.Addr().String() + "/bot%s/%s")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tries := 0
	refused := telegram.NewSender(api, telegram.SenderOptions{RetrySleep: func(context.Context, time.Duration) bool {
		tries++
		if tries == 3 {
			stop() // the pass's deadline
			return false
		}
		return true
	}})
	_, err = refused.Send(telegram.Bulk(ctx), tgbotapi.NewMessage(1001, "Rappel"))
	if err == nil || errors.Is(err, telegram.ErrMaybeDelivered) {
		t.Fatalf("refused connection: err = %v, want a failure not marked maybe delivered", err)
	}
	if tries != 3 {
		t.Fatalf("refused connection: %d waits before a retry, want 3", tries)
	}
}
