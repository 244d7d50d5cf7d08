package reminders_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// deliveredThenFailed are answers after which the bot cannot know whether
// Telegram delivered the message: here it did, then answered 502 or 504,
// or the connection dropped before the answer.
var deliveredThenFailed = []struct {
	name  string
	fault telegramtest.Fault
}{
	{"502 after delivery", telegramtest.Fault{Method: "sendMessage", Code: 502, Description: "Bad Gateway", Delivered: true}},
	{"504 after delivery", telegramtest.Fault{Method: "sendMessage", Code: 504, Description: "Gateway Timeout", Delivered: true}},
	{"connection dropped after delivery", telegramtest.Fault{Method: "sendMessage", Delivered: true}},
}

// A scheduled message is sent at most once past its claim: when the
// answer leaves its delivery unknown, neither the sender nor a later pass
// sends it again (the user would read it twice).
func TestReminderWhoseDeliveryIsUnknownIsNotSentAgain(t *testing.T) {
	t.Parallel()
	for _, c := range deliveredThenFailed {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			a, ta := w.mediator(101, 9)
			w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
			s := w.replica()
			w.srv.InjectFault(c.fault)
			before := w.srv.Stats().ByMethod["sendmessage"]
			run(t, s, at(9, 0))
			run(t, s, at(9, 1))
			run(t, w.replica(), at(15, 0))
			if n := len(botMessages(ta)); n != 1 {
				t.Fatalf("got %d reminders, want 1", n)
			}
			if tries := w.srv.Stats().ByMethod["sendmessage"] - before; tries != 1 {
				t.Fatalf("sendMessage called %d times, want 1", tries)
			}
			k := store.SendKey{Job: store.JobFollowUps, Period: "2026-11-23", MediatorID: a.Mediator.ID}
			if st, err := w.db.Store.SendState(context.Background(), k); err != nil || st != "unknown" {
				t.Fatalf("recorded state %q (err %v), want unknown", st, err)
			}
		})
	}
}

// The message went through but the answer did not come before the
// sender's attempt timeout: not sent again either.
func TestReminderTimedOutAfterDeliveryIsNotSentAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	api, err := telegram.Connect(context.Background(), w.srv.Token(), w.srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	s := w.schedulerOn(api, telegram.SenderOptions{AttemptTimeout: 500 * time.Millisecond})
	w.srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Delivered: true, Delay: 20 * time.Second})
	run(t, s, at(9, 0))
	run(t, s, at(9, 1))
	run(t, w.replica(), at(15, 0))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d reminders, want 1", n)
	}
	k := store.SendKey{Job: store.JobFollowUps, Period: "2026-11-23", MediatorID: a.Mediator.ID}
	if st, err := w.db.Store.SendState(context.Background(), k); err != nil || st != "unknown" {
		t.Fatalf("recorded state %q (err %v), want unknown", st, err)
	}
}

// schedulerOn is a replica whose sender uses api with opts.
func (w *world) schedulerOn(api *tgbotapi.BotAPI, opts telegram.SenderOptions) *reminders.Scheduler {
	return reminders.New(reminders.Options{Store: w.db.Store, Drafts: state.New(w.rd.Client, w.rd.Prefix).Drafts(),
		Out: telegram.NewSender(api, opts), Location: paris, Hour: 9})
}

// The same for a nudge, whose period is the draft's idle time and not the
// day: not sent again the next days either.
func TestNudgeWhoseDeliveryIsUnknownIsNotSentAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, ta := w.mediator(101, 9)
	drafts := state.New(w.rd.Client, w.rd.Prefix).Drafts()
	if err := drafts.Save(context.Background(), 101, 101, state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: at(9, 12)}}); err != nil {
		t.Fatal(err)
	}
	s := w.replica()
	w.srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 502, Description: "Bad Gateway", Delivered: true})
	run(t, s, at(13, 13))
	run(t, s, at(13, 14))
	run(t, s, time.Date(2026, 11, 24, 9, 0, 0, 0, paris))
	run(t, s, time.Date(2026, 11, 30, 9, 0, 0, 0, paris))
	msgs := botMessages(ta)
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "Vous avez une fiche en cours") {
		t.Fatalf("nudges = %v, want one", msgs)
	}
}

// A failure known to come before Telegram had the message is retried by
// the next pass: the connection refused (Telegram unreachable), a 400, a
// 429 (retried by the sender itself: TestTooManyRequestsStormDeliversOnce).
func TestReminderNeverDeliveredIsRetried(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		w := newWorld(t)
		a, ta := w.mediator(101, 9)
		w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
		api, err := telegram.Connect(context.Background(), w.srv.Token(), w.srv.Endpoint())
		if err != nil {
			t.Fatal(err)
		}
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := closed.Addr().String()
		if err := closed.Close(); err != nil {
			t.Fatal(err)
		}
		api.SetAPIEndpoint("http://" + addr + "/bot%s/%s")
		// The sender gives up at once instead of retrying for two minutes.
		unreachable := w.schedulerOn(api, telegram.SenderOptions{GiveUpAfter: time.Millisecond})
		if _, err := unreachable.RunDue(context.Background(), at(9, 0)); err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("a refused connection is not reported: %v", err)
		}
		if n := len(botMessages(ta)); n != 0 {
			t.Fatalf("got %d messages through a refused connection", n)
		}
		run(t, w.replica(), at(9, 1))
		run(t, w.replica(), at(9, 2))
		if n := len(botMessages(ta)); n != 1 {
			t.Fatalf("got %d reminders, want 1 (retried once Telegram answers)", n)
		}
	})
	t.Run("400 before delivery", func(t *testing.T) {
		w := newWorld(t)
		a, ta := w.mediator(101, 9)
		w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
		s := w.replica()
		w.srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 400, Description: "Bad Request: chat not found"})
		if _, err := s.RunDue(context.Background(), at(9, 0)); err == nil {
			t.Fatal("a refused message is not reported")
		}
		run(t, s, at(9, 1))
		run(t, s, at(9, 2))
		if n := len(botMessages(ta)); n != 1 {
			t.Fatalf("got %d reminders, want 1 (retried once)", n)
		}
	})
}
