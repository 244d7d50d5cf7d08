package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
)

// A person erased at their request never comes back: a sheet draft that
// still names them (left in Redis) is refused at « Enregistrer », and
// their code typed again is refused, with the reason, nothing saved.
func TestErasedPersonIsNeverSavedAgain(t *testing.T) {
	h := newHarness(t)
	u := h.mediator(2301, "Awa", "59")
	fillToSummary(u)
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	var code string
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT code FROM beneficiaries`).Scan(&code); err != nil {
		t.Fatal(err)
	}

	// A second visit is being logged when the erasure request is handled.
	u.Press("Nouvelle fiche")
	u.Press("Aujourd'hui")
	u.Press("Personne déjà suivie")
	u.Press(code)
	u.Press("✅ Toujours vrai")
	u.Press("Informé")
	u.Expect("protection sociale")
	u.Press("Non")
	u.Press("Accès aux soins")
	u.Press("Conseil santé")
	u.Press("Résolue")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Press("Valider")
	u.Expect("Une note")
	u.Press("Passer")
	u.Expect("Récapitulatif")
	if _, ok, err := h.drafts.Load(context.Background(), 2301, 2301); err != nil || !ok {
		t.Fatalf("no draft of the second sheet in Redis (%v)", err)
	}
	if _, err := forget(h, code); err != nil {
		t.Fatal(err)
	}
	u.Press("✅ Enregistrer")
	u.Expect("Cette personne a été effacée à sa demande.")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("sheets after the refused save = %d, want 0", n)
	}
	if n := h.count(`SELECT count(*) FROM beneficiaries`); n != 0 {
		t.Fatalf("people after the refused save = %d, want 0", n)
	}
	if _, ok, err := h.drafts.Load(context.Background(), 2301, 2301); err != nil || ok {
		t.Fatalf("the refused draft is still there (%v)", err)
	}

	// The code typed again, in lower case as the bot accepts it.
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("Personne déjà suivie")
	u.Expect("écrivez son code")
	u.Send(strings.ToLower(code))
	u.Expect("Cette personne a été effacée à sa demande.")
	if n := h.count(`SELECT count(*) FROM beneficiaries`); n != 0 {
		t.Fatalf("people after the code typed again = %d, want 0", n)
	}
}

// forget erases code in PostgreSQL only, as `relais forget` did before it
// erased drafts: the draft in Redis is left, as one saved meanwhile is.
func forget(h *harness, code string) (store.ForgetCounts, error) {
	return h.db.Store.Forget(context.Background(), code, nil, 0)
}
