package indicators_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A person who does not know whether they live in a QPV (« Ne sait pas »,
// code nsp) is counted as non renseigné: neither in QPV nor out of it, in
// its own column of the QPV table, from the rollups and from the sheets.
func TestQPVNotKnownIsNonRenseigne(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `INSERT INTO mediators (identifier, departement, structure) VALUES ('M1', '59', 'S')`); err != nil {
		t.Fatal(err)
	}
	for i, qpv := range []string{"oui", "oui", "non", "nsp"} {
		if _, created, err := db.Store.SaveSheet(ctx, store.Sheet{
			ID: fmt.Sprintf("s%d", i), MediatorID: 1, Date: day(2026, 3, 2+i), Beneficiary: fmt.Sprintf("P%d", i), Sex: "F", QPV: qpv,
			Resources: "rsa", ContactMode: "aller_vers", Level: "informe", SocialProtection: "non",
			SavedAt:  day(2026, 3, 2+i).Add(10 * time.Hour),
			Requests: []store.Request{{Kind: "droits", Type: "css", Status: "resolue"}},
		}); err != nil || !created {
			t.Fatalf("save sheet %s: created %v, %v", qpv, created, err)
		}
	}
	asOf := indicators.AsOf(day(2026, 3, 31))
	for _, opts := range [][]indicators.Option{{asOf}, {asOf, indicators.FromBaseTables()}} {
		r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Month(day(2026, 3, 1)), indicators.Region("32"), opts...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total.Sheets != 4 || r.Total.QPV["oui"] != 2 || r.Total.QPV["non"] != 1 || r.Total.QPVUnknown() != 1 {
			t.Fatalf("sheets %d, QPV %v, non renseigné %d; want 4, oui 2 non 1, 1", r.Total.Sheets, r.Total.QPV, r.Total.QPVUnknown())
		}
		var qpv *indicators.Table
		for _, tb := range r.Tables() {
			if tb.Name == "QPV" {
				qpv = &tb
			}
		}
		if qpv == nil {
			t.Fatal("no QPV table")
		}
		if got := fmt.Sprint(qpv.Header); got != "[Département Non Oui Non renseigné Total % non % oui % non renseigné]" {
			t.Fatalf("QPV header = %s", got)
		}
		nord := ""
		for _, row := range qpv.Rows {
			if row[0] == "Nord (1)" {
				nord = fmt.Sprint(row)
			}
		}
		if nord != "[Nord (1) 1 2 1 4 25 50 25]" {
			t.Fatalf("QPV rows = %v", qpv.Rows)
		}
	}
}
