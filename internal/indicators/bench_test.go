package indicators_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
)

// benchSheetMix is the generated sheets' columns from sex to source, for
// row i of generate_series, and benchRequestMix a request's kind and type
// for row i and position p: the same mix in BenchmarkReport1M and
// BenchmarkReport10M.
const (
	benchSheetMix = `CASE WHEN i % 100 < 58 THEN 'F' WHEN i % 100 < 99 THEN 'M' ELSE 'X' END,
	CASE WHEN i % 10 = 0 THEN NULL ELSE 16 + i % 70 END,
	CASE WHEN (i * 13) % 10 < 7 THEN 'oui' ELSE 'non' END,
	(ARRAY['aah','allocations_familiales','assurance_maladie','aucune','non_communique','chomage',
	'retraite','reversion','rsa','salaire','autre'])[1 + i % 11],
	(ARRAY['aller_vers','bouche_a_oreille','communication','contact_direct','orientation_partenaire',
	'rencontre_physique','demarche_usager'])[1 + i % 7],
	(ARRAY['informe','oriente','accompagne'])[1 + i % 3],
	CASE WHEN i % 5 < 2 THEN 'oui' ELSE 'non' END,
	CASE i % 4 WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY['mobilite']
	WHEN 2 THEN ARRAY['demarches','langue'] ELSE ARRAY['ressources','logement','emploi'] END,
	'import'`
	benchRequestMix = `CASE WHEN (i + p) % 8 < 5 THEN 'droits' ELSE 'soins' END,
	CASE WHEN (i + p) % 8 < 5
	THEN (ARRAY['frais_specialiste','css','prestations_sante','prestations_sociales','autre'])[1 + i % 5]
	ELSE (ARRAY['rdv','recherche_ps','bilan_sante','accompagnement_rdv','conseil','apa','depistage',
	'plateforme_rdv','addiction','atelier_cuisine','autre'])[1 + i % 11] END`
)

// seedMillion generates, in SQL, 58 posts, 300 000 people, 650 000 sheets
// over 2024 and 1 000 000 requests.
func seedMillion(b *testing.B) *testenv.DB {
	b.Helper()
	db := testenv.NewDB(b)
	ctx := context.Background()
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO mediators (identifier, departement, structure, rural)
		 SELECT 'MED-' || i, (ARRAY['02','59','60','62','80'])[1 + i % 5], 'Structure ' || (i % 20), i % 6 = 0
		 FROM generate_series(0, 57) i`,
		`INSERT INTO beneficiaries (code, mediator_id)
		 SELECT 'P' || j, 1 + j % 58 FROM generate_series(0, 299999) j`,
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode,
		                     level, social_protection, obstacles, source)
		 SELECT 'S' || i, 1 + (i % 300000) % 58, 1 + i % 300000, DATE '2024-01-01' + (i % 366),
		        ` + benchSheetMix + `
		 FROM generate_series(0, 649999) i`,
		`INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, resolved_at)
		 SELECT 'S' || i, p,
		        ` + benchRequestMix + `,
		        CASE WHEN i % 4 = 0 THEN 'en_cours' WHEN i % 20 = 1 THEN 'non_resolue' ELSE 'resolue' END,
		        CASE WHEN i % 4 = 0 THEN DATE '2024-01-01' + (i % 366) + 14 END,
		        CASE WHEN i % 4 <> 0 AND i % 20 <> 1 THEN TIMESTAMPTZ '2024-01-01' + (i % 380) * INTERVAL '1 day' END
		 FROM generate_series(0, 649999) i CROSS JOIN generate_series(1, 2) p
		 WHERE p = 1 OR i < 350000`,
		`VACUUM ANALYZE`,
	} {
		if _, err := db.SQL.Exec(ctx, q); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	var n int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM requests`).Scan(&n); err != nil || n != 1_000_000 {
		b.Fatalf("seeded %d requests (%v)", n, err)
	}
	b.Logf("seeded 1 000 000 requests in %s", time.Since(start).Round(time.Second))
	return db
}

// BenchmarkReport1M is the full report (every table, the chat message and
// the chart) over 1 000 000 requests, for the region, one département and
// one mediator. Run with: go test -run '^$' -bench Report1M -benchmem ./internal/indicators/
func BenchmarkReport1M(b *testing.B) {
	db := seedMillion(b)
	ctx := context.Background()
	year := indicators.Year(2024)
	for _, c := range []struct {
		name  string
		scope indicators.Scope
	}{
		{"region", indicators.Region("32")},
		{"departement_59", indicators.Departement("59")},
		{"mediator", indicators.Mediator(1)},
	} {
		for _, history := range []bool{false, true} {
			name, opts := c.name, []indicators.Option(nil)
			if history { // what /indicateurs computes: the year before and twelve months too
				name, opts = c.name+"_with_history", []indicators.Option{indicators.WithHistory()}
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := indicators.Compute(ctx, db.Store.Reports(), year, c.scope, opts...)
					if err != nil {
						b.Fatal(err)
					}
					if len(r.Text()) == 0 || r.Rights.Total+r.Care.Total == 0 {
						b.Fatal("empty report")
					}
					if _, err := indicators.Chart(r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	// The year-before queries alone over the million requests: 2025 has no
	// sheet, 2024 (its year before) has them all.
	b.Run("history_only_region", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2025), indicators.Region("32"), indicators.WithHistory())
			if err != nil || r.History.Previous.Sheets != 650_000 {
				b.Fatalf("history: %v", err)
			}
		}
	})
	// The annual report: Annexe 1's six reports, and the whole
	// document as PDF and DOCX (seven reports, five charts).
	b.Run("annexe", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a, err := indicators.ComputeAnnexe(ctx, db.Store.Reports(), year, indicators.Region("32"))
			if err != nil || a.Reports[0].Sheets != 650_000 {
				b.Fatalf("annexe: %v", err)
			}
		}
	})
	for _, format := range []string{"pdf", "docx"} {
		b.Run("annual_"+format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := annual.Build(ctx, db.Store.Reports(), year, indicators.Region("32"), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
				if err != nil {
					b.Fatal(err)
				}
				if format == "pdf" {
					err = d.PDF(io.Discard)
				} else {
					err = d.DOCX(io.Discard)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("activity_region", func(b *testing.B) { // /activite: every post of the region
		b.ReportAllocs()
		for b.Loop() {
			a, err := indicators.ComputeActivity(ctx, db.Store.Reports(), indicators.Month(time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)), indicators.Region("32"), 2023)
			if err != nil || len(a.Mediators) != 58 || a.Text() == "" {
				b.Fatalf("activity: %v", err)
			}
		}
	})
}
