package dialog

import (
	"testing"
	"time"
)

// followed is a person seen on 12/11/2025, with a CSS request still open,
// who first met the mediator "aller vers".
func followed() Person {
	return Person{Code: "7K9JTG", Sex: "F", Age: 51, AgeOn: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), QPV: "oui", Resources: "rsa",
		ContactMode: "aller_vers", LastSeen: time.Date(2025, 11, 12, 0, 0, 0, 0, time.UTC), Open: []string{"CSS"}}
}

// A known person's sheet with one request: every turn is a tap, and there
// are 12 of them (21 before: "Personne déjà suivie", four "✅ Confirmer",
// the contact mode, "Non" to another request, obstacles and note each
// passed).
func TestKnownPersonInTwelveTaps(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{followed(), {Code: "8NYERC", Sex: "F", Age: 52, AgeOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	c.start()
	turns := []turn{
		{press: "Aujourd'hui", buttons: [][]string{{"7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours"}, {"8NYERC · F · 52 ans"}, {"Nouvelle personne"}, {"Personne déjà suivie"}}},
		{press: "7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours", replies: []string{"edit: Personne : 7K9JTG",
			"send: Dernière situation connue (vue le 12/11) :\nFemme · 52 ans · QPV · RSA — toujours vrai ?"}},
		// How they first met is known: not asked again.
		{press: "✅ Toujours vrai", replies: []string{"edit: Femme · 52 ans · QPV · RSA — toujours vrai : Oui", "send: Niveau d'intervention ?"}},
		{press: "Orienté"},
		{press: "Oui"},
		{press: "Accès aux droits"},
		{press: "Complémentaire Santé Solidaire"},
		{press: "En cours"},
		{press: "Dans 2 semaines"},
		{press: "Non", replies: []string{"edit: Ajouter une autre demande ? Non", "send: Freins rencontrés ?"}},
		{press: "⏩ Passer, aller au récapitulatif", replies: []string{"edit: Freins : —", "send: Récapitulatif"}},
	}
	play(t, c, turns)
	taps := len(turns) + 1 // and "✅ Enregistrer"
	if taps != 12 {
		t.Fatalf("%d taps", taps)
	}
	a := c.st.Answers
	for id, want := range map[string]string{"sex": "F", "age": "52", "qpv": "oui", "resources": "rsa", "contact_mode": "aller_vers", "level": "oriente", "note": ""} {
		if got := a.String(id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if !a.Skipped("note") || !a.Skipped("obstacles") {
		t.Errorf("obstacles and note should be skipped: %+v", a)
	}
	c.press("✅ Enregistrer")
	if c.outcome != Save {
		t.Fatalf("outcome = %v", c.outcome)
	}
}

// Editing the contact mode from the summary asks it, showing the known
// answer: it is not answered again behind the mediator's back.
func TestKnownContactModeCanBeChanged(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{followed()}})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui"},
		{press: "7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours"},
		{press: "✅ Toujours vrai"},
		{press: "Orienté"}, {press: "Oui"}, {press: "Accès aux soins"}, {press: "Dépistage organisé"}, {press: "Résolue"}, {press: "Non"},
		{press: "⏩ Passer, aller au récapitulatif"},
		{press: "✏️ Mode de contact", replies: []string{"edit: Comment la personne a-t-elle connu le médiateur ?\nRéponse actuelle : Aller vers"}},
		{press: "Bouche-à-oreille", replies: []string{"edit: Mode de contact : Bouche-à-oreille", "send: Récapitulatif"}},
	})
}
