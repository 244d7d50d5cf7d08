package dialog

import (
	"strings"
	"testing"
	"time"
)

// searchPeople are a mediator's people, more than the five recent ones
// the question offers: two codes start with 7K.
func searchPeople() []Person {
	return []Person{
		{Code: "8NYERC", Sex: "F", Age: 52, AgeOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		followed(),
		{Code: "7KAB23", Sex: "M", Age: 30, AgeOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), LastSeen: time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)},
	}
}

// Typing the beginning of a code lists the mediator's people whose code
// starts with it, each with sex, age and last visit, for one tap.
func TestPersonStepSearchesByCodePrefix(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{people: searchPeople()})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui"},
		{say: "7k", replies: []string{"edit: Personne accompagnée ?", "send: Codes commençant par 7K : touchez la bonne personne."},
			buttons: [][]string{{"7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours"}, {"7KAB23 · M · 30 ans · vue le 03/02"}, {"Nouvelle personne"}}},
		{say: "9z", replies: []string{"edit: Codes commençant par 7K", "send: Aucune personne suivie n'a un code commençant par 9Z. Vérifiez le code, ou touchez « Nouvelle personne »."}},
		{say: "7K-A", replies: []string{"edit: Aucune personne", "send: Codes commençant par 7KA : touchez la bonne personne."},
			buttons: [][]string{{"7KAB23 · M · 30 ans · vue le 03/02"}, {"Nouvelle personne"}}},
		// One character would list a third of the codes: at least two.
		{say: "7", replies: []string{"edit: Codes commençant par 7KA", "send: Code non reconnu : écrivez le code de la personne (6 lettres ou chiffres, par exemple K7M2QX) ou son début, jamais son nom."}},
		{say: "7ka", replies: []string{"edit: Code non reconnu", "send: Codes commençant par 7KA : touchez la bonne personne."}},
		{press: "7KAB23 · M · 30 ans · vue le 03/02", replies: []string{"edit: Personne : 7KAB23", "send: Sexe : Homme\n(déjà connu"}},
	})
}

// A prefix matching more people than one screen shows the most recent and
// asks for more characters.
func TestPersonPrefixSearchShowsAtMostOneScreen(t *testing.T) {
	t.Parallel()
	var people []Person
	for _, code := range []string{"AA2345", "AA3456", "AA4567", "AA5678", "AA6789", "AA7892", "AA8923", "AA9234", "AAB234"} {
		people = append(people, Person{Code: code, Sex: "F"})
	}
	c := newChat(t, fiche(t), &fakeEnv{people: people})
	c.start()
	c.press("Aujourd'hui")
	c.say("aa")
	c.expectQuestion("Codes commençant par AA : les 8 plus récents ; écrivez un caractère de plus pour les autres.")
	if n := len(c.question().Buttons); n != 9 { // 8 people and « Nouvelle personne »
		t.Fatalf("%d rows: %v", n, buttonTexts(c.question().Buttons))
	}
	c.say("aab")
	c.expectButtons([]string{"AAB234 · F"}, []string{"Nouvelle personne"})
}

// A name typed where the code is asked is never kept: the mediator is
// told that names are never stored, and the message is deleted.
func TestNameAtPersonStepIsRefusedAndDeleted(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Fatou Diallo", "fatou", "DIALLO", "Mme Benali", "madame dupont", "Awa Ndiaye", "Kadiatou Traoré", "madame zorgha"} {
		t.Run(name, func(t *testing.T) {
			c := newChat(t, fiche(t), &fakeEnv{people: searchPeople()})
			c.start()
			c.press("Aujourd'hui")
			res := c.say(name)
			if !res.DeleteInput {
				t.Fatalf("%q: the message is not deleted; replies %q", name, c.replyTexts())
			}
			c.expectReplies("edit: Personne accompagnée ?",
				"send: Les noms ne sont jamais enregistrés : utilisez le code de la personne (par exemple K7M2QX, ou son début), ou touchez « Nouvelle personne ».\n\nPersonne accompagnée ?")
			if _, ok := c.st.Answers["beneficiary"]; ok {
				t.Fatal("a person was taken")
			}
			for _, m := range c.msgs {
				if strings.Contains(strings.ToLower(m.Text), strings.ToLower(strings.Fields(name)[0])) {
					t.Fatalf("the name is repeated: %q", m.Text)
				}
			}
			erased := res.Erased()
			if got := askedText(erased); !strings.HasPrefix(got, "Les noms ne sont jamais enregistrés : utilisez le code de la personne (par exemple K7M2QX, ou son début), ou touchez « Nouvelle personne ». Votre message a été effacé de la conversation.") {
				t.Fatalf("erased = %q", got)
			}
		})
	}
}

// Codes, a code's beginning and words that are no name are not taken for
// names (nothing is deleted).
func TestCodesAreNotNames(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"7K9JTG", "7k9 jtg", "kmhxtp", "7K", "je sais pas", "n'importe quoi", "QQQQQQ", "AWA234"} {
		c := newChat(t, fiche(t), &fakeEnv{people: searchPeople()})
		c.start()
		c.press("Aujourd'hui")
		if res := c.say(text); res.DeleteInput {
			t.Errorf("%q read as a name: %q", text, c.replyTexts())
		}
	}
}
