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

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/store"
)

// PageSize bounds a message to one phone screen of buttons: two rows per
// request, five requests, and the ‹ › row of /suivis.
const PageSize = 5

// PostponeDays is how far "Reporter d'une semaine" moves the follow-up date.
const PostponeDays = 7

// HeadingDaily opens the morning reminder; DailyHeading adds its counts.
const HeadingDaily = "Bonjour ! Des demandes attendent votre suivi aujourd'hui :"

// Counts sorts open requests by their follow-up date as of a day: what a
// mediator needs to know first is what is late.
type Counts struct {
	Late, Today, Later, Undated int
}

// Count counts fs (open requests) as of today, a local date.
func Count(fs []store.FollowUp, today time.Time) Counts {
	var c Counts
	for _, f := range fs {
		switch due(f, today) {
		case dueLate:
			c.Late++
		case dueToday:
			c.Today++
		case dueLater:
			c.Later++
		default:
			c.Undated++
		}
	}
	return c
}

// String reads "2 en retard, 3 aujourd'hui, 1 à venir, 4 sans date de
// suivi", leaving out what is zero.
func (c Counts) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Late, "en retard"}, {c.Today, "aujourd'hui"}, {c.Later, "à venir"}, {c.Undated, "sans date de suivi"}} {
		if p.n > 0 {
			parts = append(parts, strconv.Itoa(p.n)+" "+p.what)
		}
	}
	return strings.Join(parts, ", ")
}

// DailyHeading is the morning reminder's heading with what is late among
// due, the requests it reminds (« 2 en retard, 3 aujourd'hui »).
func DailyHeading(due []store.FollowUp, today time.Time) string {
	return HeadingDaily + " " + Count(due, today).String() + "."
}

// OpenHeading heads /suivis: how many requests are open, and how many late.
func OpenHeading(open []store.FollowUp, today time.Time) string {
	return fmt.Sprintf("Vos demandes en cours (%d) : %s.", len(open), Count(open, today))
}

// dueState places a request's follow-up date against today.
type dueState int

const (
	dueUndated dueState = iota
	dueLate
	dueToday
	dueLater
)

func due(f store.FollowUp, today time.Time) dueState {
	if f.FollowUpOn == nil {
		return dueUndated
	}
	on, day := store.Day(*f.FollowUpOn), store.Day(today)
	switch {
	case on.Before(day):
		return dueLate
	case on.Equal(day):
		return dueToday
	default:
		return dueLater
	}
}

// shortDate writes d as 30/11, with the year when it is not today's.
func shortDate(d, today time.Time) string {
	if d.Year() == today.Year() {
		return d.Format("02/01")
	}
	return d.Format("02/01/2006")
}

// Line is one request of a follow-up message.
type Line struct {
	store.FollowUp
	// Postponed marks a request postponed from this message: it stays open
	// but is shown as handled, without buttons.
	Postponed bool
}

// StatusAction maps a button action to the status it records.
var StatusAction = map[string]string{
	callbackdata.FollowUpResolved:   store.StatusResolved,
	callbackdata.FollowUpUnresolved: store.StatusUnresolved,
	callbackdata.FollowUpAbandoned:  store.StatusAbandoned,
}

var closedMark = map[string]string{
	store.StatusResolved:   "✅ Résolue",
	store.StatusUnresolved: "❌ Non résolue",
	store.StatusAbandoned:  "🚫 Abandonnée",
}

const postponedMark = "⏭ Reportée au "

// Render builds the text and buttons of a follow-up message: heading, then
// one entry per line numbered from first (a page of /suivis goes on with
// the numbers of the page before), then footer (may be empty). There are no
// buttons when no request is left to act on.
func Render(heading string, first int, lines []Line, footer string, today time.Time) (string, [][]chat.Button) {
	var sb strings.Builder
	sb.WriteString(heading)
	var rows [][]chat.Button
	first = max(first, 1)
	numbered := len(lines) > 1 || first > 1
	for i, l := range lines {
		n := first + i
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
				rows = append(rows, []chat.Button{{Text: undo, Data: callbackdata.Undo(l.ID, l.Status)}})
			}
			continue
		case l.Postponed && l.FollowUpOn != nil:
			sb.WriteString(postponedMark + l.FollowUpOn.Format("02/01/2006"))
			continue
		}
		switch due(l.FollowUp, today) {
		case dueLate:
			sb.WriteString("en retard depuis le " + shortDate(*l.FollowUpOn, today))
		case dueToday:
			sb.WriteString("suivi aujourd'hui")
		case dueLater:
			sb.WriteString("suivi prévu le " + shortDate(*l.FollowUpOn, today))
		default:
			sb.WriteString(daysOpen(l.DaysOpen(today)) + ", sans date de suivi")
		}
		label := func(s string) string {
			if numbered {
				return strconv.Itoa(n) + " · " + s
			}
			return s
		}
		data := func(act string) string { return callbackdata.SetStatus(l.ID, act) }
		rows = append(rows,
			[]chat.Button{{Text: label("Résolue"), Data: data(callbackdata.FollowUpResolved)}, {Text: label("Non résolue"), Data: data(callbackdata.FollowUpUnresolved)}},
			[]chat.Button{{Text: label("Abandonnée"), Data: data(callbackdata.FollowUpAbandoned)}, {Text: label("Reporter d'une semaine"), Data: callbackdata.Postpone(l.ID, l.FollowUpOn)}})
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

// PageFooter names page p (from 0) of pages of /suivis; one page needs none.
func PageFooter(p, pages int) string {
	if pages <= 1 {
		return ""
	}
	return fmt.Sprintf("Page %d sur %d", p+1, pages)
}

var pageRe = regexp.MustCompile(`^Page (\d+) sur (\d+)$`)

// PageButtons is the ‹ › row of page p (from 0) of pages; nil for one page.
func PageButtons(p, pages int) [][]chat.Button {
	var row []chat.Button
	if p > 0 {
		row = append(row, chat.Button{Text: "‹ Précédentes", Data: callbackdata.FollowUpPage(p - 1)})
	}
	if p < pages-1 {
		row = append(row, chat.Button{Text: "Suivantes ›", Data: callbackdata.FollowUpPage(p + 1)})
	}
	if row == nil {
		return nil
	}
	return [][]chat.Button{row}
}

// Drawn is what a follow-up message shows, read back from its text.
type Drawn struct {
	Heading   string
	First     int // number of the first entry
	Refs      []store.Ref
	Postponed map[store.Ref]bool
	Footer    string
	// Page (from 0) and Pages are read from a /suivis page footer; Pages
	// is 0 for a message without pages.
	Page, Pages int
}

var entryRe = regexp.MustCompile(`^(\d+)\. Fiche n° (\d+), demande (\d+) — `)

// Parse reads a follow-up message's text back (as Telegram returns it with a
// pressed button); ok is false when the text is not a follow-up message.
func Parse(text string) (d Drawn, ok bool) {
	d.Postponed = map[store.Ref]bool{}
	blocks := strings.Split(text, "\n\n")
	var footer []string
	for i, b := range blocks {
		n, ref, ok := entryRef(b)
		if !ok {
			if i == 0 {
				d.Heading = b
			} else if len(d.Refs) > 0 {
				footer = append(footer, b)
			}
			continue
		}
		if len(d.Refs) == 0 {
			d.First = n
		}
		d.Refs = append(d.Refs, ref)
		if strings.Contains(b, postponedMark) {
			d.Postponed[ref] = true
		}
	}
	d.Footer = strings.Join(footer, "\n\n")
	if m := pageRe.FindStringSubmatch(d.Footer); m != nil {
		p, perr := strconv.Atoi(m[1])
		pages, nerr := strconv.Atoi(m[2])
		if perr == nil && nerr == nil && p >= 1 && p <= pages {
			d.Page, d.Pages = p-1, pages
		}
	}
	return d, len(d.Refs) > 0
}

// entryRef reads one entry's number in the message, sheet number and
// position; numbers too big (\d+ allows them) make the block no entry.
func entryRef(b string) (int, store.Ref, bool) {
	m := entryRe.FindStringSubmatch(b)
	if m == nil {
		return 0, store.Ref{}, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, store.Ref{}, false
	}
	number, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		return 0, store.Ref{}, false
	}
	pos, err := strconv.Atoi(m[3])
	if err != nil {
		return 0, store.Ref{}, false
	}
	return n, store.Ref{SheetNumber: number, Position: pos}, true
}

// Lines wraps follow-ups as open, not postponed lines.
func Lines(fs []store.FollowUp) []Line {
	out := make([]Line, len(fs))
	for i, f := range fs {
		out[i] = Line{FollowUp: f}
	}
	return out
}

// Late keeps the requests of fs whose follow-up date is before today, in
// their order: the list a mediator asking « mes suivis en retard ? » wants.
func Late(fs []store.FollowUp, today time.Time) []store.FollowUp {
	var late []store.FollowUp
	for _, f := range fs {
		if due(f, today) == dueLate {
			late = append(late, f)
		}
	}
	return late
}
