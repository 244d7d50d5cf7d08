//go:build goolm

package matrix_test

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/dialogs"
	relais "github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// The whole contract as a person on Element or Tchap sees it, through the
// real homeserver in an encrypted direct chat: « !start CODE » registers,
// « !fiche » opens a sheet, each question lists its choices numbered from
// 1, an answer is the number or the label (case, accents and a leading
// emoji ignored), and the save says « Fiche n° 1 enregistrée »; a figures
// question is answered in the room, the follow-up's morning reminder
// reaches it, and « fiche » without its mark is a command.
func TestBotFillsASheetOnMatrix(t *testing.T) {
	t.Parallel()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "mediatrice")
	tr := bot(t, srv, botUser, db)
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	pres := matrix.NewPresenter(tr, relais.CommandNames())
	keys := state.New(rdb.Client, rdb.Prefix)
	b := relais.New(relais.Options{Store: db.Store, Drafts: keys.Drafts(), Updates: keys.Updates(), Out: pres,
		Location: testenv.Paris, Forms: relais.Forms(fs), Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if err := pres.Serve(ctx, b.HandleEvent); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-finished })

	code, err := db.Store.CreateInvitation(context.Background(), store.Invitation{Role: roles.Mediator, Departement: "59",
		Structure: "CCAS Roubaix", ExpiresAt: time.Now().Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	p := newPeer(t, srv, person)
	room := p.room(tr.UserID(), true, true)
	p.waitMember(room, tr.UserID(), true)

	// expect waits for a message of the bot whose body (an edit's new
	// body) contains want, and returns it.
	expect := func(want string) string {
		t.Helper()
		deadline := time.After(60 * time.Second)
		var seen []string
		for {
			select {
			case r := <-p.got:
				body := r.content.Body
				if r.content.NewContent != nil {
					body = r.content.NewContent.Body
				}
				seen = append(seen, body)
				if r.wire.Type != "m.room.encrypted" {
					t.Fatalf("the bot sent %q in clear in an encrypted room", body)
				}
				if strings.Contains(body, want) {
					return body
				}
			case <-deadline:
				t.Fatalf("no message with %q within 60 s; seen:\n%s", want, strings.Join(seen, "\n---\n"))
			}
		}
	}

	p.say(room, "!start "+code)
	expect("Bienvenue")
	p.say(room, "!fiche")
	if body := expect("Date de l'accompagnement ?"); !strings.HasSuffix(body, "\n1. Aujourd'hui\n2. Hier") {
		t.Fatalf("the date question shows %q, want its choices numbered from 1, one per line", body)
	}
	for _, step := range []struct{ say, want string }{
		{"aujourd'hui", "Personne accompagnée ?"},
		{"1", "Sexe de la personne ?\n1. Femme\n2. Homme\n3. Non binaire"}, // Nouvelle personne, by number
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
		{"1 2", "Valider"}, // Mobilité and Manque d'info sur les dispositifs
		{"Valider", "Une note ?"},
		{"Orientée vers la PMI du quartier.", "Enregistrer"},
		{"enregistrer", "Fiche n° 1 enregistrée."},
	} {
		p.say(room, step.say)
		expect(step.want)
	}
	// What was saved is what was typed, read back as the buttons' data.
	var (
		n                                   int
		sex, qpv, resources, contact, level string
		age                                 int
		note                                string
		obstacles                           int
	)
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) OVER (), sex, age, qpv::text, resources::text, contact_mode, level, note, cardinality(obstacles)
		FROM sheets s JOIN mediators m ON m.id = s.mediator_id JOIN users u ON u.telegram_id = m.user_id
		JOIN matrix_users mu ON mu.id = u.telegram_id WHERE mu.user_id = $1`, person.UserID).
		Scan(&n, &sex, &age, &qpv, &resources, &contact, &level, &note, &obstacles); err != nil {
		t.Fatalf("the sheet saved for %s: %v", person.UserID, err)
	}
	if got := []any{n, sex, age, qpv, resources, contact, level, note, obstacles}; !reflect.DeepEqual(got, []any{1, "F", 34, "oui", "rsa", "aller_vers", "accompagne", "Orientée vers la PMI du quartier.", 2}) {
		t.Fatalf("saved %v", got)
	}

	// A question in plain French, answered in the room.
	p.say(room, "combien de fiches ce mois ?")
	if body := expect("Fiches d'accompagnement : 1\n"); !strings.Contains(body, "\n1. Cette année\n2. L'an dernier\n3. Tout le rapport") {
		t.Fatalf("the figures' other periods are not numbered choices: %q", body)
	}

	// The follow-up due in a week: the morning reminder reaches the room,
	// its status choices numbered.
	sched := reminders.New(reminders.Options{Store: db.Store, Drafts: keys.Drafts(), Out: pres, Location: testenv.Paris, Forms: fs})
	due := time.Now().In(testenv.Paris).AddDate(0, 0, 7)
	at := time.Date(due.Year(), due.Month(), due.Day(), 10, 0, 0, 0, testenv.Paris)
	if err := sched.Job().Run(context.Background(), at); err != nil {
		t.Fatalf("reminders: %v", err)
	}
	if body := expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 aujourd'hui."); !strings.Contains(body, "\n1. ") {
		t.Fatalf("the reminder shows no numbered choice: %q", body)
	}

	// A command without its mark.
	p.say(room, "fiche")
	expect("Date de l'accompagnement ?")
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
