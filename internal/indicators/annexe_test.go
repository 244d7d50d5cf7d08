package indicators_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// seed2024Annexe adds to the imported 2024 sheets what Annexe 1 reads: 58
// posts (49 with sheets, 9 without; 10 rural), 49 reviews of which 39
// exploitable (the 10 others' posts started in October), declared counts
// averaging the published 154, 108, 78, 46 and 52, and actions averaging
// 8.8 co-animated for the public, 4.5 co-built and 7.5 attended.
func seed2024Annexe(t *testing.T, db *testenv.DB) {
	t.Helper()
	execAll(t, db,
		`INSERT INTO mediators (identifier, departement, structure, post_start)
		 SELECT 'POSTE-' || i, (ARRAY['02','59','60','62','80'])[1 + i % 5], 'Structure', DATE '2024-09-01'
		 FROM generate_series(1, 9) i`,
		`CREATE TEMP TABLE med AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM mediators WHERE identifier LIKE 'MED-%'`,
		`UPDATE mediators SET rural = true WHERE id IN (SELECT id FROM med WHERE n % 6 = 0) OR identifier IN ('POSTE-1', 'POSTE-2')`,
		`UPDATE mediators SET post_start = DATE '2024-10-01' WHERE id IN (SELECT id FROM med WHERE n > 39)`,
		// Exploitable reviews declare around the published means (a third
		// 10 below, a third 10 above); late posts declare few people.
		`INSERT INTO reviews (mediator_id, year, declared_people, declared_people_qpv, declared_rights, declared_care,
		                     declared_social_protection, identified, cpam_partnership, obstacles, publics)
		 SELECT id, 2024, CASE WHEN n <= 39 THEN 154 + (n % 3 - 1) * 10 ELSE 20 END,
		        CASE WHEN n <= 39 THEN 108 + (n % 3 - 1) * 6 ELSE 10 END,
		        CASE WHEN n <= 39 THEN 78 ELSE 5 END, CASE WHEN n <= 39 THEN 46 ELSE 5 END,
		        CASE WHEN n <= 39 THEN 52 ELSE 5 END, n % 5 <> 0, n % 2 = 0,
		        CASE WHEN n % 2 = 0 THEN ARRAY['demarches','mobilite'] ELSE ARRAY['langue'] END,
		        ARRAY['habitants']
		 FROM med`,
		// 431 co-animated for the public (100 also co-built), 30 for
		// professionals, 120 co-built, 367 attended, over the 49 mediators.
		`INSERT INTO actions (id, mediator_id, date, role, audience, cobuilt, partner_type)
		 SELECT 'A' || k, (SELECT id FROM med WHERE n = 1 + k % 49), DATE '2024-01-01' + k % 366,
		        CASE WHEN k < 461 THEN 'coanimee' WHEN k < 581 THEN 'coconstruite' ELSE 'participation' END,
		        CASE WHEN k >= 431 AND k < 461 THEN 'professionnels' ELSE 'public' END,
		        k < 100, CASE WHEN k < 581 THEN 'cpam' END
		 FROM generate_series(0, 947) k`,
	)
}

func TestAnnexe1Of2024SideBySide(t *testing.T) {
	t.Parallel()
	p := loadPublished(t)
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), bytes.NewReader(buildTrackingCSV(t, p)), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	seed2024Annexe(t, db)
	a, err := indicators.ComputeAnnexe(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	tables := a.Tables()
	main := tables[0]
	if strings.Join(main.Header, "|") != "Indicateur|Région|Picardie|Nord|Pas-de-Calais|Médiateurs ruraux|Médiateurs QPV" {
		t.Fatalf("header %v", main.Header)
	}
	rows := map[string]string{}
	for _, row := range main.Rows {
		var cells []string
		for _, c := range row[1:] {
			cells = append(cells, indicators.Cell(c))
		}
		rows[row[0].(string)] = strings.Join(cells, " ")
	}
	for label, want := range map[string]string{
		"Postes actifs pendant la période":                                  "58 14 25 19 10 48",
		"Médiateurs actifs (au moins une fiche)":                            "49 9 23 17 8 41",
		"Bilans remplis":                                                    "49 9 23 17 8 41",
		"Bilans exploitables (poste actif 6 mois ou plus)":                  "39",
		"Personnes différentes par médiateur – déclaré (bilans)":            "154",
		"dont habitant en QPV – déclaré (bilans)":                           "108",
		"Personnes pour l'accès aux droits – déclaré (bilans)":              "78",
		"Personnes pour l'accès aux soins – déclaré (bilans)":               "46",
		"Personnes orientées vers la protection sociale – déclaré (bilans)": "52",
		"Actions co-animées auprès d'un public par médiateur":               "8.8",
		"Actions co-construites avec les habitants par médiateur":           "4.5",
		"Participations sans co-animer par médiateur":                       "7.5",
		"Demandes d'accès aux droits résolues en fin de période (%)":        "76",
		"Demandes d'accès aux soins résolues en fin de période (%)":         "73",
	} {
		got, ok := rows[label]
		if !ok {
			t.Errorf("Annexe 1 has no row %q", label)
			continue
		}
		// Whole rows are checked where every column is known; the region
		// column (the published figure) elsewhere.
		if strings.Contains(want, " ") && got != want || !strings.Contains(want, " ") && strings.Fields(got)[0] != want {
			t.Errorf("%s: %s, want %s", label, got, want)
		}
	}
	if got := rows["Personnes différentes par médiateur – calculé (fiches)"]; got == "" || strings.Fields(got)[0] == "154" {
		t.Errorf("derived mean beside the declared one: %q", got)
	}
	var text bytes.Buffer
	if err := indicators.WriteText(&text, tables); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Région  Picardie  Nord  Pas-de-Calais  Médiateurs ruraux  Médiateurs QPV", "– déclaré (bilans)",
		"– calculé (fiches)", "8,8", "Freins à l'accès à la santé constatés (% des bilans) par territoire",
		"Bilans exploitables : bilans dont le poste a été actif au moins 6 mois"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("Annexe text lacks %q:\n%s", want, text.String())
		}
	}
}
