package indicators_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// seedVaried writes, in SQL, sheets from December 2023 to January 2025 for
// 9 posts in three départements: every category, requests of every status
// resolved around Paris midnight, people seen several times and a person
// seen by two mediators (which the bot refuses, but the figures must still
// count them once per département).
func seedVaried(t *testing.T, db *testenv.DB) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO mediators (identifier, departement, structure, rural)
		 SELECT 'M' || i, (ARRAY['59','62','80'])[1 + i % 3], 'Structure ' || (i % 2), i % 4 = 0
		 FROM generate_series(0, 8) i`,
		`INSERT INTO beneficiaries (code, mediator_id) SELECT 'P' || j, 1 + j % 9 FROM generate_series(0, 199) j`,
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode,
		                     level, social_protection, obstacles)
		 SELECT 'S' || i, 1 + (i % 200) % 9, 1 + i % 200, DATE '2023-12-01' + (i * 7) % 428,
		        (ARRAY['F','M','X'])[1 + i % 3], CASE WHEN i % 7 = 0 THEN NULL ELSE 18 + i % 60 END,
		        CASE WHEN i % 3 = 0 THEN 'oui' ELSE 'non' END,
		        (ARRAY['aah','rsa','salaire','inconnue'])[1 + i % 4], (ARRAY['aller_vers','demarche_usager'])[1 + i % 2],
		        (ARRAY['informe','oriente','accompagne'])[1 + i % 3], CASE WHEN i % 5 < 2 THEN 'oui' ELSE 'non' END,
		        CASE i % 4 WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY['mobilite'] ELSE ARRAY['langue','logement'] END
		 FROM generate_series(0, 1499) i`,
		// P7 (mediator 8) also seen by mediator 2, same département, and 5
		`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		 VALUES ('X1', 2, 8, '2024-03-05', 'F', 'oui', 'rsa', 'aller_vers', 'informe', 'oui'),
		        ('X2', 5, 8, '2024-03-20', 'F', 'non', 'rsa', 'aller_vers', 'informe', 'non')`,
		`INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, resolved_at)
		 SELECT s.id, p, CASE WHEN (n + p) % 3 = 0 THEN 'soins' ELSE 'droits' END,
		        (ARRAY['css','rdv','autre','inconnu'])[1 + (n + p) % 4],
		        (ARRAY['en_cours','resolue','non_resolue','abandonnee','resolue'])[1 + (n + p) % 5],
		        CASE WHEN (n + p) % 5 = 0 THEN s.date + (n % 40)::int END,
		        CASE WHEN (n + p) % 5 IN (1, 4) THEN s.date + (n % 30) * INTERVAL '1 day' + (n % 48) * INTERVAL '30 minutes' END
		 FROM (SELECT s.*, row_number() OVER (ORDER BY s.id) AS n FROM sheets s) s
		 CROSS JOIN generate_series(1, 3) p
		 WHERE p <= 1 + s.n % 3 AND s.n % 11 <> 0`,
	} {
		if _, err := db.SQL.Exec(ctx, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

var rollupScopes = []indicators.Scope{
	indicators.National(hdf), indicators.Region("32"), indicators.Group("32", 0), indicators.Departement("59"), indicators.Departement("62"),
	indicators.Structure("59", "Structure 1"), indicators.Mediator(2), indicators.Mediator(8),
	{Kind: indicators.KindRural}, {Kind: indicators.KindQPVPosts, Departement: "80"},
}

var rollupPeriods = []indicators.Period{
	indicators.Year(2024), indicators.Year(2023), indicators.Year(2025),
	indicators.YearToDate(day(2024, 3, 20)), indicators.YearToDate(day(2024, 2, 29)),
	indicators.Month(day(2024, 3, 1)), indicators.Days(day(2024, 12, 1), day(2024, 12, 17)),
	indicators.Days(day(2024, 1, 31), day(2024, 3, 4)), indicators.Week(day(2024, 5, 15)),
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sameAsBaseTables checks every scope and period against the base tables,
// with their history (the year before, twelve months).
func sameAsBaseTables(t *testing.T, db *testenv.DB, step string) {
	t.Helper()
	ctx := context.Background()
	asOf := indicators.AsOf(day(2024, 6, 1))
	for _, s := range rollupScopes {
		for _, p := range rollupPeriods {
			fast, err := indicators.Compute(ctx, db.Store.Reports(), p, s, asOf, indicators.WithHistory())
			if err != nil {
				t.Fatal(err)
			}
			base, err := indicators.Compute(ctx, db.Store.Reports(), p, s, asOf, indicators.WithHistory(), indicators.FromBaseTables())
			if err != nil {
				t.Fatal(err)
			}
			a, err := json.Marshal(fast)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(base)
			if err != nil {
				t.Fatal(err)
			}
			if string(a) != string(b) {
				t.Errorf("%s, %s %s: rollups differ from the base tables\nrollups: %s\nbase:    %s", step, s.Key(), p.Label(), a, b)
			}
		}
	}
}

// TestRollupsGiveTheBaseTablesFigures changes the data every way the
// application (and the retention purge) does and checks after each change
// that the rollups give exactly the figures computed from the sheets.
func TestRollupsGiveTheBaseTablesFigures(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedVaried(t, db)
	sameAsBaseTables(t, db, "seeded")

	exec := func(step, sql string, args ...any) {
		t.Helper()
		tag, err := db.SQL.Exec(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if tag.RowsAffected() == 0 {
			t.Fatalf("%s: no row changed", step)
		}
	}

	age := 40
	follow := day(2024, 4, 1)
	if _, created, err := db.Store.SaveSheet(ctx, store.Sheet{
		ID: "new-1", MediatorID: 3, Date: day(2024, 3, 12), Beneficiary: "P2", Sex: "M", Age: &age, QPV: "oui",
		Resources: "rsa", ContactMode: "aller_vers", Level: "accompagne", SocialProtection: "oui",
		Obstacles: []string{"mobilite", "langue"}, SavedAt: day(2024, 3, 12).Add(23*time.Hour + 30*time.Minute),
		Requests: []store.Request{{Kind: "soins", Type: "rdv", Status: "resolue"},
			{Kind: "droits", Type: "css", Status: "en_cours", FollowUp: &follow}},
	}); err != nil || !created {
		t.Fatalf("save sheet: created %v, %v", created, err)
	}
	sameAsBaseTables(t, db, "sheet saved")

	var reqID int64
	if err := db.SQL.QueryRow(ctx, `SELECT id FROM requests WHERE sheet_id = 'new-1' AND position = 2`).Scan(&reqID); err != nil {
		t.Fatal(err)
	}
	if changed, err := db.Store.SetRequestStatus(ctx, 3, reqID, store.StatusResolved, day(2024, 3, 31).Add(22*time.Hour+30*time.Minute)); err != nil || !changed {
		t.Fatalf("set status: %v %v", changed, err)
	}
	sameAsBaseTables(t, db, "follow-up resolved")

	exec("statuses changed", `UPDATE requests SET status = 'en_cours', resolved_at = NULL, follow_up = DATE '2024-05-01' WHERE id % 13 = 0`)
	exec("reminded", `UPDATE requests SET last_reminded_on = DATE '2024-05-02' WHERE id % 3 = 0`)
	sameAsBaseTables(t, db, "statuses changed")

	exec("sheets edited", `UPDATE sheets SET date = date + 40, qpv = 'oui', age = NULL, obstacles = '{}' WHERE id IN ('S5', 'S17', 'X1')`)
	exec("sheet moved", `UPDATE sheets SET mediator_id = 4 WHERE id = 'S30'`)
	exec("note edited", `UPDATE sheets SET note = 'vu' WHERE id = 'S31'`)
	sameAsBaseTables(t, db, "sheets edited")

	exec("request deleted", `DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE position = 1 ORDER BY id LIMIT 5 OFFSET 100)`)
	exec("sheets purged", `DELETE FROM sheets WHERE date < DATE '2024-02-15'`)
	exec("person erased", `DELETE FROM sheets WHERE beneficiary_id = 20`)
	exec("person erased", `DELETE FROM beneficiaries WHERE id = 20`)
	sameAsBaseTables(t, db, "deleted")

	file := strings.Join([]string{strings.Join(trackingcsv.Header, ","),
		"I1,2024-03-03,M1,62,P1,F,30,oui,rsa,aller_vers,informe,oui,droits,css,resolue,,mobilite",
		"I1,2024-03-03,M1,62,P1,F,30,oui,rsa,aller_vers,informe,oui,soins,rdv,en_cours,2024-03-20,mobilite",
		"I2,2024-12-31,NEW-1,80,Q1,M,,non,aah,demarche_usager,oriente,non,soins,autre,en_cours,,",
		// Q2, created by the import: its first visit, first QPV visit,
		// first rights and care requests fall on different days and months.
		"I3,2024-01-10,NEW-1,80,Q2,F,41,non,rsa,aller_vers,informe,non,droits,css,resolue,,",
		"I4,2024-01-20,NEW-1,80,Q2,F,41,oui,rsa,aller_vers,informe,oui,soins,rdv,en_cours,2024-02-01,",
		"I5,2024-03-05,NEW-1,80,Q2,F,41,oui,rsa,aller_vers,informe,non,,,,,",
		"I6,2024-03-07,NEW-1,80,Q2,F,41,non,rsa,aller_vers,informe,oui,droits,autre,non_resolue,,",
		"I6,2024-03-07,NEW-1,80,Q2,F,41,non,rsa,aller_vers,informe,oui,soins,autre,resolue,,",
	}, "\n") + "\n"
	if sum, err := trackingcsv.Import(ctx, bulkimport.New(db.Store), strings.NewReader(file), hdf, false); err != nil || sum.Sheets != 6 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	sameAsBaseTables(t, db, "imported")

	if _, err := db.SQL.Exec(ctx, `TRUNCATE requests`); err != nil {
		t.Fatalf("truncate: %v", err)
	}
	sameAsBaseTables(t, db, "requests truncated")
}

// TestComputeReadsTheRollups shows which periods the rollups answer: a
// rollup changed by hand changes a year's, a year to date's and a month's
// figures, not those of a period starting mid-month (read from the sheets);
// a whole year reads the year rows (migration 00100, its late resolutions
// too), its months and days not.
func TestComputeReadsTheRollups(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedVaried(t, db)
	type figures struct{ sheets, people, resolved, overdue, resolvedRequests int }
	compute := func(p indicators.Period) figures {
		t.Helper()
		r, err := indicators.Compute(ctx, db.Store.Reports(), p, indicators.Region("32"), indicators.AsOf(day(2024, 6, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return figures{r.Sheets, r.People, r.FollowUps.Resolved, r.FollowUps.Overdue, r.Rights.Resolved + r.Care.Resolved}
	}
	periods := []indicators.Period{indicators.Year(2024), indicators.YearToDate(day(2024, 3, 20)),
		indicators.Month(day(2024, 3, 10)), indicators.Days(day(2024, 3, 1), day(2024, 3, 20)),
		indicators.Days(day(2024, 3, 2), day(2024, 3, 31)), indicators.Days(day(2023, 12, 1), day(2024, 3, 31)),
		indicators.Days(day(2024, 1, 1), day(2025, 3, 31)), // from a 1 January, but over two years: not the rollups
		indicators.YearToDate(day(2024, 12, 30))}           // all but the year's last day: months and days
	before := make([]figures, len(periods))
	for i, p := range periods {
		before[i] = compute(p)
	}
	// One year row, one month row of March, one day row of its first 20
	// days, a post's people of 2024 and its follow-ups by year.
	for _, q := range []string{
		`UPDATE report_counts SET n = n + 10 WHERE ctid = (SELECT ctid FROM report_counts
		 WHERE dim = 'sheets' AND grain = 'y' AND day = '2024-01-01' LIMIT 1)`,
		`UPDATE report_counts SET n = n + 1000 WHERE ctid = (SELECT ctid FROM report_counts
		 WHERE dim = 'sheets' AND grain = 'm' AND day = '2024-03-01' LIMIT 1)`,
		`UPDATE report_counts SET n = n + 100000 WHERE ctid = (SELECT ctid FROM report_counts
		 WHERE dim = 'sheets' AND grain = 'd' AND day BETWEEN '2024-03-01' AND '2024-03-20' LIMIT 1)`,
		`UPDATE report_people_years SET alone = alone + 7 WHERE start = '2024-01-01' AND mediator_id = 1`,
		`UPDATE report_follow_up_years SET n = n + 3 WHERE what = 'r' AND start = '2024-01-01' AND mediator_id = 1`,
		`UPDATE report_follow_up_years SET n = n + 5 WHERE what = 'o' AND start = '2023-01-01' AND mediator_id = 1`,
		`UPDATE report_counts SET n = n + 2 WHERE ctid = (SELECT ctid FROM report_counts
		 WHERE dim = 'droits_late' AND grain = 'y' AND day = '2024-01-01' LIMIT 1)`,
	} {
		if tag, err := db.SQL.Exec(ctx, q); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("change rollup: %v %v", tag, err)
		}
	}
	for i, want := range []figures{{10, 7, 3, 5, -2}, {100000, 0, 0, 5, 0}, {1000, 0, 0, 5, 0}, {100000, 0, 0, 5, 0},
		{0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {1000, 0, 0, 5, 0}} {
		after := compute(periods[i])
		got := figures{after.sheets - before[i].sheets, after.people - before[i].people,
			after.resolved - before[i].resolved, after.overdue - before[i].overdue,
			after.resolvedRequests - before[i].resolvedRequests}
		if got != want {
			t.Errorf("%s: %+v more once the rollups are changed, want %+v", periods[i].Label(), got, want)
		}
	}
}

// TestHistoryReadsTheRollups: a year's history (the year before, twelve
// months) reads the year before's year rows and the months' rows.
func TestHistoryReadsTheRollups(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedVaried(t, db)
	history := func(opts ...indicators.Option) indicators.History {
		t.Helper()
		r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"),
			append(opts, indicators.WithHistory())...)
		if err != nil {
			t.Fatal(err)
		}
		return *r.History
	}
	before := history()
	for _, q := range []string{
		`UPDATE report_counts SET n = n + 10 WHERE ctid = (SELECT ctid FROM report_counts
		 WHERE dim = 'sheets' AND grain = 'y' AND day = '2023-01-01' LIMIT 1)`,
		`UPDATE report_counts SET n = n + 1000 WHERE ctid = (SELECT ctid FROM report_counts
		 WHERE dim = 'sheets' AND grain = 'm' AND day = '2024-03-01' LIMIT 1)`,
		`UPDATE report_people_years SET alone = alone + 7 WHERE ctid = (SELECT ctid FROM report_people_years
		 WHERE start = '2023-01-01' LIMIT 1)`,
	} {
		if tag, err := db.SQL.Exec(ctx, q); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("change rollup: %v %v", tag, err)
		}
	}
	after := history()
	if got := after.Previous.Sheets - before.Previous.Sheets; got != 10 {
		t.Errorf("year before: %d more sheets, want 10", got)
	}
	if got := after.Previous.People - before.Previous.People; got != 7 {
		t.Errorf("year before: %d more people, want 7", got)
	}
	if after.Months[2].Month != "2024-03" || after.Months[2].Sheets-before.Months[2].Sheets != 1000 {
		t.Errorf("March: %+v, then %+v; want 1000 more sheets", before.Months[2], after.Months[2])
	}
	if base := history(indicators.FromBaseTables()); base.Previous.Sheets != before.Previous.Sheets {
		t.Errorf("the base tables count %d sheets the year before, the rollups %d", base.Previous.Sheets, before.Previous.Sheets)
	}
}

// TestConcurrentSavesKeepTheRollupsExact saves two sheets of one mediator
// on one day in two transactions at once: the second refresh waits for the
// first instead of failing or counting twice.
func TestConcurrentSavesKeepTheRollupsExact(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedVaried(t, db)
	insert := `INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		VALUES ($1, 2, 2, '2024-03-05', 'M', 'oui', 'rsa', 'aller_vers', 'informe', 'oui')`
	tx1, err := db.SQL.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	if _, err := tx1.Exec(ctx, insert, "C1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.SQL.Exec(ctx, insert, "C2")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the second insert reach its refresh
	if err := tx1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("second save: %v", err)
	}
	sameAsBaseTables(t, db, "two concurrent saves")
}

// TestMigrationWritesTheYearRows: a database with rollups from before
// migration 00100 gets their year rows when it is migrated, so a year's
// report keeps its figures.
func TestMigrationWritesTheYearRows(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	p := db.Migrations(t)
	if _, err := p.DownTo(ctx, 95); err != nil {
		t.Fatalf("down to 95: %v", err)
	}
	seedVaried(t, db)
	if err := store.Migrate(ctx, db.URL); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var years string
	if err := db.SQL.QueryRow(ctx, `SELECT concat_ws(' ',
		(SELECT string_agg(DISTINCT day::text, ',') FROM report_counts WHERE grain = 'y'),
		(SELECT string_agg(DISTINCT start::text, ',') FROM report_people_years),
		(SELECT string_agg(DISTINCT start::text, ',') FROM report_follow_up_years))`).Scan(&years); err != nil {
		t.Fatal(err)
	}
	if want := "2023-01-01,2024-01-01,2025-01-01 2023-01-01,2024-01-01,2025-01-01 2023-01-01,2024-01-01,2025-01-01"; years != want {
		t.Errorf("years of the year rows: %s, want %s", years, want)
	}
	sameAsBaseTables(t, db, "migrated")
}
