package dialog

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/forms"
)

// recordEnv lists the mediator's partners in memory.
type recordEnv struct {
	fakeEnv
	partners []Record
}

func (e *recordEnv) Records(_ context.Context, source string) ([]Record, error) {
	if e.fail {
		return nil, errors.New("database down")
	}
	if source != "partners" {
		return nil, nil
	}
	return e.partners, nil
}

const partnerYAML = `id: act
version: 1
title: Action
steps:
  - id: partner
    type: record
    source: partners
    label: Partenaire
    question: "Avec quel partenaire ?"
    required: false
    other: "Autre partenaire"
    none: "Ajoutez vos partenaires avec /partenaires."
  - id: partner_type
    type: choice
    label: Type
    when: {step: partner, in: [autre]}
    choices_from: partner_types
  - id: n
    type: integer
    label: Participants
    min: 0
    max: 100
`

func TestRecordStep(t *testing.T) {
	t.Parallel()
	f, err := forms.Parse("act.yaml", []byte(partnerYAML))
	if err != nil {
		t.Fatal(err)
	}
	env := &recordEnv{partners: []Record{{ID: 12, Label: "CPAM de Roubaix"}, {ID: 7, Label: "Centre social Linné"}, {ID: 9, Label: "Centre social Ouest"}}}
	type turn struct {
		say, press string
		replies    []string // prefixes of the replies, in order
		buttons    string   // the open question's buttons, "|"-joined ("" = not checked)
	}
	partnerButtons := "CPAM de Roubaix|Centre social Linné|Centre social Ouest|Autre partenaire|Passer"
	cases := []struct {
		name    string
		turns   []turn
		answers string // the partner answer: "<id> <label>", "autre", or "-" for none
	}{
		{"press a registered partner: its type is not asked", []turn{
			{press: "Centre social Ouest", replies: []string{"edit: Partenaire : Centre social Ouest", "send: Participants"}},
		}, "9 Centre social Ouest"},
		{"other partner asks the type", []turn{
			{press: "Autre partenaire", replies: []string{"edit: Partenaire : Autre partenaire", "send: Type"}},
		}, "autre"},
		{"typed name, any case", []turn{
			{say: "cpam de roubaix", replies: []string{"edit: Partenaire : CPAM de Roubaix", "send: Participants"}},
		}, "12 CPAM de Roubaix"},
		{"typed part of a name, ambiguous then unique", []turn{
			{say: "centre", replies: []string{"edit: Avec quel partenaire", "send: Plusieurs noms contiennent « centre » : Centre social Linné, Centre social Ouest."}, buttons: partnerButtons},
			{say: "linne", replies: []string{"edit: Partenaire : Centre social Linné", "send: Participants"}},
		}, "7 Centre social Linné"},
		{"unknown name changes nothing", []turn{
			{say: "Mairie", replies: []string{"edit: Avec quel partenaire", "send: Aucun nom de votre liste ne contient « Mairie »"}, buttons: partnerButtons},
		}, "-"},
		{"typed other", []turn{
			{say: "autre", replies: []string{"edit: Partenaire : Autre partenaire", "send: Type"}},
		}, "autre"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newChat(t, f, env)
			c.start()
			if got := strings.Join(buttonTexts(c.question().Buttons)[0], "|"); got != "CPAM de Roubaix" {
				t.Fatalf("first row = %s", got)
			}
			for _, tr := range tc.turns {
				if tr.press != "" {
					c.press(tr.press)
				} else {
					c.say(tr.say)
				}
				c.expectReplies(tr.replies...)
				if tr.buttons != "" {
					if got := flat(c.question().Buttons); got != tr.buttons {
						t.Fatalf("buttons = %s, want %s", got, tr.buttons)
					}
				}
			}
			v, ok := c.st.Answers["partner"]
			got := "-"
			if ok {
				got = strings.TrimSpace(v.Code + " " + v.Text)
			}
			if got != tc.answers {
				t.Fatalf("partner answer = %q, want %q", got, tc.answers)
			}
		})
	}

	t.Run("a partner no longer listed is refused", func(t *testing.T) {
		c := newChat(t, f, env)
		c.start()
		res := c.pressData(c.questionID, forms.Data(forms.ActChoose, "partner", "999"))
		if res.Notice != "Ce choix n'est plus dans votre liste." || len(res.Events) != 0 {
			t.Fatalf("notice %q, replies %v", res.Notice, c.replyTexts())
		}
		if _, ok := c.st.Answers["partner"]; ok {
			t.Fatal("a forged partner id was recorded")
		}
	})

	t.Run("no partners yet: only other and a hint", func(t *testing.T) {
		c := newChat(t, f, &recordEnv{})
		c.start()
		q := c.question()
		if !strings.Contains(q.Text, "Ajoutez vos partenaires avec /partenaires.") || flat(q.Buttons) != "Autre partenaire|Passer" {
			t.Fatalf("question %q buttons %s", q.Text, flat(q.Buttons))
		}
	})

	t.Run("many partners: eight buttons and a hint to type", func(t *testing.T) {
		many := &recordEnv{}
		for i := range 12 {
			many.partners = append(many.partners, Record{ID: int64(i + 1), Label: "Partenaire " + strconv.Itoa(i+1)})
		}
		c := newChat(t, f, many)
		c.start()
		q := c.question()
		if n := len(q.Buttons); n != 10 || !strings.Contains(q.Text, "Écrivez une partie du nom") {
			t.Fatalf("%d rows, text %q", n, q.Text)
		}
		c.say("partenaire 11") // not a button, found by typing
		if got := c.st.Answers["partner"]; got.Code != "11" {
			t.Fatalf("typed partner = %+v", got)
		}
	})

	t.Run("a whole typed name wins over names that contain it", func(t *testing.T) {
		c := newChat(t, f, &recordEnv{partners: []Record{{ID: 3, Label: "CPAM de Roubaix"}, {ID: 4, Label: "CPAM"}}})
		c.start()
		c.say("cpam")
		if got := c.st.Answers["partner"]; got.Code != "4" {
			t.Fatalf("typed partner = %+v, want CPAM itself", got)
		}
	})

	t.Run("listing fails: the draft does not change", func(t *testing.T) {
		broken := &recordEnv{partners: env.partners}
		c := newChat(t, f, broken)
		c.start()
		before := c.st
		broken.fail = true
		c.say("cpam")
		if c.err == nil || len(c.st.Answers) != len(before.Answers) {
			t.Fatalf("err %v, answers %v", c.err, c.st.Answers)
		}
	})
}

func flat(rows [][]Button) string {
	var out []string
	for _, row := range rows {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return strings.Join(out, "|")
}

// Changing the partner from the summary asks the type only when it becomes
// "other", and drops it when a registry partner replaces "other".
func TestRecordStepEditedFromTheSummary(t *testing.T) {
	t.Parallel()
	f, err := forms.Parse("act.yaml", []byte(partnerYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := newChat(t, f, &recordEnv{partners: []Record{{ID: 12, Label: "CPAM de Roubaix"}}})
	c.start()
	c.press("CPAM de Roubaix")
	c.say("12")
	c.expectQuestion("Récapitulatif")
	if strings.Contains(c.question().Text, "Type :") {
		t.Fatalf("type shown for a registry partner:\n%s", c.question().Text)
	}
	c.press("✏️ Partenaire")
	c.press("Autre partenaire")
	c.expectQuestion("Type") // now needed, asked before the summary
	c.press("Association")
	c.expectQuestion("Récapitulatif")
	if !strings.Contains(c.question().Text, "Partenaire : Autre partenaire\nType : Association") {
		t.Fatalf("summary:\n%s", c.question().Text)
	}
	c.press("✏️ Partenaire")
	c.press("CPAM de Roubaix")
	c.expectQuestion("Récapitulatif")
	if _, ok := c.st.Answers["partner_type"]; ok || strings.Contains(c.question().Text, "Type :") {
		t.Fatalf("the type of an \"other\" partner was kept:\n%s", c.question().Text)
	}
}
