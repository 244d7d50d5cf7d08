package indicators_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

// Requests are counted per département with their resolution, and the
// text gives counts beside shares.
func TestRequestsAndResolutionByDepartement(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	r, err := indicators.Compute(context.Background(), db.Store.Reports(), indicators.Days(time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)),
		indicators.Region("32"), indicators.AsOf(time.Date(2024, 3, 11, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	nord, pdc := r.ByDepartement["59"], r.ByDepartement["62"]
	if got := [4]int{nord.RightsRequests, nord.RightsResolved, nord.CareRequests, nord.CareResolved}; got != [4]int{2, 1, 3, 0} {
		t.Errorf("Nord requests %v, want droits 2 (1 resolved), soins 3 (0)", got)
	}
	if got := [4]int{pdc.RightsRequests, pdc.RightsResolved, pdc.CareRequests, pdc.CareResolved}; got != [4]int{1, 0, 0, 0} {
		t.Errorf("Pas-de-Calais requests %v", got)
	}
	if r.Total.RightsRequests != r.Rights.Total || r.Total.CareResolved != r.Care.Resolved {
		t.Errorf("total row %+v does not add up to %+v %+v", r.Total, r.Rights, r.Care)
	}
	for section, want := range map[indicators.Section]string{
		indicators.SectionRights: "\n\nPar département : demandes, dont résolues\nAisne : aucune demande\nNord : 2, dont 1 (50 %)\nOise : aucune demande\nPas-de-Calais : 1, dont 0 (0 %)\nSomme : aucune demande",
		indicators.SectionCare:   "\n\nPar département : demandes, dont résolues\nAisne : aucune demande\nNord : 3, dont 0 (0 %)\nOise : aucune demande\nPas-de-Calais : aucune demande\nSomme : aucune demande",
	} {
		if got := r.SectionText(section); !strings.HasSuffix(got, want) {
			t.Errorf("section %s lacks %q:\n%s", section, want, got)
		}
	}
}

// WithHistory adds the same period a year earlier and the twelve months
// ending with the period's month, first and last month included.
func TestHistoryComparesWithTheYearBeforeAndTwelveMonths(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	for _, q := range []string{
		// a year before the week of 04/03/2024, at both ends; one day outside
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		 SELECT 'Y' || d, s.mediator_id, s.beneficiary_id, d::date, s.sex, s.qpv, s.resources, s.contact_mode, s.level, s.social_protection
		 FROM sheets s, unnest(ARRAY['2023-03-04', '2023-03-10', '2023-03-11', '2023-04-01']) AS d WHERE s.id = 'R1'`,
	} {
		if _, err := db.SQL.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	week := indicators.Days(time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC))
	r, err := indicators.Compute(ctx, db.Store.Reports(), week, indicators.Departement("59"), indicators.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	h := r.History
	if h == nil || h.PreviousPeriod.Label() != "du 04/03/2023 au 10/03/2023" || h.Previous.Sheets != 2 || h.Previous.Mediators != 1 {
		t.Fatalf("history %+v", h)
	}
	if len(h.Months) != 12 || h.Months[0].Month != "2023-04" || h.Months[11].Month != "2024-03" {
		t.Fatalf("months %+v", h.Months)
	}
	if h.Months[0].Sheets != 1 || h.Months[10].Sheets != 1 || h.Months[11].Sheets != 4 {
		t.Errorf("months %+v: want April 2023 1 sheet, February 2024 1, March 2024 4", h.Months)
	}
	for _, want := range []string{"\nEntre parenthèses : les chiffres du 04/03/2023 au 10/03/2023, un an plus tôt.\n", "\nFiches : 4 (2)\n", "Fiches par mois sur 12 mois : ▂▁▁▁▁▁▁▁▁▁▂█\navr. 23 : 1 · mai 23 : 0"} {
		if !strings.Contains(r.Text(), want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text())
		}
	}
	// Without the option, nothing of it.
	plain, err := indicators.Compute(ctx, db.Store.Reports(), week, indicators.Departement("59"))
	if err != nil {
		t.Fatal(err)
	}
	if plain.History != nil || strings.Contains(plain.Text(), "un an plus tôt") || strings.Contains(plain.Text(), "Fiches : 4 (") {
		t.Errorf("history without WithHistory:\n%s", plain.Text())
	}
	if got := indicators.YearBefore(indicators.Days(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))); got.Label() != "le 28/02/2023" {
		t.Errorf("a year before 29/02/2024: %s", got.Label())
	}
	year, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("59"), indicators.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	if got := year.Summary(); !strings.Contains(got, "\nEntre parenthèses : les chiffres de 2023, un an plus tôt.\n") || !strings.Contains(got, "\nFiches : 5 (4)\n") {
		t.Errorf("a calendar year is compared with the year before by its number:\n%s", year.Text())
	}
}

// The trend's last month runs to its last day, whatever day the period
// ends: a sheet on 31/03/2024 counts in March of a week's trend ending
// 10/03/2024, one on 01/04/2024 is outside the twelve months.
func TestTrendCountsTheLastMonthToItsLastDay(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `
		INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		SELECT 'E' || d, s.mediator_id, s.beneficiary_id, d::date, s.sex, s.qpv, s.resources, s.contact_mode, s.level, s.social_protection
		FROM sheets s, unnest(ARRAY['2024-03-31', '2024-04-01']) AS d WHERE s.id = 'R1'`); err != nil {
		t.Fatal(err)
	}
	week := indicators.Days(time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC))
	r, err := indicators.Compute(ctx, db.SQL, week, indicators.Departement("59"), indicators.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.History.Months[11]; got.Month != "2024-03" || got.Sheets != 5 {
		t.Errorf("last month of the trend %+v, want 2024-03 with 5 sheets (4 in the week, 1 on the 31st)", got)
	}
	if !strings.Contains(r.Text(), "mars 24 : 5") {
		t.Errorf("text lacks \"mars 24 : 5\":\n%s", r.Text())
	}
}

// Activity lists every active post of the territory with the period's
// sheets (both ends included), the last sheet whatever the period, and the
// review of the year asked.
func TestActivityByStructureAndMediator(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `INSERT INTO reviews (mediator_id, year) SELECT id, 2023 FROM mediators WHERE identifier = 'MED-L'`); err != nil {
		t.Fatal(err)
	}
	p := indicators.Days(time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC))
	a, err := indicators.ComputeActivity(ctx, db.Store.Reports(), p, indicators.Departement("59"), 2023)
	if err != nil {
		t.Fatal(err)
	}
	want := "Activité – Nord\nFiches du 05/03/2024 au 06/03/2024 ; dernière fiche et bilan annuel 2023 : à ce jour\n\n" +
		"Sans fiche sur la période : personne\nBilan annuel 2023 non rempli : 1 (Rachida)\n\n" +
		"CCAS Roubaix (Nord) : 1 médiateur santé, 2 fiches sur la période, bilan annuel 2023 rempli par 0 sur 1\n" +
		"- Rachida : 2 fiches · dernière fiche le 06/03/2024 · bilan 2023 non rempli\n\n" +
		"Centre social Lille (Nord) : 1 médiateur santé, 1 fiche sur la période, bilan annuel 2023 rempli par 1 sur 1\n" +
		"- Poste sans compte de Centre social Lille : 1 fiche · dernière fiche le 05/03/2024 · bilan 2023 rempli"
	if got := a.Text(); got != want {
		t.Errorf("activity:\n%s\nwant:\n%s", got, want)
	}
	// One day later, the 04/03 sheet is outside: MED-R has 1 sheet; a
	// closed post is not listed.
	if _, err := db.SQL.Exec(ctx, `UPDATE mediators SET active = false WHERE identifier = 'MED-L'`); err != nil {
		t.Fatal(err)
	}
	a, err = indicators.ComputeActivity(ctx, db.Store.Reports(), indicators.Days(time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)), indicators.Departement("59"), 2023)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Mediators) != 1 || a.Mediators[0].Identifier != "MED-R" || a.Mediators[0].Sheets != 1 {
		t.Errorf("activity %+v", a.Mediators)
	}
}
