//go:build goolm

package matrix_test

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/dialogs"
	relais "github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/matrix/matrixtest"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// botRoom is Relais's bot served by the Matrix presenter on the real
// homeserver, and a person's client in a direct room with it, encrypted
// or not: what the end-to-end tests share.
type botRoom struct {
	t         *testing.T
	db        *testenv.DB
	keys      state.Keyspace
	forms     map[string]*forms.Form
	pres      *matrix.Presenter
	tr        *matrix.Transport
	person    testenv.MatrixUser
	p         *matrixtest.Peer
	room      id.RoomID
	encrypted bool
}

func newBotRoom(t *testing.T, encrypted bool) *botRoom {
	t.Helper()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "mediatrice")
	tr := bot(t, srv, botUser, db)
	pres := matrix.NewPresenter(tr, relais.CommandNames())
	keys := state.New(rdb.Client, rdb.Prefix)
	_, fs := serveBot(t, pres, relais.Options{Store: db.Store, Drafts: keys.Drafts(), Updates: keys.Updates(), Out: pres}, nil)
	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(tr.UserID(), true, encrypted)
	p.WaitMember(room, tr.UserID(), true)
	return &botRoom{t: t, db: db, keys: keys, forms: fs, pres: pres, tr: tr, person: person, p: p, room: room, encrypted: encrypted}
}

// serveBot runs the bot on the presenter until the test ends: opts says
// its store, drafts and outbox, and may say its forms and clock; the
// forms (unless given), the time zone and the log are every Matrix test's.
// When handled is not nil, each message's outcome is sent there once the
// bot has handled it (all it sent is then on the homeserver). It returns
// the bot, and the forms for the reminders.
func serveBot(t *testing.T, pres *matrix.Presenter, opts relais.Options, handled chan<- error) (*relais.Bot, map[string]*forms.Form) {
	t.Helper()
	fs := map[string]*forms.Form(opts.Forms)
	if fs == nil {
		var err error
		if fs, err = forms.LoadFS(dialogs.FS, "."); err != nil {
			t.Fatal(err)
		}
	}
	opts.Location, opts.Forms, opts.Log = testenv.Paris, relais.Forms(fs), slog.New(slog.NewTextHandler(testWriter{t}, nil))
	b := relais.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		err := pres.Serve(ctx, func(ctx context.Context, ev chat.Event) error {
			err := b.HandleEvent(ctx, ev)
			if handled != nil {
				handled <- err
			}
			return err
		})
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-finished })
	return b, fs
}

func (r *botRoom) say(text string) id.EventID { r.t.Helper(); return r.p.Say(r.room, text) }

// expect waits for a message of the bot whose body (an edit's new body)
// contains want, and returns it. Every message of the bot is encrypted in
// the encrypted room, in clear in the other, and none speaks of buttons
// (the presenter words them for typing: the reminder, the figures, the
// refusals are checked here, the golden conversations the rest).
func (r *botRoom) expect(want string) string {
	r.t.Helper()
	wire := map[bool]event.Type{true: event.EventEncrypted, false: event.EventMessage}[r.encrypted]
	return r.p.Expect(want, func(body string, got matrixtest.Received) {
		if got.Wire != wire {
			r.t.Fatalf("the bot sent %q as %s, want %s", body, got.Wire.Type, wire.Type)
		}
		if lower := strings.ToLower(body); strings.Contains(lower, "bouton") || strings.Contains(lower, "touche") || strings.Contains(lower, "appuye") {
			r.t.Errorf("a person on Matrix reads %q: there is nothing to touch, choices are typed", body)
		}
	})
}

// redacted waits for the bot's redaction of the person's event want.
func (r *botRoom) redacted(want id.EventID, what string) {
	r.t.Helper()
	select {
	case got := <-r.p.Redacted:
		if got != want {
			r.t.Fatalf("the bot redacted %s, want %s, %s", got, what, want)
		}
	case <-time.After(10 * time.Second):
		r.t.Fatalf("%s was not redacted", what)
	}
}

// register sends « !start CODE » with a mediator's invitation.
func (r *botRoom) register() {
	r.t.Helper()
	code, err := r.db.Store.CreateInvitation(context.Background(), store.Invitation{Role: roles.Mediator, Departement: "59",
		Structure: "CCAS Roubaix", ExpiresAt: time.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		r.t.Fatal(err)
	}
	r.say("!start " + code)
	r.expect("Bienvenue")
}

// fillSheet fills a whole sheet by typed numbers and labels (case,
// accents and a leading emoji ignored) and checks what was saved: what
// was typed, read back as the buttons' data. The sheet has one request,
// « Complémentaire Santé Solidaire », followed up in a week.
func (r *botRoom) fillSheet() {
	r.t.Helper()
	r.say("!fiche")
	if body := r.expect("Date de l'accompagnement ?"); !strings.HasSuffix(body, "\n1. Aujourd'hui\n2. Hier") {
		r.t.Fatalf("the date question shows %q, want its choices numbered from 1, one per line", body)
	}
	for _, step := range sheetInputs {
		r.say(step.say)
		if step.say == "1 2" {
			// Both choices in one edit, not one edit per number.
			got := r.p.Next().Content
			if got.NewContent != nil {
				got = got.NewContent // an edit
			}
			if strings.Count(got.Body, "✅ ") != 2 || !strings.Contains(got.Body, step.want) {
				r.t.Fatalf("after « 1 2 » the bot's next message shows %q, want both choices ticked", got.Body)
			}
			continue
		}
		r.expect(step.want)
	}
	r.say("enregistrer")
	r.expect("Fiche n° 1 enregistrée.")
	var (
		n                                   int
		sex, qpv, resources, contact, level string
		age                                 int
		note                                string
		obstacles                           int
	)
	if err := r.db.SQL.QueryRow(context.Background(), `SELECT count(*) OVER (), sex, age, qpv::text, resources::text, contact_mode, level, note, cardinality(obstacles)
		FROM sheets s JOIN mediators m ON m.id = s.mediator_id JOIN users u ON u.telegram_id = m.user_id
		JOIN matrix_users mu ON mu.id = u.telegram_id WHERE mu.user_id = $1`, r.person.UserID).
		Scan(&n, &sex, &age, &qpv, &resources, &contact, &level, &note, &obstacles); err != nil {
		r.t.Fatalf("the sheet saved for %s: %v", r.person.UserID, err)
	}
	if got := []any{n, sex, age, qpv, resources, contact, level, note, obstacles}; !reflect.DeepEqual(got, []any{1, "F", 34, "oui", "rsa", "aller_vers", "accompagne", "Orientée vers la PMI du quartier.", 2}) {
		r.t.Fatalf("saved %v", got)
	}
}

// sheetInputs is a whole sheet after « !fiche », up to its summary, as a
// mediator types it: numbers and labels (case, accents and a leading emoji
// ignored), and a part of the bot's answer that shows the step was taken.
// The person is chosen by label, « Nouvelle personne »: once a mediator has
// saved sheets, the people they met come first among the choices (the load
// benchmark fills sheet after sheet with these inputs).
var sheetInputs = []struct{ say, want string }{
	{"aujourd'hui", "Personne accompagnée ?"},
	{"Nouvelle personne", "Sexe de la personne ?\n1. Femme\n2. Homme\n3. Non binaire"},
	{"FEMME", "Âge de la personne"},
	{"34", "quartier prioritaire"},
	{"1", "Principale ressource"}, // Oui
	{"RSA", "Comment la personne a-t-elle connu"},
	{"aller vers", "Niveau d'intervention ?"},
	{"accompagne", "Orientation vers les acteurs"},
	{"Oui", "Accès aux droits"},
	{"Accès aux droits", "Complémentaire Santé Solidaire"},
	{"complementaire sante solidaire", "En cours"},
	{"En cours", "Dans 1 semaine"},
	{"Dans 1 semaine", "Non"},
	{"Non", "Mobilité"},
	{"1 2", "Valider"}, // Mobilité and Manque d'info sur les dispositifs: two choices in one message
	{"Valider", "Une note ?"},
	{"Orientée vers la PMI du quartier.", "Enregistrer"},
}

// figures asks a question in plain French: the answer comes in the room,
// its other periods numbered choices.
func (r *botRoom) figures() {
	r.t.Helper()
	r.say("combien de fiches ce mois ?")
	if body := r.expect("Fiches d'accompagnement : 1\n"); !strings.Contains(body, "\n1. Cette année\n2. L'an dernier\n3. Tout le rapport") {
		r.t.Fatalf("the figures' other periods are not numbered choices: %q", body)
	}
}

// reminder runs the morning reminders on the follow-up's day: the
// reminder reaches the room with its status choices numbered; typing one
// (its number or its label) sets the request's status, the bot confirms,
// and the reminder is edited to show the status and its undo.
func (r *botRoom) reminder(typed string) {
	r.t.Helper()
	sched := reminders.New(reminders.Options{Store: r.db.Store, Drafts: r.keys.Drafts(), Out: r.pres, Location: testenv.Paris, Forms: r.forms})
	due := time.Now().In(testenv.Paris).AddDate(0, 0, 7)
	at := time.Date(due.Year(), due.Month(), due.Day(), 10, 0, 0, 0, testenv.Paris)
	if err := sched.Job().Run(context.Background(), at); err != nil {
		r.t.Fatalf("reminders: %v", err)
	}
	body := r.expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 aujourd'hui.")
	if !strings.Contains(body, "Accès aux droits · Complémentaire Santé Solidaire — suivi aujourd'hui\n") ||
		!strings.HasSuffix(body, "\n1. Résolue\n2. Non résolue\n3. Abandonnée\n4. Reporter d'une semaine") {
		r.t.Fatalf("the reminder does not show its request and its numbered status choices: %q", body)
	}
	r.say(typed)
	r.expect("Enregistré : résolue.")
	if body := r.expect("Complémentaire Santé Solidaire — ✅ Résolue"); !strings.HasSuffix(body, "\n1. ↩ Annuler « Résolue »") {
		r.t.Fatalf("the edited reminder shows %q, want the status and its undo numbered", body)
	}
	var status string
	if err := r.db.SQL.QueryRow(context.Background(), `SELECT status FROM requests`).Scan(&status); err != nil || status != "resolue" {
		r.t.Fatalf("the request's status is %q (%v), want resolue", status, err)
	}
}

// The whole contract as a person on Element or Tchap sees it, through the
// real homeserver in an encrypted direct chat: « !start CODE » registers,
// « !fiche » opens a sheet, each question lists its choices numbered from
// 1, an answer is the number or the label, and the save says « Fiche n° 1
// enregistrée »; a figures question is answered in the room, the
// follow-up's morning reminder reaches it and its status is set by typing
// its label, and « fiche » without its mark is a command.
func TestBotFillsASheetOnMatrix(t *testing.T) {
	t.Parallel()
	r := newBotRoom(t, true)
	r.register()
	r.fillSheet()
	r.figures()
	r.reminder("résolue")
	r.say("fiche")
	r.expect("Date de l'accompagnement ?")
}

// The same in a direct room without encryption: everything the bot sends
// is in clear (the room is not encrypted, so there are no keys to share),
// and the reminder's status is set by typing its number.
func TestBotFillsASheetInAnUnencryptedRoom(t *testing.T) {
	t.Parallel()
	r := newBotRoom(t, false)
	r.register()
	r.fillSheet()
	r.figures()
	r.reminder("1")
}

// A name typed at « Personne accompagnée ? » is refused and redacted: the
// person's client sees the redaction of that very message and the bot says
// it is gone. Where the bot may not redact (a direct chat where its power
// level is 0), the message stays, and the bot does not claim it is gone.
func TestBotRedactsAMessageThatNamesAPerson(t *testing.T) {
	t.Parallel()
	r := newBotRoom(t, true)
	r.register()
	r.say("!fiche")
	r.expect("Date de l'accompagnement ?")
	day := r.say("aujourd'hui")
	r.expect("Personne accompagnée ?")
	named := r.say("Madame Dupont")
	if body := r.expect("Les noms ne sont jamais enregistrés"); !strings.Contains(body, "Votre message a été effacé de la conversation.") {
		t.Fatalf("the refusal does not say the message is gone: %q", body)
	}
	r.redacted(named, "the message that named a person")
	evt, err := r.p.Cli.GetEvent(context.Background(), r.room, named)
	if err != nil {
		t.Fatal(err)
	}
	if evt.Unsigned.RedactedBecause == nil || len(evt.Content.VeryRaw) > 2 && string(evt.Content.VeryRaw) != "{}" {
		t.Fatalf("the homeserver still holds the message: %s", evt.Content.VeryRaw)
	}

	// An edit (m.replace) changes nothing and is answered, as on Telegram;
	// one that names a person is redacted (the edit itself: it holds the
	// new text), and the bot says so.
	r.p.Edit(r.room, day, "hier")
	if body := r.expect("Les messages modifiés ne sont pas pris en compte"); body != "Les messages modifiés ne sont pas pris en compte : rien n'a changé. Renvoyez le texte corrigé si besoin." {
		t.Fatalf("answer to an edit: %q", body)
	}
	edit := r.p.Edit(r.room, day, "Madame Dupont")
	if body := r.expect("Les messages modifiés ne sont pas pris en compte"); !strings.Contains(body, "Votre message modifié a été effacé de la conversation.") {
		t.Fatalf("answer to an edit that names a person: %q", body)
	}
	r.redacted(edit, "the edit that named a person")

	// A direct chat where the bot is at power level 0 (preset
	// private_chat): it may not redact the person's messages.
	plain := r.p.CreateRoom(&mautrix.ReqCreateRoom{Preset: "private_chat", IsDirect: true, Invite: []id.UserID{id.UserID(r.tr.UserID())}}, true)
	r.p.WaitMember(plain, r.tr.UserID(), true)
	r.room = plain
	r.say("Monsieur Martin")
	if body := r.expect("Les noms ne sont jamais enregistrés"); strings.Contains(body, "effacé") {
		t.Fatalf("the bot says it deleted a message it could not redact: %q", body)
	}
	select {
	case redacted := <-r.p.Redacted:
		t.Fatalf("%s was redacted by a bot without the power to", redacted)
	default:
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
