package followup_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/followup"
	"github.com/relais-sante/relais/internal/store"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestMessageFitsTelegramAndReadsBack(t *testing.T) {
	today := day(2026, 11, 23)
	later := day(2026, 12, 31)
	var lines []followup.Line
	for i := range followup.PageSize {
		f := store.FollowUp{ID: 9_000_000_000_000 + int64(i), SheetNumber: 1_000_000 + int64(i), Position: 1 + i%3,
			SheetDate: day(2025, 1, 1), Beneficiary: "ABCDEF", Kind: "droits", Type: "frais_specialiste", Status: "en_cours"}
		if i%2 == 0 {
			f.FollowUpOn = &later
		}
		lines = append(lines, followup.Line{FollowUp: f})
	}
	lines[3].Status = store.StatusUnresolved
	lines[4].Postponed = true
	text, kb := followup.Render(followup.HeadingDaily, 1, lines, followup.MoreFooter(40), today)
	if n := utf8.RuneCountInString(text); n > 4096 {
		t.Fatalf("text is %d characters, Telegram takes 4096", n)
	}
	buttons := 0
	for _, row := range kb {
		for _, b := range row {
			buttons++
			if len(b.Data) > 64 {
				t.Errorf("callback data %q is over 64 bytes", b.Data)
			}
		}
	}
	if buttons != 4*(followup.PageSize-2) {
		t.Fatalf("%d buttons, want 4 per line still open", buttons)
	}
	if !strings.Contains(text, "4. Fiche n° 1000003, demande 1 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides pour frais de spécialiste — ❌ Non résolue") ||
		!strings.Contains(text, "5. Fiche n° 1000004, demande 2 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides pour frais de spécialiste — ⏭ Reportée au 31/12/2026") ||
		!strings.Contains(text, "3. Fiche n° 1000002, demande 3 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides pour frais de spécialiste — suivi prévu le 31/12") ||
		!strings.Contains(text, "2. Fiche n° 1000001, demande 2 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides pour frais de spécialiste — ouverte depuis 691 jours, sans date de suivi") {
		t.Fatalf("text:\n%s", text)
	}

	drawn, ok := followup.Parse(text)
	if !ok || drawn.Heading != followup.HeadingDaily || drawn.First != 1 || drawn.Pages != 0 || drawn.Footer != followup.MoreFooter(40) || len(drawn.Refs) != len(lines) {
		t.Fatalf("parsed = %+v", drawn)
	}
	for i, l := range lines {
		if drawn.Refs[i] != l.Ref() || drawn.Postponed[l.Ref()] != (i == 4) {
			t.Fatalf("ref %d = %+v postponed %v, want %+v", i, drawn.Refs[i], drawn.Postponed[l.Ref()], l.Ref())
		}
	}
	if _, ok := followup.Parse("Vos dernières fiches :\n\nn° 12 — 01/01/2026 — ABCDEF"); ok {
		t.Fatal("another message read as a follow-up message")
	}
}

// A number too big for an int64 makes the block no entry, not a reference
// to the largest sheet.
func TestParseSkipsOverflowingNumbers(t *testing.T) {
	text := "Vos suivis\n\n1. Fiche n° 99999999999999999999, demande 1 — droits\n\n2. Fiche n° 12, demande 3 — soins"
	d, ok := followup.Parse(text)
	if !ok || len(d.Refs) != 1 || d.Refs[0] != (store.Ref{SheetNumber: 12, Position: 3}) {
		t.Fatalf("Parse = %+v, %v; want the one reference 12/3", d.Refs, ok)
	}
}

// A page of /suivis reads back with its first number and its page, so a
// status tap on page 2 keeps the numbers from 6 and the ‹ › buttons.
func TestPageReadsBackWithItsNumbersAndPage(t *testing.T) {
	today := day(2026, 12, 6)
	f := store.FollowUp{ID: 7, SheetNumber: 1, Position: 1, SheetDate: day(2026, 10, 1), Beneficiary: "ABCDEF",
		Kind: "soins", Type: "depistage", Status: "en_cours"}
	text, kb := followup.Render("Vos demandes en cours (6) : 6 sans date de suivi.", 6, followup.Lines([]store.FollowUp{f}), followup.PageFooter(1, 2), today)
	want := "Vos demandes en cours (6) : 6 sans date de suivi.\n\n" +
		"6. Fiche n° 1, demande 1 — 01/10/2026 — ABCDEF\nAccès aux soins · Dépistage organisé — ouverte depuis 66 jours, sans date de suivi\n\nPage 2 sur 2"
	if text != want || kb[0][0].Text != "6 · Résolue" {
		t.Fatalf("page 2 =\n%s\n%v", text, kb)
	}
	d, ok := followup.Parse(text)
	if !ok || d.First != 6 || d.Page != 1 || d.Pages != 2 {
		t.Fatalf("parsed = %+v", d)
	}
	if nav := followup.PageButtons(d.Page, d.Pages); len(nav) != 1 || len(nav[0]) != 1 || nav[0][0] != (chat.Button{Text: "‹ Précédentes", Data: "sp:0"}) {
		t.Fatalf("page buttons = %v", nav)
	}
	if nav := followup.PageButtons(0, 1); nav != nil {
		t.Fatalf("one page has page buttons %v", nav)
	}
}

// Counts names what is late, what is due today, then the rest; a zero is
// left out.
func TestCountsSayWhatIsLate(t *testing.T) {
	today := time.Date(2026, 12, 6, 9, 0, 0, 0, time.FixedZone("Paris", 3600))
	at := func(d time.Time) store.FollowUp { return store.FollowUp{FollowUpOn: &d} }
	due := []store.FollowUp{at(day(2026, 11, 30)), at(day(2026, 12, 5)), at(day(2026, 12, 6)), at(day(2026, 12, 6)), at(day(2026, 12, 6))}
	if got := followup.DailyHeading(due, today); got != "Bonjour ! Des demandes attendent votre suivi aujourd'hui : 2 en retard, 3 aujourd'hui." {
		t.Fatalf("daily heading = %q", got)
	}
	open := append(due[2:3], at(day(2026, 12, 7)), store.FollowUp{})
	if got := followup.OpenHeading(open, today); got != "Vos demandes en cours (3) : 1 aujourd'hui, 1 à venir, 1 sans date de suivi." {
		t.Fatalf("open heading = %q", got)
	}
}
