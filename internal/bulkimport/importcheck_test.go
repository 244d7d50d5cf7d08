package bulkimport

import (
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/testenv"
)

func checkRow(line int, sheet, mediator, dep, person string) Row {
	age := 40
	return Row{
		Line: line, SheetID: sheet, Date: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC),
		Mediator: mediator, Departement: dep, Beneficiary: person, Sex: "F", Age: &age, QPV: "oui",
		Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "oui",
		Obstacles: []string{"mobilite", "langue"}, RequestKind: "droits", RequestType: "css", Status: "resolue",
	}
}

func seqOf(rows ...Row) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func with(r Row, change func(*Row)) Row {
	change(&r)
	return r
}

func day(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }

func intp(n int) *int { return &n }

// fileProblems runs the file's checks on rows, as "ligne N : reason".
func fileProblems(t *testing.T, rows ...Row) ([]string, int) {
	t.Helper()
	f, err := readImportFile(seqOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	problems, n := f.crossLineProblems()
	var out []string
	for _, p := range problems {
		out = append(out, p.Error())
	}
	return out, n
}

const sheetTail = " ; les lignes d'une même fiche doivent avoir les mêmes valeurs hors demande"

func TestReadImportFileBuildsSheets(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("disk gone")
	rows := func(yield func(Row, error) bool) {
		_ = yield(with(checkRow(2, "S1", "MED-1", "59", "P1"), func(r *Row) { r.RequestKind = "droits" }), nil) &&
			yield(with(checkRow(3, "S2", "MED-1", "59", "P2"), func(r *Row) { r.RequestKind = "soins" }), nil) &&
			yield(with(checkRow(4, "S1", "MED-1", "59", "P1"), func(r *Row) { r.RequestKind = "" }), nil) &&
			yield(Row{}, &Problem{Line: 5, Reason: "sexe « Z » inconnu (F, M ou X)"}) &&
			yield(with(checkRow(6, "S3", "MED-1", "59", "P3"), func(r *Row) { r.RequestKind = "" }), nil) &&
			yield(with(checkRow(7, "S2", "MED-1", "59", "P2"), func(r *Row) { r.RequestKind = "droits" }), nil)
	}
	f, err := readImportFile(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []importSheet{
		{first: 0, lastLine: 4, rights: true},
		{first: 1, lastLine: 7, rights: true, care: true},
		{first: 3, lastLine: 6},
	}
	if !reflect.DeepEqual(f.sheets, want) {
		t.Errorf("sheets %+v, want %+v", f.sheets, want)
	}
	var sheetOf []int32
	for i := range f.n {
		sheetOf = append(sheetOf, f.at(i).sheet)
	}
	if !reflect.DeepEqual(sheetOf, []int32{0, 1, 0, 2, 1}) {
		t.Errorf("sheetOf %v", sheetOf)
	}
	var lines []int
	for i := range f.n {
		lines = append(lines, f.row(i).Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 3, 4, 6, 7}) {
		t.Errorf("row lines %v", lines)
	}
	if f.problemCount != 1 || !reflect.DeepEqual(f.problems, []Problem{{Line: 5, Reason: "sexe « Z » inconnu (F, M ou X)"}}) {
		t.Errorf("problems %d %+v", f.problemCount, f.problems)
	}

	// Any other error aborts.
	_, err = readImportFile(func(yield func(Row, error) bool) {
		_ = yield(checkRow(2, "S1", "MED-1", "59", "P1"), nil) && yield(Row{}, sentinel)
	})
	if !errors.Is(err, sentinel) || err.Error() != "read rows: disk gone" {
		t.Errorf("err = %v, want read rows: disk gone", err)
	}
	// A wrapped problem is still a line problem.
	f, err = readImportFile(func(yield func(Row, error) bool) {
		_ = yield(Row{}, fmt.Errorf("wrapped: %w", &Problem{Line: 3, Reason: "x"}))
	})
	if err != nil || f.problemCount != 1 || f.problems[0].Line != 3 {
		t.Errorf("wrapped problem: %v %+v", err, f)
	}
}

func TestReadImportFileCapsProblems(t *testing.T) {
	t.Parallel()
	f, err := readImportFile(func(yield func(Row, error) bool) {
		for line := 2; line < 2+MaxProblems+1; line++ {
			if !yield(Row{}, &Problem{Line: line, Reason: "x"}) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.problemCount != 101 || len(f.problems) != 100 || f.problems[99].Line != 101 {
		t.Errorf("%d problems, %d kept, last %+v", f.problemCount, len(f.problems), f.problems[len(f.problems)-1])
	}
	if problems, n := f.crossLineProblems(); int(f.n) != 0 || len(problems) != 0 || n != 0 {
		t.Errorf("a file without good lines: %d rows, problems %d %+v", int(f.n), n, problems)
	}
}

// Lines yielded out of order are read in line order: a sheet's first line
// is its smallest, as in SQL.
func TestReadImportFileSortsLines(t *testing.T) {
	t.Parallel()
	f, err := readImportFile(seqOf(
		checkRow(5, "S1", "MED-1", "59", "P1"),
		checkRow(3, "S1", "MED-1", "59", "P1"),
		checkRow(4, "S2", "MED-1", "59", "P2"),
	))
	if err != nil {
		t.Fatal(err)
	}
	if f.row(0).Line != 3 || f.row(1).Line != 4 || f.row(2).Line != 5 {
		t.Errorf("rows not in line order: %d %d %d", f.row(0).Line, f.row(1).Line, f.row(2).Line)
	}
	want := []importSheet{{first: 0, lastLine: 5, rights: true}, {first: 1, lastLine: 4, rights: true}}
	if !reflect.DeepEqual(f.sheets, want) {
		t.Errorf("sheets %+v, want %+v", f.sheets, want)
	}
	got, n := fileProblems(t,
		with(checkRow(5, "S1", "MED-1", "59", "P1"), func(r *Row) { r.Age = intp(41) }),
		checkRow(3, "S1", "MED-1", "59", "P1"),
	)
	wantP := []string{"ligne 5 : la fiche « S1 » ne concorde pas avec sa ligne 3 (colonnes différentes : age)" + sheetTail}
	if n != 1 || !reflect.DeepEqual(got, wantP) {
		t.Errorf("got %d %q, want %q", n, got, wantP)
	}
}

func TestFileSheetLines(t *testing.T) {
	t.Parallel()
	base := checkRow(2, "S1", "MED-1", "59", "P1")
	paris := testenv.Paris
	second := func(change func(*Row)) []Row {
		return []Row{base, with(checkRow(3, "S1", "MED-1", "59", "P1"), change)}
	}
	differ := func(cols string) string {
		return "ligne 3 : la fiche « S1 » ne concorde pas avec sa ligne 2 (colonnes différentes : " + cols + ")" + sheetTail
	}
	for _, c := range []struct {
		name string
		rows []Row
		want []string
	}{
		{"same", second(func(*Row) {}), nil},
		{"date", second(func(r *Row) { r.Date = day(5) }), []string{differ("date")}},
		// DATE keeps the calendar day of the time's own location.
		{"same day, other hour", second(func(r *Row) { r.Date = time.Date(2024, 3, 4, 0, 30, 0, 0, paris) }), nil},
		{"mediator", second(func(r *Row) { r.Mediator = "MED-2" }), []string{
			differ("mediator"),
			"ligne 3 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-1 » : un code désigne une seule personne, suivie par un seul médiateur (préfixez les codes, par exemple MED-2-P1)",
		}},
		{"departement", second(func(r *Row) { r.Departement = "62" }), []string{
			differ("departement"),
			"ligne 3 : le médiateur « MED-1 » est dans le département 59 plus haut dans le fichier, pas 62",
		}},
		{"beneficiary", second(func(r *Row) { r.Beneficiary = "P2" }), []string{differ("beneficiary")}},
		// Within one sheet only "sheet lines" reports another sex.
		{"sex", second(func(r *Row) { r.Sex = "M" }), []string{differ("sex")}},
		{"age unknown", second(func(r *Row) { r.Age = nil }), []string{differ("age")}},
		{"age", second(func(r *Row) { r.Age = intp(41) }), []string{differ("age")}},
		{"both ages unknown", []Row{
			with(base, func(r *Row) { r.Age = nil }),
			with(checkRow(3, "S1", "MED-1", "59", "P1"), func(r *Row) { r.Age = nil }),
		}, nil},
		{"qpv", second(func(r *Row) { r.QPV = "non" }), []string{differ("qpv")}},
		{"resources", second(func(r *Row) { r.Resources = "aucune" }), []string{differ("resources")}},
		{"contact_mode", second(func(r *Row) { r.ContactMode = "permanence" }), []string{differ("contact_mode")}},
		{"level", second(func(r *Row) { r.Level = "accompagne" }), []string{differ("level")}},
		{"social_protection", second(func(r *Row) { r.SocialProtection = "non" }), []string{differ("social_protection")}},
		{"obstacles in another order, repeated", second(func(r *Row) { r.Obstacles = []string{"langue", "mobilite", "langue"} }), nil},
		{"fewer obstacles", second(func(r *Row) { r.Obstacles = []string{"mobilite"} }), []string{differ("obstacles")}},
		{"more obstacles", second(func(r *Row) { r.Obstacles = []string{"mobilite", "langue", "logement"} }), []string{differ("obstacles")}},
		{"no obstacles", second(func(r *Row) { r.Obstacles = nil }), []string{differ("obstacles")}},
		{"nil and empty obstacles", []Row{
			with(base, func(r *Row) { r.Obstacles = nil }),
			with(checkRow(3, "S1", "MED-1", "59", "P1"), func(r *Row) { r.Obstacles = []string{} }),
		}, nil},
		{"another request", second(func(r *Row) {
			r.RequestKind, r.RequestType, r.Status, r.FollowUp = "soins", "rdv", "en_cours", new(day(9))
		}), nil},
		{"every column", second(func(r *Row) {
			r.Date, r.Mediator, r.Departement, r.Beneficiary, r.Sex, r.Age = day(5), "MED-2", "62", "P2", "M", nil
			r.QPV, r.Resources, r.ContactMode, r.Level, r.SocialProtection = "non", "aucune", "permanence", "accompagne", "non"
			r.Obstacles = []string{"logement"}
		}), []string{differ("date, mediator, departement, beneficiary, sex, age, qpv, resources, contact_mode, level, social_protection, obstacles")}},
		// SQL compares the lines whose number is not the first's (r.line <> f.line).
		{"a repeated first line number", []Row{
			base,
			with(base, func(r *Row) { r.Age = intp(41) }),
			with(checkRow(3, "S1", "MED-1", "59", "P1"), func(r *Row) { r.QPV = "non" }),
		}, []string{differ("qpv")}},
		{"compared with the first line, not the previous", []Row{
			base,
			with(checkRow(3, "S1", "MED-1", "59", "P1"), func(r *Row) { r.Age = intp(41) }),
			with(checkRow(4, "S1", "MED-1", "59", "P1"), func(r *Row) { r.Age = intp(41) }),
			checkRow(5, "S2", "MED-1", "59", "P2"),
			with(checkRow(6, "S2", "MED-1", "59", "P2"), func(r *Row) { r.QPV = "non" }),
		}, []string{
			differ("age"),
			"ligne 4 : la fiche « S1 » ne concorde pas avec sa ligne 2 (colonnes différentes : age)" + sheetTail,
			"ligne 6 : la fiche « S2 » ne concorde pas avec sa ligne 5 (colonnes différentes : qpv)" + sheetTail,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, n := fileProblems(t, c.rows...)
			if n != len(c.want) || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %d:\n%s\nwant:\n%s", n, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestFileMediatorDepartements(t *testing.T) {
	t.Parallel()
	got, n := fileProblems(t,
		checkRow(2, "S1", "MED-1", "59", "P1"),
		checkRow(3, "S2", "MED-2", "62", "P2"),
		checkRow(4, "S3", "MED-1", "62", "P3"), // the second group: reported here
		checkRow(5, "S4", "MED-1", "62", "P4"), // same group: once
		checkRow(6, "S5", "MED-1", "80", "P5"),
		checkRow(7, "S6", "MED-1", "59", "P6"),
		checkRow(8, "S7", "MED-2", "59", "P7"),
	)
	want := []string{
		"ligne 4 : le médiateur « MED-1 » est dans le département 59 plus haut dans le fichier, pas 62",
		"ligne 6 : le médiateur « MED-1 » est dans le département 59 plus haut dans le fichier, pas 80",
		"ligne 8 : le médiateur « MED-2 » est dans le département 62 plus haut dans le fichier, pas 59",
	}
	if n != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("got %d:\n%s", n, strings.Join(got, "\n"))
	}
}

func TestFileBeneficiaryOwners(t *testing.T) {
	t.Parallel()
	at := func(line int, sheet, mediator string, d int) Row {
		return with(checkRow(line, sheet, mediator, "59", "P1"), func(r *Row) { r.Date = day(d) })
	}
	got, n := fileProblems(t,
		at(2, "S1", "MED-1", 5),
		at(3, "S2", "MED-2", 4), // the earliest date owns P1, before the first line
		at(4, "S3", "MED-1", 6), // MED-1 again: once
		at(5, "S4", "MED-3", 7),
		at(6, "S5", "MED-2", 3), // MED-2 again: the owner
		at(7, "S6", "MED-4", 3), // the same day as the owner's, a later line
	)
	want := []string{
		"ligne 2 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-2 » : un code désigne une seule personne, suivie par un seul médiateur (préfixez les codes, par exemple MED-1-P1)",
		"ligne 5 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-2 » : un code désigne une seule personne, suivie par un seul médiateur (préfixez les codes, par exemple MED-3-P1)",
		"ligne 7 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-2 » : un code désigne une seule personne, suivie par un seul médiateur (préfixez les codes, par exemple MED-4-P1)",
	}
	if n != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("got %d:\n%s", n, strings.Join(got, "\n"))
	}
	// On the owner's day, the smaller line owns.
	got, n = fileProblems(t, at(2, "S1", "MED-1", 4), at(3, "S2", "MED-2", 4))
	want = []string{"ligne 3 : le code bénéficiaire « P1 » est aussi utilisé par le médiateur « MED-1 » : un code désigne une seule personne, suivie par un seul médiateur (préfixez les codes, par exemple MED-2-P1)"}
	if n != 1 || !reflect.DeepEqual(got, want) {
		t.Errorf("same day: got %d:\n%s", n, strings.Join(got, "\n"))
	}
}

func TestFilePersonOnOneDay(t *testing.T) {
	t.Parallel()
	at := func(line int, sheet, person, sex string, d int) Row {
		return with(checkRow(line, sheet, "MED-1", "59", person), func(r *Row) { r.Sex, r.Date = sex, day(d) })
	}
	got, n := fileProblems(t,
		at(2, "S1", "P1", "F", 4),
		at(3, "S2", "P1", "M", 4),  // another sheet, another sex
		at(4, "S3", "P1", "M", 4),  // the same sex again: once
		at(5, "S4", "P1", "X", 4),  // a third sex
		at(6, "S5", "P2", "M", 4),  // another person
		at(7, "S6", "P1", "M", 5),  // another day: its first line
		at(8, "S7", "P1", "F", 5),  // against the 5th's first line
		at(9, "S8", "P1", "F", 4),  // the first line's sex
		at(10, "S9", "P1", "M", 6), // a third day
		at(11, "S10", "P1", "F", 6),
	)
	msg := func(line int, sex, first string) string {
		return fmt.Sprintf("ligne %d : la personne « P1 » a le sexe %s ici mais %s le même jour plus haut dans le fichier : vérifiez le code bénéficiaire", line, sex, first)
	}
	want := []string{msg(3, "M", "F"), msg(5, "X", "F"), msg(8, "F", "M"), msg(11, "F", "M")}
	if n != 4 || !reflect.DeepEqual(got, want) {
		t.Errorf("got %d:\n%s\nwant:\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Each check keeps its first MaxProblems by line and counts them all;
// the checks' problems follow each other in the SQL's order.
func TestFileChecksCapEachCheck(t *testing.T) {
	t.Parallel()
	var rows []Row
	rows = append(rows, checkRow(2, "S1", "MED-1", "59", "P1"))
	for line := 3; line < 3+120; line++ { // 120 lines disagreeing with line 2
		rows = append(rows, with(checkRow(line, "S1", "MED-1", "59", "P1"), func(r *Row) { r.QPV = "non" }))
	}
	for i := range 103 { // MED-2 in 103 more départements
		rows = append(rows, checkRow(200+i, fmt.Sprintf("M%d", i), "MED-2", fmt.Sprint(i), fmt.Sprintf("Q%d", i)))
	}
	for i := range 101 { // 101 codes also used by MED-4
		rows = append(rows,
			checkRow(400+2*i, fmt.Sprintf("O%da", i), "MED-3", "59", fmt.Sprintf("R%d", i)),
			checkRow(401+2*i, fmt.Sprintf("O%db", i), "MED-4", "59", fmt.Sprintf("R%d", i)))
	}
	for i := range 102 { // 102 people of two sexes on one day
		rows = append(rows,
			checkRow(700+2*i, fmt.Sprintf("D%da", i), "MED-5", "59", fmt.Sprintf("T%d", i)),
			with(checkRow(701+2*i, fmt.Sprintf("D%db", i), "MED-5", "59", fmt.Sprintf("T%d", i)), func(r *Row) { r.Sex = "M" }))
	}
	f, err := readImportFile(seqOf(rows...))
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		name                string
		count, kept         int
		firstLine, lastLine int
	}
	var got []summary
	for _, c := range f.checks() {
		got = append(got, summary{c.name, c.count, len(c.problems), c.problems[0].Line, c.problems[len(c.problems)-1].Line})
	}
	want := []summary{
		{"sheet lines", 120, 100, 3, 102},
		{"mediator departement", 102, 100, 201, 300},
		{"beneficiary owner", 101, 100, 401, 599},
		{"person on one day", 102, 100, 701, 899},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checks:\n%+v\nwant:\n%+v", got, want)
	}
	problems, n := f.crossLineProblems()
	if n != 425 || len(problems) != 400 || problems[99].Line != 102 || problems[100].Line != 201 ||
		problems[200].Line != 401 || problems[300].Line != 701 || problems[399].Line != 899 {
		t.Errorf("%d problems, %d kept", n, len(problems))
	}
}

// crossLineProblems runs the checks that need only the file, those of the
// SQL crossLineProblems that read no table: their problems concatenated in
// the SQL's order, each check's capped at MaxProblems, and the count
// of them all.
func (f *importFile) crossLineProblems() ([]Problem, int) {
	var out []Problem
	total := 0
	for _, c := range f.checks() {
		out = append(out, c.problems...)
		total += c.count
	}
	return out, total
}
