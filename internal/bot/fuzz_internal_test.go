package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

// pressSeeds are the shapes of every button Relais makes, and broken ones.
var pressSeeds = []string{
	"", ":", "::::::::", "b", "b:", "b:new", "b:new:bilan", "b:new:fiche", "b:done", "b:resume:x", "b:drop:x:fiche",
	"d", "d:", "d:w", "d:c:sexe:F", "d:t:obstacles:mobilite", "d:v:obstacles", "d:q:date:today", "d:p:benef:ABC123",
	"d:e:items:1", "d:r:items:99999999999999999999", "d:x:1", "d:a:items:1",
	"r", "r:1", "r:1:resolue", "r:x:resolue", "r:1:reporter:20260101", "r:-1:non_resolue",
	"rp", "rp:h:8", "rp:h:99", "rp:h:-1", "rp:n:1", "rp:x:1", "bl", "bl:2026", "bl:x", "bl:99999999999",
	"i", "i:y", "i:custom", "i:w:zz", "i:20260101-20251231:aa", "i:20260101-20261231:0000000000:csv",
	"m:y", "m:ly:x:y", "e:y", "e:m:0000000000:csv", "zz:1", strings.Repeat("a", 64), strings.Repeat("é", 40), "\xff\xfe", "b:\x00",
}

func FuzzParsePress(f *testing.F) {
	for _, s := range pressSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		p, ok := parsePress(data)
		if !ok {
			return
		}
		if p.prefix == "" || len(p.fields) > maxPressFields || len(data) > forms.MaxDataBytes || !utf8.ValidString(data) {
			t.Fatalf("parsePress(%q) accepted %+v", data, p)
		}
		if got := strings.Join(append([]string{p.prefix}, p.fields...), ":"); got != data {
			t.Fatalf("parsePress(%q) lost data: %q", data, got)
		}
	})
}

// FuzzButtonPress sends arbitrary callback data to every route, as a
// mediator and as coordinators, on the real stores: no handler may panic
// (HandleEvent would recover, so handleCallback is called directly), and
// every press is answered.
func FuzzButtonPress(f *testing.F) {
	for _, s := range pressSeeds {
		f.Add(s)
	}
	ctx := context.Background()
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		f.Fatal(err)
	}
	db := testenv.NewDB(f)
	rdb := testenv.NewRedis(f)
	tg := telegramtest.NewServer(f, telegramtest.WithoutRateLimits())
	api, err := telegram.Connect(ctx, tg.Token(), tg.Endpoint())
	if err != nil {
		f.Fatal(err)
	}
	b := New(Options{
		Store: db.Store, Drafts: state.New(rdb.Client, rdb.Prefix).Drafts(), Updates: state.New(rdb.Client, rdb.Prefix).Updates(), Forms: Forms(fs),
		Out: telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}), Location: testenv.Paris,
		Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, testenv.Paris) }, Log: slog.New(slog.DiscardHandler),
	})
	var users []*store.User
	var messageIDs []int
	for i, inv := range []store.Invitation{
		{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"},
		{Role: roles.Coordinator, Level: "departement", Departement: "62"},
		{Role: roles.Coordinator, Level: "structure", Departement: "59", Structure: "CCAS Roubaix"},
		{Role: roles.Admin},
	} {
		inv.ExpiresAt = time.Now().Add(time.Hour)
		code, err := db.Store.CreateInvitation(ctx, inv)
		if err != nil {
			f.Fatal(err)
		}
		id := int64(7100 + i)
		u, err := db.Store.RedeemInvitation(ctx, code, ids.TelegramID(id), ids.ChatID(id), "Fuzz", time.Now())
		if err != nil {
			f.Fatal(err)
		}
		tg.NewUser(id, "Fuzz")
		sent, err := b.out.Post(ctx, chat.Message{ChatID: id, Text: "Bonjour"})
		if err != nil {
			f.Fatal(err)
		}
		u.ReminderHour = 9
		users = append(users, u)
		messageIDs = append(messageIDs, sent)
	}
	update := 0
	f.Fuzz(func(t *testing.T, data string) {
		for i, u := range users {
			update++
			ev := event{updateID: update, userID: u.TelegramID, chatID: u.ChatID, data: data, callback: "fuzz",
				messageID: messageIDs[i], pressedText: "Bonjour", answered: new(bool)}
			b.handleCallback(ctx, u, ev)
			if !*ev.answered {
				t.Fatalf("press %q by a %s was not answered", data, u.Role)
			}
		}
	})
}
