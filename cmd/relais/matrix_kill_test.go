//go:build crashloop && goolm

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/matrix/matrixtest"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// `relais serve` on Matrix alone is killed with SIGKILL in the middle of a
// sheet, and started again with the same environment. The person, in an
// encrypted direct chat, answers the next question while the bot is down,
// then finishes the sheet: the draft survived (the sheet goes on where it
// was), the sync position too (the answer typed meanwhile is not skipped as
// a new device's history), the device and its keys too (same device id, one
// device on the server, every message of the bot still encrypted and
// decrypted by the person's client, every message of the person decrypted
// by the bot); no message of the bot comes twice, none is missing, and the
// sheet is saved once.
//
// Behind the crashloop tag (scripts/crashloop.sh --matrix): building the
// binary and starting it twice takes longer than `make test` allows one test
// (on a loaded 2-core machine, 35 to 83 s to link, 39 to 49 s to run).
func TestMatrixServeSurvivesKill9MidForm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Now()
	bin := buildRelais(t)
	t.Logf("built in %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	defer func() { t.Logf("ran in %s", time.Since(start).Round(time.Millisecond)) }()
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	botUser, person := srv.NewUser(t, "relais"), srv.NewUser(t, "mediatrice")
	logFile, err := os.Create(filepath.Join(t.TempDir(), "relais.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if out, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("relais serve's log:\n%s", out)
			}
		}
		if err := logFile.Close(); err != nil {
			t.Errorf("close relais.log: %v", err)
		}
	})
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TELEGRAM_") && !strings.HasPrefix(kv, "MATRIX_") {
			env = append(env, kv)
		}
	}
	proc := &relaisProcess{bin: bin, log: logFile, env: append(env,
		"DATABASE_URL="+db.URL, "REDIS_URL="+testenv.RedisURL(), "RELAIS_REDIS_PREFIX="+rdb.Prefix,
		"RELAIS_HTTP_ADDR=127.0.0.1:0", "RELAIS_METRICS_ADDR=", "RELAIS_LOG_LEVEL=warn",
		"MATRIX_HOMESERVER_URL="+srv.URL, "MATRIX_USER_ID="+botUser.UserID, "MATRIX_PASSWORD="+botUser.Password,
		"MATRIX_PICKLE_KEY=relais-test-pickle-key-of-32-characters-at-least")}
	proc.start(t)
	defer proc.kill(t)

	code, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59",
		Structure: "CCAS Roubaix", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	p := matrixtest.NewPeer(t, srv, person)
	room := p.Room(botUser.UserID, true, true)
	p.WaitMember(room, botUser.UserID, true)

	// Every message of the bot is encrypted, decrypts (the peer fails the
	// test otherwise), and comes once.
	sent := map[string]int{}
	each := func(body string, r matrixtest.Received) {
		if !r.Encrypted() {
			t.Errorf("the bot sent %q in clear in the encrypted room", body)
		}
		if strings.HasPrefix(body, "Je n'ai pas pu déchiffrer") {
			t.Errorf("the bot could not decrypt a message of the person")
		}
		if !r.Edit() {
			sent[body]++
		}
	}
	said := 0
	step := func(say, want string) {
		t.Helper()
		p.Say(room, say)
		said++
		p.Expect(want, each)
	}
	step("!start "+code, "Bienvenue")
	step("!fiche", "Date de l'accompagnement ?")
	for _, s := range []struct{ say, want string }{
		{"Aujourd'hui", "Personne accompagnée ?"},
		{"1", "Sexe de la personne ?"},
		{"Femme", "Âge de la personne"},
		{"34", "quartier prioritaire"},
	} {
		step(s.say, s.want)
	}
	// The last answer is recorded as handled (the sync position may or may
	// not have moved past it: either way it is not handled again).
	waitRows(t, db, `SELECT count(*) FROM matrix_events WHERE NOT sent AND handled_at IS NOT NULL`, said)
	var device, position string
	if err := db.SQL.QueryRow(ctx, `SELECT device_id, next_batch FROM matrix_accounts WHERE user_id = $1`, botUser.UserID).Scan(&device, &position); err != nil || device == "" || position == "" {
		t.Fatalf("before the kill: device %q, sync position %q (%v)", device, position, err)
	}

	proc.kill(t)
	p.Say(room, "1") // Oui, while the bot is down
	said++
	proc.start(t)
	p.Expect("Principale ressource", each)
	for _, s := range []struct{ say, want string }{
		{"RSA", "Comment la personne a-t-elle connu"},
		{"aller vers", "Niveau d'intervention ?"},
		{"accompagne", "Orientation vers les acteurs"},
		{"Non", "Accès aux droits ou accès aux soins ?"},
		{"Accès aux droits", "Quelle demande d'accès aux droits ?"},
		{"1", "Où en est la demande ?"},
		{"Résolue", "Ajouter une autre demande ?"},
		{"Non", "Freins rencontrés"},
		{"Valider", "Une note ?"},
		{"Passer", "Enregistrer"},
		{"enregistrer", "Fiche n° 1 enregistrée."},
	} {
		step(s.say, s.want)
	}
	waitRows(t, db, `SELECT count(*) FROM matrix_events WHERE NOT sent AND handled_at IS NOT NULL`, said)

	var after string
	if err := db.SQL.QueryRow(ctx, `SELECT device_id FROM matrix_accounts WHERE user_id = $1`, botUser.UserID).Scan(&after); err != nil || after != device {
		t.Fatalf("device %q after the restart (%v), want %q", after, err, device)
	}
	if devices := p.Devices(botUser.UserID); len(devices) != 1 || devices[0] != device {
		t.Fatalf("the bot has devices %q on the server, want its one device %s", devices, device)
	}
	for body, n := range sent {
		if n > 1 {
			t.Errorf("the bot sent %d times:\n%s", n, body)
		}
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM sheets`); n != 1 {
		t.Fatalf("%d sheets saved, want 1", n)
	}
	var qpv, resources string
	if err := db.SQL.QueryRow(ctx, `SELECT qpv::text, resources::text FROM sheets`).Scan(&qpv, &resources); err != nil || qpv != "oui" || resources != "rsa" {
		t.Fatalf("saved qpv %q, resources %q (%v): the answers around the kill", qpv, resources, err)
	}
}

// waitRows waits until query counts want rows.
func waitRows(t *testing.T, db *testenv.DB, query string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := db.SQL.QueryRow(context.Background(), query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d", query, n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
