//go:build goolm

package matrix_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"

	relais "github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/matrix/matrixtest"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A mediator registered on Telegram links their Tchap account with the
// code of /lier, typed in an encrypted direct chat on the real
// homeserver: the Telegram account hears of it, the same rule refuses
// them the export in the same words on both messengers, and the morning
// reminder goes to the messenger they last wrote from.
func TestLinkedPersonOnMatrix(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "awa")
	tr := bot(t, srv, botUser, db)
	pres := matrix.NewPresenter(tr, relais.CommandNames())
	out := &bothMessengers{matrix: pres}
	keys := state.New(rdb.Client, rdb.Prefix)
	b, fs := serveBot(t, pres, relais.Options{Store: db.Store, Drafts: keys.Drafts(), Updates: keys.Updates(), Out: out,
		Username: "relais_bot", MatrixUserID: tr.UserID()}, nil)
	ctx := context.Background()

	// Awa, on Telegram (her updates are handed to the bot as the Telegram
	// poller would), asks for a code.
	const awa = 5001
	inv, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix",
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	update := 0
	telegram := func(text string) string {
		t.Helper()
		update++
		before := out.count()
		if err := b.HandleEvent(ctx, chat.Event{ID: update, ChatID: awa, ChatKind: chat.Private, SenderID: awa, SenderName: "Awa", Text: text}); err != nil {
			t.Fatal(err)
		}
		return out.since(before)
	}
	telegram("/start " + inv)
	code := strings.TrimPrefix(linkCodeRE.FindString(telegram("/lier")), "start ")
	if code == "" {
		t.Fatalf("no code in /lier's answer: %q", out.since(0))
	}

	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(tr.UserID(), true, true)
	p.WaitMember(room, tr.UserID(), true)
	expect := func(want string) string {
		t.Helper()
		return p.Expect(want, func(body string, got matrixtest.Received) {
			if got.Wire != event.EventEncrypted {
				t.Fatalf("the bot sent %q in clear in an encrypted room", body)
			}
		})
	}

	before := out.count()
	p.Say(room, "start "+code)
	if got := expect("C'est fait"); got != "C'est fait : ce compte Tchap/Element est relié à votre compte Relais, avec le même rôle, le même territoire et les mêmes fiches. "+
		"Les rappels et le résumé du lundi arrivent désormais sur la messagerie où vous avez écrit en dernier.\n\nTapez !aide pour voir ce que vous pouvez faire." {
		t.Fatalf("linked: %q", got)
	}
	// Told after the answer on Matrix: the test may read that one first.
	waitFor(t, "the notice on Telegram", func() bool { return out.count() > before })
	if got := out.since(before); got != "Votre compte Relais est maintenant relié à un compte Tchap/Element. Si ce n'est pas vous, prévenez tout de suite votre coordinateur ou l'administrateur." {
		t.Fatalf("Telegram told %q", got)
	}

	// The same rule in the same words on both, the commands written as
	// each messenger types them.
	if got := telegram("/export"); got != "La commande /export est réservée aux coordinateurs. Tapez /aide pour voir ce que vous pouvez faire." {
		t.Fatalf("/export on Telegram: %q", got)
	}
	p.Say(room, "!export")
	if got := expect("réservée"); got != "La commande !export est réservée aux coordinateurs. Tapez !aide pour voir ce que vous pouvez faire." {
		t.Fatalf("!export on Matrix: %q", got)
	}

	// A request due in a week; the morning reminder reaches Matrix, where
	// Awa wrote last, then Telegram once she writes there.
	u, err := db.Store.UserByTelegramID(ctx, awa)
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().In(testenv.Paris).AddDate(0, 0, 7)
	age := 34
	if _, _, err := db.Store.SaveSheet(ctx, store.Sheet{ID: "s1", MediatorID: u.Mediator.ID, Date: time.Now(), Beneficiary: "ABC123",
		Sex: "F", Age: &age, QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "accompagne", SocialProtection: "non",
		Requests: []store.Request{{Kind: "droits", Type: "css", Status: "en_cours", FollowUp: &due}}}); err != nil {
		t.Fatal(err)
	}
	sched := reminders.New(reminders.Options{Store: db.Store, Drafts: keys.Drafts(), Out: out, Location: testenv.Paris, Forms: fs})
	at := time.Date(due.Year(), due.Month(), due.Day(), 10, 0, 0, 0, testenv.Paris)
	if err := sched.Job().Run(ctx, at); err != nil {
		t.Fatalf("reminders: %v", err)
	}
	expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 aujourd'hui.")
	telegram("/aide")
	before = out.count()
	if err := sched.Job().Run(ctx, at.AddDate(0, 0, 1)); err != nil {
		t.Fatalf("reminders: %v", err)
	}
	if got := out.since(before); !strings.HasPrefix(got, "Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 en retard.") {
		t.Fatalf("the next day's reminder on Telegram: %q", got)
	}
}

// linkCodeRE finds the code in /lier's answer.
var linkCodeRE = regexp.MustCompile(`start [A-Z0-9]{8}\b`)

// bothMessengers is serve's routing in small: a Matrix chat's message to
// the presenter, any other to a Telegram stand-in that keeps its texts.
type bothMessengers struct {
	matrix *matrix.Presenter

	mu       sync.Mutex
	telegram []string
}

func (o *bothMessengers) Post(ctx context.Context, m chat.Message) (int, error) {
	if ids.ChatID(m.ChatID).OnMatrix() {
		return o.matrix.Post(ctx, m)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.telegram = append(o.telegram, m.Text)
	return len(o.telegram), nil
}

// count is the number of Telegram messages so far; since joins those after
// the first n.
func (o *bothMessengers) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.telegram)
}

func (o *bothMessengers) since(n int) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.telegram[n:], "\n---\n")
}

func (o *bothMessengers) Answer(ctx context.Context, callbackID, text string) error {
	if strings.HasPrefix(callbackID, matrix.PressPrefix) {
		return o.matrix.Answer(ctx, callbackID, text)
	}
	return nil
}

func (o *bothMessengers) SetCommands(ctx context.Context, chatID int64, cmds []chat.Command) error {
	if ids.ChatID(chatID).OnMatrix() {
		return o.matrix.SetCommands(ctx, chatID, cmds)
	}
	return nil
}

func (o *bothMessengers) LeaveChat(ctx context.Context, chatID int64) error {
	if ids.ChatID(chatID).OnMatrix() {
		return o.matrix.LeaveChat(ctx, chatID)
	}
	return nil
}

func (o *bothMessengers) Delete(ctx context.Context, chatID int64, messageID int) error {
	if ids.ChatID(chatID).OnMatrix() {
		return o.matrix.Delete(ctx, chatID, messageID)
	}
	return nil
}
