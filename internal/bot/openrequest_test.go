package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
)

// A person seen again with a request still open: the new sheet shows it
// with the day it was opened, and its status is updated in the same sheet
// (saved with it) instead of a second request for the same thing.
func TestReturningPersonsOpenRequestUpdatedInTheNewSheet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3030, "Awa", "59")
	med := h.user(3030).Mediator.ID
	age := 52
	follow := date(2026, 12, 18)
	if _, _, err := h.db.Store.SaveSheet(context.Background(), store.Sheet{ID: "first", MediatorID: med, Date: date(2026, 12, 4),
		Beneficiary: "K7M2PA", Sex: "F", Age: &age, QPV: "oui", Resources: "rsa", ContactMode: "contact_direct", Level: "oriente", SocialProtection: "non",
		Requests: []store.Request{{Kind: "droits", Type: "css", Status: "en_cours", FollowUp: &follow}, {Kind: "soins", Type: "depistage", Status: "resolue"}}}); err != nil {
		t.Fatal(err)
	}
	css := requestIDs(h)[0]
	h.clock.Set(time.Date(2026, 12, 10, 10, 0, 0, 0, paris))

	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Press("K7M2PA · F · 52 ans · vue le 04/12 · CSS en cours")
	q := u.Expect("Dernière situation connue")
	if want := "Dernière situation connue (vue le 04/12) :\nFemme · 52 ans · QPV · RSA — toujours vrai ?\n\n" +
		"Demande en cours : CSS, depuis le 04/12 — si elle a avancé, touchez son statut."; !strings.HasSuffix(q.Text, want) {
		t.Fatalf("question:\n%s\nwant it to end with:\n%s", q.Text, want)
	}
	if got := strings.Join(q.ButtonTexts(), "|"); got != "✅ Toujours vrai|Modifier|✅ Résolue|❌ Non résolue|🚫 Abandonnée" {
		t.Fatalf("buttons = %s", got)
	}

	// A request id not among the person's open ones is refused.
	u.PressData(q.ID, fmt.Sprintf("d:u:sex:%d:resolue", css+1))
	u.ExpectCallbackAnswer("Ce bouton n'est plus actif.")

	u.PressOn(q, "✅ Résolue")
	q = u.Expect("passera à « Résolue » avec cette fiche")
	if !strings.HasSuffix(q.Text, "Demande en cours : CSS, depuis le 04/12 — passera à « Résolue » avec cette fiche.") ||
		strings.Join(q.ButtonTexts(), "|") != "✅ Toujours vrai|Modifier|✓ Résolue|❌ Non résolue|🚫 Abandonnée" {
		t.Fatalf("after « Résolue »:\n%s\n%v", q.Text, q.ButtonTexts())
	}
	if status, _, _ := h.request(css); status != "en_cours" {
		t.Fatalf("status before the sheet is saved = %s, want en_cours", status)
	}
	u.PressOn(q, "✅ Toujours vrai")
	if next := u.Expect("Niveau d'intervention"); !strings.Contains(next.Text, "Femme · 52 ans · QPV · RSA — toujours vrai : Oui\nDemande CSS du 04/12 : Résolue\n") {
		t.Fatalf("the sheet does not keep the update:\n%s", next.Text)
	}
	u.Press("Orienté")
	u.Expect("protection sociale")
	u.Press("Non")
	u.Press("Accès aux soins")
	u.Press("Dépistage organisé")
	u.Press("En cours")
	u.Press("Dans 2 semaines")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Expect("Freins rencontrés")
	u.Press("⏩ Passer, aller au récapitulatif")
	if sum := u.Expect("Récapitulatif"); !strings.Contains(sum.Text, "\nDemande CSS du 04/12 : Résolue\n\nTout est correct ?") {
		t.Fatalf("the summary does not show the update:\n%s", sum.Text)
	}
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n° 2 enregistrée.")
	status, _, resolved := h.request(css)
	if status != "resolue" || resolved == nil || !resolved.Equal(h.clock.Now()) {
		t.Fatalf("CSS request after the sheet: %s resolved at %v", status, resolved)
	}
	if n := h.count(`SELECT count(*) FROM requests WHERE status = 'en_cours'`); n != 1 {
		t.Fatalf("%d open requests, want the new one only", n)
	}
}
