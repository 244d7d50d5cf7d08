// Package followup is the follow-up message: the one place where a list of
// a mediator's requests is shown with their status buttons. The morning
// reminder (internal/reminders) and /suivis (internal/bot) both send it, and
// a button press redraws it from PostgreSQL. Each entry names its request by
// sheet number and rank ("Fiche n° 12, demande 1"), the numbers the mediator
// saw when saving; the redraw reads them back from the message text.
package followup

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
)

// MaxPerMessage bounds a message to what a phone shows comfortably (two rows
// of buttons per request).
const MaxPerMessage = 10

// Callback data of the buttons: "r:<request id>:<action>", and for a
// postponement ":<follow-up date shown, YYYYMMDD or empty>" so a second tap
// is recognised; at most 40 bytes.
const (
	CallbackPrefix = "r"
	ActResolved    = "res"
	ActUnresolved  = "non"
	ActAbandoned   = "aba"
	ActPostpone    = "rep"
	ActUndo        = "und" // reopen a request closed from this message, within store.UndoWindow
)

// callbackDate is the layout of the follow-up date in a postpone button.
const callbackDate = "20060102"

// ParsePostponed reads the follow-up date carried by a postpone button (nil: none).
func ParsePostponed(s string) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	d, err := time.Parse(callbackDate, s)
	if err != nil {
		return nil, false
	}
	return &d, true
}

// PostponeDays is how far "Reporter d'une semaine" moves the follow-up date.
const PostponeDays = 7

// Headings of the two kinds of follow-up messages.
const (
	HeadingDaily = "Bonjour ! Des demandes attendent votre suivi aujourd'hui :"
	HeadingOpen  = "Vos demandes en cours, les plus anciennes d'abord :"
)

// Line is one request of a follow-up message.
type Line struct {
	store.FollowUp
	// Postponed marks a request postponed from this message: it stays open
	// but is shown as handled, without buttons.
	Postponed bool
}

// StatusAction maps a button action to the status it records.
var StatusAction = map[string]string{
	ActResolved:   store.StatusResolved,
	ActUnresolved: store.StatusUnresolved,
	ActAbandoned:  store.StatusAbandoned,
}

var closedMark = map[string]string{
	store.StatusResolved:   "✅ Résolue",
	store.StatusUnresolved: "❌ Non résolue",
	store.StatusAbandoned:  "🚫 Abandonnée",
}

const postponedMark = "⏭ Reportée au "

// Render builds the text and buttons of a follow-up message: heading, then
// one entry per line, then footer (may be empty). There are no buttons when
// no request is left to act on.
func Render(heading string, lines []Line, footer string, today time.Time) (string, [][]telegram.Button) {
	var sb strings.Builder
	sb.WriteString(heading)
	var rows [][]telegram.Button
	numbered := len(lines) > 1
	for i, l := range lines {
		n := i + 1
		fmt.Fprintf(&sb, "\n\n%d. Fiche n° %d, demande %d — %s — %s\n", n, l.SheetNumber, l.Position,
			l.SheetDate.Format("02/01/2006"), l.Beneficiary)
		sb.WriteString(codes.RequestKinds.Label(l.Kind) + " · " + codes.RequestTypes(l.Kind).Label(l.Type) + " — ")
		switch {
		case l.Status != store.StatusOpen:
			sb.WriteString(closedMark[l.Status])
			if l.ClosedAt != nil && today.Sub(*l.ClosedAt) < store.UndoWindow {
				undo := "↩ Annuler « " + strings.TrimLeft(closedMark[l.Status], "✅❌🚫 ") + " »"
				if numbered {
					undo = strconv.Itoa(n) + " · " + undo
				}
				rows = append(rows, []telegram.Button{{Text: undo, Data: fmt.Sprintf("%s:%d:%s:%s", CallbackPrefix, l.ID, ActUndo, l.Status)}})
			}
			continue
		case l.Postponed && l.FollowUpOn != nil:
			sb.WriteString(postponedMark + l.FollowUpOn.Format("02/01/2006"))
			continue
		}
		sb.WriteString(daysOpen(l.DaysOpen(today)))
		if l.FollowUpOn != nil && store.Day(*l.FollowUpOn).After(store.Day(today)) {
			sb.WriteString(", suivi prévu le " + l.FollowUpOn.Format("02/01/2006"))
		}
		label := func(s string) string {
			if numbered {
				return strconv.Itoa(n) + " · " + s
			}
			return s
		}
		data := func(act string) string { return fmt.Sprintf("%s:%d:%s", CallbackPrefix, l.ID, act) }
		shown := ""
		if l.FollowUpOn != nil {
			shown = l.FollowUpOn.Format(callbackDate)
		}
		rows = append(rows,
			[]telegram.Button{{Text: label("Résolue"), Data: data(ActResolved)}, {Text: label("Non résolue"), Data: data(ActUnresolved)}},
			[]telegram.Button{{Text: label("Abandonnée"), Data: data(ActAbandoned)}, {Text: label("Reporter d'une semaine"), Data: data(ActPostpone) + ":" + shown}})
	}
	if footer != "" {
		sb.WriteString("\n\n" + footer)
	}
	return sb.String(), rows
}

func daysOpen(d int) string {
	switch {
	case d <= 0:
		return "ouverte aujourd'hui"
	case d == 1:
		return "ouverte depuis 1 jour"
	default:
		return fmt.Sprintf("ouverte depuis %d jours", d)
	}
}

// MoreFooter tells that n more requests wait beyond this message.
func MoreFooter(n int) string {
	if n <= 0 {
		return ""
	}
	if n == 1 {
		return "… et 1 autre demande : tapez /suivis pour tout voir."
	}
	return fmt.Sprintf("… et %d autres demandes : tapez /suivis pour tout voir.", n)
}

// Drawn is what a follow-up message shows, read back from its text.
type Drawn struct {
	Heading   string
	Refs      []store.Ref
	Postponed map[store.Ref]bool
	Footer    string
}

var entryRe = regexp.MustCompile(`^\d+\. Fiche n° (\d+), demande (\d+) — `)

// Parse reads a follow-up message's text back (as Telegram returns it with a
// pressed button); ok is false when the text is not a follow-up message.
func Parse(text string) (d Drawn, ok bool) {
	d.Postponed = map[store.Ref]bool{}
	blocks := strings.Split(text, "\n\n")
	var footer []string
	for i, b := range blocks {
		ref, ok := entryRef(b)
		if !ok {
			if i == 0 {
				d.Heading = b
			} else if len(d.Refs) > 0 {
				footer = append(footer, b)
			}
			continue
		}
		d.Refs = append(d.Refs, ref)
		if strings.Contains(b, postponedMark) {
			d.Postponed[ref] = true
		}
	}
	d.Footer = strings.Join(footer, "\n\n")
	return d, len(d.Refs) > 0
}

// entryRef reads one entry's sheet number and position; numbers too big
// for an int64 (\d+ allows them) make the block no entry.
func entryRef(b string) (store.Ref, bool) {
	m := entryRe.FindStringSubmatch(b)
	if m == nil {
		return store.Ref{}, false
	}
	number, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return store.Ref{}, false
	}
	pos, err := strconv.Atoi(m[2])
	if err != nil {
		return store.Ref{}, false
	}
	return store.Ref{SheetNumber: number, Position: pos}, true
}

// Lines wraps follow-ups as open, not postponed lines.
func Lines(fs []store.FollowUp) []Line {
	out := make([]Line, len(fs))
	for i, f := range fs {
		out[i] = Line{FollowUp: f}
	}
	return out
}
