package dialog

import (
	"strings"
	"testing"
)

// followUpQuestion is the follow-up date question of the first request,
// on 12/03/2026: its example is a future date.
const followUpQuestion = "Demande 1 — Quand faire le point sur cette demande ? Un rappel vous sera envoyé ce jour-là.\n" +
	"Touchez un bouton ou écrivez la date, par exemple 2/4 ou 02/04/2026.\n" + WordsLine

const obstaclesQuestion = "Freins rencontrés ? Touchez-en un ou plusieurs, puis « Valider »."

const noteQuestion = "Une note ? (280 caractères au plus)\nAucun nom, aucun numéro de téléphone, rien qui permette de reconnaître la personne.\n" + WordsLine

// Typing a button's own words, or a near miss of them, or the phone's
// French without apostrophes, does what the button does, wherever a button
// is. Each case plays the happy path up to a question (after happyPath[:at]),
// types words, and expects every reply, literally.
func TestTypedNearMisses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		at    int      // turns of happyPath played first
		typed []string // typed one after the other; the replies are the last one's
		want  []string
		saved bool // the last words saved the sheet
	}{
		{"quick date of a visit, typed", 0, []string{"aujourdhui"}, []string{"edit: Date : 12/03/2026", "send: Personne accompagnée ?\nAucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).\n" + WordsLine}, false},
		{"date of a visit, phone French", 0, []string{"cetait hier"}, []string{"edit: Date : 11/03/2026", "send: Personne accompagnée ?\nAucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).\n" + WordsLine}, false},
		{"date of a visit after « le »", 0, []string{"le 10/3"}, []string{"edit: Date : 10/03/2026", "send: Personne accompagnée ?\nAucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).\n" + WordsLine}, false},
		{"new person, misspelt", 1, []string{"nouvelle persone"}, []string{"edit: Personne : K7M2QX (nouvelle personne)",
			"send: Code de la personne : K7M2QX — notez-le sans son nom (carnet, téléphone). À sa prochaine visite, elle sera proposée sous « Personne accompagnée ? » avec la date de sa dernière visite.",
			"send: Sexe de la personne ?"}, false},
		{"sex, one letter short", 2, []string{"feme"}, []string{"edit: Sexe : Femme", "send: Âge de la personne (en années) ?"}, false},
		{"a required question cannot be passed: asked again", 2, []string{"passer"}, []string{"edit: Sexe de la personne ?",
			"send: Cette question est obligatoire : elle ne peut pas être passée.\n\nSexe de la personne ?"}, false},
		{"QPV, one letter too many", 4, []string{"ouii"}, []string{"edit: Habite en QPV : Oui", "send: Principale ressource de la personne ?"}, false},
		{"QPV, not known", 4, []string{"ne sait pas"}, []string{"edit: Habite en QPV : Ne sait pas", "send: Principale ressource de la personne ?"}, false},
		{"QPV, not known, phone French", 4, []string{"jsais pas"}, []string{"edit: Habite en QPV : Ne sait pas", "send: Principale ressource de la personne ?"}, false},
		{"QPV, not known, apostrophe dropped", 4, []string{"jen sais rien"}, []string{"edit: Habite en QPV : Ne sait pas", "send: Principale ressource de la personne ?"}, false},
		{"resources in a sentence, apostrophe dropped", 5, []string{"jai vu quelle a le RSA"}, []string{"edit: Principale ressource de la personne ?",
			"send: Choisissez une réponse avec les boutons.\n\nPrincipale ressource de la personne ?"}, false},
		{"resources in a short sentence", 5, []string{"elle touche le rsa"}, []string{"edit: Ressources : RSA", "send: Comment la personne a-t-elle connu le médiateur ?"}, false},
		{"QPV passed: the question again, with what to tap when the person does not know", 4, []string{"passer"}, []string{"edit: La personne habite-t-elle un quartier prioritaire (QPV) ?",
			"send: Cette question est obligatoire. Si la personne ne sait pas, touchez « Ne sait pas ».\n\nLa personne habite-t-elle un quartier prioritaire (QPV) ?"}, false},
		{"resources, not known", 5, []string{"ne sait pas"}, []string{"edit: Ressources : Non communiqué", "send: Comment la personne a-t-elle connu le médiateur ?"}, false},
		{"resources passed", 5, []string{"passer"}, []string{"edit: Principale ressource de la personne ?",
			"send: Cette question est obligatoire. Si la personne ne sait pas, touchez « Non communiqué ».\n\nPrincipale ressource de la personne ?"}, false},
		{"status without apostrophe", 11, []string{"cest en cours"}, []string{"edit: Demande 1 — Statut : En cours", "send: " + followUpQuestion}, false},
		{"follow-up: a quick date button, typed", 12, []string{"dans 2 semaines"}, []string{"edit: Demande 1 — Date de suivi : 26/03/2026", "send: Ajouter une autre demande ?"}, false},
		{"follow-up: in a few days", 12, []string{"dans 3 jours"}, []string{"edit: Demande 1 — Date de suivi : 15/03/2026", "send: Ajouter une autre demande ?"}, false},
		{"follow-up: yesterday refused", 12, []string{"hier"}, []string{"edit: " + followUpQuestion,
			"send: La date ne peut pas être passée (aujourd'hui : 12/03/2026).\n\n" + followUpQuestion}, false},
		{"follow-up: unknown words, examples in the future", 12, []string{"bientôt"}, []string{"edit: " + followUpQuestion,
			"send: Date non reconnue. Écrivez-la ainsi : 2/4 ou 02/04/2026 (ou lundi prochain, dans 2 semaines).\n\n" + followUpQuestion}, false},
		{"another request? one letter too many", 13, []string{"nonn"}, []string{"edit: Ajouter une autre demande ? Non", "send: " + obstaclesQuestion}, false},
		{"care type in the mediator's words", 15, []string{"medecin traitant"}, []string{"edit: Demande 2 — Soins : Recherche d'un professionnel de santé", "send: Demande 2 — Où en est la demande ?"}, false},
		{"obstacle typed: toggled", 18, []string{"mobilite"}, []string{"edit: " + obstaclesQuestion, "send: " + obstaclesQuestion}, false},
		{"obstacles typed, then the words of « Valider »", 18, []string{"mobilite", "logement", "valider"}, []string{"edit: Freins : Mobilité, Logement", "send: " + noteQuestion}, false},
		{"obstacles: two typed at once", 18, []string{"mobilite et logement", "ok"}, []string{"edit: Freins : Mobilité, Logement", "send: " + noteQuestion}, false},
		{"obstacles: an obstacle typed twice is untoggled", 18, []string{"mobilite", "Mobilité", "valider"}, []string{"edit: Freins : —", "send: " + noteQuestion}, false},
		{"summary: ok", 22, []string{"ok"}, nil, true},
		{"summary: enregistrer", 22, []string{"enregistrer"}, nil, true},
		{"summary: a ✏️ button's words", 22, []string{"modifier age"}, []string{"edit: " + happySummary,
			"send: Âge de la personne (en années) ?\nRéponse actuelle : 34 ans"}, false},
		{"abandon? non", 2, []string{"annuler", "non"}, []string{"edit: Saisie poursuivie.", "send: Sexe de la personne ?"}, false},
		{"abandon? nonn", 2, []string{"annuler", "nonn"}, []string{"edit: Saisie poursuivie.", "send: Sexe de la personne ?"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startFiche(t)
			play(t, c, happyPath[:tc.at])
			for _, w := range tc.typed {
				c.say(w)
			}
			if got := c.replyTexts(); strings.Join(got, "\n---\n") != strings.Join(tc.want, "\n---\n") {
				t.Fatalf("typed %q: replies\n%s\nwant\n%s", tc.typed, strings.Join(got, "\n---\n"), strings.Join(tc.want, "\n---\n"))
			}
			if (c.outcome == Save) != tc.saved {
				t.Fatalf("typed %q: outcome %v", tc.typed, c.outcome)
			}
		})
	}
}

// A known person's values proposed one by one are confirmed by « oui »,
// typed; a typed value still answers the question.
func TestTypedYesConfirmsAKnownValue(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{knownPerson()}})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui"},
		{press: "AB3CDE · F · 32 ans"},
		{say: "non", replies: []string{"edit: Dernière situation connue :\nFemme · 32 ans · QPV · Salaire — toujours vrai ?", "send: Sexe : Femme\n(déjà connu pour cette personne)"}, buttons: kbConfirm},
		{say: "oui", replies: []string{"edit: Sexe : Femme", "send: Âge : 32 ans\n(déjà connu pour cette personne)"}, buttons: kbConfirm},
		{say: "ouii", replies: []string{"edit: Âge : 32 ans", "send: Habite en QPV : Oui\n(déjà connu pour cette personne)"}, buttons: kbConfirm},
		{say: "non", replies: []string{"edit: Habite en QPV : Oui\n(déjà connu pour cette personne)", "send: La personne habite-t-elle un quartier prioritaire (QPV) ?"}},
	})
	if got := c.st.Answers.String("age"); got != "32" {
		t.Fatalf("age = %q", got)
	}
}

// A person who did not know whether they live in a QPV: their situation
// says so, not « hors QPV ».
func TestSituationOfAPersonWhoDidNotKnowTheirQPV(t *testing.T) {
	t.Parallel()
	p := knownPerson()
	p.QPV = "nsp"
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{p}})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui"},
		{press: "AB3CDE · F · 32 ans", replies: []string{"edit: Personne : AB3CDE", "send: Dernière situation connue :\nFemme · 32 ans · QPV : ne sait pas · Salaire — toujours vrai ?"}},
	})
}
