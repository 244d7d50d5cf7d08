package bot_test

import (
	"strings"
	"testing"
	"time"
)

// The morning pass found nothing due; at 10:00 a mediator saves a sheet
// whose request is to be followed up today (typed: no quick button says
// today). The next pass reminds it, once.
func TestFollowUpSetForTodayAfterTheMorningPassIsReminded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(3020, "Awa", "59")
	h.runReminders(time.Date(2026, 11, 23, 9, 0, 0, 0, paris))

	h.clock.Set(time.Date(2026, 11, 23, 10, 0, 0, 0, paris))
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	u.Press("Aujourd'hui")
	u.Press("Nouvelle personne")
	u.Press("Femme")
	u.Expect("Âge de la personne")
	u.Send("34")
	u.Press("Oui") // QPV
	u.Press("RSA")
	u.Press("Aller vers")
	u.Press("Accompagné")
	u.Expect("protection sociale")
	u.Press("Oui")
	u.Press("Accès aux droits")
	u.Press("Complémentaire Santé Solidaire")
	u.Press("En cours")
	u.Expect("Quand faire le point sur cette demande ?")
	u.Send("23/11/2026")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Press("Mobilité")
	u.Press("Valider")
	u.Expect("Une note")
	u.Send("Dossier à compléter.")
	summary := u.Expect("Récapitulatif")
	if !strings.Contains(summary.Text, "Date de suivi : 23/11/2026") {
		t.Fatalf("summary:\n%s", summary.Text)
	}
	u.Press("✅ Enregistrer")
	u.Expect("Fiche n°")

	h.runReminders(time.Date(2026, 11, 23, 10, 1, 0, 0, paris))
	rem := u.Expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui :")
	if !strings.Contains(rem.Text, "1. Fiche n° 1, demande 1 — 23/11/2026 — ") {
		t.Fatalf("reminder:\n%s", rem.Text)
	}
	h.runReminders(time.Date(2026, 11, 23, 10, 2, 0, 0, paris))
	h.runReminders(time.Date(2026, 11, 23, 17, 0, 0, 0, paris))
	n := 0
	for _, m := range u.Messages() {
		if m.FromBot && strings.Contains(m.Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui :") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("got %d reminders on the 23rd, want 1", n)
	}
}
