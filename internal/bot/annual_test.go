package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// A regional coordinator gets the annual report as Word and PDF and Annexe
// 1 in chat; the region's figures lead to it; others are refused.
func TestRegionalCoordinatorGetsTheAnnualReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(5501, "Awa", "59")
	h.seedSheets(5501, 3, time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC))
	c := h.coordinator(5502, store.Invitation{Level: "region"})
	c.Send("/rapport")
	menu := c.Expect("Rapport annuel 2025 de la région")
	if !strings.Contains(menu.Text, "votre texte dans sa section « Contexte et faits marquants »") || strings.Contains(menu.Text, "provisoire") {
		t.Errorf("menu of the closed year 2025: %s", menu.Text)
	}
	if got := strings.Join(menu.ButtonTexts(), "|"); got != "Rapport annuel 2025 (Word)|Rapport annuel 2025 (PDF)|Annexe 1 2025 (par territoire)" {
		t.Fatalf("buttons: %s", got)
	}
	document := func(suffix string) []byte {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for (c.LastMessage().Document == nil || !strings.HasSuffix(c.LastMessage().Document.Name, suffix)) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		doc := c.LastMessage().Document
		if doc == nil || doc.Name != "rapport_annuel_2025"+suffix {
			t.Fatalf("no %s document: %+v", suffix, c.LastMessage())
		}
		return doc.Data
	}
	c.PressOn(menu, "Rapport annuel 2025 (PDF)")
	if pdf := document(".pdf"); !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("not a PDF")
	}
	c.PressOn(menu, "Rapport annuel 2025 (Word)")
	if docx := document(".docx"); !strings.HasPrefix(string(docx), "PK") {
		t.Errorf("not a DOCX (zip)")
	}
	if n := h.count(`SELECT count(*) FROM exports WHERE user_id = 5502 AND format IN ('pdf', 'docx')`); n != 2 {
		t.Errorf("%d annual reports recorded, want 2", n)
	}
	c.PressOn(menu, "Annexe 1 2025 (par territoire)")
	annexe := c.Expect("Annexe 1 – du 01/01/2025 au 31/12/2025")
	for _, want := range []string{"Colonnes : Région · Picardie · Nord · Pas-de-Calais · médiateurs ruraux · médiateurs QPV",
		"Médiateurs actifs (au moins une fiche) :\nRégion 1 · Picardie 0 · Nord 1 · P.-de-C. 0 · ruraux 0 · QPV 1",
		"Personnes différentes par médiateur – déclaré (bilans) :\nRégion – ·", "Bilans exploitables : bilans dont le poste a été actif au moins 6 mois"} {
		if !strings.Contains(annexe.Text, want) {
			t.Errorf("Annexe 1 lacks %q:\n%s", want, annexe.Text)
		}
	}
	c.Send("/rapport 2026")
	c.Expect("L'année 2026 n'est pas terminée : le rapport est provisoire, au ")
	c.Send("/rapport 2031")
	c.Expect("Année « 2031 » non reconnue")

	// The region's yearly figures offer the report of their year.
	c.Send("/indicateurs")
	c.Press("L'année dernière")
	c.Press("Hauts-de-France")
	res := waitFor(t, c, "figures with their buttons", func(m telegramtest.Message) bool {
		return strings.Contains(strings.Join(m.ButtonTexts(), "|"), "Rapport annuel 2025")
	})
	c.PressOn(res, "Rapport annuel 2025")
	c.Expect("Rapport annuel 2025 de la région")

	// A département coordinator: refused, by command and by button.
	nord := h.coordinator(5503, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/rapport")
	nord.Expect("seuls les coordinateurs régionaux peuvent le produire")
	nord.PressData(nord.Messages()[1].ID, "ra:2025:pdf")
	nord.Expect("seuls les coordinateurs régionaux peuvent le produire")
	if nord.LastMessage().Document != nil {
		t.Errorf("a département coordinator got the region's report")
	}
	if n := h.count(`SELECT count(*) FROM exports WHERE user_id = 5503`); n != 0 {
		t.Errorf("refused report recorded %d times", n)
	}
}
