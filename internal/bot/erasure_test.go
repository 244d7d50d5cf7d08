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
	t.Parallel()
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

// An erased code typed again in a note does not come back in the note
// either: refused, deleted from the chat; the note without it is saved.
func TestErasedCodeInANoteIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2302, "Awa", "59")
	if _, err := h.db.Store.Forget(context.Background(), "ZQX7K2", nil, 1); err != nil { // known from a draft only
		t.Fatal(err)
	}
	fillToNote(u)
	u.Send("vue avec sa sœur, dossier zqx7k2")
	refusal := u.Expect("Cette personne a été effacée à sa demande.")
	if !strings.Contains(refusal.Text, "Votre message a été effacé de la conversation.") {
		t.Fatalf("refusal = %q, want the deletion said", refusal.Text)
	}
	for _, m := range u.Messages() {
		if strings.Contains(strings.ToUpper(m.Text), "ZQX7K2") {
			t.Fatalf("the code is still in the chat: %v", m)
		}
	}
	u.Send("vue avec sa sœur")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")
	if n := h.count(`SELECT count(*) FROM sheets WHERE note = 'vue avec sa sœur'`); n != 1 {
		t.Fatalf("%d sheets saved with the note without the code", n)
	}
}
