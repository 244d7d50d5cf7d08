package dialog

import (
	"context"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/forms"
)

// A review-like form: no beneficiary, values prefilled by the Env, an
// optional group, a required multiple choice, free text.
const reviewYAML = `id: revue
version: 1
title: Bilan
saved: "Bilan {year} enregistré."
steps:
  - id: identified
    type: yesno
    label: Identifié
    question: "Êtes-vous identifié sur le territoire ?"
  - id: partners
    type: integer
    label: Partenaires santé
    min: 0
    prefill: partners_sanitaire
  - id: needs
    type: multi
    label: Besoins
    choices_from: health_needs
  - id: bodies
    type: group
    label: Instances
    item: Instance
    more: "Une autre instance ?"
    required: false
    max_items: 2
    steps:
      - id: body
        type: text
        label: Nom
        max_length: 40
  - id: helped
    type: text
    label: Leviers
    max_length: 500
`

type prefillEnv struct{ fakeEnv }

func (prefillEnv) Prefill(_ context.Context, key string) (string, bool, error) {
	if key == "partners_sanitaire" {
		return "4", true, nil
	}
	return "", false, nil
}

func TestGenericForm(t *testing.T) {
	t.Parallel()
	f, err := forms.Parse("revue.yaml", []byte(reviewYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := newChat(t, f, &prefillEnv{})
	c.apply2(Start(t.Context(), f, "2026", c.input(), c.env))

	c.expectQuestion("Êtes-vous identifié sur le territoire ?")
	c.expectButtons(kbYesNo...)
	c.press("Non")
	c.expectReplies("edit: Identifié : Non", "send: Partenaires santé : 4\n(valeur proposée)")
	c.press("✅ Confirmer")
	c.expectReplies("edit: Partenaires santé : 4", "send: Besoins")

	// A required multiple choice cannot be validated empty.
	in := Input{Data: forms.Data(forms.ActValidate, "needs"), Now: c.now}
	if res, err := Step(t.Context(), f, c.st, in, c.env); err != nil || res.Notice != "Choisissez au moins une réponse, puis « Valider »." || len(res.Events) != 0 {
		t.Fatalf("empty required multi: %+v", res)
	}
	c.press("Nutrition")
	c.press("Valider")
	// The optional group can be passed as a whole from its first question.
	c.expectReplies("edit: Besoins : Nutrition", "send: Instance 1 — Nom")
	c.expectButtons([]string{"Passer"})
	c.say("/passer")
	c.expectReplies("edit: Instances : —", "send: Leviers")
	c.say("/passer")
	c.expectReplies("send: Cette question est obligatoire")
	c.say(strings.Repeat("x", 501))
	c.expectReplies("send: Texte trop long : 501 caractères, 500 au plus.")
	c.say("La CPAM.")
	c.expectQuestion("Récapitulatif — Bilan\nIdentifié : Non\nPartenaires santé : 4\nBesoins : Nutrition\nInstances : —\nLeviers : La CPAM.")
	c.expectButtons([]string{"✏️ Identifié", "✏️ Partenaires santé"}, []string{"✏️ Besoins"}, []string{"✏️ Instances"}, []string{"✏️ Leviers"}, []string{"✅ Enregistrer"})
	if !c.st.Answers.Skipped("bodies") || c.st.Answers.String("partners") != "4" {
		t.Fatalf("answers = %+v", c.st.Answers)
	}

	// Adding group items from the summary; max_items stops the "another?" question.
	c.press("✏️ Instances")
	c.say("Conseil local de santé mentale")
	c.expectReplies("edit: Instance 1 — Nom : Conseil local de santé mentale", "send: Une autre instance ?")
	c.press("Oui")
	c.say("CLS")
	c.expectReplies("send: Récapitulatif")
	if items := c.st.Answers.Items("bodies"); len(items) != 2 || items[1].String("body") != "CLS" {
		t.Fatalf("bodies = %+v", items)
	}
	c.expectButtons([]string{"✏️ Identifié", "✏️ Partenaires santé"}, []string{"✏️ Besoins"},
		[]string{"✏️ Instance 1", "🗑 Instance 1"}, []string{"✏️ Instance 2", "🗑 Instance 2"}, []string{"✏️ Leviers"}, []string{"✅ Enregistrer"})
	c.press("🗑 Instance 1")
	c.press("🗑 Instance 1")
	if !c.st.Answers.Skipped("bodies") {
		t.Fatalf("removing every item of an optional group should leave it passed: %+v", c.st.Answers["bodies"])
	}
	c.press("✅ Enregistrer")
	if c.outcome != Save {
		t.Fatal("not saved")
	}
	if got := f.SavedText(map[string]string{"year": "2026"}); got != "Bilan 2026 enregistré." {
		t.Fatal(got)
	}
}
