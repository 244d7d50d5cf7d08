package indicators_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/question"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// TestQuestionsAnswerWithTheReportsFigures asks questions in plain French
// on the imported 2024-shaped dataset: each answer's figure is
// the published one and equals `relais report --format json` for the same
// territory and period.
func TestQuestionsAnswerWithTheReportsFigures(t *testing.T) {
	t.Parallel()
	p := loadPublished(t)
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), bytes.NewReader(buildTrackingCSV(t, p)), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	today := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	regional := indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion}
	parser := question.NewParser(hdf, nil)
	for _, c := range []struct {
		text string
		dep  string // relais report --departement
		want int
		path string // in the JSON report; "a/b" is the percentage a of b
	}{
		{"combien de fiches dans la région en 2024 ?", "region", 4175, "sheets"},
		{"combien de fiches en picardie en 2024", "picardie", 851, "sheets"},
		{"combien de fiches dans l'oise en 2024", "60", 175, "sheets"},
		{"combien de demandes de CSS en 2024", "region", 221, "rights.by_type.css"},
		{"nb de demandes de c2s dans les hauts de france en 2024", "region", 221, "rights.by_type.css"},
		{"combien de demandes de prestations de sante en 2024", "region", 1929, "rights.by_type.prestations_sante"},
		{"demandes frais de specialiste 2024", "region", 247, "rights.by_type.frais_specialiste"},
		{"combien de demandes d'accès aux droits en 2024", "region", 3667, "rights.total"},
		{"combien de demandes de soins en 2024", "region", 2324, "care.total"},
		{"combien de demandes en 2024", "region", 5991, "follow_ups.opened"},
		{"taux de résolution des demandes de droits en 2024", "region", 76, "rights.resolved/rights.total"},
		{"taux de resolution des demandes de soin en 2024", "region", 73, "care.resolved/care.total"},
		{"combien de femmes dans le Nord en 2024 ?", "59", 978, "total.sex.F"},
		{"part des hommes dans le 62 en 2024", "62", 630, "total.sex.M"},
		{"part des non binaires dans le pas-de-calais en 2024", "62", 4, "total.sex.X"},
		// distinct people, not the 197 sheets: checked against the sheets themselves
		{"combien de personnes en QPV dans la Somme en 2024", "80", 117, "sql:80"},
		{"combien de fiches de personnes en QPV dans la Somme en 2024", "80", 197, "total.qpv.oui"},
		{"fiches de personnes vivant en qpv dans l'aisne en 2024", "02", 250, "total.qpv.oui"},
		{"nombre de médiateurs actifs dans le nord en 2024", "59", 23, "mediators"},
		{"combien de mediateurs en 2024", "region", 49, "mediators"},
	} {
		q := parser.Parse(c.text, today)
		if !q.Understood() {
			t.Errorf("%q not understood: %+v", c.text, q)
			continue
		}
		scope, refusal := question.Scope(hdf, q, regional)
		if refusal != "" {
			t.Errorf("%q refused: %s", c.text, refusal)
			continue
		}
		r, err := indicators.Compute(ctx, db.Store.Reports(), q.Period, scope, indicators.AsOf(today))
		if err != nil {
			t.Fatal(err)
		}
		got := question.FigureOf(q, r).Count
		if got != c.want {
			t.Errorf("%q: figure %d, published %d", c.text, got, c.want)
		}
		if dep, ok := strings.CutPrefix(c.path, "sql:"); ok {
			var n int
			err := db.Store.Reports().QueryRow(ctx, `SELECT count(DISTINCT (s.mediator_id, s.beneficiary_id))
				FROM sheets s JOIN mediators m ON m.id = s.mediator_id
				WHERE m.departement = $1 AND s.qpv = 'oui' AND s.date BETWEEN $2 AND $3`, dep, q.Period.From, q.Period.To).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Errorf("%q: figure %d, the sheets say %d distinct people", c.text, got, n)
			}
			continue
		}
		var js bytes.Buffer
		err = export.RunReport(ctx, db.Store.Reports(), export.ReportArgs{From: q.Period.From.Format(time.DateOnly),
			To: q.Period.To.Format(time.DateOnly), Departement: c.dep, Format: "json", Out: &js})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		report := func(path string) int {
			var v any = doc
			for _, k := range strings.Split(path, ".") {
				m, _ := v.(map[string]any)
				v = m[k]
			}
			n, ok := v.(float64)
			if !ok {
				t.Fatalf("%q: no number at %s in the JSON report", c.text, path)
			}
			return int(n)
		}
		want := 0
		if a, b, ok := strings.Cut(c.path, "/"); ok {
			want = indicators.Pct(report(a), report(b))
		} else {
			want = report(c.path)
		}
		if got != want {
			t.Errorf("%q: figure %d, relais report --format json says %d at %s", c.text, got, want, c.path)
		}
	}
}

// BenchmarkQuestion1M answers questions typed in plain French (parse,
// compute, read the figure) over 1 000 000 requests: the same latency as
// the report, the parsing adding well under a millisecond.
// Run with: go test -run '^$' -bench Question1M -benchmem ./internal/indicators/
func BenchmarkQuestion1M(b *testing.B) {
	db := seedMillion(b)
	ctx := context.Background()
	today := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	regional := indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion}
	parser := question.NewParser(hdf, nil)
	for _, c := range []struct{ name, text string }{
		{"css_62_march", "combien de demandes de CSS dans le 62 en mars 2024 ?"},
		{"rate_region_year", "taux de résolution des demandes de soins en 2024"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q := parser.Parse(c.text, today)
				scope, refusal := question.Scope(hdf, q, regional)
				if refusal != "" {
					b.Fatal(refusal)
				}
				r, err := indicators.Compute(ctx, db.Store.Reports(), q.Period, scope, indicators.AsOf(today))
				if err != nil {
					b.Fatal(err)
				}
				if question.FigureOf(q, r).Count == 0 {
					b.Fatal("no figure")
				}
			}
		})
	}
}
