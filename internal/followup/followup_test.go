package followup_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/followup"
	"github.com/relais-sante/relais/internal/store"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestMessageFitsTelegramAndReadsBack(t *testing.T) {
	today := day(2026, 11, 23)
	later := day(2026, 12, 31)
	var lines []followup.Line
	for i := range followup.MaxPerMessage {
		f := store.FollowUp{ID: 9_000_000_000_000 + int64(i), SheetNumber: 1_000_000 + int64(i), Position: 1 + i%3,
			SheetDate: day(2025, 1, 1), Beneficiary: "ABCDEF", Kind: "droits", Type: "frais_specialiste", Status: "en_cours"}
		if i%2 == 0 {
			f.FollowUpOn = &later
		}
		lines = append(lines, followup.Line{FollowUp: f})
	}
	lines[3].Status = store.StatusUnresolved
	lines[4].Postponed = true
	text, kb := followup.Render(followup.HeadingDaily, lines, followup.MoreFooter(40), today)
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
	if buttons != 4*(followup.MaxPerMessage-2) {
		t.Fatalf("%d buttons, want 4 per line still open", buttons)
	}
	if !strings.Contains(text, "4. Fiche n° 1000003, demande 1 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides pour frais de spécialiste — ❌ Non résolue") ||
		!strings.Contains(text, "5. Fiche n° 1000004, demande 2 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides pour frais de spécialiste — ⏭ Reportée au 31/12/2026") ||
		!strings.Contains(text, "ouverte depuis 691 jours, suivi prévu le 31/12/2026") {
		t.Fatalf("text:\n%s", text)
	}

	drawn, ok := followup.Parse(text)
	if !ok || drawn.Heading != followup.HeadingDaily || drawn.Footer != followup.MoreFooter(40) || len(drawn.Refs) != len(lines) {
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
