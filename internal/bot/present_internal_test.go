package bot

import (
	"fmt"
	"testing"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/state"
)

// The Telegram presenter decides which message each event of a step edits
// and which it sends, from what the chat shows; oneCall then merges them.
func TestPresentPlacesEachEvent(t *testing.T) {
	t.Parallel()
	sex := dialog.Question{Kind: dialog.KindStep, Text: "Sexe ?", Rows: [][]dialog.Button{{{Text: "Femme", Data: "d:c:sex:F"}}}}
	age := dialog.Question{Kind: dialog.KindStep, Text: "Âge ?"}
	refusedAge := dialog.Question{Kind: dialog.KindStep, Problem: "Écrivez un nombre.", Text: "Âge ?"}
	press := func(id int) event { return event{data: "d:x", callback: "cb", messageID: id} }
	typed := event{text: "34", typedID: 900}
	cases := []struct {
		name   string
		ev     event
		shown  state.Shown
		events []dialog.Event
		want   []string
		after  state.Shown
	}{
		{"a pressed answer edits the pressed question, the next one is sent",
			press(50), state.Shown{QuestionMessageID: 50, QuestionText: "Sexe ?", QuestionKeyboard: true},
			[]dialog.Event{dialog.Answered{Line: "Sexe : Femme", Chosen: true}, dialog.Asked{Question: age}},
			[]string{"edit 50: Sexe : Femme []", "send question: Âge ? []"},
			state.Shown{QuestionText: "Âge ?"}},
		{"a typed answer leaves a question without buttons as it is",
			typed, state.Shown{QuestionMessageID: 51, QuestionText: "Âge ?"},
			[]dialog.Event{dialog.Answered{Line: "Âge : 34 ans"}, dialog.Asked{Question: sex}},
			[]string{"send question: Sexe ? [[{Femme d:c:sex:F}]]"},
			state.Shown{QuestionText: "Sexe ?", QuestionKeyboard: true}},
		{"words typed for a button close the question that has it",
			event{text: "femme"}, state.Shown{QuestionMessageID: 52, QuestionText: "Sexe ?", QuestionKeyboard: true},
			[]dialog.Event{dialog.Answered{Line: "Sexe : Femme", Chosen: true}, dialog.Asked{Question: age}},
			[]string{"edit 52: Sexe : Femme []", "send question: Âge ? []"},
			state.Shown{QuestionText: "Âge ?"}},
		{"a question changed by a press is edited where it was pressed",
			press(53), state.Shown{QuestionMessageID: 53, QuestionText: "Sexe ?", QuestionKeyboard: true},
			[]dialog.Event{dialog.Asked{Question: sex, InPlace: true}},
			[]string{"edit 53 question: Sexe ? [[{Femme d:c:sex:F}]]"},
			state.Shown{QuestionMessageID: 53, QuestionText: "Sexe ?", QuestionKeyboard: true}},
		{"a withdrawn question loses its buttons, its text stays",
			event{text: "retour"}, state.Shown{QuestionMessageID: 54, QuestionText: "Sexe ?", QuestionKeyboard: true},
			[]dialog.Event{dialog.Withdrawn{}, dialog.Asked{Question: age}},
			[]string{"edit 54: Sexe ? []", "send question: Âge ? []"},
			state.Shown{QuestionText: "Âge ?"}},
		{"a withdrawn question without buttons is not touched; a refusal goes above the question",
			typed, state.Shown{QuestionMessageID: 55, QuestionText: "Âge ?"},
			[]dialog.Event{dialog.Withdrawn{}, dialog.Asked{Question: refusedAge}},
			[]string{"send question: Écrivez un nombre.\n\nÂge ? []"},
			state.Shown{QuestionText: "Écrivez un nombre.\n\nÂge ?"}},
		{"a note is sent; the question stays where it is",
			typed, state.Shown{QuestionMessageID: 56, QuestionText: "Âge ?"},
			[]dialog.Event{dialog.Said{Text: "C'est la première question."}},
			[]string{"send: C'est la première question. []"},
			state.Shown{QuestionMessageID: 56, QuestionText: "Âge ?"}},
		{"an abandon confirmed edits the question it was pressed on",
			press(57), state.Shown{QuestionMessageID: 57, QuestionText: "Abandonner ?", QuestionKeyboard: true},
			[]dialog.Event{dialog.Abandoned{Text: "Saisie abandonnée."}},
			[]string{"edit 57: Saisie abandonnée. []"},
			state.Shown{QuestionMessageID: 57, QuestionText: "Abandonner ?"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, after := present(c.ev, c.shown, c.events)
			var got []string
			for _, r := range out {
				kind := "send"
				if r.EditMessageID > 0 {
					kind = fmt.Sprintf("edit %d", r.EditMessageID)
				}
				if r.Question {
					kind += " question"
				}
				got = append(got, fmt.Sprintf("%s: %s %v", kind, r.Text, r.Buttons))
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
				t.Errorf("replies =\n%q\nwant\n%q", got, c.want)
			}
			if fmt.Sprint(after) != fmt.Sprint(c.after) {
				t.Errorf("shown after = %+v, want %+v", after, c.after)
			}
		})
	}
}

// A press on any other message than the open question's is refused
// before the engine: its buttons belong to a question answered or left.
func TestStalePress(t *testing.T) {
	t.Parallel()
	shown := state.Shown{QuestionMessageID: 60, QuestionKeyboard: true}
	cases := []struct {
		ev    event
		shown state.Shown
		want  bool
	}{
		{event{data: "d:c:sex:F", messageID: 60}, shown, false},
		{event{data: "d:c:sex:F", messageID: 59}, shown, true},
		{event{data: "d:c:sex:F", messageID: 59}, state.Shown{}, false}, // the question's message is unknown
		{event{text: "femme"}, shown, false},
	}
	for _, c := range cases {
		if got := stale(c.ev, c.shown); got != c.want {
			t.Errorf("stale(%+v, %+v) = %v, want %v", c.ev, c.shown, got, c.want)
		}
	}
}
