package dialog

import "testing"

func TestKeyword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, word string
		ok       bool
	}{
		{"annuler", "annuler", true},
		{"/annuler", "annuler", true},
		{"ANNULER", "annuler", true},
		{"  Retour ", "retour", true},
		{"/retour@RelaisBot", "retour", true},
		{"Passer.", "passer", true},
		{"aide !", "aide", true},
		{"Aidé", "aide", true},
		{"annuler la fiche", "", false},
		{"retourner", "", false},
		{"/fiche", "", false},
	} {
		w, ok := Keyword(tc.in)
		if ok != tc.ok || (ok && w != tc.word) {
			t.Errorf("Keyword(%q) = %q, %v; want %q, %v", tc.in, w, ok, tc.word, tc.ok)
		}
	}
}

func TestWordsWithoutSlashMidForm(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:3])
	c.say("retour")
	c.expectReplies("send: Sexe de la personne ?")
	c.say("Passer")
	c.expectReplies("edit: Sexe de la personne ?", "send: Cette question est obligatoire : elle ne peut pas être passée.\n\nSexe de la personne ?")
	c.say("aide")
	c.expectReplies("edit: Cette question est obligatoire", "send: "+commandsHelp+"\n\nSexe de la personne ?")
	c.say("Annuler")
	c.expectReplies("edit: "+commandsHelp, "send: Abandonner la saisie « Fiche d'accompagnement » ?")
}
