package bot

import (
	"strings"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/state"

	"github.com/relais-sante/relais/internal/dialog"
)

// oneCall rewrites a form step's replies so that a step costs one Telegram
// call, Telegram's ~30 messages per second being shared by every mediator:
//
//   - a button answer edits the message holding the question in place: the
//     answer line joins the answers already shown there (the transcript),
//     the next question and its keyboard follow; the summary replaces the
//     transcript (it repeats every answer);
//   - a typed answer gets the next question as a new message first, and
//     the old question's buttons go afterwards (a stale button is refused
//     anyway), so the user's answer never waits for that removal.
//
// Scrolling back, a mediator reads each question message as the list of
// what was answered in it. transcript is what the open question's message
// shows above the question after the step.
func oneCall(ev event, orig state.Draft, replies []dialog.Reply, summary bool) (out []dialog.Reply, transcript []string) {
	held := orig.QuestionMessageID
	lines := append([]string{}, orig.Transcript...)
	pressed := ev.callback != "" && held > 0 && ev.messageID == held
	closeAt := -1      // index in out of the answer line edit of the held message
	var notes []string // plain messages between the answer and the next question
	var later []dialog.Reply
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
				out[closeAt] = dialog.Reply{EditMessageID: held, Text: text, Buttons: r.Buttons, Question: true}
				lines = kept
			}
			notes, closeAt = nil, -1
		default:
			out = append(out, notesOf(notes)...)
			notes = nil
			out = append(out, r)
			if r.Question && r.EditMessageID != held {
				lines = nil // a new message starts its own transcript
			}
		}
	}
	out = append(out, notesOf(notes)...)
	return append(out, later...), lines
}

func notesOf(texts []string) []dialog.Reply {
	out := make([]dialog.Reply, 0, len(texts))
	for _, t := range texts {
		out = append(out, dialog.Reply{Text: t})
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
func savedInPlace(ev event, closing []dialog.Reply) []dialog.Reply {
	if len(closing) != 2 || ev.callback == "" || closing[0].EditMessageID != ev.messageID || closing[1].EditMessageID != 0 {
		return closing
	}
	text := closing[0].Text + "\n\n" + closing[1].Text
	if frtext.MessageLen(text) > frtext.MaxMessage {
		return closing
	}
	return []dialog.Reply{{EditMessageID: ev.messageID, Text: text, Buttons: closing[1].Buttons}}
}
