package dialog

import (
	"strings"

	"github.com/relais-sante/relais/internal/forms"
)

// Event is one thing that happened in the conversation, in the order it
// happened: a question asked, an answer recorded, a note… The engine says
// what happens; a presenter per transport decides how it looks (which
// message it edits, whether choices are buttons or numbered lines) and
// keeps what it needs of its own (message ids, what each message shows).
type Event interface{ event() }

// Kind tells what a question asks for.
type Kind string

// Kinds of questions.
const (
	KindStep    Kind = "step"    // a step of the form (or « add another? »)
	KindSummary Kind = "summary" // the summary, waiting for « Enregistrer » or a change
	KindCancel  Kind = "cancel"  // « Abandonner la saisie ? »
)

// Button is one choice of a question: its label, and the data the engine
// takes back (Input.Data) when it is chosen. Telegram shows it as a button.
type Button struct{ Text, Data string }

// Question is the open question (or the summary) as the user must see it.
type Question struct {
	Kind Kind
	// Problem says why the last answer was refused, above the question.
	Problem string
	Text    string
	// Rows are the choices, in order, grouped as they read best side by
	// side (short labels together); nil when the answer is typed.
	Rows [][]Button
	// Multi marks a multiple choice: choices are toggled, then « Valider ».
	Multi bool
	// Number marks a question answered by a number typed: a messenger
	// without buttons must read « 1 » as the number, not as its first
	// choice (« Passer », « ✅ Confirmer »).
	Number bool
}

// Full is the question with the refusal that asks it again, as one text.
func (q Question) Full() string {
	if q.Problem == "" {
		return q.Text
	}
	return q.Problem + "\n\n" + q.Text
}

// Choice is a choice of a question in reading order.
type Choice struct {
	Label string
	Data  string // what Input.Data takes to choose it
	// Control marks a choice that acts on the conversation (« Valider »,
	// « Passer », « Enregistrer », « Modifier »…) rather than being an
	// answer to the question.
	Control bool
}

// controls are the actions that act on the conversation rather than answer.
var controls = map[string]bool{
	forms.ActSkip: true, forms.ActValidate: true, forms.ActSave: true, forms.ActEdit: true,
	forms.ActRemove: true, forms.ActAddItem: true, forms.ActConfirm: true, forms.ActModify: true,
	forms.ActNewPerson: true, forms.ActOldPerson: true, forms.ActCancel: true,
}

// Choices lists the question's choices in reading order, numbered from 1
// by a transport without buttons.
func (q Question) Choices() []Choice {
	var out []Choice
	for _, row := range q.Rows {
		for _, b := range row {
			act, _, _ := forms.ParseData(b.Data)
			out = append(out, Choice{Label: b.Text, Data: b.Data, Control: controls[act]})
		}
	}
	return out
}

// Asked: a question is open. InPlace says it takes the place of the one it
// was chosen from (a multiple choice toggled, a summary line to change):
// a transport that can change a shown message changes that one.
type Asked struct {
	Question Question
	InPlace  bool
}

// Answered: the open question got its answer; Line says it (« Sexe :
// Femme »). Chosen tells the answer was one of the question's choices
// (pressed, or its words typed).
type Answered struct {
	Line   string
	Chosen bool
}

// Withdrawn: the open question is left unanswered (another one follows,
// or the draft is dropped); it stays as it was asked, without its choices.
type Withdrawn struct{}

// Said: a note for the user (a new person's code, a hint, the form updated).
type Said struct{ Text string }

// Abandoned: the user confirmed cancelling; Text closes the conversation.
type Abandoned struct{ Text string }

// Saved: the record was saved. Summary is the summary without its
// choices, Text the form's confirmation.
type Saved struct{ Summary, Text string }

func (Asked) event()     {}
func (Answered) event()  {}
func (Withdrawn) event() {}
func (Said) event()      {}
func (Abandoned) event() {}
func (Saved) event()     {}

// SavedEvent is what closes a saved draft: the summary as it was confirmed,
// and the form's confirmation with {number} and other placeholders filled
// from vars.
func SavedEvent(f *forms.Form, st State, vars map[string]string) Saved {
	return Saved{Summary: SummaryText(f, st), Text: f.SavedText(vars)}
}

// SummaryText is the summary of a finished draft without its buttons, for
// the transport to leave in the chat once the record is saved.
func SummaryText(f *forms.Form, st State) string {
	r := &run{f: f, st: st}
	text, _ := r.summary()
	if i := strings.LastIndex(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	return text
}
