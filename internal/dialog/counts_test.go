package dialog

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/forms"
)

// Two declared counts bound by at_most, as in the annual review.
const countsYAML = `id: comptes
version: 1
title: Comptes
saved: "Enregistré."
steps:
  - id: people
    type: integer
    label: Personnes accompagnées
    question: "Combien de personnes ?"
    min: 0
    max: 99999
  - id: qpv
    type: integer
    label: Dont habitant en QPV
    question: "Dont en QPV ?"
    min: 0
    max: 99999
    at_most: people
  - id: note
    type: text
    label: Note
    max_length: 100
`

func TestACountCannotExceedTheCountItIsPartOf(t *testing.T) {
	t.Parallel()
	f, err := forms.Parse("comptes.yaml", []byte(countsYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := newChat(t, f, &fakeEnv{})
	c.apply2(Start(t.Context(), f, "r-1", c.input(), c.env))
	c.say("120")
	c.expectQuestion("Dont en QPV ?")
	before := c.st.Answers.Clone()
	c.say("121")
	c.expectReplies("send: Ce nombre ne peut pas dépasser celui de « Personnes accompagnées » (120).\n\nDont en QPV ?")
	if len(c.st.Answers) != len(before) || c.st.Pos.Step != "qpv" {
		t.Fatalf("121 changed the draft: %+v", c.st.Answers)
	}
	c.say("120") // equal is allowed
	c.expectQuestion("Note")
	if n, _ := c.st.Answers.Int("qpv"); n != 120 {
		t.Fatalf("qpv = %d, want 120", n)
	}
	c.say("rien")
	// From the summary, the whole may not drop below its part.
	c.press("✏️ Personnes accompagnées")
	c.say("119")
	c.expectReplies("send: « Dont habitant en QPV » est de 120 : écrivez au moins 120, ou corrigez d'abord « Dont habitant en QPV ».\n\nCombien de personnes ?")
	if n, _ := c.st.Answers.Int("people"); n != 120 {
		t.Fatalf("people = %d after a refused correction, want 120", n)
	}
	c.say("120")
	if n, _ := c.st.Answers.Int("people"); n != 120 || c.st.Phase != PhaseSummary {
		t.Fatalf("people = %d, phase %v: the equal correction was refused", n, c.st.Phase)
	}
}

func TestAtMostMustNameAnEarlierIntegerStep(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ at, want string }{
		{"later", `step "qpv": at_most "later" is not an earlier step`},
		{"name", `step "qpv": at_most "name" is a text step, not an integer one`},
		{"nope", `step "qpv": at_most "nope" is not an earlier step`},
	} {
		y := strings.ReplaceAll(`id: x
version: 1
title: X
saved: "ok"
steps:
  - id: name
    type: text
    label: Nom
    max_length: 10
  - id: qpv
    type: integer
    label: QPV
    at_most: AT
  - id: later
    type: integer
    label: Plus tard
`, "AT", c.at)
		_, err := forms.Parse("x.yaml", []byte(y))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("at_most %s: error %v, want %q", c.at, err, c.want)
		}
	}
}
