package indicators_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
)

func execAll(t *testing.T, db *testenv.DB, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := db.SQL.Exec(context.Background(), q); err != nil {
			t.Fatalf("seed %q: %v", q, err)
		}
	}
}

// A request resolved in January 2025 is open in the 2024 report, from the
// rollups as from the base tables; midnight is Paris midnight.
func TestResolutionIsTheStatusAtThePeriodEnd(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	execAll(t, db,
		`INSERT INTO mediators (identifier, departement) VALUES ('M1', '59')`,
		`INSERT INTO beneficiaries (code, mediator_id) VALUES ('P1', 1)`,
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		 VALUES ('S1', 1, 1, '2024-12-20', 'F', 'oui', 'rsa', 'aller_vers', 'informe', 'non')`,
		`INSERT INTO requests (sheet_id, position, kind, type, status, resolved_at) VALUES
		 ('S1', 1, 'droits', 'css', 'resolue', '2024-12-31 23:30:00+01'),
		 ('S1', 2, 'droits', 'css', 'resolue', '2025-01-01 00:10:00+01'),
		 ('S1', 3, 'droits', 'autre', 'resolue', '2025-01-10 09:00:00+01'),
		 ('S1', 4, 'soins', 'rdv', 'resolue', '2025-03-02 10:00:00+01'),
		 ('S1', 5, 'soins', 'rdv', 'en_cours', NULL)`,
	)
	for _, opts := range [][]indicators.Option{nil, {indicators.FromBaseTables()}} {
		for _, s := range []indicators.Scope{indicators.Region("32"), indicators.Departement("59"), indicators.Mediator(1)} {
			r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), s, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if r.Rights.Total != 3 || r.Rights.Resolved != 1 || r.Rights.ResolvedByType["css"] != 1 || r.Rights.ResolvedByType["autre"] != 0 {
				t.Errorf("%s base=%v: rights %d resolved %d (%v), want 3 and 1 (css)", s.Key(), opts != nil, r.Rights.Total, r.Rights.Resolved, r.Rights.ResolvedByType)
			}
			if r.Care.Total != 2 || r.Care.Resolved != 0 || r.Total.CareResolved != 0 || r.ByDepartement["59"].RightsResolved != 1 {
				t.Errorf("%s base=%v: care %d resolved %d, rows %d/%d", s.Key(), opts != nil, r.Care.Total, r.Care.Resolved, r.Total.CareResolved, r.ByDepartement["59"].RightsResolved)
			}
			if r.Rights.ResolvedPct() != 33 {
				t.Errorf("resolved share %d %%, want 33", r.Rights.ResolvedPct())
			}
		}
		// Up to March 2025 the sheet's period still ends in 2024 for the
		// rights; a period ending later sees every resolution.
		r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Days(day(2024, 12, 1), day(2025, 3, 31)), indicators.Region("32"), opts...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rights.Resolved != 3 || r.Care.Resolved != 1 {
			t.Errorf("period to March 2025: resolved %d/%d, want 3/1", r.Rights.Resolved, r.Care.Resolved)
		}
	}
	r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Definitions[0].Text, "résolues au 31/12/2024") {
		t.Errorf("resolution footnote: %q", r.Definitions[0].Text)
	}
}

// seedPosts writes posts with start and end dates around 2024.
func seedPosts(t *testing.T, db *testenv.DB) {
	execAll(t, db,
		`INSERT INTO mediators (identifier, departement, rural, active, post_start, post_end) VALUES
		 ('A', '59', false, true, NULL, NULL),           -- 1: no dates, active
		 ('B', '59', false, true, '2024-10-01', NULL),   -- 2: started in October
		 ('C', '62', true, false, NULL, '2024-06-30'),   -- 3: left in June
		 ('D', '62', false, true, '2025-01-01', NULL),   -- 4: starts after
		 ('E', '80', false, false, NULL, '2023-12-31'),  -- 5: left before
		 ('F', '80', false, false, NULL, NULL),          -- 6: disabled, no dates
		 ('G', '02', false, false, '2023-01-01', '2024-01-01'), -- 7: one day in 2024
		 ('H', '02', true, true, '2024-12-31', NULL),    -- 8: one day in 2024
		 ('I', '60', false, true, '2024-07-01', NULL),   -- 9: six months exactly
		 ('J', '60', false, true, '2024-07-02', NULL)    -- 10: a day less`,
	)
}

// Posts are those active during the period, from their dates.
func TestPostsAreThoseActiveDuringThePeriod(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedPosts(t, db)
	for _, c := range []struct {
		p            indicators.Period
		posts, rural int
	}{
		{indicators.Year(2024), 7, 2},                               // A B C G H I J; rural C H
		{indicators.Year(2025), 6, 1},                               // A B D H I J; rural H
		{indicators.Days(day(2024, 1, 2), day(2024, 12, 30)), 5, 1}, // G and H fall out
	} {
		r, err := indicators.Compute(ctx, db.Store.Reports(), c.p, indicators.Region("32"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Posts != c.posts || r.Review.Total.Posts != c.posts || r.Review.Rural.Posts != c.rural {
			t.Errorf("%s: posts %d (review %d, rural %d), want %d and %d rural", c.p.Label(), r.Posts, r.Review.Total.Posts,
				r.Review.Rural.Posts, c.posts, c.rural)
		}
	}
}

// A review is exploitable when its post was active six months of the year
// or more: the post started in October is not, nor the one started a day
// after the 1st of July; declared means read only exploitable reviews and
// sit beside the sheet-derived ones, each labelled with its source.
func TestExploitableReviewsAndDeclaredAverages(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedPosts(t, db)
	execAll(t, db,
		`INSERT INTO reviews (mediator_id, year, declared_people, declared_people_qpv, declared_rights, declared_care,
		                      declared_social_protection) VALUES
		 (1, 2024, 100, 70, 50, 30, 40), (2, 2024, 10, 10, 10, 10, 10), (3, 2024, 30, 20, 10, 5, 1),
		 (9, 2024, 50, 35, 21, 16, 10), (10, 2024, 20, 20, 20, 20, 20), (8, 2024, 5, 5, 5, 5, 5)`,
		`UPDATE reviews SET publics = '{habitants,justice}', obstacles = '{mobilite}' WHERE mediator_id IN (1, 2, 3)`,
		`UPDATE reviews SET publics = '{habitants}', obstacles = '{langue,mobilite}' WHERE mediator_id = 9`,
		`INSERT INTO beneficiaries (code, mediator_id) VALUES ('P1', 1), ('P2', 1)`,
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		 VALUES ('S1', 1, 1, '2024-03-20', 'F', 'oui', 'rsa', 'aller_vers', 'informe', 'non'),
		        ('S2', 1, 2, '2024-03-21', 'M', 'non', 'rsa', 'aller_vers', 'informe', 'non')`,
	)
	r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	g := r.Review.Total
	if g.Reviews != 6 || g.Exploitable != 3 {
		t.Errorf("reviews %d, exploitable %d; want 6 and 3 (A, C, I)", g.Reviews, g.Exploitable)
	}
	d := g.Declared
	if d.DistinctPeople.Round() != 60 || d.DistinctPeopleQPV.Round() != 42 || d.RightsPeople.Round() != 27 ||
		d.CarePeople.Round() != 17 || d.SocialProtection.Round() != 17 {
		t.Errorf("declared means %+v, want 60 42 27 17 17", d)
	}
	if r.Review.Rural.Exploitable != 1 || r.Review.Rural.Declared.DistinctPeople.Round() != 30 {
		t.Errorf("rural: %d exploitable, mean %d; want 1 and 30", r.Review.Rural.Exploitable, r.Review.Rural.Declared.DistinctPeople.Round())
	}
	if r.PerMediator.DistinctPeople.Round() != 2 {
		t.Errorf("derived mean %d, want 2", r.PerMediator.DistinctPeople.Round())
	}
	rank := func(rs []indicators.Rank) string {
		var out []string
		for _, x := range rs {
			out = append(out, fmt.Sprintf("%s %d %d%%", x.Label, x.Count, x.Pct))
		}
		return strings.Join(out, "; ")
	}
	if got := rank(r.Review.Publics); got != "Habitants 4 67%; Personnes sous-main de justice 3 50%" {
		t.Errorf("publics: %s", got)
	}
	if got := rank(r.Review.Obstacles); got != "Mobilité 4 67%; Barrière linguistique 1 17%" {
		t.Errorf("obstacles: %s", got)
	}
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"declared_per_mediator"`, `"distinct_people_mean": 60`, `"exploitable": 3`, "source : bilans", "source : fiches",
		"au moins 6 mois"} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %q", want)
		}
	}
}

// An action co-animated and co-built counts in both roles; the co-animated
// average for the public leaves professionals out; an action with several
// partners counts once per partner type.
func TestActionCoBuiltAndCoAnimatedWithSeveralPartners(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	execAll(t, db,
		`INSERT INTO mediators (identifier, departement) VALUES ('M1', '59'), ('M2', '62')`,
		`INSERT INTO actions (id, mediator_id, date, role, audience, partner_type, cobuilt, other_partner_types) VALUES
		 ('A1', 1, '2024-03-01', 'coanimee', 'public', 'cpam', true, '{association,cpam}'),
		 ('A2', 1, '2024-03-02', 'coanimee', 'professionnels', NULL, false, '{}'),
		 ('A3', 1, '2024-03-03', 'coconstruite', 'public', 'centre_social', false, '{}'),
		 ('A4', 2, '2024-03-04', 'participation', 'public', NULL, false, '{}'),
		 ('A5', 2, '2024-03-05', 'coanimee', 'public', NULL, false, '{association}')`,
	)
	r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	g := r.Actions.Total
	if g.Actions != 5 || g.ByRole["coanimee"] != 3 || g.ByRole["coconstruite"] != 2 || g.ByRole["participation"] != 1 {
		t.Errorf("actions %d by role %v, want 5, coanimee 3, coconstruite 2, participation 1", g.Actions, g.ByRole)
	}
	if g.CoanimatedForPublic != 2 || g.CoanimatedForPublicMean.Tenths() != 1 {
		t.Errorf("co-animated for the public %d (mean %v), want 2 (1 per mediator)", g.CoanimatedForPublic, g.CoanimatedForPublicMean.Tenths())
	}
	var got []string
	for _, p := range r.Actions.Partners {
		got = append(got, fmt.Sprintf("%s %d %d%%", p.Code, p.Count, p.Pct))
	}
	if strings.Join(got, "; ") != "association 2 67%; cpam 1 33%; centre_social 1 33%" {
		t.Errorf("partners: %s", strings.Join(got, "; "))
	}
}

// A request resolved at midnight on 1 January, Paris time, is resolved in
// the new year, not at the end of the old one; one second earlier it is.
func TestResolvedAtMidnightBelongsToTheNextPeriod(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	execAll(t, db,
		`INSERT INTO mediators (identifier, departement) VALUES ('M1', '59')`,
		`INSERT INTO beneficiaries (code, mediator_id) VALUES ('P1', 1)`,
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		 VALUES ('S1', 1, 1, '2024-12-20', 'F', 'oui', 'rsa', 'aller_vers', 'informe', 'non')`,
		`INSERT INTO requests (sheet_id, position, kind, type, status, resolved_at) VALUES
		 ('S1', 1, 'droits', 'css', 'resolue', '2024-12-31 23:59:59+01'),
		 ('S1', 2, 'droits', 'css', 'resolue', '2025-01-01 00:00:00+01')`,
	)
	for _, opts := range [][]indicators.Option{nil, {indicators.FromBaseTables()}} {
		r, err := indicators.Compute(context.Background(), db.Store.Reports(), indicators.Year(2024), indicators.Region("32"), opts...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rights.Total != 2 || r.Rights.Resolved != 1 {
			t.Errorf("base=%v: %d requests, %d resolved at the end of 2024; want 2 and 1", opts != nil, r.Rights.Total, r.Rights.Resolved)
		}
	}
}
