package indicators_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/indicators"
)

// The Annexe 1 of Occitanie (Région, thirteen départements, rural and QPV
// posts) and its barriers by territory are too wide for a portrait page:
// the PDF prints each in two parts, each with the indicators' column, and
// no heading is cut (« Hérault », « Gard »
// and « Tarn » were broken letter by letter in one table of sixteen
// columns).
func TestAnnexeOfAWideRegionPrintsInParts(t *testing.T) {
	t.Parallel()
	db := seedTwoRegions(t)
	d, err := annual.BuildFigures(context.Background(), db.Store.Reports(), indicators.Year(2024), indicators.Region("76"),
		time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	pages := pdfText(t, buildPDF(t, d))
	var words []string
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if tb, ok := b.(annual.Table); ok {
				for _, h := range tb.Header {
					words = append(words, strings.Fields(h)...)
				}
			}
		}
	}
	if broken := splitWords(pages, words); len(broken) > 0 {
		t.Errorf("table headings broken over lines: %q", broken)
	}
	all := strings.Join(pages, "\n")
	for _, title := range []string{"Annexe 1 – du 01/01/2024 au 31/12/2024 (moyennes par médiateur)",
		"Freins à l'accès à la santé constatés (% des bilans) par territoire"} {
		if n := strings.Count(all, title+" (suite)"); n != 1 {
			t.Errorf("%q printed with %d continuations, want 1 (two parts)", title, n)
		}
	}
	for _, name := range []string{"Ariège", "Aude", "Aveyron", "Gard", "Haute-Garonne", "Gers", "Hérault", "Lot", "Lozère",
		"Hautes-Pyrénées", "Pyrénées-Orientales", "Tarn", "Tarn-et-Garonne"} {
		if !strings.Contains(all, name) {
			t.Errorf("the PDF lacks the column %q", name)
		}
	}
}
