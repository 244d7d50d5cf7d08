package dialog

import (
	"fmt"
	"strings"
	"testing"
)

// eventLine is an event as the tests read it.
func eventLine(e Event) string {
	switch e := e.(type) {
	case Asked:
		var choices []string
		for _, c := range e.Question.Choices() {
			mark := ""
			if c.Control {
				mark = "!"
			}
			choices = append(choices, mark+c.Label+"="+c.Data)
		}
		line := fmt.Sprintf("ask %s: %s %v", e.Question.Kind, e.Question.Full(), choices)
		if e.Question.Multi {
			line += " multi"
		}
		if e.Question.Number {
			line += " number"
		}
		if e.InPlace {
			line += " in place"
		}
		return line
	case Answered:
		return fmt.Sprintf("answer: %s (chosen %v)", e.Line, e.Chosen)
	case Withdrawn:
		return "withdrawn"
	case Said:
		return "say: " + e.Text
	case Abandoned:
		return "abandoned: " + e.Text
	}
	return fmt.Sprintf("%#v", e)
}

// Step says what happens, whatever the transport shows of it: each input
// of a sheet, pressed or typed, and the events it gives, in order.
func TestStepEvents(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{codes: []string{"K7M2QX"}})
	res := c.start()
	date := "ask step: Date de l'accompagnement ?\nTouchez un bouton ou écrivez la date, par exemple 10/3 ou 10/03/2026.\nÀ tout moment : retour · passer · annuler · aide. [Aujourd'hui=d:q:date:today Hier=d:q:date:yesterday]"
	person := "ask step: Personne accompagnée ?\nAucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).\nÀ tout moment : retour · passer · annuler · aide. [!Nouvelle personne=d:n:beneficiary !Personne déjà suivie=d:o:beneficiary]"
	turns := []struct {
		press, say string
		want       []string
	}{
		{press: "Aujourd'hui", want: []string{"answer: Date : 12/03/2026 (chosen true)", person}},
		{say: "retour", want: []string{"withdrawn", "ask step: Date de l'accompagnement ?\nTouchez un bouton ou écrivez la date, par exemple 10/3 ou 10/03/2026.\nÀ tout moment : retour · passer · annuler · aide.\nRéponse actuelle : 12/03/2026 [Aujourd'hui=d:q:date:today Hier=d:q:date:yesterday]"}},
		{say: "hier", want: []string{"answer: Date : 11/03/2026 (chosen true)", person}},
		{say: "/quoi", want: []string{"say: " + commandsHelp}},
		{press: "Nouvelle personne", want: []string{
			"answer: Personne : K7M2QX (nouvelle personne) (chosen true)",
			"say: Code de la personne : K7M2QX — notez-le sans son nom (carnet, téléphone). À sa prochaine visite, elle sera proposée sous « Personne accompagnée ? » avec la date de sa dernière visite.",
			"ask step: Sexe de la personne ? [Femme=d:c:sex:F Homme=d:c:sex:M Non binaire=d:c:sex:X]",
		}},
		{press: "Femme", want: []string{"answer: Sexe : Femme (chosen true)", "ask step: Âge de la personne (en années) ? [] number"}},
		{say: "trois cents", want: []string{"withdrawn", "ask step: Écrivez un nombre entier entre 0 et 120 ans.\n\nÂge de la personne (en années) ? [] number"}},
		{say: "34", want: []string{"answer: Âge : 34 ans (chosen false)", "ask step: La personne habite-t-elle un quartier prioritaire (QPV) ? [Oui=d:c:qpv:oui Non=d:c:qpv:non Ne sait pas=d:c:qpv:nsp]"}},
		{say: "annuler", want: []string{"withdrawn", "ask cancel: Abandonner la saisie « Fiche d'accompagnement » ? Les réponses seront perdues. [!Oui, abandonner=d:x:1 !Non, continuer=d:x:0]"}},
		{press: "Oui, abandonner", want: []string{"abandoned: Fiche abandonnée."}},
	}
	if got := eventLine(res.Events[0]); len(res.Events) != 1 || got != date {
		t.Fatalf("start: %q", got)
	}
	for i, tr := range turns {
		if tr.press != "" {
			res = c.press(tr.press)
		} else {
			res = c.say(tr.say)
		}
		var got []string
		for _, e := range res.Events {
			got = append(got, eventLine(e))
		}
		if strings.Join(got, "\n") != strings.Join(tr.want, "\n") {
			t.Fatalf("turn %d (%q%q): events\n%s\nwant\n%s", i, tr.press, tr.say, strings.Join(got, "\n"), strings.Join(tr.want, "\n"))
		}
	}
	if c.outcome != Cancelled {
		t.Fatalf("outcome = %v, want Cancelled", c.outcome)
	}
}
