package bot

import (
	"strings"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/state"

	"github.com/relais-sante/relais/internal/dialog"
)

// The Telegram presenter: the engine says what happens in a form
// (dialog.Event); this file decides how Telegram shows it — which message
// a step edits, which it sends — and keeps what the chat shows beside the
// engine's state (state.Shown).

// reply is a message of a form step: sent, or edited in place.
type reply struct {
	EditMessageID int    // > 0: edit that message (text + keyboard) instead of sending a new one
	Text          string // plain text (no parse mode)
	Buttons       [][]dialog.Button
	// Question marks the message holding the open question (or the
	// summary): its id becomes Shown.QuestionMessageID once posted.
	Question bool
	Number   bool // the question is answered by a number typed (dialog.Question.Number)
}

// present turns a step's events into messages, one per event: a chosen
// answer edits the question it was chosen on into its answer line, a
// question whose choice changes it (a multiple choice toggled, a summary
// line opened) is edited in place, a withdrawn question loses its buttons;
// anything else is sent. shown is what the chat showed before the step;
// the Shown returned is what it shows after (a new question's id is 0
// until it is posted). oneCall then makes the step one call.
func present(ev event, shown state.Shown, events []dialog.Event) ([]reply, state.Shown) {
	pressed := 0 // the message a press was made on
	if ev.data != "" && ev.messageID > 0 {
		pressed = ev.messageID
	}
	var out []reply
	closeOn := func(line string, chosen bool) {
		id := shown.QuestionMessageID
		if pressed > 0 && chosen {
			id = pressed
		}
		if id > 0 && (shown.QuestionKeyboard || chosen) {
			out = append(out, reply{EditMessageID: id, Text: line})
		}
		shown.QuestionKeyboard = false
	}
	for _, e := range events {
		switch e := e.(type) {
		case dialog.Asked:
			edit := 0
			if e.InPlace {
				edit = shown.QuestionMessageID
				if pressed > 0 {
					edit = pressed
				}
			}
			text := e.Question.Full()
			out = append(out, reply{EditMessageID: edit, Text: text, Buttons: e.Question.Rows, Question: true, Number: e.Question.Number})
			shown.QuestionMessageID, shown.QuestionText, shown.QuestionKeyboard = edit, text, len(e.Question.Rows) > 0
		case dialog.Answered:
			closeOn(e.Line, e.Chosen)
		case dialog.Abandoned:
			closeOn(e.Text, true)
		case dialog.Withdrawn:
			out = append(out, withdraw(shown)...)
			shown.QuestionKeyboard = false
		case dialog.Said:
			out = append(out, reply{Text: e.Text})
		}
	}
	return out, shown
}

// withdraw takes the buttons off the open question's message, keeping its
// text (none when it has no buttons).
func withdraw(shown state.Shown) []reply {
	if shown.QuestionMessageID > 0 && shown.QuestionKeyboard {
		return []reply{{EditMessageID: shown.QuestionMessageID, Text: shown.QuestionText}}
	}
	return nil
}

// presentSaved closes a saved draft: the summary message loses its
// buttons, then the confirmation is sent with buttons ("Nouvelle fiche",
// "Terminé").
func presentSaved(shown state.Shown, saved dialog.Saved, buttons [][]dialog.Button) []reply {
	var out []reply
	if shown.QuestionMessageID > 0 {
		out = append(out, reply{EditMessageID: shown.QuestionMessageID, Text: saved.Summary})
	}
	return append(out, reply{Text: saved.Text, Buttons: buttons})
}

// stale tells a press on another message than the open question's: its
// buttons belong to a question answered or left.
func stale(ev event, shown state.Shown) bool {
	return ev.data != "" && shown.QuestionMessageID != 0 && ev.messageID != shown.QuestionMessageID
}

// oneCall rewrites a form step's replies so that a step costs one Telegram
// call, Telegram's ~30 messages per second being shared by every mediator:
//
//   - a button answer edits the message holding the question in place: the
//     answer line joins the answers already shown there (the transcript),
//     the next question and its keyboard follow; the summary replaces the
//     transcript (it repeats every answer);
//   - a typed answer gets the next question as a new message first, and
//     the old question's buttons go afterwards (a stale button is refused
//     anyway), so the user's answer never waits for that removal;
//   - on a messenger without buttons (Matrix), where every answer is typed
//     and must come below what the person typed, the answer line heads the
//     next question's message instead (« Sexe : Femme », then the
//     question): the person sees how their « 1 » was read, and the old
//     question is not edited, one message per answer.
//
// Scrolling back, a mediator reads each question message as the list of
// what was answered in it. transcript is what the open question's message
// shows above the question after the step.
func oneCall(ev event, orig state.Shown, replies []reply, summary bool) (out []reply, transcript []string) {
	held := orig.QuestionMessageID
	lines := append([]string{}, orig.Transcript...)
	pressed := ev.callback != "" && !ev.noButtons && held > 0 && ev.messageID == held
	closeAt := -1      // index in out of the answer line edit of the held message
	var notes []string // plain messages between the answer and the next question
	var later []reply
	var lead []string      // without buttons: answer lines for the next question's message
	var leadNotes []string // and the notes said after them
	for _, r := range replies {
		switch {
		case held > 0 && r.EditMessageID == held && !r.Question:
			if r.Text == orig.QuestionText { // buttons off, text unchanged
				if !pressed {
					later = append(later, r)
					continue
				}
				out = append(out, r)
				continue
			}
			if ev.noButtons {
				lead = append(lead, r.Text)
			}
			lines = append(lines, r.Text)
			r.Text = strings.Join(lines, "\n")
			if !pressed {
				later = append(later, r)
				continue
			}
			closeAt = len(out)
			out = append(out, r)
		case held > 0 && r.EditMessageID == held && r.Question:
			if summary {
				lines = nil
			}
			r.Text = withTranscript(lines, r.Text)
			out = append(out, r)
		case pressed && closeAt >= 0 && r.EditMessageID == 0 && !r.Question:
			notes = append(notes, r.Text)
		case pressed && closeAt >= 0 && r.EditMessageID == 0 && r.Question:
			kept := append(append([]string{}, lines...), notes...)
			text := r.Text
			if summary {
				kept = nil
			} else {
				text = withTranscript(kept, r.Text)
			}
			if frtext.MessageLen(text) > frtext.MaxMessage {
				out = append(out, notesOf(notes)...)
				out = append(out, r)
				lines = nil
			} else {
				out[closeAt] = reply{EditMessageID: held, Text: text, Buttons: r.Buttons, Question: true, Number: r.Number}
				lines = kept
			}
			notes, closeAt = nil, -1
		case ev.noButtons && len(lead) > 0 && r.EditMessageID == 0 && !r.Question:
			leadNotes = append(leadNotes, r.Text)
		default:
			out = append(out, notesOf(notes)...)
			notes = nil
			if r.Question && r.EditMessageID != held {
				lines = nil // a new message starts its own transcript
				if ev.noButtons && r.EditMessageID == 0 {
					// The old question stays as it was: its answer, if
					// any, and what was said after it head the new one
					// (when all fit in a message); the summary repeats
					// every answer.
					head := append(append([]string{}, lead...), leadNotes...)
					if summary {
						head = leadNotes
					}
					if text := withTranscript(head, r.Text); frtext.MessageLen(text) <= frtext.MaxMessage {
						r.Text, lines, later = text, head, nil
					} else {
						out = append(out, notesOf(leadNotes)...)
					}
					lead, leadNotes = nil, nil
				}
			}
			out = append(out, r)
		}
	}
	out = append(out, notesOf(notes)...)
	out = append(out, notesOf(leadNotes)...)
	return append(out, later...), lines
}

func notesOf(texts []string) []reply {
	out := make([]reply, 0, len(texts))
	for _, t := range texts {
		out = append(out, reply{Text: t})
	}
	return out
}

// withTranscript puts the answers so far above a question.
func withTranscript(lines []string, question string) string {
	if len(lines) == 0 {
		return question
	}
	return strings.Join(lines, "\n") + "\n\n" + question
}

// savedInPlace makes "Enregistrer" one call too: the summary it was
// pressed on keeps its answers and ends with the saved confirmation and
// its buttons, instead of losing its buttons and a new message following.
//
// On a messenger without buttons the summary stays as it was, and the
// confirmation alone comes below what the person typed.
func savedInPlace(ev event, closing []reply) []reply {
	if ev.noButtons && len(closing) == 2 && closing[0].EditMessageID != 0 && closing[1].EditMessageID == 0 {
		return closing[1:]
	}
	if len(closing) != 2 || ev.callback == "" || ev.noButtons || closing[0].EditMessageID != ev.messageID || closing[1].EditMessageID != 0 {
		return closing
	}
	text := closing[0].Text + "\n\n" + closing[1].Text
	if frtext.MessageLen(text) > frtext.MaxMessage {
		return closing
	}
	return []reply{{EditMessageID: ev.messageID, Text: text, Buttons: closing[1].Buttons}}
}
