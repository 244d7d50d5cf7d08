package bulkimport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/testenv"
)

// rollupSnapshot is every rollup row, formatted and sorted (the sums
// without their zero rows, which only a refresh leaves).
func rollupSnapshot(t *testing.T, db *pgxpool.Pool) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT format('%s %s %s %s %s %s %s %s', grain, day, mediator_id, dim, code, n, resolved, open) FROM report_counts`,
		`SELECT format('fu %s %s %s %s %s', mediator_id, sheet_day, what, day, n) FROM report_follow_ups`,
		`SELECT format('fud %s %s %s %s', what, day, mediator_id, n) FROM report_follow_up_days WHERE n <> 0`,
		`SELECT format('p %s %s %s %s %s %s %s %s %s %s', span, start, mediator_id, beneficiary_id, first_visit,
		        first_qpv, first_sp, first_rights, first_care, shared) FROM report_people`,
		`SELECT format('pd %s %s %s %s %s %s %s %s %s %s', span, start, mediator_id, day, visit, alone, qpv, sp, rights, care)
		 FROM report_people_days WHERE (visit, alone, qpv, sp, rights, care) <> (0, 0, 0, 0, 0, 0)`,
		`SELECT format('fuy %s %s %s %s', mediator_id, what, start, n) FROM report_follow_up_years`,
		`SELECT format('py %s %s %s %s %s %s %s %s', start, mediator_id, visit, alone, qpv, sp, rights, care)
		 FROM report_people_years`,
	} {
		rows, err := db.Query(context.Background(), q+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	return strings.Join(out, "\n") + "\n"
}

// rollupRows is a file over two mediators (M1 in 59, M2 in 62), two
// days, two months and two years: new people P2…P5, P0 known (from
// OLD1, imported before), resolved, open (with and without a follow-up
// day) and not resolved requests, an obstacle twice on one sheet.
func rollupRows(t *testing.T) []bulkimport.Row {
	date := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	row := func(line int, sheet, med, person, day, kind, typ, status string, f func(*bulkimport.Row)) bulkimport.Row {
		age := 30
		dep := map[string]string{"M1": "59", "M2": "62"}[med]
		r := bulkimport.Row{Line: line, SheetID: sheet, Date: date(day), Mediator: med, Departement: dep, Beneficiary: person,
			Sex: "F", Age: &age, QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "oui",
			RequestKind: kind, RequestType: typ, Status: status}
		if f != nil {
			f(&r)
		}
		return r
	}
	follow := func(day string) func(*bulkimport.Row) {
		return func(r *bulkimport.Row) { d := date(day); r.FollowUp = &d }
	}
	a2 := func(r *bulkimport.Row) { r.Sex, r.Age, r.QPV, r.Obstacles = "M", nil, "non", nil }
	b2 := func(r *bulkimport.Row) { r.Sex, r.Age, r.QPV = "M", nil, "non" }
	return []bulkimport.Row{
		row(2, "B3", "M2", "P4", "2025-02-03", "droits", "css", "en_cours", follow("2025-02-10")),
		row(3, "B1", "M2", "P4", "2025-01-01", "soins", "autre", "resolue", func(r *bulkimport.Row) { r.SocialProtection = "non" }),
		row(4, "B2", "M2", "P5", "2025-01-01", "droits", "css", "en_cours", func(r *bulkimport.Row) { b2(r); follow("2025-02-10")(r) }),
		row(5, "B2", "M2", "P5", "2025-01-01", "soins", "rdv", "en_cours", b2), // no follow-up day
		row(6, "A2", "M1", "P2", "2024-03-05", "droits", "css", "resolue", a2),
		row(7, "A2", "M1", "P2", "2024-03-05", "droits", "autre", "en_cours", func(r *bulkimport.Row) { a2(r); follow("2024-04-02")(r) }),
		row(8, "A2", "M1", "P2", "2024-03-05", "soins", "rdv", "non_resolue", a2),
		row(9, "A2", "M1", "P2", "2024-03-05", "droits", "css", "resolue", a2),
		row(10, "A1", "M1", "P2", "2024-03-04", "soins", "rdv", "en_cours", nil), // a day with a sheet before
		row(11, "A3", "M1", "P3", "2024-03-05", "", "", "", func(r *bulkimport.Row) {
			r.Sex, r.Obstacles, r.SocialProtection = "X", []string{"langue", "langue", "mobilite"}, "non"
			r.Resources, r.ContactMode, r.Level = "salaire", "demarche_usager", "accompagne"
		}),
		row(12, "A4", "M1", "P0", "2024-12-31", "droits", "css", "resolue", nil),
		row(13, "OLD1", "M1", "P0", "2024-03-04", "droits", "css", "en_cours", follow("2024-04-02")), // imported before
	}
}

// importBefore imports OLD1 (M1, P0, 4 March 2024, followed up on 2 April)
// and leaves a stale day row on 5 March.
func importBefore(t *testing.T, db *testenv.DB, rows []bulkimport.Row, zone *time.Location) {
	t.Helper()
	ctx := context.Background()
	if _, err := bulkimport.New(db.Store).ImportRows(ctx, rowsOf(rows[len(rows)-1]), bulkimport.Options{Location: zone}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(ctx, `INSERT INTO report_counts (grain, day, mediator_id, dim, code, n) VALUES ('d', '2024-03-05', 1, 'sheets', '', 99)`); err != nil {
		t.Fatal(err)
	}
}

// The rollups of an import (writeImportRollups for the fresh days and the
// new people, rollup_refresh for the rest) are row for row those a rebuild
// from the base tables gives. The file's zone is Tokyo's: a request
// resolved at its midnight falls on the day before in Paris.
func TestWriteImportRollupsEqualARebuild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	rows := rollupRows(t)
	db := testenv.NewDB(t)
	importBefore(t, db, rows, tokyo)
	if sum, err := bulkimport.New(db.Store).ImportRows(ctx, rowsOf(rows...), bulkimport.Options{Location: tokyo}); err != nil || sum.SkippedSheets != 1 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	var ids string
	if err := db.SQL.QueryRow(ctx, `SELECT (SELECT string_agg(identifier || '=' || id, ' ' ORDER BY id) FROM mediators) || ' ' ||
		(SELECT string_agg(code || '=' || id, ' ' ORDER BY id) FROM beneficiaries)`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	// New people are numbered in the order of their first sheet in the file.
	if ids != "M1=1 M2=2 P0=1 P4=2 P5=3 P2=4 P3=5" {
		t.Fatalf("ids %s, the literal rows below assume others", ids)
	}
	// report_people is written person by person (its index grows at its end).
	var order string
	if err := db.SQL.QueryRow(ctx, `SELECT string_agg(beneficiary_id::text, ' ' ORDER BY ctid) FROM report_people WHERE beneficiary_id <> 1`).Scan(&order); err != nil {
		t.Fatal(err)
	}
	if order != "2 2 2 3 3 4 4 5 5" {
		t.Errorf("report_people written in the order %s, want by person", order)
	}
	imported := rollupSnapshot(t, db.SQL)
	if _, err := db.SQL.Exec(ctx, `SELECT rollup_rebuild()`); err != nil {
		t.Fatal(err)
	}
	if rebuilt := rollupSnapshot(t, db.SQL); imported != rebuilt {
		t.Errorf("rollups written by the import:\n%s\nrebuilt from the base tables:\n%s", imported, rebuilt)
	}
	for _, want := range []string{
		"d 2024-03-05 1 sheets  2 0 0", // the stale 99 is gone
		"d 2024-03-05 1 obstacle langue 2 0 0",
		"d 2024-03-05 1 droits css 2 2 0",
		"fu 1 2024-03-05 r 2024-03-04 2", // Tokyo's midnight: the day before in Paris
		"fu 1 2024-12-31 r 2024-12-30 1",
		"fud o 2024-04-02 1 2", // OLD1's and A2's
		"fud o 2025-02-10 2 2", // B2's and B3's days summed
		"p m 2024-03-01 1 4 2024-03-04 2024-03-04 2024-03-04 2024-03-05 2024-03-04 f",
		"p y 2025-01-01 2 2 2025-01-01 2025-01-01 2025-02-03 2025-02-03 2025-01-01 f",
		"pd m 2024-03-01 1 2024-03-04 2 2 2 2 1 1", // P0's (before) and P2's (added)
		"y 2024-01-01 1 sheets  5 0 0",             // March's 4 and December's 1 (migration 00100)
		"y 2025-01-01 2 sheets  3 0 0",
		"fuy 2 r 2024-01-01 1",        // B1's, resolved on 31 December 2024 in Paris
		"py 2025-01-01 2 2 2 1 2 2 2", // M2's two days of 2025 summed
	} {
		if !strings.Contains(imported, want+"\n") {
			t.Errorf("no %q in the rollups:\n%s", want, imported)
		}
	}
}

// An import with no fresh day and no new person writes nothing.
func TestWriteImportRollupsOfNothing(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	if err := pgx.BeginFunc(ctx, db.SQL, func(tx pgx.Tx) error {
		return bulkimport.WriteImportRollups(ctx, tx, nil, nil, nil, time.UTC)
	}); err != nil {
		t.Fatal(err)
	}
	if got := rollupSnapshot(t, db.SQL); got != "\n" {
		t.Errorf("rollups written: %q", got)
	}
}
