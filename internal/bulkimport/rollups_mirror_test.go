package bulkimport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/testenv"
)

// rollupTables are the tables rollup_refresh (migrations 00014 and 00100,
// run by the triggers on sheets and requests) writes, which the import
// writes in Go (the year rows through rollup_years).
var rollupTables = []string{"report_counts", "report_follow_ups", "report_follow_up_days", "report_follow_up_years",
	"report_people", "report_people_days", "report_people_years"}

// rollupRowsOf is every row of the rollup tables, each as the JSON of all
// its columns (whatever columns a migration adds), sorted; the rows whose
// every bigint column is 0 are left out: a refresh leaves them in the sums,
// they count nothing.
func rollupRowsOf(t *testing.T, ctx context.Context, db *pgxpool.Pool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range rollupTables {
		rows, err := db.Query(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 AND data_type = 'bigint'`, table)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		q := fmt.Sprintf(`SELECT to_jsonb(t)::text FROM %s t`, table)
		if len(counts) > 0 {
			var nonZero []string
			for _, c := range counts {
				nonZero = append(nonZero, c+" <> 0")
			}
			q += ` WHERE ` + strings.Join(nonZero, " OR ")
		}
		rows, err = db.Query(ctx, q+` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out[table] = got
	}
	return out
}

// mirrorFile is a file of 400 lines whose rollups give every column of
// every rollup table several values: three mediators, forty people with
// several sheets each over two years' and months' boundaries, every sex,
// QPV answer, resource, contact mode and level, obstacles (one mentioned
// twice), ages and none, rights and care requests resolved, open (with and
// without a follow-up day) and not resolved.
func mirrorFile() []bulkimport.Row {
	days := []string{"2023-12-30", "2023-12-31", "2024-01-01", "2024-01-02", "2024-01-31", "2024-02-01", "2024-02-29",
		"2024-03-01", "2024-06-15", "2024-12-31", "2025-01-01"}
	follow := []string{"", "2024-02-10", "2024-03-05", "2025-01-20"}
	obstacles := [][]string{nil, {"mobilite"}, {"langue", "demarches"}, {"langue", "langue"}, {"manque_info", "mobilite", "langue"}}
	deps := []string{"59", "62", "80"}
	var rows []bulkimport.Row
	line := 2
	for g := 0; line < 402; g++ {
		person := g * 7 % 40
		med := person % 3
		age := 18 + g%60
		r := bulkimport.Row{
			SheetID: fmt.Sprintf("S%03d", g), Date: isoDate(days[(g*5+person)%len(days)]),
			Mediator: fmt.Sprintf("M%d", med), Departement: deps[med], Beneficiary: fmt.Sprintf("P%02d", person),
			Sex: codes.Sex[person%len(codes.Sex)].Code, Age: &age, QPV: codes.QPV[g%len(codes.QPV)].Code,
			Resources: codes.Resources[g%len(codes.Resources)].Code, ContactMode: codes.ContactModes[g%len(codes.ContactModes)].Code,
			Level: codes.Levels[g%len(codes.Levels)].Code, SocialProtection: []string{"oui", "non"}[g/3%2],
			Obstacles: obstacles[g%len(obstacles)],
		}
		if g%6 == 0 {
			r.Age = nil
		}
		requests := g % 4 // none, one, two or three
		if requests == 0 {
			r.Line = line
			rows, line = append(rows, r), line+1
			continue
		}
		for p := range requests {
			q := r
			q.Line = line
			q.RequestKind = []string{"droits", "soins"}[(g+p)%2]
			types := codes.RequestTypes(q.RequestKind)
			q.RequestType = types[(g+p)%len(types)].Code
			q.Status = codes.Statuses[(g+2*p)%len(codes.Statuses)].Code
			if d := follow[(g+p)%len(follow)]; d != "" {
				fu := isoDate(d)
				q.FollowUp = &fu
			}
			rows, line = append(rows, q), line+1
		}
	}
	return rows
}

func isoDate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// The import computes in Go the rollups the triggers on sheets and
// requests would have computed (they are off while it writes). For the
// same rows, every column of every rollup table holds what the triggers
// give: the rows are imported (every key fresh, every person new: all in
// Go), then written again through the triggers. The file gives each column
// several values, so a column computed otherwise in one place only, in the
// migration or in importrollups.go, fails here.
func TestImportRollupsAreTheTriggersColumnByColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.NewDB(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo") // a resolved request's day moves to the day before in Paris
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := bulkimport.New(db.Store).ImportRows(ctx, rowsOf(mirrorFile()...), bulkimport.Options{Location: tokyo}); err != nil {
		t.Fatalf("import: %v %+v", err, sum.Problems)
	}
	imported := rollupRowsOf(t, ctx, db.SQL)

	// Every column varies, so that its arithmetic is checked: each takes
	// at least two values, and a column that may be NULL is NULL somewhere
	// and not elsewhere. shared is false for every person an import
	// creates (a person has one mediator: "beneficiary owner").
	constant := map[string]bool{"report_people.shared": true}
	for _, table := range rollupTables {
		values := map[string]map[string]bool{}
		for _, row := range imported[table] {
			var cols map[string]any
			if err := json.Unmarshal([]byte(row), &cols); err != nil {
				t.Fatal(err)
			}
			for c, v := range cols {
				if values[c] == nil {
					values[c] = map[string]bool{}
				}
				values[c][fmt.Sprint(v)] = true
			}
		}
		rows, err := db.SQL.Query(ctx, `SELECT column_name, is_nullable = 'YES' FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		type column struct {
			Name     string
			Nullable bool
		}
		columns, err := pgx.CollectRows(rows, pgx.RowToStructByPos[column])
		if err != nil {
			t.Fatal(err)
		}
		if len(columns) == 0 {
			t.Fatalf("no table %s", table)
		}
		for _, c := range columns {
			name := table + "." + c.Name
			switch v := values[c.Name]; {
			case constant[name]:
				if len(v) != 1 {
					t.Errorf("%s takes %d values, want one", name, len(v))
				}
			case len(v) < 2:
				t.Errorf("%s takes %d value(s) in the file's rollups: the file checks nothing of it", name, len(v))
			case c.Nullable && (!v["<nil>"] || len(v) < 3):
				t.Errorf("%s is never NULL, or only NULL and one value: %v", name, slices.Sorted(maps.Keys(v)))
			}
		}
	}

	// The same rows through the triggers: out and in again.
	if err := pgx.BeginFunc(ctx, db.SQL, func(tx pgx.Tx) error {
		for _, q := range []string{
			`CREATE TEMP TABLE mirror_sheets ON COMMIT DROP AS SELECT * FROM sheets`,
			`CREATE TEMP TABLE mirror_requests ON COMMIT DROP AS SELECT * FROM requests`,
			`DELETE FROM requests`, `DELETE FROM sheets`,
			`DELETE FROM report_counts`, `DELETE FROM report_follow_ups`, `DELETE FROM report_follow_up_days`,
			`DELETE FROM report_follow_up_years`, `DELETE FROM report_people`, `DELETE FROM report_people_days`,
			`DELETE FROM report_people_years`,
			`INSERT INTO sheets OVERRIDING SYSTEM VALUE SELECT * FROM mirror_sheets`,
			`INSERT INTO requests OVERRIDING SYSTEM VALUE SELECT * FROM mirror_requests`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	triggered := rollupRowsOf(t, ctx, db.SQL)
	for _, table := range rollupTables {
		if len(triggered[table]) == 0 {
			t.Errorf("the triggers wrote no %s", table)
		}
		if got, want := imported[table], triggered[table]; !slices.Equal(got, want) {
			t.Errorf("%s written by the import differs from the triggers':\nimport only:\n%s\ntriggers only:\n%s", table,
				strings.Join(without(got, want), "\n"), strings.Join(without(want, got), "\n"))
		}
	}
}

// without is a's rows that b lacks.
func without(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
