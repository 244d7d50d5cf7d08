package bot_test

import (
	"strings"
	"testing"
)

// A whole sheet typed on a phone, without a tap: typos, no accents, no
// apostrophes, the buttons' words. It is saved as if every button had been
// tapped, « Ne sait pas » for the QPV residence included.
func TestASheetTypedWithoutATap(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2301, "Awa", "59")
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	for _, step := range []struct{ typed, then string }{
		{"aujourdhui", "Personne accompagnée"},
		{"nouvelle persone", "Sexe de la personne"},
		{"feme", "Âge de la personne"},
		{"elle a 1 an", "quartier prioritaire"},
		{"passer", "Cette question est obligatoire. Si la personne ne sait pas, touchez « Ne sait pas »."},
		{"jsais pas", "Principale ressource"},
		{"elle touche le rsa", "Comment la personne"},
		{"bouche a oreille", "Niveau d'intervention"},
		{"accompagne", "protection sociale"},
		{"ouii", "Accès aux droits ou accès aux soins"},
		{"soins", "Quelle demande d'accès aux soins"},
		{"medecin traitant", "Où en est la demande"},
		{"cest en cours", "Quand faire le point"},
		{"dans 2 semaines", "Ajouter une autre demande"},
		{"non", "Freins rencontrés"},
		{"mobilite", "Freins rencontrés"},
		{"valider", "Une note"},
		{"passer", "Récapitulatif"},
	} {
		u.Send(step.typed)
		u.Expect(step.then)
	}
	summary := u.LastMessage()
	for _, line := range []string{"Âge : 1 an\n", "Habite en QPV : Ne sait pas\n", "Ressources : RSA\n",
		"Demande 1 : Accès aux soins · Recherche d'un professionnel de santé · En cours · Date de suivi : 07/12/2026\n", "Freins : Mobilité\n"} {
		if !strings.Contains(summary.Text, line) {
			t.Fatalf("summary lacks %q:\n%s", line, summary.Text)
		}
	}
	u.Send("ok")
	u.Expect("Fiche n° 1 enregistrée.")
	if n := h.count(`SELECT count(*) FROM sheets WHERE qpv = 'nsp' AND age = 1 AND resources = 'rsa' AND obstacles = '{mobilite}'`); n != 1 {
		t.Fatalf("%d sheets saved as typed", n)
	}
	if n := h.count(`SELECT count(*) FROM requests WHERE type = 'recherche_ps' AND status = 'en_cours' AND follow_up IS NOT NULL`); n != 1 {
		t.Fatalf("%d requests saved as typed", n)
	}
	if n := h.count(`SELECT count(*) FROM beneficiaries WHERE qpv = 'nsp'`); n != 1 {
		t.Fatalf("the person's last known QPV is not « ne sait pas » (%d)", n)
	}
}
