package dialog

import (
	"strings"
	"testing"
	"time"
)

// A known person's open requests come with their situation: three at most,
// numbered, each with its status buttons; a status is kept in the draft (a
// second tap takes it back) and dropped when another person is chosen.
func TestKnownPersonsOpenRequestsTakeAStatus(t *testing.T) {
	t.Parallel()
	p := followed()
	since := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	p.Open = []string{"CSS", "Dépistage", "Médecin traitant", "AME"}
	p.Requests = []OpenRequest{{ID: 11, Label: "CSS", Since: since(11, 12)}, {ID: 12, Label: "Dépistage", Since: since(10, 1)},
		{ID: 13, Label: "Médecin traitant", Since: since(10, 1)}, {ID: 14, Label: "AME", Since: since(9, 3)}}
	other := Person{Code: "8NYERC", Sex: "F", Age: 52, AgeOn: since(1, 1), QPV: "non", Resources: "rsa", LastSeen: since(11, 1)}
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{p, other}})
	c.start()
	c.press("Aujourd'hui")
	c.press("7K9JTG · F · 52 ans · vue le 12/11 · CSS +3 en cours")
	want := "Dernière situation connue (vue le 12/11) :\nFemme · 52 ans · QPV · RSA — toujours vrai ?\n\n" +
		"Demandes en cours — si elles ont avancé, touchez leur statut :\n1. CSS, depuis le 12/11\n2. Dépistage, depuis le 01/10\n" +
		"3. Médecin traitant, depuis le 01/10\n… et 1 autre dans /suivis."
	if got := c.question().Text; got != want {
		t.Fatalf("question =\n%s\nwant\n%s", got, want)
	}
	c.expectButtons([]string{"✅ Toujours vrai", "Modifier"},
		[]string{"1 · ✅ Résolue", "1 · ❌ Non résolue", "1 · 🚫 Abandonnée"},
		[]string{"2 · ✅ Résolue", "2 · ❌ Non résolue", "2 · 🚫 Abandonnée"},
		[]string{"3 · ✅ Résolue", "3 · ❌ Non résolue", "3 · 🚫 Abandonnée"})

	c.press("2 · 🚫 Abandonnée")
	if !strings.Contains(c.question().Text, "\n2. Dépistage, depuis le 01/10 — passera à « Abandonnée » avec cette fiche\n") || len(c.st.Closes) != 1 || c.st.Closes[12] != "abandonnee" {
		t.Fatalf("after « Abandonnée »: %q, closes %v", c.question().Text, c.st.Closes)
	}
	c.press("2 · ✓ Abandonnée")
	if len(c.st.Closes) != 0 || strings.Contains(c.question().Text, "passera") {
		t.Fatalf("a second tap did not take it back: %q, closes %v", c.question().Text, c.st.Closes)
	}
	c.press("1 · ✅ Résolue")
	if c.st.Closes[11] != "resolue" {
		t.Fatalf("closes = %v", c.st.Closes)
	}

	// Another person chosen: the status chosen for the first one's request goes.
	c.say("retour")
	c.expectQuestion("Personne accompagnée ?")
	c.press("8NYERC · F · 53 ans · vue le 01/11")
	if c.st.Closes != nil {
		t.Fatalf("closes after choosing another person = %v", c.st.Closes)
	}
	if strings.Contains(c.question().Text, "Demande") {
		t.Fatalf("the other person has no open request:\n%s", c.question().Text)
	}
}
