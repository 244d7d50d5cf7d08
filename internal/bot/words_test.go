package bot_test

import (
	"strings"
	"testing"
)

// Words that always work, typed without the slash, and what a photo or a
// voice message gets: nothing about them is kept, the draft stays.
func TestWordsAndMediaDuringASheet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2101, "Awa", "59")
	startSheetToAge(u)
	u.Send("Retour")
	u.Expect("Sexe de la personne ?")
	u.Send("aide")
	help := u.Expect("écrivez à tout moment")
	if !strings.Contains(help.Text, "« annuler »") || !strings.Contains(help.Text, "Sexe de la personne ?") {
		t.Fatalf("aide = %q", help.Text)
	}
	u.SendPhoto("ordonnance de Mme X", 640, 480)
	u.Expect("Relais ne doit recevoir aucun document, photo ni enregistrement concernant une personne")
	u.SendVoice(12)
	if got := u.LastMessage().Text; !strings.HasPrefix(got, "Relais ne doit recevoir aucun document") {
		t.Fatalf("after a voice message: %q", got)
	}
	u.Send("ANNULER")
	u.Expect("Abandonner la saisie « Fiche d'accompagnement » ?")
	u.Press("Oui, abandonner")
	u.Expect("Fiche abandonnée.")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("%d sheets saved", n)
	}
	u.Send("annuler")
	u.Expect("Aucune saisie en cours. Tapez /fiche")
	u.Send("/aide") // sets the chat's menu
	u.Expect("Ce que vous pouvez faire")
	var names []string
	for _, c := range h.tg.Bot().MenuFor(u.ID(), "") {
		names = append(names, "/"+c.Command)
	}
	if m := strings.Join(names, " "); !strings.Contains(m, "/retour /passer /annuler /aide") {
		t.Fatalf("mediator's menu = %q", m)
	}
}
