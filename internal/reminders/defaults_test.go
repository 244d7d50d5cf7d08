package reminders_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
)

// A mediator who never chose an hour, under a scheduler started without
// RELAIS_REMINDER_HOUR's value, is reminded at 9:00 (config's default), not
// at midnight.
func TestUnsetHourMeansNineOClock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	code, err := w.db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", ExpiresAt: at(23, 0)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := w.db.Store.RedeemInvitation(ctx, code, 111, 111, "Awa", at(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	tu := w.srv.NewUser(111, "Awa")
	w.sheet(u, "d1", "DDDDDD", day(2026, 11, 2), day(2026, 11, 23))
	api, err := telegram.Connect(ctx, w.srv.Token(), w.srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	s := reminders.New(reminders.Options{Store: w.db.Store, Drafts: state.New(w.rd.Client, w.rd.Prefix).Drafts(),
		Out: telegram.NewSender(api, telegram.SenderOptions{}), Location: paris})
	for _, now := range []time.Time{at(0, 0), at(0, 30), at(8, 59)} {
		run(t, s, now)
		if m := botMessages(tu); len(m) != 0 {
			t.Fatalf("reminder at %s, before 9:00: %v", now.Format("15:04"), m)
		}
	}
	run(t, s, at(9, 0))
	if m := botMessages(tu); len(m) != 1 {
		t.Fatalf("at 9:00: %d messages, want the one reminder", len(m))
	}
}

// A user who blocked the bot gets no nudge for their idle draft; once they
// are reachable again, they do.
func TestNoNudgeForAUserWhoBlockedTheBot(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, ta := w.mediator(101, 9)
	ctx := context.Background()
	left := at(9, 12)
	if err := state.New(w.rd.Client, w.rd.Prefix).Drafts().Save(ctx, 101, 101, state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: left}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Store.MarkUnreachable(ctx, 101, left); err != nil {
		t.Fatal(err)
	}
	s := w.replica()
	if r := run(t, s, left.Add(4*time.Hour+time.Minute)); r.Nudges != 0 || len(botMessages(ta)) != 0 {
		t.Fatalf("nudged a user who blocked the bot: %+v %v", r, botMessages(ta))
	}
	if _, err := w.db.Store.MarkReachable(ctx, 101); err != nil {
		t.Fatal(err)
	}
	if r := run(t, s, left.Add(4*time.Hour+2*time.Minute)); r.Nudges != 1 || len(botMessages(ta)) != 1 {
		t.Fatalf("no nudge once reachable again: %+v %v", r, botMessages(ta))
	}
}
