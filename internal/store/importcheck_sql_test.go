package store_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// item is one yield of a row source: a row or a line problem.
type item struct {
	row     store.ImportRow
	problem *store.ImportProblem
}

func itemsOf(items []item) iter.Seq2[store.ImportRow, error] {
	return func(yield func(store.ImportRow, error) bool) {
		for _, it := range items {
			var err error
			if it.problem != nil {
				err = it.problem
			}
			if !yield(it.row, err) {
				return
			}
		}
	}
}

// sameAsSQL imports items into an empty database (so that only the file's
// checks can find something) and compares the problems with FileProblems'.
func sameAsSQL(t *testing.T, st *store.Store, name string, items []item) {
	t.Helper()
	sum, err := st.ImportRows(context.Background(), itemsOf(items), store.ImportOptions{})
	if !errors.Is(err, store.ErrImportRejected) {
		t.Fatalf("%s: ImportRows err = %v, want ErrImportRejected", name, err)
	}
	got, n, err := store.FileProblems(itemsOf(items))
	if err != nil {
		t.Fatal(err)
	}
	if n != sum.ProblemCount || !reflect.DeepEqual(got, sum.Problems) {
		t.Errorf("%s: Go found %d:\n%s\nSQL found %d:\n%s", name, n, problemLines(got), sum.ProblemCount, problemLines(sum.Problems))
	}
}

func problemLines(ps []store.ImportProblem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

func rowItems(rows ...store.ImportRow) []item {
	var items []item
	for _, r := range rows {
		items = append(items, item{row: r})
	}
	return items
}

func TestFileChecksAgreeWithSQL(t *testing.T) {
	st := testenv.NewDB(t).Store

	other := importRow(3, "A1", "MED-1", "59", "P1", "soins", "rdv", "en_cours")
	other.Sex = "M"
	sameDayOtherSex := importRow(9, "A7", "MED-1", "59", "P1", "droits", "css", "resolue")
	sameDayOtherSex.Sex = "M"
	earlier := importRow(10, "A8", "MED-3", "59", "P1", "droits", "css", "resolue")
	earlier.Date = earlier.Date.AddDate(0, 0, -1)
	reordered := importRow(11, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")
	reordered.Obstacles = []string{"langue", "mobilite", "langue"}
	noAge := importRow(12, "A1", "MED-1", "59", "P1", "droits", "css", "resolue")
	noAge.Age = nil
	sameSheetOtherSex := importRow(14, "A9", "MED-1", "59", "P9", "droits", "css", "resolue")
	sameSheetOtherSex.Sex = "M"
	sameAsSQL(t, st, "fixed", rowItems(
		importRow(2, "A1", "MED-1", "59", "P1", "droits", "css", "resolue"),
		other, // same sheet, another sex
		importRow(4, "A3", "MED-1", "62", "P3", "droits", "css", "resolue"),
		importRow(5, "A4", "MED-1", "62", "P4", "droits", "css", "resolue"),
		importRow(6, "A5", "MED-2", "59", "P1", "droits", "css", "resolue"),
		importRow(8, "A6", "MED-2", "59", "P1", "droits", "css", "resolue"),
		sameDayOtherSex,
		earlier, // owns P1: an earlier date
		reordered,
		noAge,
		importRow(13, "A9", "MED-1", "59", "P9", "droits", "css", "resolue"),
		sameSheetOtherSex,
	))

	// More than MaxImportProblems in each check, and lines out of order.
	var items []item
	items = append(items, item{row: importRow(2, "S1", "MED-1", "59", "P1", "droits", "css", "resolue")})
	for line := 3; line < 123; line++ {
		r := importRow(line, "S1", "MED-1", "59", "P1", "droits", "css", "resolue")
		r.QPV = "non"
		items = append(items, item{row: r})
	}
	for i := range 103 {
		items = append(items, item{row: importRow(200+i, fmt.Sprintf("M%d", i), "MED-2", fmt.Sprint(i), fmt.Sprintf("Q%d", i), "droits", "css", "resolue")})
	}
	for i := range 101 {
		items = append(items,
			item{row: importRow(401+2*i, fmt.Sprintf("O%db", i), "MED-4", "59", fmt.Sprintf("R%d", i), "droits", "css", "resolue")},
			item{row: importRow(400+2*i, fmt.Sprintf("O%da", i), "MED-3", "59", fmt.Sprintf("R%d", i), "droits", "css", "resolue")})
	}
	for i := range 102 {
		r := importRow(701+2*i, fmt.Sprintf("D%db", i), "MED-5", "59", fmt.Sprintf("T%d", i), "droits", "css", "resolue")
		r.Sex = "M"
		items = append(items, item{row: importRow(700+2*i, fmt.Sprintf("D%da", i), "MED-5", "59", fmt.Sprintf("T%d", i), "droits", "css", "resolue")}, item{row: r})
	}
	sameAsSQL(t, st, "many", items)

	for seed := range 120 {
		sameAsSQL(t, st, fmt.Sprintf("seed %d", seed), randomFile(uint64(seed)))
	}
}

// randomFile makes a small file from few values, so that lines collide:
// consistent sheets for some seeds (the SQL gates then decide), noisy ones
// for others, lines yielded out of order for some, and always one line
// problem so that nothing is written.
func randomFile(seed uint64) []item {
	rnd := rand.New(rand.NewPCG(seed, 7))
	pick := func(vals ...string) string { return vals[rnd.IntN(len(vals))] }
	noise := []float64{0, 0, 0.1, 0.3}[seed%4]
	depOf := map[string]string{"MED-1": "59", "MED-2": "62", "MED-3": "59"}
	obstacles := [][]string{nil, {"mobilite"}, {"mobilite", "langue"}, {"langue", "mobilite", "langue"}}
	ages := []*int{nil, new(40), new(41)}
	base := func(line int, sheet string) store.ImportRow {
		med := pick("MED-1", "MED-2", "MED-3")
		dep := depOf[med]
		if rnd.Float64() < noise/2 {
			dep = pick("59", "62", "80")
		}
		r := importRow(line, sheet, med, dep, pick("P1", "P2", "P3", "P4", "P5"), pick("droits", "soins", ""), "css", "resolue")
		r.Date = time.Date(2024, 3, 4+rnd.IntN(3), 0, 0, 0, 0, time.UTC)
		r.Sex = pick("F", "M")
		r.Age = ages[rnd.IntN(len(ages))]
		r.QPV = pick("oui", "non")
		r.Obstacles = obstacles[rnd.IntN(len(obstacles))]
		return r
	}
	var rows []store.ImportRow
	line := 2
	for s := range 1 + rnd.IntN(25) {
		sheet := fmt.Sprintf("S%d", s)
		first := base(line, sheet)
		rows = append(rows, first)
		line++
		for range rnd.IntN(3) {
			r := first
			r.Line = line
			line++
			r.RequestKind = pick("droits", "soins", "")
			if len(first.Obstacles) == 2 || len(first.Obstacles) == 3 { // the same set, maybe written otherwise
				r.Obstacles = obstacles[2+rnd.IntN(2)]
			}
			if rnd.Float64() < noise {
				other := base(line, sheet)
				switch rnd.IntN(6) {
				case 0:
					r.Sex = other.Sex
				case 1:
					r.Mediator, r.Departement = other.Mediator, other.Departement
				case 2:
					r.Beneficiary = other.Beneficiary
				case 3:
					r.Date = other.Date
				case 4:
					r.Age = other.Age
				default:
					r.Obstacles = other.Obstacles
				}
			}
			rows = append(rows, r)
		}
	}
	if seed%3 == 0 {
		rnd.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	items := rowItems(rows...)
	at := rnd.IntN(len(items) + 1)
	problem := item{problem: &store.ImportProblem{Line: line, Reason: "sexe « Z » inconnu (F, M ou X)"}}
	return append(items[:at], append([]item{problem}, items[at:]...)...)
}
