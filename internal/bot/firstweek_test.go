package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// tapCounter counts a mediator's taps, typed answers and the bot's new
// messages for one sheet.
type tapCounter struct {
	u     *telegramtest.User
	taps  int
	typed int
	since int // id of the last message before the sheet
}

func newTapCounter(u *telegramtest.User) *tapCounter {
	return &tapCounter{u: u, since: u.LastMessage().ID}
}

func (c *tapCounter) press(label string) {
	c.u.Press(label)
	c.taps++
}

// say types an answer; it returns the typed message's id.
func (c *tapCounter) say(text string) int {
	c.typed++
	return c.u.Send(text)
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
// saving, a form abandoned by typing « annuler »; on Tuesday « bonjour »
// and « nouvele fiche » in words, then a sheet typed on the phone (a name typed where the code goes, refused and deleted; the
// code's beginning; near misses « feme », « ouii », « dans 2 semaines »,
// « mobilite »); the same person on Thursday in twelve taps, their open
// request shown; a status tapped by mistake and undone; the next week,
// « mes suivi » in words, the late request first.
func TestMediatorsFirstWeek(t *testing.T) {
	t.Parallel()
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

	// Tuesday 24/11: another person, typed on the phone between visits,
	// started by words, not a command.
	h.clock.Set(h.clock.Now().Add(24 * time.Hour))
	u.Send("bonjour")
	if hello := u.Expect("Bonjour Awa ! Que voulez-vous faire ?"); !strings.HasPrefix(strings.Join(hello.ButtonTexts(), "|"), "Nouvelle fiche|") {
		t.Fatalf("greeting buttons = %q", hello.ButtonTexts())
	}
	u.Send("nouvele fiche")
	c = newTapCounter(u)
	u.Expect("Date de l'accompagnement")
	c.press("Aujourd'hui")
	u.Expect("Personne accompagnée")
	// A name where the code goes: never kept, and deleted from the chat.
	typedName := c.say("Fatou Diallo")
	u.Expect("Les noms ne sont jamais enregistrés : utilisez le code de la personne (par exemple K7M2QX, ou son début), ou touchez « Nouvelle personne ». Votre message a été effacé de la conversation.")
	for _, m := range u.Messages() {
		if m.ID == typedName || strings.Contains(m.Text, "Diallo") {
			t.Fatalf("the name is still in the chat: %+v", m)
		}
	}
	if n := h.count(`SELECT count(*) FROM beneficiaries`); n != 2 { // Monday's and Bob's
		t.Fatalf("%d people after a name was typed", n)
	}
	// The beginning of a code lists the people whose code starts with it.
	c.say(strings.ToLower(person[:2]))
	found := u.Expect("Codes commençant par " + person[:2] + " : touchez la bonne personne.")
	if got := strings.Join(found.ButtonTexts(), "|"); got != person+" · F · 25 ans · vue le 23/11 · CSS en cours|Nouvelle personne" {
		t.Fatalf("people found by %s: %s", person[:2], got)
	}
	c.press("Nouvelle personne")
	u.Expect("Sexe de la personne")
	c.say("feme")
	u.Expect("Sexe : Femme")
	u.Expect("Âge de la personne")
	c.say("34")
	u.Expect("quartier prioritaire")
	c.say("ouii")
	u.Expect("Habite en QPV : Oui")
	u.Expect("Principale ressource")
	c.press("RSA")
	u.Expect("Comment la personne")
	c.say("aller vers")
	u.Expect("Niveau d'intervention")
	c.press("Informé")
	u.Expect("protection sociale")
	c.press("Non")
	c.press("Accès aux droits")
	c.press("Complémentaire Santé Solidaire")
	c.press("En cours")
	u.Expect("Quand faire le point")
	c.say("dans 2 semaines")
	u.Expect("Demande 1 — Date de suivi : 08/12/2026")
	u.Expect("Ajouter une autre demande")
	c.press("Non")
	u.Expect("Freins rencontrés")
	c.say("mobilite")
	if obstacles := u.Expect("Freins rencontrés"); !strings.Contains(strings.Join(obstacles.ButtonTexts(), "|"), "|✅ Mobilité|") {
		t.Fatalf("« mobilite » did not tick Mobilité: %q", obstacles.ButtonTexts())
	}
	c.press("Valider")
	u.Expect("Freins : Mobilité")
	c.press("Passer") // the note
	summary = u.Expect("Récapitulatif")
	for _, want := range []string{"Sexe : Femme", "Âge : 34 ans", "Habite en QPV : Oui", "Mode de contact : Aller vers", "Freins : Mobilité"} {
		if !strings.Contains(summary.Text, want) {
			t.Fatalf("summary without %q:\n%s", want, summary.Text)
		}
	}
	c.press("✅ Enregistrer")
	u.Expect("Fiche n° 2 enregistrée.")
	// Each typed answer is answered below it (8), then « Fiche n° 2 enregistrée. ».
	if c.taps != 12 || c.typed != 8 || c.botMessages() != 9 {
		t.Fatalf("typed sheet: %d taps, %d typed, %d bot messages", c.taps, c.typed, c.botMessages())
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE sex = 'F' AND age = 34 AND qpv = 'oui' AND obstacles = '{mobilite}'`); n != 1 {
		t.Fatal("the typed sheet was not saved as typed")
	}
	if n := h.count(`SELECT count(*) FROM requests WHERE follow_up = '2026-12-08'`); n != 1 {
		t.Fatal("« dans 2 semaines » did not give 08/12")
	}

	// Thursday 26/11: Monday's person, in twelve taps.
	h.clock.Set(h.clock.Now().Add(2 * 24 * time.Hour))
	u.Send("/fiche")
	c = newTapCounter(u)
	u.Expect("Date de l'accompagnement")
	c.press("Aujourd'hui")
	u.Expect("Personne accompagnée")
	c.press(person + " · F · 25 ans · vue le 23/11 · CSS en cours")
	// Her open request is on the same message: Monday's CSS.
	u.Expect("Dernière situation connue (vue le 23/11) :\nFemme · 25 ans · QPV · RSA — toujours vrai ?\n\n" +
		"Demande en cours : CSS, depuis le 23/11 — si elle a avancé, touchez son statut.")
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
	u.Expect("Fiche n° 3 enregistrée.")
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
	if n := h.count(`SELECT count(*) FROM requests WHERE status = 'en_cours'`); n != 3 {
		t.Fatalf("%d open requests after the undo, want 3", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets s JOIN mediators m ON m.id = s.mediator_id WHERE s.mediator_number = 3`); n != 1 {
		t.Fatalf("%d sheets numbered 3", n)
	}

	// Wednesday 02/12: Monday's request, due on 30/11, comes first, late.
	h.clock.Set(h.clock.Now().Add(6 * 24 * time.Hour))
	u.Send("mes suivi")
	late := u.Expect("Vos demandes en cours (3) : 1 en retard") // not the earlier list, which an edit may still reach
	var second string
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT b.code FROM beneficiaries b JOIN sheets s ON s.beneficiary_id = b.id WHERE s.age = 34`).Scan(&second); err != nil {
		t.Fatal(err)
	}
	if want := "Vos demandes en cours (3) : 1 en retard, 2 à venir.\n\n" +
		"1. Fiche n° 1, demande 1 — 23/11/2026 — " + person + "\nAccès aux droits · Complémentaire Santé Solidaire — en retard depuis le 30/11\n\n" +
		"2. Fiche n° 2, demande 1 — 24/11/2026 — " + second + "\nAccès aux droits · Complémentaire Santé Solidaire — suivi prévu le 08/12\n\n" +
		"3. Fiche n° 3, demande 1 — 26/11/2026 — " + person + "\nAccès aux soins · Dépistage organisé — suivi prévu le 10/12"; late.Text != want {
		t.Fatalf("/suivis a week later:\n%s\nwant:\n%s", late.Text, want)
	}
}
