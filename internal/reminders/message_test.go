package reminders_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMessageFitsTelegramAndReadsBack(t *testing.T) {
	today := day(2026, 11, 23)
	later := day(2026, 12, 31)
	var lines []reminders.Line
	for i := range reminders.MaxPerMessage {
		f := store.FollowUp{ID: 9_000_000_000_000 + int64(i), SheetNumber: 1_000_000 + int64(i), Position: 1 + i%3,
			SheetDate: day(2025, 1, 1), Beneficiary: "ABCDEF", Kind: "droits", Type: "frais_specialiste", Status: "en_cours"}
		if i%2 == 0 {
			f.FollowUpOn = &later
		}
		lines = append(lines, reminders.Line{FollowUp: f})
	}
	lines[3].Status = store.StatusUnresolved
	lines[4].Postponed = true
	text, kb := reminders.Render(reminders.HeadingDaily, lines, reminders.MoreFooter(40), today)
	if n := utf8.RuneCountInString(text); n > 4096 {
		t.Fatalf("text is %d characters, Telegram takes 4096", n)
	}
	buttons := 0
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			buttons++
			if len(*b.CallbackData) > 64 {
				t.Errorf("callback data %q is over 64 bytes", *b.CallbackData)
			}
		}
	}
	if buttons != 4*(reminders.MaxPerMessage-2) {
		t.Fatalf("%d buttons, want 4 per line still open", buttons)
	}
	if !strings.Contains(text, "4. Fiche n° 1000003, demande 1 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides financières pour frais de spécialiste — ❌ Non résolue") ||
		!strings.Contains(text, "5. Fiche n° 1000004, demande 2 — 01/01/2025 — ABCDEF\nAccès aux droits · Aides financières pour frais de spécialiste — ⏭ Reportée au 31/12/2026") ||
		!strings.Contains(text, "ouverte depuis 691 jours, suivi prévu le 31/12/2026") {
		t.Fatalf("text:\n%s", text)
	}

	drawn, ok := reminders.Parse(text)
	if !ok || drawn.Heading != reminders.HeadingDaily || drawn.Footer != reminders.MoreFooter(40) || len(drawn.Refs) != len(lines) {
		t.Fatalf("parsed = %+v", drawn)
	}
	for i, l := range lines {
		if drawn.Refs[i] != l.Ref() || drawn.Postponed[l.Ref()] != (i == 4) {
			t.Fatalf("ref %d = %+v postponed %v, want %+v", i, drawn.Refs[i], drawn.Postponed[l.Ref()], l.Ref())
		}
	}
	if _, ok := reminders.Parse("Vos dernières fiches :\n\nn° 12 — 01/01/2026 — ABCDEF"); ok {
		t.Fatal("another message read as a follow-up message")
	}
}

// BenchmarkDailyPass measures one morning: 60 mediators (the region's posts)
// with 3 due requests each, each reminded through the fake Bot API (limits
// off: pacing is the sender's benchmark).
func BenchmarkDailyPass(b *testing.B) {
	ctx := context.Background()
	w := &world{t: b, db: testenv.NewDB(b), rd: testenv.NewRedis(b),
		srv: telegramtest.NewServer(b, telegramtest.WithoutRateLimits()), unlimited: true}
	var meds []*store.User
	for i := range 60 {
		u, _ := w.mediator(int64(1000+i), 9)
		meds = append(meds, u)
		for j := range 3 {
			w.sheet(u, fmt.Sprintf("s%d-%d", i, j), fmt.Sprintf("B%02d%03d", i, j), day(2026, 10, 1+j), day(2026, 11, 20))
		}
	}
	s := w.replica(nil)
	for i := 0; b.Loop(); i++ {
		// Each iteration is a new day: every mediator is owed a reminder again.
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, paris).AddDate(0, 0, i)
		r, err := s.RunDue(ctx, now)
		if err != nil || r.Reminders != len(meds) {
			b.Fatalf("pass: %+v %v", r, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(len(meds)), "ms/mediator")
}
