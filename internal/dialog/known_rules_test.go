package dialog

import (
	"testing"

	"github.com/relais-sante/relais/internal/forms"
)

func parseForm(t *testing.T, yaml string) *forms.Form {
	t.Helper()
	f, err := forms.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// personForm is a sheet with a person and the given person steps before
// the level.
func personForm(t *testing.T, personSteps string) *forms.Form {
	return parseForm(t, `id: mini
version: 1
title: Mini
saved: "Fiche {number} enregistrée."
steps:
  - id: beneficiary
    type: beneficiary
    label: Personne
    question: "Personne accompagnée ?"
`+personSteps+`
  - id: level
    type: choice
    label: Niveau
    question: "Niveau d'intervention ?"
    choices_from: levels
`)
}

const (
	sexStep = `
  - id: sex
    type: choice
    label: Sexe
    question: "Sexe de la personne ?"
    choices_from: sex
    prefill: sex
`
	qpvStep = `
  - id: qpv
    type: yesno
    label: Habite en QPV
    question: "La personne habite-t-elle un quartier prioritaire (QPV) ?"
    prefill: qpv
`
)

// A situation of one step is not a situation: the known value is proposed
// at that step as any prefill; from two steps, one message proposes them all.
func TestSituationNeedsTwoSteps(t *testing.T) {
	t.Parallel()
	one := newChat(t, personForm(t, sexStep), &fakeEnv{people: []Person{followed()}})
	one.start()
	one.press("7K9JTG · F · vue le 12/11 · CSS en cours")
	one.expectReplies("edit: Personne : 7K9JTG", "send: Sexe : Femme\n(déjà connu pour cette personne)")
	one.expectButtons(kbConfirm...)

	two := newChat(t, personForm(t, sexStep+qpvStep), &fakeEnv{people: []Person{followed()}})
	two.start()
	two.press("7K9JTG · F · vue le 12/11 · CSS en cours")
	two.expectReplies("edit: Personne : 7K9JTG", "send: Dernière situation connue (vue le 12/11) :\nFemme · QPV — toujours vrai ?")
	two.expectButtons([]string{"✅ Toujours vrai", "Modifier"})
}

// How a known person first met the mediator is not asked again, unless the
// stored code is no longer one of the choices (an old catalogue) or empty:
// then the question is asked.
func TestStaleContactModeIsAskedAgain(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ code, next string }{
		{"aller_vers", "send: Niveau d'intervention ?"},
		{"ancien_mode_de_contact", "send: Comment la personne a-t-elle connu le médiateur ?"},
		{"", "send: Comment la personne a-t-elle connu le médiateur ?"},
	} {
		p := followed()
		p.ContactMode = c.code
		chat := newChat(t, fiche(t), &fakeEnv{people: []Person{p}})
		chat.start()
		chat.press("Aujourd'hui")
		chat.press("7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours")
		chat.press("✅ Toujours vrai")
		chat.expectReplies("edit: Femme · 52 ans · QPV · RSA — toujours vrai : Oui", c.next)
	}
}

// The button that goes straight to the summary is offered when the open
// question and at least one visible question after it are optional; one
// optional question left (the next ones hidden) has its own "Passer".
func TestSkipToSummaryNeedsTwoOptionalQuestions(t *testing.T) {
	t.Parallel()
	f := parseForm(t, `id: mini
version: 1
title: Mini
saved: "Fiche {number} enregistrée."
steps:
  - id: level
    type: choice
    label: Niveau
    question: "Niveau d'intervention ?"
    choices_from: levels
  - id: obstacles
    type: multi
    label: Freins
    question: "Freins rencontrés ?"
    choices_from: obstacles
    required: false
    columns: 1
  - id: note
    type: text
    label: Note
    question: "Une note ?"
    required: false
    max_length: 280
    when: {step: level, equals: accompagne}
`)
	obstacles := [][]string{{"Complexité des démarches administratives"}, {"Mobilité"}, {"Manque d'info sur les dispositifs"}, {"Non connaissance des droits"},
		{"Handicap"}, {"Crainte de conséquences négatives"}, {"Logement"}, {"Emploi"}, {"Éducation"}, {"Ressources financières"},
		{"Barrière linguistique"}, {"Valider"}}

	// "Accompagné": obstacles, then the note, both optional.
	two := newChat(t, f, &fakeEnv{})
	two.start()
	two.press("Accompagné")
	two.expectButtons(append(obstacles, []string{"Passer"}, []string{"⏩ Passer, aller au récapitulatif"})...)

	// "Informé": the note is hidden, obstacles is the last optional question.
	one := newChat(t, f, &fakeEnv{})
	one.start()
	one.press("Informé")
	one.expectButtons(append(obstacles, []string{"Passer"})...)
}
