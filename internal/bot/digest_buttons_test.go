package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// The Monday summary ends with buttons: the week's whole report (and, for
// a coordinator, its activity and export), for the summary's own week and
// territory, checked like any result's buttons.
func TestMondaySummaryHasButtons(t *testing.T) {
	t.Parallel()
	h := newHarness(t) // Monday 23/11/2026, 10:00
	ctx := context.Background()
	h.mediator(5201, "Awa", "59")
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	h.saveSheet(5201, "w1", "7K9JTG", day(17), store.Request{Kind: "droits", Type: "css", Status: "resolue"})
	nord := h.coordinator(5202, store.Invitation{Level: "departement", Departement: "59"})
	if _, err := h.db.SQL.Exec(ctx, `UPDATE users SET created_at = '2026-01-01'`); err != nil {
		t.Fatal(err)
	}
	awa := h.tg.NewUser(5201, "Awa").For(t)
	api, err := telegram.Connect(ctx, h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	job := &digest.Job{Store: h.db.Store, Out: telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}), Location: paris}
	if _, err := job.Run(ctx, time.Date(2026, 11, 23, 8, 0, 0, 0, paris)); err != nil {
		t.Fatal(err)
	}

	last := waitFor(t, nord, "the summary's chart", func(m telegramtest.Message) bool { return m.Photo != nil })
	if got := strings.Join(last.ButtonTexts(), "|"); got != "Détail de la semaine|Activité des médiateurs santé|Exporter (Excel)" {
		t.Fatalf("buttons under the coordinator's summary: %s", got)
	}
	nord.PressOn(last, "Détail de la semaine")
	week := nord.Expect("Indicateurs – Nord")
	mustContain(t, week.Text, "Du 16/11/2026 au 22/11/2026\n", "Fiches : 1")
	nord.PressOn(last, "Activité des médiateurs santé")
	activity := nord.Expect("Activité – Nord")
	mustContain(t, activity.Text, "Fiches du 16/11/2026 au 22/11/2026 ;")
	nord.PressOn(last, "Exporter (Excel)")
	doc := waitFor(t, nord, "the week's export", func(m telegramtest.Message) bool { return m.Document != nil })
	if !strings.HasSuffix(doc.Document.Name, "_2026-11-16_2026-11-22.xlsx") {
		t.Fatalf("export under the summary: %s", doc.Document.Name)
	}

	mine := waitFor(t, awa, "the mediator's chart", func(m telegramtest.Message) bool { return m.Photo != nil })
	if got := strings.Join(mine.ButtonTexts(), "|"); got != "Détail de la semaine" {
		t.Fatalf("buttons under the mediator's summary: %s", got)
	}
	awa.PressOn(mine, "Détail de la semaine")
	own := awa.Expect("Du 16/11/2026 au 22/11/2026")
	mustContain(t, own.Text, "Fiches : 1")
}
