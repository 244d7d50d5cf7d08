package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// tapCounter counts a mediator's taps and the bot's new messages for one sheet.
type tapCounter struct {
	u     *telegramtest.User
	taps  int
	since int // id of the last message before the sheet
}

func newTapCounter(u *telegramtest.User) *tapCounter {
	return &tapCounter{u: u, since: u.LastMessage().ID}
}

func (c *tapCounter) press(label string) {
	c.u.Press(label)
	c.taps++
}

// botMessages counts the messages the bot sent (not edited) since the start.
func (c *tapCounter) botMessages() int {
	n := 0
	for _, m := range c.u.Messages() {
		if m.FromBot && m.ID > c.since {
			n++
		}
	}
	return n
}

// A mediator's first week, through the fake Bot API: a new person on
// Monday (typed answers in their own words), a slip corrected after
// saving, a form abandoned by typing « annuler », the same person on
// Thursday in twelve taps, a status tapped by mistake and undone.
func TestMediatorsFirstWeek(t *testing.T) {
	h := newHarness(t)
	u := h.mediator(2201, "Awa", "59")
	other := h.mediator(2202, "Bob", "62")

	// Monday 23/11: a new person, one rights request.
	u.Send("/fiche")
	c := newTapCounter(u)
	u.Expect("Date de l'accompagnement")
	c.press("Aujourd'hui")
	c.press("Nouvelle personne")
	code := u.Expect("Code de la personne : ")
	if !strings.Contains(code.Text, "notez-le sans son nom (carnet, téléphone)") {
		t.Fatalf("code message = %q", code.Text)
	}
	c.press("Femme")
	u.Expect("Âge de la personne")
	u.Send("elle a 52 ans")
	c.press("Oui") // QPV
	c.press("RSA")
	u.Expect("Comment la personne a-t-elle connu")
	u.Send("bouche a oreille")
	u.Expect("Niveau d'intervention")
	c.press("Accompagné")
	u.Expect("protection sociale")
	c.press("Oui")
	c.press("Accès aux droits")
	c.press("Complémentaire Santé Solidaire")
	c.press("En cours")
	c.press("Dans 1 semaine")
	u.Expect("Ajouter une autre demande")
	c.press("Non")
	u.Expect("Freins rencontrés")
	c.press("⏩ Passer, aller au récapitulatif")
	summary := u.Expect("Récapitulatif")
	if !strings.Contains(summary.Text, "Âge : 52 ans") || !strings.Contains(summary.Text, "Mode de contact : Bouche-à-oreille") {
		t.Fatalf("summary:\n%s", summary.Text)
	}
	c.press("✅ Enregistrer")
	saved := u.Expect("Fiche n° 1 enregistrée.")
	if c.taps != 14 || c.botMessages() != 3 {
		t.Fatalf("new person: %d taps, %d bot messages; want 14 taps (and 2 typed answers), 3 messages", c.taps, c.botMessages())
	}
	u.PressOn(saved, "Terminé")
	u.ExpectCallbackAnswer("")
	got := u.LastMessage()
	for end := time.Now().Add(5 * time.Second); len(got.Buttons) != 0 && time.Now().Before(end); got = u.LastMessage() {
		time.Sleep(10 * time.Millisecond)
	}
	if got.ID != saved.ID || !strings.HasSuffix(got.Text, "Fiche n° 1 enregistrée.") || len(got.Buttons) != 0 {
		t.Fatalf("after « Terminé »: %+v", got)
	}
	var person string
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT code FROM beneficiaries`).Scan(&person); err != nil {
		t.Fatal(err)
	}

	// Another mediator's first sheet is their n° 1 too.
	other.Send("/fiche")
	other.Press("Aujourd'hui")
	other.Press("Nouvelle personne")
	other.Press("Homme")
	other.Expect("Âge de la personne")
	other.Send("40")
	other.Expect("quartier prioritaire")
	other.Press("Non")
	other.Expect("Principale ressource")
	other.Press("Salaire")
	other.Expect("Comment la personne")
	other.Press("Aller vers")
	other.Press("Informé")
	other.Expect("protection sociale")
	other.Press("Non")
	other.Press("Accès aux soins")
	other.Press("Conseil santé")
	other.Press("Résolue")
	other.Expect("Ajouter une autre demande")
	other.Press("Non")
	other.Press("⏩ Passer, aller au récapitulatif")
	other.Press("✅ Enregistrer")
	other.Expect("Fiche n° 1 enregistrée.")

	// The age was 25, not 52: corrected from /mesfiches.
	u.Send("/mesfiches")
	list := u.Expect("Vos dernières fiches")
	if !strings.Contains(list.Text, "n° 1 — 23/11/2026 — "+person) || strings.Join(list.ButtonTexts(), "|") != "✏️ n° 1" {
		t.Fatalf("/mesfiches:\n%s\n%v", list.Text, list.ButtonTexts())
	}
	u.PressOn(list, "✏️ n° 1")
	u.Expect("Correction de la fiche n° 1 du 23/11/2026")
	u.Expect("Récapitulatif")
	u.Press("✏️ Âge")
	u.Expect("Âge de la personne")
	u.Send("25")
	fixed := u.Expect("Âge : 25 ans")
	u.PressOn(fixed, "✅ Enregistrer")
	u.Expect("Fiche n° 1 enregistrée.")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 2 {
		t.Fatalf("%d sheets after the correction, want 2", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE age = 25 AND contact_mode = 'bouche_a_oreille'`); n != 1 {
		t.Fatal("the correction was not saved over the sheet")
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'sheet_edit'`); n != 1 {
		t.Fatalf("%d audit rows for the correction", n)
	}
	if n := h.count(`SELECT count(*) FROM requests WHERE status = 'en_cours'`); n != 1 {
		t.Fatalf("%d open requests after the correction, want 1", n)
	}

	// A sheet started by mistake: « annuler » typed mid-form.
	u.Send("/fiche")
	u.Press("Aujourd'hui")
	u.Expect("Personne accompagnée")
	u.Send("annuler")
	u.Expect("Abandonner la saisie « Fiche d'accompagnement » ?")
	u.Press("Oui, abandonner")
	u.Expect("Fiche abandonnée.")

	// Thursday 26/11: the same person, in twelve taps.
	h.clock.Set(h.clock.Now().Add(3 * 24 * time.Hour))
	u.Send("/fiche")
	c = newTapCounter(u)
	u.Expect("Date de l'accompagnement")
	c.press("Aujourd'hui")
	u.Expect("Personne accompagnée")
	c.press(person + " · F · 25 ans · vue le 23/11 · CSS en cours")
	u.Expect("Dernière situation connue (vue le 23/11) :\nFemme · 25 ans · QPV · RSA — toujours vrai ?")
	c.press("✅ Toujours vrai")
	u.Expect("Niveau d'intervention") // how they met: not asked again
	c.press("Orienté")
	u.Expect("protection sociale")
	c.press("Non")
	c.press("Accès aux soins")
	c.press("Dépistage organisé")
	c.press("En cours")
	c.press("Dans 2 semaines")
	u.Expect("Ajouter une autre demande")
	c.press("Non")
	u.Expect("Freins rencontrés")
	c.press("⏩ Passer, aller au récapitulatif")
	summary = u.Expect("Récapitulatif")
	if !strings.Contains(summary.Text, "Mode de contact : Bouche-à-oreille") {
		t.Fatalf("summary:\n%s", summary.Text)
	}
	c.press("✅ Enregistrer")
	u.Expect("Fiche n° 2 enregistrée.")
	if c.taps != 12 || c.botMessages() != 1 {
		t.Fatalf("known person: %d taps, %d bot messages; want 12 taps, 1 message", c.taps, c.botMessages())
	}

	// "Non résolue" tapped by mistake in /suivis, then undone.
	u.Send("/suivis")
	open := u.Expect("Vos demandes en cours (")
	u.PressOn(open, "1 · Non résolue")
	u.ExpectCallbackAnswer("Enregistré : non résolue.")
	closed := u.Expect("❌ Non résolue")
	u.PressOn(closed, "1 · ↩ Annuler « Non résolue »")
	u.ExpectCallbackAnswer("Annulé : la demande est de nouveau en cours.")
	if n := h.count(`SELECT count(*) FROM requests WHERE status = 'en_cours'`); n != 2 {
		t.Fatalf("%d open requests after the undo, want 2", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets s JOIN mediators m ON m.id = s.mediator_id WHERE s.mediator_number = 2`); n != 1 {
		t.Fatalf("%d sheets numbered 2", n)
	}
}
