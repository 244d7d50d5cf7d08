package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
)

func TestXLSXHasTheReviewsOpenAnswersOfTheScope(t *testing.T) {
	t.Parallel()
	db := seed(t)
	ctx := context.Background()
	postIDs := map[string]ids.MediatorID{}
	for _, m := range []string{"MED-59-01", "MED-62-01"} {
		var id ids.MediatorID
		if err := db.SQL.QueryRow(ctx, `SELECT id FROM mediators WHERE identifier = $1`, m).Scan(&id); err != nil {
			t.Fatal(err)
		}
		postIDs[m] = id
	}
	yes := true
	for _, r := range []store.Review{
		{MediatorID: postIDs["MED-59-01"], Year: 2024, Identified: &yes, Helped: "=HYPERLINK(\"x\")", Hindered: "Les délais.", Improve: "Un local."},
		{MediatorID: postIDs["MED-62-01"], Year: 2024, Identified: &yes, Helped: "Secret du Pas-de-Calais."},
	} {
		if _, err := db.Store.SaveReview(ctx, r, time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := export.WriteXLSX(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("59"), &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(export.ReviewAnswersSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[2], "|") != "Année|Médiateur|Département|Structure|Poste|Ce qui a aidé|Ce qui a freiné|À améliorer|Mis à jour le" {
		t.Fatalf("answers sheet = %q", rows)
	}
	got := rows[3]
	if got[0] != "2024" || got[1] != "MED-59-01" || got[2] != "59" || got[4] != "QPV" || got[5] != "=HYPERLINK(\"x\")" ||
		got[6] != "Les délais." || got[7] != "Un local." {
		t.Fatalf("answers row = %q", got)
	}
	if formula, err := f.GetCellFormula(export.ReviewAnswersSheet, "F4"); err != nil || formula != "" {
		t.Fatalf("an open answer became a formula: %q (err %v)", formula, err)
	}
	review, err := f.GetRows("Bilan annuel")
	if err != nil || len(review) < 5 || strings.Join(review[4], "|") != "Bilans remplis|1|0|1" {
		t.Fatalf("review table = %q, %v", review, err)
	}
}
