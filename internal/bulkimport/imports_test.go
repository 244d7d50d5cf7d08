package bulkimport_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func importRow(line int, sheet, mediator, dep, person string, kind, typ, status string) bulkimport.Row {
	age := 40
	return bulkimport.Row{
		Line: line, SheetID: sheet, Date: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC),
		Mediator: mediator, Departement: dep, Beneficiary: person, Sex: "F", Age: &age, QPV: "oui",
		Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "oui",
		Obstacles: []string{"mobilite", "langue"}, RequestKind: kind, RequestType: typ, Status: status,
	}
}

func rowsOf(rows ...bulkimport.Row) iter.Seq2[bulkimport.Row, error] {
	return func(yield func(bulkimport.Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// rejected imports rows, which must be refused, and returns the summary
// and its problems as the user reads them.
func rejected(t *testing.T, st *store.Store, rows ...bulkimport.Row) (bulkimport.Summary, []string) {
	t.Helper()
	sum, err := bulkimport.New(st).ImportRows(context.Background(), rowsOf(rows...), bulkimport.Options{})
	if !errors.Is(err, bulkimport.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	var got []string
	for _, p := range sum.Problems {
		got = append(got, p.Error())
	}
	return sum, got
}

func count(t *testing.T, db *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportRowsCreatesOnceAndSkipsOnSecondRun(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	rows := []bulkimport.Row{
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		importRow(3, "A1", "MED-1", "59", "P1", "soins", "rdv", "en_cours"),
		importRow(4, "A2", "MED-2", "62", "P2", "droits", "autre", "en_cours"),
	}
	sum, err := bulkimport.New(st).ImportRows(ctx, rowsOf(rows...), bulkimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := bulkimport.Summary{Rows: 3, Sheets: 2, Requests: 3, NewMediators: 2, NewBeneficiaries: 2}
	if sum.Rows != want.Rows || sum.Sheets != want.Sheets || sum.Requests != want.Requests ||
		sum.NewMediators != want.NewMediators || sum.NewBeneficiaries != want.NewBeneficiaries || sum.SkippedSheets != 0 {
		t.Errorf("first import: %+v, want %+v", sum, want)
	}
	var source, dep string
	var positions []int32
	if err := db.SQL.QueryRow(ctx, `SELECT s.source, m.departement, array_agg(r.position ORDER BY r.position)
		FROM sheets s JOIN mediators m ON m.id = s.mediator_id JOIN requests r ON r.sheet_id = s.id
		WHERE s.id = 'A1' GROUP BY 1, 2`).Scan(&source, &dep, &positions); err != nil {
		t.Fatal(err)
	}
	if source != "import" || dep != "59" || len(positions) != 2 || positions[1] != 2 {
		t.Errorf("sheet A1: source %q, département %q, request positions %v", source, dep, positions)
	}
	var resolved int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM requests WHERE resolved_at IS NOT NULL`).Scan(&resolved); err != nil || resolved != 1 {
		t.Errorf("%d requests with a resolution time (%v), want 1 (the resolved one)", resolved, err)
	}

	again, err := bulkimport.New(st).ImportRows(ctx, rowsOf(rows...), bulkimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Sheets != 0 || again.Requests != 0 || again.NewMediators != 0 || again.NewBeneficiaries != 0 || again.SkippedSheets != 2 {
		t.Errorf("second import of the same rows created something: %+v", again)
	}
	if count(t, db.SQL, "sheets") != 2 || count(t, db.SQL, "requests") != 3 || count(t, db.SQL, "mediators") != 2 {
		t.Errorf("after two imports: %d sheets, %d requests, %d mediators", count(t, db.SQL, "sheets"), count(t, db.SQL, "requests"), count(t, db.SQL, "mediators"))
	}
}

func TestImportRowsIsAllOrNothing(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	bad := func(yield func(bulkimport.Row, error) bool) {
		_ = yield(importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"), nil) &&
			yield(bulkimport.Row{}, &bulkimport.Problem{Line: 3, Reason: "sexe « Z » inconnu (F, M ou X)"}) &&
			yield(importRow(4, "A2", "MED-1", "59", "P2", "droits", "css", "resolue"), nil)
	}
	sum, err := bulkimport.New(st).ImportRows(ctx, bad, bulkimport.Options{})
	if !errors.Is(err, bulkimport.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if sum.ProblemCount != 1 || len(sum.Problems) != 1 || sum.Problems[0].Error() != "ligne 3 : sexe « Z » inconnu (F, M ou X)" {
		t.Errorf("problems: %+v", sum)
	}
	for _, table := range []string{"mediators", "beneficiaries", "sheets", "requests"} {
		if n := count(t, db.SQL, table); n != 0 {
			t.Errorf("%d rows in %s after a rejected import", n, table)
		}
	}
}

func TestImportRowsFindsConflictsAcrossLines(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(importRow(2, "OLD", "MED-9", "80", "P9", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	other := importRow(3, "A1", "MED-1", "59", "P1", "soins", "rdv", "en_cours")
	other.Sex = "M"
	sameDayOtherSex := importRow(9, "A7", "MED-1", "59", "P1", "droits", "css", "resolue")
	sameDayOtherSex.Sex = "M"
	rows := []bulkimport.Row{
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		other, // same sheet, another sex
		importRow(4, "A3", "MED-1", "62", "P3", "droits", "css", "resolue"),  // MED-1 is in 59 above
		importRow(5, "A4", "MED-9", "59", "P4", "droits", "css", "resolue"),  // MED-9 is known in 80
		importRow(6, "A5", "MED-2", "59", "P1", "droits", "css", "resolue"),  // P1 is MED-1's person
		importRow(7, "OLD", "MED-2", "59", "P5", "droits", "css", "resolue"), // OLD is MED-9's sheet
		importRow(8, "A6", "MED-2", "59", "P9", "droits", "css", "resolue"),  // P9 is MED-9's person
		sameDayOtherSex, // P1 again the same day, another sheet, another sex
	}
	sum, got := rejected(t, st, rows...)
	want := []string{
		"ligne 3 : la fiche « A1 » ne concorde pas avec sa ligne 2 (colonnes différentes : sex)",
		"ligne 4 : le médiateur « MED-1 » est dans le département 59 plus haut dans le fichier, pas 62",
		"ligne 5 : le médiateur « MED-9 » est déjà enregistré dans le département 80, pas 59",
		"ligne 6 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-1 »",
		"ligne 7 : une autre fiche « OLD »",
		"ligne 8 : le code bénéficiaire « P9 » appartient déjà au médiateur « MED-9 », pas à « MED-2 »",
		"ligne 9 : la personne « P1 » a le sexe M ici mais F le même jour plus haut dans le fichier",
	}
	if len(got) != len(want) || sum.ProblemCount != len(want) {
		t.Fatalf("problems (%d):\n%s", sum.ProblemCount, strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want it to start with %q", i, got[i], want[i])
		}
	}
	if count(t, db.SQL, "sheets") != 1 {
		t.Errorf("a rejected import wrote sheets")
	}
}

func TestImportRowsDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	sum, err := bulkimport.New(st).ImportRows(context.Background(), rowsOf(
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		importRow(3, "A2", "MED-1", "59", "P1", "", "", ""), // a sheet without request
	), bulkimport.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sheets != 2 || sum.Requests != 1 || sum.NewMediators != 1 || sum.NewBeneficiaries != 1 {
		t.Errorf("dry run summary %+v", sum)
	}
	if n := count(t, db.SQL, "sheets") + count(t, db.SQL, "mediators"); n != 0 {
		t.Errorf("dry run wrote %d rows", n)
	}
}

// A file whose only problem is across sheets (no sheet disagrees with
// itself) is still refused: the cheap groupings that decide whether the
// slower checks run see it.
func TestImportRowsFindsConflictsBetweenConsistentSheets(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	sameDay := importRow(3, "A2", "MED-1", "59", "P1", "droits", "css", "resolue")
	sameDay.Sex = "M"
	for _, c := range []struct {
		rows []bulkimport.Row
		want string
	}{
		{[]bulkimport.Row{
			importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
			importRow(3, "A2", "MED-2", "59", "P1", "droits", "css", "resolue"),
		}, "ligne 3 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-1 »"},
		{[]bulkimport.Row{
			importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
			sameDay,
		}, "ligne 3 : la personne « P1 » a le sexe M ici mais F le même jour plus haut dans le fichier"},
	} {
		sum, err := bulkimport.New(st).ImportRows(ctx, rowsOf(c.rows...), bulkimport.Options{})
		if !errors.Is(err, bulkimport.ErrRejected) || sum.ProblemCount != 1 || !strings.HasPrefix(sum.Problems[0].Error(), c.want) {
			t.Errorf("err %v, problems %+v, want one starting with %q", err, sum.Problems, c.want)
		}
	}
	if n := count(t, db.SQL, "sheets"); n != 0 {
		t.Errorf("%d sheets written by refused imports", n)
	}
}

// Imported sheets get their mediator's next numbers in date order (then
// line order), after the numbers the mediator already has.
func TestImportRowsNumbersSheetsPerMediator(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	first := importRow(2, "OLD", "MED-1", "59", "P0", "droits", "css", "resolue")
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(first), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	march := func(line int, sheet, med, person string, day int) bulkimport.Row {
		r := importRow(line, sheet, med, "59", person, "droits", "css", "resolue")
		r.Date = time.Date(2024, 3, day, 0, 0, 0, 0, time.UTC)
		return r
	}
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(
		march(2, "B3", "MED-1", "P1", 20),
		march(3, "B1", "MED-1", "P2", 10),
		march(4, "C1", "MED-2", "P3", 15),
		march(5, "B2", "MED-1", "P1", 10),
		march(6, "C2", "MED-2", "P3", 1),
	), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.Query(ctx, `SELECT s.id || '=' || s.mediator_number FROM sheets s ORDER BY s.id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := "B1=2 B2=3 B3=4 C1=2 C2=1 OLD=1"; strings.Join(got, " ") != want {
		t.Errorf("mediator numbers %v, want %s", got, want)
	}
}

// The foreign keys the import sets aside are back, as they were, checked.
func TestImportRowsKeepsForeignKeys(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	keys := func() string {
		rows, err := db.SQL.Query(ctx, `SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
			FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('requests'::regclass, 'sheets'::regclass) ORDER BY conname`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, "\n")
	}
	want := "requests_sheet_id_fkey FOREIGN KEY (sheet_id) REFERENCES sheets(id) ON DELETE CASCADE true\n" +
		"sheets_beneficiary_id_fkey FOREIGN KEY (beneficiary_id) REFERENCES beneficiaries(id) true\n" +
		"sheets_mediator_id_fkey FOREIGN KEY (mediator_id) REFERENCES mediators(id) true"
	if got := keys(); got != want {
		t.Fatalf("before the import:\n%s", got)
	}
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := keys(); got != want {
		t.Errorf("after the import:\n%s\nwant:\n%s", got, want)
	}
	if _, err := db.SQL.Exec(ctx, `INSERT INTO requests (sheet_id, position, kind, type, status) VALUES ('NOPE', 1, 'droits', 'css', 'resolue')`); err == nil {
		t.Error("a request of no sheet was accepted after the import")
	}
	if _, err := db.SQL.Exec(ctx, `DELETE FROM sheets WHERE id = 'A1'`); err != nil || count(t, db.SQL, "requests") != 0 {
		t.Errorf("deleting the sheet: %v, %d requests left (cascade)", err, count(t, db.SQL, "requests"))
	}
}

// A large import (at least importRebuildMin staged sheets, more than the
// table holds) drops the secondary indexes and creates them again; a
// smaller one keeps them. Either way they are back, defined as before.
// Not parallel: it lowers importRebuildMin, the package's own threshold,
// which would make the other tests' imports recreate indexes meanwhile.
func TestImportRowsRecreatesIndexesOnlyWhenLarge(t *testing.T) {
	ctx := context.Background()
	indexes := func(db *pgxpool.Pool) (defs, oids string) {
		t.Helper()
		rows, err := db.Query(ctx, `SELECT indexdef, i.indexrelid::text
			FROM pg_indexes x JOIN pg_index i ON i.indexrelid = (x.schemaname || '.' || x.indexname)::regclass
			WHERE x.tablename IN ('beneficiaries', 'sheets', 'requests') ORDER BY x.indexname`)
		if err != nil {
			t.Fatal(err)
		}
		var d, o []string
		for rows.Next() {
			var def, oid string
			if err := rows.Scan(&def, &oid); err != nil {
				t.Fatal(err)
			}
			d, o = append(d, def), append(o, oid)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return strings.Join(d, "\n"), strings.Join(o, " ")
	}
	want := `CREATE UNIQUE INDEX beneficiaries_code_key ON public.beneficiaries USING btree (code)
CREATE INDEX beneficiaries_mediator ON public.beneficiaries USING btree (mediator_id, last_seen DESC)
CREATE UNIQUE INDEX beneficiaries_pkey ON public.beneficiaries USING btree (id)
CREATE INDEX requests_open_follow_up ON public.requests USING btree (follow_up) WHERE (status = 'en_cours'::text)
CREATE UNIQUE INDEX requests_pkey ON public.requests USING btree (id)
CREATE INDEX requests_resolved_at ON public.requests USING btree (resolved_at) WHERE (status = 'resolue'::text)
CREATE UNIQUE INDEX requests_sheet_id_position_key ON public.requests USING btree (sheet_id, "position")
CREATE INDEX sheets_beneficiary ON public.sheets USING btree (beneficiary_id)
CREATE INDEX sheets_date ON public.sheets USING btree (date)
CREATE INDEX sheets_mediator_date ON public.sheets USING btree (mediator_id, date)
CREATE UNIQUE INDEX sheets_mediator_number ON public.sheets USING btree (mediator_id, mediator_number)
CREATE UNIQUE INDEX sheets_number_key ON public.sheets USING btree (number)
CREATE UNIQUE INDEX sheets_pkey ON public.sheets USING btree (id)`
	// Each case: sheets already there, the threshold, then the import of
	// three sheets (A1…A3).
	for _, c := range []struct {
		name      string
		existing  int
		min       int
		recreated bool
	}{
		{"empty table, 3 sheets, threshold 3", 0, 3, true},
		{"empty table, 3 sheets, threshold 4", 0, 4, false},
		{"2 sheets there, 3 sheets, threshold 1", 2, 1, true},
		{"3 sheets there, 3 sheets, threshold 1", 3, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := testenv.NewDB(t)
			st := db.Store
			var old []bulkimport.Row
			for i := range c.existing {
				old = append(old, importRow(2+i, fmt.Sprintf("OLD%d", i), "MED-1", "59", "P1", "droits", "css", "resolue"))
			}
			if len(old) > 0 {
				bulkimport.SetImportRebuildMin(t, 1_000_000)
				if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(old...), bulkimport.Options{}); err != nil {
					t.Fatal(err)
				}
			}
			defs, before := indexes(db.SQL)
			if defs != want {
				t.Fatalf("indexes before the import:\n%s", defs)
			}
			bulkimport.SetImportRebuildMin(t, c.min)
			sum, err := bulkimport.New(st).ImportRows(ctx, rowsOf(
				importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
				importRow(3, "A2", "MED-1", "59", "P2", "soins", "rdv", "en_cours"),
				importRow(4, "A2", "MED-1", "59", "P2", "droits", "autre", "en_cours"),
				importRow(5, "A3", "MED-2", "62", "P3", "", "", ""),
			), bulkimport.Options{})
			if err != nil || sum.Sheets != 3 || sum.Requests != 3 {
				t.Fatalf("import: %v %+v", err, sum)
			}
			defs, after := indexes(db.SQL)
			if defs != want {
				t.Errorf("indexes after the import:\n%s\nwant:\n%s", defs, want)
			}
			// All of them are recreated (new oids), constraints included.
			changed := 0
			for i, o := range strings.Fields(before) {
				if strings.Fields(after)[i] != o {
					changed++
				}
			}
			if wantChanged := map[bool]int{true: 13, false: 0}[c.recreated]; changed != wantChanged {
				t.Errorf("%d indexes recreated, want %d", changed, wantChanged)
			}
		})
	}
}

// The rollups an import writes (from the staged lines for the days that had
// no sheet, by rollup_refresh for the others) are those a full rebuild from
// the base tables gives, row for row: every column of the fresh days' SQL
// is pinned here. The file's zone is Auckland's, so a request resolved at
// its midnight falls on the day before in Paris.
func TestImportRollupsEqualARebuild(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	at := func(r bulkimport.Row, date string, f func(*bulkimport.Row)) bulkimport.Row {
		d, err := time.Parse(time.DateOnly, date)
		if err != nil {
			t.Fatal(err)
		}
		r.Date = d
		if f != nil {
			f(&r)
		}
		return r
	}
	// Before: MED-1 has a sheet on 4 March (that day is not fresh).
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(
		at(importRow(2, "OLD", "MED-1", "59", "P1", "droits", "css", "resolue"), "2024-03-04", nil),
	), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	follow := time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC)
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := bulkimport.New(st).ImportRows(ctx, rowsOf(
		at(importRow(2, "OLD", "MED-1", "59", "P1", "droits", "css", "resolue"), "2024-03-04", nil), // skipped
		at(importRow(3, "A1", "MED-1", "59", "P1", "soins", "rdv", "en_cours"), "2024-03-04", nil),  // old day
		at(importRow(4, "A2", "MED-1", "59", "P2", "droits", "css", "resolue"), "2024-03-05", func(r *bulkimport.Row) {
			r.Sex, r.Age, r.QPV, r.Obstacles = "M", nil, "non", nil
		}),
		at(importRow(5, "A2", "MED-1", "59", "P2", "droits", "autre", "en_cours"), "2024-03-05", func(r *bulkimport.Row) {
			r.Sex, r.Age, r.QPV, r.Obstacles, r.FollowUp = "M", nil, "non", nil, &follow
		}),
		at(importRow(6, "A2", "MED-1", "59", "P2", "soins", "rdv", "non_resolue"), "2024-03-05", func(r *bulkimport.Row) {
			r.Sex, r.Age, r.QPV, r.Obstacles = "M", nil, "non", nil
		}),
		at(importRow(7, "A3", "MED-1", "59", "P3", "", "", ""), "2024-03-05", func(r *bulkimport.Row) {
			r.Sex, r.Resources, r.ContactMode, r.Level, r.Obstacles = "X", "salaire", "demarche_usager", "accompagne", []string{"langue"}
		}),
		at(importRow(8, "B1", "MED-2", "62", "P4", "soins", "autre", "resolue"), "2024-04-30", func(r *bulkimport.Row) {
			r.SocialProtection = "non"
		}),
		at(importRow(9, "B2", "MED-2", "62", "P4", "droits", "css", "en_cours"), "2024-05-01", nil),
	), bulkimport.Options{Location: auckland})
	if err != nil || sum.Sheets != 5 || sum.SkippedSheets != 1 || sum.Requests != 6 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	snapshot := func() string { return rollupSnapshot(t, db.SQL) }
	imported := snapshot()
	if _, err := db.SQL.Exec(ctx, `SELECT rollup_rebuild()`); err != nil {
		t.Fatal(err)
	}
	if rebuilt := snapshot(); imported != rebuilt {
		t.Errorf("rollups after the import:\n%s\nrebuilt from the base tables:\n%s", imported, rebuilt)
	}
	for _, want := range []string{
		"d 2024-03-05 1 age_known  1 0 0", // A3 only: A2's age is unknown
		"d 2024-03-05 1 droits autre 1 0 1",
		"fu 1 2024-03-05 r 2024-03-04 1", // resolved at Auckland's midnight: the day before in Paris
		"fu 1 2024-03-05 o 2024-04-02 1",
		"m 2024-03-01 1 sheets  4 0 0",
	} {
		if !strings.Contains(imported, want+"\n") {
			t.Errorf("no %q in the rollups:\n%s", want, imported)
		}
	}
}

// Without a Location, a file's dates are days in Europe/Paris: a request
// resolved on 4 March 2024 was resolved from midnight there (23:00 UTC the
// day before).
func TestImportRowsDatesAreParisDaysByDefault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.NewDB(t)
	st := db.Store
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.SQL.QueryRow(ctx, `SELECT concat_ws(' ', to_char(status_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
		to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')) FROM requests`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "2024-03-03 23:00 2024-03-03 23:00" {
		t.Errorf("status changed, resolved (UTC) = %q, want 2024-03-03 23:00 twice", got)
	}
}

// The import sets the tables' triggers aside while it writes; they are all
// enabled again once it commits: the rollup triggers keep the bot's saves
// counted.
func TestImportRowsEnablesTriggersAgain(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	disabled := func() string {
		t.Helper()
		var names string
		if err := db.SQL.QueryRow(ctx, `
			SELECT coalesce(string_agg(tgname, ' ' ORDER BY tgname), '')
			FROM pg_trigger WHERE tgrelid IN ('beneficiaries'::regclass, 'sheets'::regclass, 'requests'::regclass)
			  AND tgenabled <> 'O'`).Scan(&names); err != nil {
			t.Fatal(err)
		}
		return names
	}
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	if d := disabled(); d != "" {
		t.Errorf("triggers left disabled after an import: %s", d)
	}
	var counted int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM report_counts WHERE dim = 'sheets'`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted != 3 { // the day, its month and its year
		t.Errorf("%d sheet rollup rows after the import, want 3", counted)
	}
	// The bot's save (an INSERT outside the import) is counted by the triggers again.
	if _, err := db.SQL.Exec(ctx, `
		INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		SELECT 'B1', mediator_id, id, DATE '2024-03-05', 'F', 'oui', 'rsa', 'aller_vers', 'oriente', 'oui' FROM beneficiaries`); err != nil {
		t.Fatal(err)
	}
	var days int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM report_counts WHERE dim = 'sheets' AND grain = 'd'`).Scan(&days); err != nil {
		t.Fatal(err)
	}
	if days != 2 {
		t.Errorf("%d days counted after a save, want 2 (the import's and the save's)", days)
	}
}

// An import run by the tables' owner who is not a superuser works too: it
// cannot set the foreign keys' internal triggers aside, so mediators are
// checked row by row.
func TestImportRowsAsTheTablesOwner(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	role := testenv.RandomName("relais_owner_")
	if _, err := db.SQL.Exec(ctx, `CREATE ROLE `+role+` LOGIN NOSUPERUSER`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, q := range []string{`REASSIGN OWNED BY ` + role + ` TO CURRENT_USER`, `DROP OWNED BY ` + role, `DROP ROLE ` + role} {
			if _, err := db.SQL.Exec(context.Background(), q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	rows, err := db.SQL.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if _, err := db.SQL.Exec(ctx, `ALTER TABLE `+table+` OWNER TO `+role); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	owner, err := pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Close)
	var super string
	if err := owner.QueryRow(ctx, `SELECT current_setting('is_superuser')`).Scan(&super); err != nil || super != "off" {
		t.Fatalf("is_superuser = %q, %v", super, err)
	}
	sum, err := bulkimport.New(st).ImportRows(ctx, rowsOf(
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		importRow(3, "A2", "MED-1", "59", "P2", "soins", "rdv", "en_cours"),
	), bulkimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sheets != 2 || sum.Requests != 2 || sum.NewBeneficiaries != 2 || sum.NewMediators != 1 {
		t.Errorf("summary %+v", sum)
	}
	if n := count(t, db.SQL, "requests"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// A row source may give its dates at midnight in any zone (the demo's
// generator, another tool): the import takes their calendar day, for the
// sheets and for knowing whether a day already had a sheet. Here 4 March
// had one (imported with a UTC date); the second file's sheets of that
// day, dated at Paris midnight (3 March 23:00 UTC), join it.
func TestImportRowsTakesCalendarDaysInAnyZone(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	paris := testenv.Paris
	if _, err := bulkimport.New(db.Store).ImportRows(ctx, rowsOf(importRow(2, "A0", "MED-1", "59", "P1", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	inParis := func(r bulkimport.Row) bulkimport.Row {
		r.Date = time.Date(2024, 3, 4, 0, 0, 0, 0, paris)
		return r
	}
	if _, err := bulkimport.New(db.Store).ImportRows(ctx, rowsOf(
		inParis(importRow(2, "A1", "MED-1", "59", "P1", "soins", "rdv", "en_cours")),
		inParis(importRow(3, "A2", "MED-1", "59", "P2", "droits", "css", "resolue")),
	), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	var days string
	if err := db.SQL.QueryRow(ctx, `SELECT string_agg(id || ' ' || date, ', ' ORDER BY id) FROM sheets`).Scan(&days); err != nil {
		t.Fatal(err)
	}
	if days != "A0 2024-03-04, A1 2024-03-04, A2 2024-03-04" {
		t.Errorf("sheets' days: %s", days)
	}
	var sheets int
	if err := db.SQL.QueryRow(ctx, `SELECT n FROM report_counts WHERE grain = 'd' AND dim = 'sheets' AND day = '2024-03-04'`).Scan(&sheets); err != nil {
		t.Fatal(err)
	}
	if sheets != 3 {
		t.Errorf("4 March counts %d sheets, want 3", sheets)
	}
	imported := rollupSnapshot(t, db.SQL)
	if _, err := db.SQL.Exec(ctx, `SELECT rollup_rebuild()`); err != nil {
		t.Fatal(err)
	}
	if rebuilt := rollupSnapshot(t, db.SQL); imported != rebuilt {
		t.Errorf("rollups after the import:\n%s\nrebuilt:\n%s", imported, rebuilt)
	}
}

// A mediator created by someone else after the import read the mediators
// (they are not locked) is found, not left without an id: its sheets would
// have been written with mediator 0, unchecked when the import may set the
// foreign keys' triggers aside.
func TestImportMediatorCreatedMeanwhileGetsItsID(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	var meanwhile int64
	if err := db.SQL.QueryRow(ctx, `INSERT INTO mediators (identifier, departement) VALUES ('MED-1', '59') RETURNING id`).Scan(&meanwhile); err != nil {
		t.Fatal(err)
	}
	var ids map[string]int64
	var created int
	if err := pgx.BeginFunc(ctx, db.SQL, func(tx pgx.Tx) error {
		var err error
		ids, created, err = bulkimport.CreateImportMediators(ctx, tx, [][2]string{{"MED-1", "59"}, {"MED-2", "62"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids["MED-1"] != meanwhile || ids["MED-2"] == 0 || ids["MED-2"] == meanwhile {
		t.Errorf("mediator ids %v, want MED-1 = %d and MED-2 another", ids, meanwhile)
	}
	if created != 1 {
		t.Errorf("%d mediators counted as created, want 1 (MED-2; MED-1 was someone else's)", created)
	}
}

// A code known in the database, on a line that is not its sheet's first,
// is checked too (as the SQL checks read every line): the line has both
// problems.
func TestImportRowsChecksKnownCodesOnEveryLine(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(importRow(2, "OLD", "MED-9", "80", "P9", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	sum, got := rejected(t, st,
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		importRow(3, "A1", "MED-1", "59", "P9", "soins", "rdv", "en_cours"), // P9 is MED-9's person
	)
	want := []string{
		"ligne 3 : la fiche « A1 » ne concorde pas avec sa ligne 2 (colonnes différentes : beneficiary)",
		"ligne 3 : le code bénéficiaire « P9 » appartient déjà au médiateur « MED-9 », pas à « MED-1 »",
	}
	if len(got) != len(want) || sum.ProblemCount != len(want) {
		t.Fatalf("problems (%d):\n%s", sum.ProblemCount, strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want it to start with %q", i, got[i], want[i])
		}
	}
}

// The import takes the ids of its people and requests, and its sheets'
// numbers, from their sequences in one step each: they follow the rows
// already there, and what the bot saves next follows the import's.
func TestImportRowsTakesIDsAfterTheRowsThere(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(
		importRow(2, "B1", "MED-1", "59", "P2", "droits", "css", "resolue"),
		importRow(3, "B1", "MED-1", "59", "P2", "soins", "rdv", "en_cours"),
		importRow(4, "B2", "MED-1", "59", "P3", "droits", "css", "resolue"),
	), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	var next string
	if err := db.SQL.QueryRow(ctx, `
		WITH b AS (INSERT INTO beneficiaries (code, mediator_id) SELECT 'BOT', id FROM mediators RETURNING id, mediator_id),
		     s AS (INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, qpv, resources, contact_mode, level, social_protection)
		           SELECT 'BOT1', mediator_id, id, DATE '2024-03-05', 'F', 'oui', 'rsa', 'aller_vers', 'oriente', 'oui' FROM b
		           RETURNING id, number),
		     r AS (INSERT INTO requests (sheet_id, position, kind, type, status) SELECT id, 1, 'droits', 'css', 'en_cours' FROM s RETURNING id)
		SELECT (SELECT string_agg(code || '=' || id, ' ' ORDER BY id) FROM beneficiaries) || ' / ' ||
		       (SELECT string_agg(id || '=' || number, ' ' ORDER BY number) FROM sheets) || ' / bot: ' ||
		       (SELECT b.id FROM b) || ' ' || (SELECT s.number FROM s) || ' ' || (SELECT r.id FROM r) || ' / requests: ' ||
		       (SELECT string_agg(sheet_id || ':' || id, ' ' ORDER BY id) FROM requests)`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if want := "P1=1 P2=2 P3=3 / A1=1 B1=2 B2=3 / bot: 4 4 5 / requests: A1:1 B1:2 B1:3 B2:4"; next != want {
		t.Errorf("ids %q, want %q", next, want)
	}
}

// While an import writes rows naming a mediator, nobody can delete that
// mediator (the rows would then name nothing): a delete waits for the
// import's commit, then is refused.
//
// Not parallel: the step hook is the package's, every import would run it.
func TestImportRowsKeepsItsMediatorsWhileWriting(t *testing.T) {
	db := testenv.NewDB(t)
	ctx := context.Background()
	if _, err := db.SQL.Exec(ctx, `INSERT INTO mediators (identifier, departement) VALUES ('MED-1', '59')`); err != nil {
		t.Fatal(err)
	}
	var deleteErr error
	bulkimport.SetImportStepHook(t, func(step string) {
		if step != "requests" {
			return
		}
		deleteErr = pgx.BeginFunc(ctx, db.SQL, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '300ms'; DELETE FROM mediators WHERE identifier = 'MED-1'`)
			return err
		})
	})
	if _, err := bulkimport.New(db.Store).ImportRows(ctx, rowsOf(importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(deleteErr, &pgErr) || pgErr.Code != "55P03" {
		t.Errorf("deleting the import's mediator meanwhile: %v, want a lock timeout (55P03)", deleteErr)
	}
	_, err := db.SQL.Exec(ctx, `DELETE FROM mediators WHERE identifier = 'MED-1'`)
	if !errors.As(err, &pgErr) || pgErr.Code != "23503" {
		t.Errorf("deleting the import's mediator after it: %v, want a foreign key violation (23503)", err)
	}
	if n := count(t, db.SQL, "mediators"); n != 1 {
		t.Errorf("%d mediators after the import, want 1", n)
	}
}

// Importing the original file again does not bring an erased person back:
// the file is refused at their lines, nothing is written.
func TestForgottenCodeIsNotImportedAgain(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	ctx := context.Background()
	rows := []bulkimport.Row{
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		importRow(3, "A2", "MED-1", "59", "P2", "droits", "css", "resolue"),
		importRow(4, "A3", "MED-1", "59", "P1", "soins", "rdv", "resolue"),
	}
	if _, err := bulkimport.New(st).ImportRows(ctx, rowsOf(rows...), bulkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forget(ctx, "p1", nil, 0); err != nil {
		t.Fatal(err)
	}
	sum, got := rejected(t, st, rows...)
	want := "ligne 2 : le code bénéficiaire « P1 » a été effacé à la demande de la personne : retirez ses lignes du fichier"
	if sum.ProblemCount != 1 || len(got) != 1 || got[0] != want {
		t.Fatalf("problems (%d): %q, want %q", sum.ProblemCount, got, want)
	}
	if n := count(t, db.SQL, "beneficiaries"); n != 1 {
		t.Fatalf("people after the refused import = %d, want 1 (P2)", n)
	}
}
