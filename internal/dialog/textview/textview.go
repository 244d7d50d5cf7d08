// Package textview shows the engine's questions as plain text, for a
// transport without buttons: the choices are numbered from 1, one per
// line, with the labels Telegram puts on its buttons, and a typed number
// or label is read back as the data the engine takes (dialog.Input.Data),
// so the engine runs unchanged behind it.
package textview

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/frtext"
)

// MultiHint ends a multiple choice: several numbers are taken at once.
const MultiHint = "Plusieurs réponses possibles : écrivez leurs numéros (par exemple 1 3), puis « Valider »."

// Show is question q as one text: its text, then its choices numbered
// from 1 in reading order, one per line.
func Show(q dialog.Question) string {
	var b strings.Builder
	b.WriteString(q.Full())
	choices := q.Choices()
	if len(choices) > 0 {
		b.WriteString("\n")
	}
	for i, c := range choices {
		b.WriteString("\n" + strconv.Itoa(i+1) + ". " + c.Label)
	}
	if q.Multi {
		b.WriteString("\n\n" + MultiHint)
	}
	return b.String()
}

// Read is what typed text chooses among q's choices, as the data the
// engine takes, in order: a number (1 for the first choice) or a label,
// without regard to case, accents or a leading emoji (« valider »,
// « ✅ Mobilité », « mobilite »). At a multiple choice several numbers
// choose several choices (« 1 3 », « 1, 3 et 5 »). False when the text
// names no choice, or names one out of range: the text is then an answer
// for the engine to read.
func Read(q dialog.Question, typed string) ([]string, bool) {
	choices := q.Choices()
	if len(choices) == 0 {
		return nil, false
	}
	if numbers, ok := numbersOf(typed); ok {
		if len(numbers) > 1 && !q.Multi {
			return nil, false
		}
		var data []string
		for _, n := range numbers {
			if n < 1 || n > len(choices) {
				return nil, false
			}
			data = append(data, choices[n-1].Data)
		}
		return data, true
	}
	want := key(typed)
	if want == "" {
		return nil, false
	}
	for _, c := range choices {
		if key(c.Label) == want {
			return []string{c.Data}, true
		}
	}
	return nil, false
}

// numbersOf reads « 2 », « 1 3 », « 1, 3 et 5 »; false when anything else
// is typed.
func numbersOf(typed string) ([]int, bool) {
	fields := strings.FieldsFunc(strings.ToLower(typed), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == '+'
	})
	var out []int
	for _, f := range fields {
		if f == "et" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(f, "."))
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

// key is a label as it is matched (frtext.LabelKey).
func key(s string) string { return frtext.LabelKey(s) }
