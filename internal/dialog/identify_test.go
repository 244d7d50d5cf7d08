package dialog

import (
	"strings"
	"testing"
)

func TestNoteRefusesWhatIdentifiesAPerson(t *testing.T) {
	t.Parallel()
	note := fiche(t).Step("note")
	for _, tc := range []struct {
		text, kind string
	}{
		{"Mme Dupont, dossier CSS déposé, attend réponse", "name"},
		{"vue avec madame MARTIN", "name"},
		{"M. Durand accompagné à la CPAM", "name"},
		{"Monsieur Benali", "name"},
		{"rappeler au 06 12 34 56 78", "phone"},
		{"+33 6 12 34 56 78", "phone"},
		{"écrire à awa.k@example.fr", "email"},
		{"NIR 2 71 03 59 123 456 78", "nir"},
		{"2710359123456", "nir"},
		{"née le 3/4/1971", "birth"},
		{"DDN 12/05/1980", "birth"},
		{"dossier du 12/05/1985", "birth"},
		// Allowed: no one is named.
		{"Mme X attend la réponse de la CSS", ""},
		{"accompagnée par M. le maire adjoint", ""},
		{"RDV le 12/12/2026 à 10 h, 2 enfants", ""},
		{"dossier CSS déposé", ""},
		{"orientée vers la PMI, 3 démarches", ""},
	} {
		got, ok := identifying(tc.text, note)
		if got != tc.kind || ok != (tc.kind != "") {
			t.Errorf("identifying(%q) = %q, want %q", tc.text, got, tc.kind)
		}
	}
}

func TestNoteWithANameIsRefusedAndSaysWhy(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	toNote(t, c)
	c.say("Mme Dupont, dossier CSS déposé, attend réponse")
	c.expectReplies("edit: Une note ?", "send: Pas de nom (« Mme Dupont ») : écrivez « la personne » ou « Mme X » : rien qui permette de reconnaître la personne.")
	if _, ok := c.st.Answers["note"]; ok {
		t.Fatal("the note was kept")
	}
	c.say("Dossier CSS déposé, attend réponse")
	c.expectReplies("edit: Note : Dossier CSS déposé, attend réponse", "send: Récapitulatif")
}

func TestOverlongNoteIsOfferedBackCut(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	toNote(t, c)
	long := strings.Repeat("dossier CSS déposé ", 30) // 569 characters once trimmed
	c.say(long)
	c.expectReplies("edit: Une note ?", "send: Texte trop long : 569 caractères, 280 au plus. Voici le début, coupé à la limite")
	q := c.question().Text
	if !strings.Contains(q, "Note : dossier CSS déposé dossier") {
		t.Fatalf("proposal = %q", q)
	}
	c.press("✅ Confirmer")
	got := c.st.Answers["note"].Text
	if n := len([]rune(got)); n > 280 || n < 260 || !strings.HasPrefix(got, "dossier CSS déposé dossier") || strings.HasSuffix(got, " ") {
		t.Fatalf("note kept = %d characters: %q", n, got)
	}
}

// toNote plays the happy path up to the note question.
func toNote(t *testing.T, c *chat) {
	t.Helper()
	play(t, c, happyPath[:len(happyPath)-1])
}

// The engine cannot delete a message; it tells the transport to, and says
// so in the refusal only once the transport has done it (Erased).
func TestIdentifyingNoteAsksTheTransportToDeleteIt(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	toNote(t, c)
	res := c.say("rappeler au 06 12 34 56 78")
	if !res.DeleteInput {
		t.Fatal("an identifying note does not ask for its deletion")
	}
	for _, r := range c.replyTexts() {
		if strings.Contains(r, "effacé") {
			t.Fatalf("the refusal claims a deletion before it happened: %q", r)
		}
	}
	want := "Pas de numéro de téléphone : rien qui permette de reconnaître la personne. Rien n'a été enregistré ; réécrivez le texte sans ce détail. Votre message a été effacé de la conversation.\n\nUne note ?"
	erased := res.Erased()
	if got := askedText(erased); !strings.HasPrefix(got, want) {
		t.Fatalf("erased question = %q, want a question starting with %q", got, want)
	}

	if res := c.say(strings.Repeat("dossier CSS déposé ", 30)); res.DeleteInput {
		t.Fatal("an over-long note asks for its deletion")
	}
	if res := c.say("Dossier CSS déposé"); res.DeleteInput || askedText(res.Erased()) != askedText(res) {
		t.Fatal("a harmless note asks for its deletion")
	}
}
