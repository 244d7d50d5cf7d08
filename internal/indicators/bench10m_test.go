//go:build bench10m

package indicators_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/testenv"
)

// tenMillionDB names the cached dataset of BenchmarkReport10M; bump its
// version whenever seedTenMillion changes, so a stale copy is never read.
const tenMillionDB = "relais_bench_10m_v2"

// Ten years of a national programme: ten posts in each of the Code
// officiel géographique's départements, 300 000 new people, 650 000 sheets
// and 1 000 000 requests a year, 2015 to 2024.
const (
	postsPerDepartement = 10
	tenYearsFrom        = 2015
	tenYears            = 10
	sheetsPerYear       = 650_000
	peoplePerYear       = 300_000
)

// depCode is the shape mediators.departement takes (migration 00045).
var depCode = regexp.MustCompile(`^([0-9]{2}|2[AB]|97[0-6])$`)

// seedTenMillion writes the dataset straight from SQL (generate_series)
// with the triggers off (session_replication_role = replica: the rows are
// consistent by construction), then computes the rollups one year at a
// time in bulk (testdata/bench10m_*.sql: rollup_refresh's statements over
// a whole year; each year's people are its own). What a year's report
// reads is complete: the follow-ups of every year (the requests overdue
// today), report_counts' month rows and the people of the reported year
// and the year before (its history). Not written, to keep the seed within
// half an hour on a loaded 2-core machine: report_counts' day rows (read
// only by a period ending mid-month) and the counts and people of the
// eight earlier years (read only by their own reports). The year rows
// (migration 00100) come last, from rollup_years over every post and year
// (testdata/bench10m_years.sql). BenchmarkReport10M checks the report
// against the base tables.
func seedTenMillion(ctx context.Context, b *testing.B, db *testenv.DB) error {
	var deps []string
	for _, r := range territory.Regions() {
		for _, d := range r.Departements() {
			if depCode.MatchString(d.Code) { // the 101 départements, not the other overseas collectivities
				deps = append(deps, d.Code)
			}
		}
	}
	posts := len(deps) * postsPerDepartement
	conn, err := db.SQL.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	step := func(what, q string, args ...any) error {
		start := time.Now()
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		b.Logf("seed: %s in %s", what, time.Since(start).Round(time.Second))
		return nil
	}
	if err := step("session", `SET session_replication_role = replica; SET work_mem = '256MB';
		SET maintenance_work_mem = '512MB'; SET synchronous_commit = off`); err != nil {
		return err
	}
	if err := step(fmt.Sprintf("%d posts in %d départements", posts, len(deps)), `
		INSERT INTO mediators (id, identifier, departement, structure, rural) OVERRIDING SYSTEM VALUE
		SELECT (d.n - 1) * $2 + k + 1, 'MED-' || d.code || '-' || k, d.code, 'Structure ' || d.code || '-' || (k % 3), k % 6 = 0
		FROM unnest($1::text[]) WITH ORDINALITY AS d(code, n)
		CROSS JOIN generate_series(0, $2 - 1) k`, deps, postsPerDepartement); err != nil {
		return err
	}
	for y := range tenYears {
		year := tenYearsFrom + y
		if err := step(fmt.Sprintf("%d: people", year), `
		INSERT INTO beneficiaries (id, code, mediator_id) OVERRIDING SYSTEM VALUE
		SELECT $1::int * $2::int + j + 1, 'P' || ($1::int * $2::int + j + 1), 1 + ($1::int * $2::int + j) % $3::int
		FROM generate_series(0, $2::int - 1) j`, y, peoplePerYear, posts); err != nil {
			return err
		}
		if err := step(fmt.Sprintf("%d: sheets", year), `
		INSERT INTO sheets (id, mediator_number, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode,
		                    level, social_protection, obstacles, source)
		SELECT 'S' || ($1::int * $4::int + i), $1::int * $4::int + i + 1, 1 + ($1::int * $2::int + i % $2::int) % $3::int, $1::int * $2::int + i % $2::int + 1,
		       make_date($5::int, 1, 1) + i % 365,
		       `+benchSheetMix+`
		FROM generate_series(0, $4::int - 1) i`, y, peoplePerYear, posts, sheetsPerYear, year); err != nil {
			return err
		}
		if err := step(fmt.Sprintf("%d: requests", year), `
		INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, resolved_at)
		SELECT 'S' || ($1::int * $2::int + i), p,
		       `+benchRequestMix+`,
		       CASE WHEN i % 4 = 0 THEN 'en_cours' WHEN i % 20 = 1 THEN 'non_resolue' ELSE 'resolue' END,
		       CASE WHEN i % 4 = 0 THEN make_date($3::int, 1, 1) + i % 365 + 14 END,
		       CASE WHEN i % 4 <> 0 AND i % 20 <> 1 THEN make_timestamptz($3::int, 1, 1, 12, 0, 0) + (i % 380) * INTERVAL '1 day' END
		FROM generate_series(0, $2::int - 1) i CROSS JOIN generate_series(1, 2) p
		WHERE p = 1 OR i < $2::int * 7 / 13`, y, sheetsPerYear, year); err != nil {
			return err
		}
	}
	if err := step("sequences", `
		SELECT setval(pg_get_serial_sequence('mediators', 'id'), (SELECT max(id) FROM mediators));
		SELECT setval(pg_get_serial_sequence('beneficiaries', 'id'), (SELECT max(id) FROM beneficiaries));
		SET session_replication_role = DEFAULT`); err != nil {
		return err
	}
	rollups, err := os.ReadFile("testdata/bench10m_rollups.sql")
	if err != nil {
		return err
	}
	followUps, err := os.ReadFile("testdata/bench10m_followups.sql")
	if err != nil {
		return err
	}
	for y := range tenYears {
		year := tenYearsFrom + y
		if err := step(fmt.Sprintf("%d: year bounds", year), `DROP TABLE IF EXISTS bench_year;
			CREATE TEMP TABLE bench_year (from_day DATE NOT NULL, to_day DATE NOT NULL, days BOOLEAN NOT NULL)`); err != nil {
			return err
		}
		if err := step(fmt.Sprintf("%d: year bounds", year), `INSERT INTO bench_year VALUES ($1, $2, FALSE)`,
			time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)); err != nil {
			return err
		}
		if err := step(fmt.Sprintf("%d: follow-ups' rollups", year), string(followUps)); err != nil {
			return err
		}
		if y >= tenYears-2 {
			if err := step(fmt.Sprintf("%d: counts' and people's rollups", year), string(rollups)); err != nil {
				return err
			}
		}
	}
	years, err := os.ReadFile("testdata/bench10m_years.sql")
	if err != nil {
		return err
	}
	if err := step("year rows", string(years)); err != nil {
		return err
	}
	if err := step("vacuum analyze", `VACUUM ANALYZE`); err != nil {
		return err
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM requests`).Scan(&n); err != nil {
		return err
	}
	if n != 10_000_000 {
		return fmt.Errorf("seeded %d requests, want 10 000 000", n)
	}
	return nil
}

// BenchmarkReport10M is the full report of a year (every table, the chat
// message, the chart) from the rollups over ten years of a national
// programme: 10 000 000 requests, 6 500 000 sheets, 3 000 000 people, 1 020
// posts in 102 départements. The dataset is generated once (about half an
// hour on a loaded 2-core machine) into the database tenMillionDB and
// reused by later runs:
//
//	make bench-10m
//	go test -tags bench10m -run '^$' -bench Report10M -benchmem -count 2 -timeout 60m ./internal/indicators/
//
// "national" is every region served (every post), "region_32" the
// Hauts-de-France (five départements, 50 posts), a département the Nord
// (10 posts).
func BenchmarkReport10M(b *testing.B) {
	db := testenv.Cached(b, tenMillionDB, func(ctx context.Context, db *testenv.DB) error {
		return seedTenMillion(ctx, b, db)
	})
	ctx := context.Background()
	year := indicators.Year(tenYearsFrom + tenYears - 1)
	var regions []string
	for _, r := range territory.Regions() {
		regions = append(regions, r.Code)
	}
	served, err := territory.Serve(regions)
	if err != nil {
		b.Fatal(err)
	}
	national := indicators.National(served)
	// The rollups give the base tables' figures (the seed computed them in
	// bulk, and a migration may have changed them): the whole report with
	// its history, every figure of its JSON, once, before timing.
	for _, s := range []indicators.Scope{indicators.Departement("59"), national} {
		start := time.Now()
		fast, err := indicators.Compute(ctx, db.Store.Reports(), year, s, indicators.WithHistory())
		if err != nil {
			b.Fatal(err)
		}
		slow, err := indicators.Compute(ctx, db.Store.Reports(), year, s, indicators.WithHistory(), indicators.FromBaseTables())
		if err != nil {
			b.Fatal(err)
		}
		fastJSON, err := fast.JSON()
		if err != nil {
			b.Fatal(err)
		}
		slowJSON, err := slow.JSON()
		if err != nil {
			b.Fatal(err)
		}
		if string(fastJSON) != string(slowJSON) {
			b.Fatalf("%s: the rollups' report differs from the base tables':\n%s\n---\n%s", s.Label(), fastJSON, slowJSON)
		}
		b.Logf("%s: the rollups give the base tables' report (checked in %s)", s.Label(), time.Since(start).Round(time.Second))
	}
	for _, c := range []struct {
		name  string
		scope indicators.Scope
	}{{"national", national}, {"region 32", indicators.Region("32")}, {"département 59", indicators.Departement("59")}} {
		profileReport(ctx, b, db, year, c.name, c.scope)
	}
	for _, c := range []struct {
		name   string
		scope  indicators.Scope
		sheets int
	}{
		{"national", national, sheetsPerYear},
		{"region_32", indicators.Region("32"), 0},
		{"departement_59", indicators.Departement("59"), 0},
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
					if len(r.Text()) == 0 || r.Rights.Total+r.Care.Total == 0 ||
						(c.sheets > 0 && r.Total.Sheets != c.sheets) {
						b.Fatalf("report: %d sheets, %d requests", r.Total.Sheets, r.Rights.Total+r.Care.Total)
					}
					if _, err := indicators.Chart(r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// profileReport logs how long each query of one report takes (run once,
// warm, in the transaction Compute would open): where the time goes.
func profileReport(ctx context.Context, b *testing.B, db *testenv.DB, year indicators.Period, name string, s indicators.Scope) {
	for range 2 { // the first run warms the cache
		err := pgx.BeginTxFunc(ctx, db.SQL, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
			func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off;
					SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
					return err
				}
				q := &timedQuerier{tx: tx}
				start := time.Now()
				if _, err := indicators.Compute(ctx, q, year, s); err != nil {
					return err
				}
				q.log = append(q.log, fmt.Sprintf("%6.1f ms in all", float64(time.Since(start).Microseconds())/1000))
				b.Logf("%s, query by query:\n%s", name, strings.Join(q.log, "\n"))
				return nil
			})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// timedQuerier times each query until its rows are closed (or scanned).
type timedQuerier struct {
	tx  pgx.Tx
	log []string
}

func (q *timedQuerier) record(sql string, start time.Time) {
	first := ""
	for _, line := range strings.Split(sql, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			first += line + " "
		}
		if len(first) > 110 {
			break
		}
	}
	q.log = append(q.log, fmt.Sprintf("%6.1f ms  %.110s", float64(time.Since(start).Microseconds())/1000, first))
}

func (q *timedQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	start := time.Now()
	rows, err := q.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return &timedRows{Rows: rows, done: func() { q.record(sql, start) }}, nil
}

func (q *timedQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	start := time.Now()
	return timedRow{row: q.tx.QueryRow(ctx, sql, args...), done: func() { q.record(sql, start) }}
}

type timedRows struct {
	pgx.Rows
	done   func()
	closed bool
}

func (r *timedRows) Close() {
	r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.done()
	}
}

func (r *timedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

type timedRow struct {
	row  pgx.Row
	done func()
}

func (r timedRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	r.done()
	return err
}
