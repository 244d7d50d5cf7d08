package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// useTestRedis points relais at the test's own Redis prefix (forget scans
// and deletes keys under RELAIS_REDIS_PREFIX), and at the database's own
// audit key, as the test's store uses.
func useTestRedis(t *testing.T) *state.Drafts {
	t.Helper()
	r := testenv.NewRedis(t)
	t.Setenv("REDIS_URL", testenv.RedisURL())
	t.Setenv("RELAIS_REDIS_PREFIX", r.Prefix)
	t.Setenv("RELAIS_AUDIT_KEY", "")
	return state.New(r.Client, r.Prefix).Drafts()
}

// personDraft is a sheet in progress for the person of code, as the bot
// keeps it in Redis.
func personDraft(code, note string) state.Draft {
	return state.Draft{Shown: state.Shown{Transcript: []string{"Personne : " + code}}, State: dialog.State{
		FormID: "fiche", RecordID: "s-" + code, Phase: dialog.PhaseAsk,
		Answers:   dialog.Answers{"beneficiary": {Code: code}, "note": {Text: note}},
		Person:    &dialog.Person{Code: code},
		UpdatedAt: time.Now(),
	}}
}

// `relais forget` erases the forms in progress naming the code too, which
// would otherwise bring the person back when resumed; a code known only
// from a draft is forgotten as well; and the code can never be saved again.
func TestForgetErasesDraftsAndTheCodeStaysForgotten(t *testing.T) {
	db := cliDB(t)
	st := db.Store
	ctx := context.Background()
	drafts := useTestRedis(t)
	registerUser(t, st, 5, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59"})
	u, err := st.UserByTelegramID(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	sheet := func(id, code, note string) store.Sheet {
		return store.Sheet{ID: id, MediatorID: u.Mediator.ID, Date: time.Now(), Beneficiary: code, Sex: "F", QPV: "oui",
			Resources: "rsa", ContactMode: "aller_vers", Level: "informe", SocialProtection: "non", Note: note,
			Requests: []store.Request{{Kind: "droits", Type: "css", Status: "resolue"}}}
	}
	for _, sh := range []store.Sheet{sheet("s1", "FGT002", ""), sheet("s2", "KEEP01", "vue avec fgt002")} {
		if _, _, err := st.SaveSheet(ctx, sh); err != nil {
			t.Fatal(err)
		}
	}
	for chat, d := range map[ids.ChatID]state.Draft{
		5: personDraft("FGT002", ""), 6: personDraft("KEEP01", "pas FGT0022"), 7: personDraft("NEW777", ""),
	} {
		if err := drafts.Save(ctx, chat, 5, d); err != nil {
			t.Fatal(err)
		}
	}

	// Redis down: nothing is erased, the variable is named.
	t.Setenv("REDIS_URL", "redis://127.0.0.1:1/0")
	if code, _, errOut := cli(t, "forget", "--beneficiary", "FGT002"); code != 1 || !strings.HasPrefix(errOut, "relais: REDIS_URL : Redis injoignable") {
		t.Fatalf("forget with Redis down: %d %q", code, errOut)
	}
	if _, ok, err := drafts.Load(ctx, 5, 5); err != nil || !ok {
		t.Fatalf("draft after a failed forget: %v, %v", ok, err)
	}
	t.Setenv("REDIS_URL", testenv.RedisURL())

	code, out, errOut := cli(t, "forget", "--beneficiary", "fgt002")
	if code != 0 || out != "Personne effacée : 1 fiche effacée, 1 demande effacée, 1 saisie en cours effacée, 1 autre texte où le code est remplacé par [effacé].\n"+
		"Ce code ne pourra plus être enregistré. Le journal d'audit garde une empreinte du code, pas le code lui-même.\n" {
		t.Fatalf("forget: %d %q %q", code, out, errOut)
	}
	for chat, want := range map[ids.ChatID]bool{5: false, 6: true, 7: true} {
		if _, ok, err := drafts.Load(ctx, chat, 5); err != nil || ok != want {
			t.Errorf("draft of chat %d there = %v (%v), want %v", chat, ok, err, want)
		}
	}
	if _, _, err := st.SaveSheet(ctx, sheet("s3", "FGT002", "")); !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Fatalf("save of the erased code: %v, want ErrBeneficiaryForgotten", err)
	}

	// A new person whose first sheet was never saved: only a draft knows them.
	code, out, errOut = cli(t, "forget", "--beneficiary", "NEW777")
	if code != 0 || !strings.HasPrefix(out, "Personne effacée : 0 fiche effacée, 0 demande effacée, 1 saisie en cours effacée, 0 autre texte") {
		t.Fatalf("forget of a code in a draft only: %d %q %q", code, out, errOut)
	}
	if _, _, err := st.SaveSheet(ctx, sheet("s4", "NEW777", "")); !errors.Is(err, store.ErrBeneficiaryForgotten) {
		t.Fatalf("save of a code erased from a draft: %v, want ErrBeneficiaryForgotten", err)
	}
}

// A code written as on the person's paper (« fgt 002 », « FGT-002 ») is
// the code the bot reads as FGT002: not found as typed, the answer says
// which code to erase, rather than let the operator tell the person that
// Relais holds nothing about them.
func TestForgetNotFoundNamesTheCodeTheBotReads(t *testing.T) {
	db := cliDB(t)
	useTestRedis(t)
	registerUser(t, db.Store, 5, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59"})
	u, err := db.Store.UserByTelegramID(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Store.SaveSheet(context.Background(), store.Sheet{ID: "s1", MediatorID: u.Mediator.ID, Date: time.Now(), Beneficiary: "FGT002",
		Sex: "F", QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "informe", SocialProtection: "non",
		Requests: []store.Request{{Kind: "droits", Type: "css", Status: "resolue"}}}); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"fgt 002", "FGT-002", "fgt.002"} {
		code, out, errOut := cli(t, "forget", "--beneficiary", typed)
		want := "relais: forget : aucune personne n'a le code « " + typed + " » : rien n'a été effacé (la demande est tracée dans le journal d'audit). " +
			"Le bot lit ce code comme « FGT002 » : relancez avec --beneficiary FGT002\n"
		if code != 1 || errOut != want {
			t.Errorf("forget %q: %d %q %q\nwant %q", typed, code, out, errOut, want)
		}
	}
	if n := 0; db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM beneficiaries WHERE code = 'FGT002'`).Scan(&n) != nil || n != 1 {
		t.Fatalf("the person was touched by a code not found: %d", n)
	}
}
