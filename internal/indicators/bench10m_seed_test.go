package indicators_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/testenv"
)

// BenchmarkReport10M's seed computes the rollups in bulk with its own copy
// of rollup_refresh's statements (testdata/bench10m_*.sql: calling
// rollup_refresh for a national year's keys takes over ten minutes). This
// test keeps the copy from drifting: over seedVaried's posts, year by year
// as the seed runs it, it gives the rows the migration's triggers wrote,
// with day rows or (days false) month rows only.
func TestBench10MSeedGivesTheMigrationsRollups(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	seedVaried(t, db)
	// The seed's assumption: a person's sheets are of one year (the person
	// seedVaried shows to two mediators is seen in 2024 only).
	if _, err := db.SQL.Exec(ctx, `WITH p AS (INSERT INTO beneficiaries (code, mediator_id) VALUES ('PX', 2) RETURNING id)
		UPDATE sheets SET beneficiary_id = (SELECT id FROM p) WHERE id IN ('X1', 'X2')`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.SQL.Acquire(ctx) // bench_year is a temporary table: one session
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// Planned for millions of rows, the files' statements are compiled
	// (JIT), which over these few thousand takes seconds.
	if _, err := conn.Exec(ctx, `SET jit = off`); err != nil {
		t.Fatal(err)
	}
	tables := []string{"report_counts", "report_follow_ups", "report_follow_up_days", "report_follow_up_years",
		"report_people", "report_people_days", "report_people_years"}
	snapshot := func(monthsOnly bool) map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, table := range tables {
			where := "TRUE"
			if monthsOnly && table == "report_counts" {
				where = "t.grain IN ('m', 'y')"
			}
			var rows string
			if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '') FROM `+table+` t WHERE `+where).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			out[table] = rows
		}
		return out
	}
	var files []string
	for _, name := range []string{"testdata/bench10m_followups.sql", "testdata/bench10m_rollups.sql"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, string(b))
	}
	years, err := os.ReadFile("testdata/bench10m_years.sql") // once the years are written, as the seed
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []bool{true, false} {
		want := snapshot(!days)
		for _, table := range tables {
			if _, err := conn.Exec(ctx, `DELETE FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		for year := 2023; year <= 2025; year++ {
			if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS bench_year;
				CREATE TEMP TABLE bench_year (from_day DATE NOT NULL, to_day DATE NOT NULL, days BOOLEAN NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, `INSERT INTO bench_year VALUES ($1, $2, $3)`,
				time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC), days); err != nil {
				t.Fatal(err)
			}
			for _, sql := range files {
				if _, err := conn.Exec(ctx, sql); err != nil {
					t.Fatalf("%d: %v", year, err)
				}
			}
		}
		if _, err := conn.Exec(ctx, string(years)); err != nil {
			t.Fatalf("years: %v", err)
		}
		got := snapshot(false)
		if !days {
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM report_counts WHERE grain = 'd'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("days false: %d day rows (%v)", n, err)
			}
		}
		for _, table := range tables {
			if got[table] == "" || got[table] != want[table] {
				t.Errorf("days %v: %s differs from the migration's (%d rows against %d bytes)", days, table, len(got[table]), len(want[table]))
			}
		}
	}
}
