package annual_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/demo"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
)

// demoYear loads the demo's synthetic year ending on today: its reviews
// (of the year before) declare partners but no people, no publics and no
// obstacles, and nobody registered a partner in Relais's directory.
func demoYear(t *testing.T, today time.Time) *testenv.DB {
	t.Helper()
	ctx := context.Background()
	db := testenv.NewDB(t)
	for _, p := range demo.Personas() {
		inv := p.Invitation
		inv.ExpiresAt = today.Add(time.Hour)
		code, err := db.Store.CreateInvitation(ctx, inv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Store.RedeemInvitation(ctx, code, ids.TelegramID(p.ID), ids.ChatID(p.ID), p.Name, today); err != nil {
			t.Fatal(err)
		}
	}
	if loaded, err := demo.LoadSyntheticYear(ctx, db.Store, demo.SyntheticSeed, today); err != nil || !loaded {
		t.Fatalf("LoadSyntheticYear = %v, %v", loaded, err)
	}
	return db
}

// keepPDF writes the document's PDF where RELAIS_PAGES_DIR says, for a
// human to look at its pages (docs/rapport).
func keepPDF(t *testing.T, d *annual.Document, name string) {
	t.Helper()
	var buf bytes.Buffer
	if err := d.PDF(&buf); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("RELAIS_PAGES_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// text is the document's words: titles, paragraphs, table titles, chart
// captions.
func text(d *annual.Document) (string, []string) {
	var b strings.Builder
	var captions []string
	for _, s := range d.Sections {
		b.WriteString(s.Title + "\n")
		for _, bl := range s.Blocks {
			switch bl := bl.(type) {
			case annual.Paragraph:
				b.WriteString(bl.Text + "\n")
			case annual.Heading:
				b.WriteString(bl.Text + "\n")
			case annual.Table:
				b.WriteString(bl.Title + "\n")
				for _, r := range bl.Rows {
					b.WriteString(annual.FrenchCell(r[0]) + "\n")
				}
			case annual.Image:
				captions = append(captions, bl.Caption)
			}
		}
	}
	return b.String(), captions
}

// On the demo's data, the closed year 2025 (what /rapport offers first):
// no empty chart, one source per partner count, no dashes for means no
// review declares; 2026, not over, is provisional.
func TestAnnualReportOfTheDemoYears(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, time.November, 27, 10, 0, 0, 0, paris)
	db := demoYear(t, today)
	ctx := context.Background()

	d, err := annual.BuildFigures(ctx, db.Store.Reports(), indicators.Year(2025), indicators.Region("32"), today)
	if err != nil {
		t.Fatal(err)
	}
	keepPDF(t, d, "rapport-demo-2025.pdf")
	if d.Provisional != "" {
		t.Errorf("2025 is over on 27/11/2026, yet %q", d.Provisional)
	}
	words, captions := text(d)
	for _, c := range captions {
		if strings.HasPrefix(c, "Types de partenaires et publics") || strings.HasPrefix(c, "Freins à l'accès à la santé cités dans les bilans") {
			t.Errorf("chart %q printed, yet no review of 2025 names a public or an obstacle", c)
		}
	}
	for _, want := range []string{
		"aucun ne déclare de nombre de personnes accompagnées",
		"Moyennes par médiateur et par territoire, calculées à partir des fiches",
		"Le répertoire des partenaires de Relais est vide pour la période : les nombres de partenaires ci-dessous sont ceux que les médiateurs déclarent dans leur bilan annuel.",
		"Partenaires sanitaires déclarés (moyenne)",
		"Aucun bilan de la période ne cite de frein à l'accès à la santé.",
	} {
		if !strings.Contains(words, want) {
			t.Errorf("the 2025 report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Partenaires des médiateurs actifs (répertoire)", "aucune donnée"} {
		if strings.Contains(words, unwanted) {
			t.Errorf("the 2025 report has %q", unwanted)
		}
	}
	// Section 2 prints no declared mean (a row of dashes); Annexe 1 keeps
	// its rows, the dash explained in a note.
	if missions, _ := text(&annual.Document{Sections: d.Sections[1:2]}); strings.Contains(missions, "déclaré (bilans)") {
		t.Errorf("section 2 prints declared means no review gives:\n%s", missions)
	}
	if !strings.Contains(d.Sections[7].Blocks[0].(annual.Paragraph).Text, "ne figurent pas dans cette version") {
		t.Errorf("the figures-only report has the open answers")
	}

	current, err := annual.Build(ctx, db.Store.Reports(), indicators.Year(2026), indicators.Region("32"), today)
	if err != nil {
		t.Fatal(err)
	}
	keepPDF(t, current, "rapport-demo-2026.pdf")
	if current.Provisional != "provisoire, au 27/11/2026" {
		t.Errorf("2026 on 27/11/2026: %q, want « provisoire, au 27/11/2026 »", current.Provisional)
	}
	// Statuses read today, not on a 31/12/2026 still to come; no review of
	// 2026 yet (the singular for 0).
	key := map[string]annual.KeyFigure{}
	for _, f := range current.KeyFigures {
		key[f.Label] = f
	}
	if f := key["demandes d'accès aux droits"]; !strings.HasSuffix(f.Detail, "% résolues au 27/11/2026") {
		t.Errorf("rights key figure: %+v", f)
	}
	if f, ok := key["bilan annuel rempli"]; !ok || f.Value != "0" {
		t.Errorf("reviews key figure: %+v", current.KeyFigures)
	}
	words, _ = text(current)
	if !strings.Contains(words, "des demandes d'accès aux soins sont résolues au 27/11/2026.") {
		t.Errorf("section 7 of the current year does not read the statuses today")
	}
	// No review of 2026 yet: no table of 0 % shares.
	if !strings.Contains(words, "Aucun bilan annuel n'est rempli pour la période") || strings.Contains(words, "Bilans annuels des médiateurs") {
		t.Errorf("section 4 of 2026 prints shares of reviews none of which is filled")
	}
}
