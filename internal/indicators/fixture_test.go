package indicators_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fixturesDir holds a copy of the published fixtures (shared/fixtures of the
// project: the 2024 regional report's tables, see its README.md), vendored so
// the test always runs: a missing file fails instead of skipping.
const fixturesDir = "testdata/fixtures"

// readFixture returns the rows of a fixture CSV keyed by their first column.
func readFixture(t *testing.T, name string) (header []string, rows map[string][]string, order []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixturesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rows = map[string][]string{}
	for _, r := range all[1:] {
		rows[r[0]] = r
		order = append(order, r[0])
	}
	return all[0], rows, order
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("fixture value %q: %v", s, err)
	}
	return n
}

// published is the 2024 report's figures read from the fixtures.
type published struct {
	mediators    map[string]int
	sex          map[string][3]int // F, M, X
	qpvRows      map[string][]string
	qpv          map[string][2]int // non, oui
	rightsRows   map[string][]string
	rightsOrder  []string
	rightsTotal  int
	careTotal    int
	resolvedPcts [2]int // rights, care, as the domain quotes them
}

func loadPublished(t *testing.T) published {
	_, sexRows, _ := readFixture(t, "report2024_sex_by_departement.csv")
	_, qpvRows, _ := readFixture(t, "report2024_qpv_by_departement.csv")
	_, rightsRows, rightsOrder := readFixture(t, "report2024_rights_requests_by_type.csv")
	p := published{mediators: map[string]int{}, sex: map[string][3]int{}, qpv: map[string][2]int{},
		qpvRows: qpvRows, rightsRows: rightsRows, rightsOrder: rightsOrder,
		careTotal: 2324, resolvedPcts: [2]int{76, 73}} // README.md of the fixtures, domain.md
	for dep, r := range sexRows {
		p.mediators[dep] = atoi(t, r[1])
		p.sex[dep] = [3]int{atoi(t, r[2]), atoi(t, r[3]), atoi(t, r[4])}
		if atoi(t, r[5]) != atoi(t, r[2])+atoi(t, r[3])+atoi(t, r[4]) {
			t.Fatalf("sex fixture for %s does not add up", dep)
		}
	}
	for dep, r := range qpvRows {
		p.qpv[dep] = [2]int{atoi(t, r[1]), atoi(t, r[2])}
	}
	for _, r := range rightsRows {
		p.rightsTotal += atoi(t, r[1])
	}
	return p
}

// buildTrackingCSV generates a tracking file whose marginals are the
// published ones: sheets by sex and by QPV per département with its number of
// mediators, rights requests by type, care requests, resolved shares. Other
// columns cycle through every code so every table has rows.
func buildTrackingCSV(t *testing.T, p published) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(trackingcsv.Header); err != nil {
		t.Fatal(err)
	}

	type sheet struct {
		id, date, mediator, dep, person, sex, age, qpv, resources, contact, level, sp, obstacles string
	}
	var sheets []sheet
	for _, dep := range codes.Departements.Codes() {
		sx, q := p.sex[dep], p.qpv[dep]
		total := sx[0] + sx[1] + sx[2]
		if q[0]+q[1] != total {
			t.Fatalf("fixtures disagree on %s sheets: %d by sex, %d by QPV", dep, total, q[0]+q[1])
		}
		n := p.mediators[dep]
		for i := range total {
			sex := "F"
			switch {
			case i >= sx[0]+sx[1]:
				sex = "X"
			case i >= sx[0]:
				sex = "M"
			}
			// Spread the "oui" evenly among the sheets (Bresenham), so QPV is
			// independent of sex and mediator.
			qpv := "non"
			if (i+1)*q[1]/total > i*q[1]/total {
				qpv = "oui"
			}
			g := len(sheets)
			med := i % n
			var obstacles []string
			for k := range g % 3 {
				obstacles = append(obstacles, codes.Obstacles[(g+k*5)%len(codes.Obstacles)].Code)
			}
			sheets = append(sheets, sheet{
				id:        fmt.Sprintf("S%05d", g),
				date:      time.Date(2024, 1, 1+g%366, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
				mediator:  fmt.Sprintf("MED-%s-%02d", dep, med+1),
				dep:       dep,
				person:    fmt.Sprintf("P-%s-%02d-%04d", dep, med+1, (i/n)/2),
				sex:       sex,
				age:       strconv.Itoa(18 + g%60),
				qpv:       qpv,
				resources: codes.Resources[g%len(codes.Resources)].Code,
				contact:   codes.ContactModes[g%len(codes.ContactModes)].Code,
				level:     codes.Levels[g%len(codes.Levels)].Code,
				sp:        []string{"oui", "non"}[g%2],
				obstacles: strings.Join(obstacles, ";"),
			})
		}
	}
	if len(sheets) != 4175 {
		t.Fatalf("generated %d sheets, the report has 4 175", len(sheets))
	}

	// Rights requests: the published count per type, on the first sheets,
	// types permuted so every département gets some of each.
	var rightsTypes []string
	for _, code := range p.rightsOrder {
		for range atoi(t, p.rightsRows[code][1]) {
			rightsTypes = append(rightsTypes, code)
		}
	}
	nr, nc := len(rightsTypes), p.careTotal
	resolvedRights := (p.resolvedPcts[0]*nr + 50) / 100
	resolvedCare := (p.resolvedPcts[1]*nc + 50) / 100
	type request struct{ kind, typ, status, followUp string }
	reqs := make([][]request, len(sheets))
	for k := range nr {
		status := "en_cours"
		if k < resolvedRights {
			status = "resolue"
		}
		reqs[k] = append(reqs[k], request{"droits", rightsTypes[(k*7919)%nr], status, ""})
	}
	// Care requests: on the sheets without rights first, then as second
	// requests of the first sheets.
	careSheets := make([]int, 0, nc)
	for g := nr; g < len(sheets) && len(careSheets) < nc; g++ {
		careSheets = append(careSheets, g)
	}
	for g := 0; len(careSheets) < nc; g++ {
		careSheets = append(careSheets, g)
	}
	for k, g := range careSheets {
		status, followUp := "resolue", ""
		if k >= resolvedCare {
			status = []string{"en_cours", "non_resolue", "abandonnee"}[k%3]
			if status == "en_cours" {
				followUp = "2024-12-20"
			}
		}
		reqs[g] = append(reqs[g], request{"soins", codes.CareTypes[k%len(codes.CareTypes)].Code, status, followUp})
	}
	for g, s := range sheets {
		if len(reqs[g]) == 0 {
			t.Fatalf("sheet %d has no request", g)
		}
		for _, r := range reqs[g] {
			if err := w.Write([]string{s.id, s.date, s.mediator, s.dep, s.person, s.sex, s.age, s.qpv, s.resources,
				s.contact, s.level, s.sp, r.kind, r.typ, r.status, r.followUp, s.obstacles}); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReportReproducesPublished2024Tables imports a file built from the
// published marginals through `relais import` and checks the report's
// tables come out identical, counts and percentages.
func TestReportReproducesPublished2024Tables(t *testing.T) {
	t.Parallel()
	p := loadPublished(t)
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), bytes.NewReader(buildTrackingCSV(t, p)), hdf, false, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	for _, want := range []string{"Fiches importées : 4 175", "Demandes importées : 5 991", "Nouveaux médiateurs : 49"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("import summary lacks %q:\n%s", want, out.String())
		}
	}

	r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"),
		indicators.AsOf(time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Sheets != 4175 || r.Mediators != 49 {
		t.Errorf("sheets %d mediators %d, published 4 175 sheets by 49 mediators", r.Sheets, r.Mediators)
	}
	if got := [3]int{r.Total.Sex["F"], r.Total.Sex["M"], r.Total.Sex["X"]}; got != [3]int{2415, 1756, 4} {
		t.Errorf("sex totals %v, published 2 415 F, 1 756 M, 4 X", got)
	}
	if r.Total.QPV["oui"] != 2972 {
		t.Errorf("living in QPV %d, published 2 972", r.Total.QPV["oui"])
	}

	tables := map[string]indicators.Table{}
	for _, tb := range r.Tables() {
		tables[tb.Name] = tb
	}
	label := func(dep string) string {
		return fmt.Sprintf("%s (%d)", codes.Departements.Label(dep), p.mediators[dep])
	}
	// Sex table: Département, Femme, Homme, Non binaire, Total, %…
	sexRows := map[string][]any{}
	for _, row := range tables["Sexe"].Rows {
		sexRows[row[0].(string)] = row
	}
	for dep, want := range p.sex {
		row, ok := sexRows[label(dep)]
		if !ok {
			t.Errorf("sex table has no row %q (rows: %v)", label(dep), tables["Sexe"].Rows)
			continue
		}
		if got := [3]int{row[1].(int), row[2].(int), row[3].(int)}; got != want {
			t.Errorf("%s sex %v, published %v", label(dep), got, want)
		}
		// Total and % F, % M, % X computed by hand, half rounded up.
		wantTail := map[string][4]int{"02": {442, 60, 40, 0}, "59": {1793, 55, 45, 0}, "60": {175, 58, 42, 0},
			"62": {1531, 59, 41, 0}, "80": {234, 75, 25, 0}}[dep]
		if got := [4]int{row[4].(int), row[5].(int), row[6].(int), row[7].(int)}; got != wantTail {
			t.Errorf("%s sex total and shares %v, want %v", label(dep), got, wantTail)
		}
	}
	// QPV table: exactly the published rows, departement,non,oui,total,pct_non,pct_oui.
	qpvRows := map[string][]any{}
	for _, row := range tables["QPV"].Rows {
		qpvRows[row[0].(string)] = row
	}
	for dep, want := range p.qpvRows {
		row := qpvRows[label(dep)]
		var got []string
		for _, c := range row[1:] {
			got = append(got, indicators.Cell(c))
		}
		if strings.Join(got, ",") != strings.Join(want[1:], ",") {
			t.Errorf("QPV row %s: got %v, published %v", label(dep), got, want[1:])
		}
	}
	// Rights table: request_type,count,pct exactly as published.
	rightsRows := map[string][]any{}
	for _, row := range tables["Droits"].Rows {
		rightsRows[row[0].(string)] = row
	}
	for code, want := range p.rightsRows {
		row := rightsRows[codes.RightsTypes.Label(code)]
		if row == nil || indicators.Cell(row[1]) != want[1] || indicators.Cell(row[2]) != want[2] {
			t.Errorf("rights %s: got %v, published count %s pct %s", code, row, want[1], want[2])
		}
	}
	if r.Rights.Total != 3667 || r.Care.Total != 2324 {
		t.Errorf("requests: rights %d care %d, published 3 667 and 2 324", r.Rights.Total, r.Care.Total)
	}
	if r.Rights.ResolvedPct() != 76 || r.Care.ResolvedPct() != 73 {
		t.Errorf("resolved shares %d %% and %d %%, published 76 %% and 73 %%", r.Rights.ResolvedPct(), r.Care.ResolvedPct())
	}

	// The chat message shows the same figures.
	mustNameUnits(t, r)
	text := r.Text()
	for _, want := range []string{
		"Indicateurs – Hauts-de-France", "Du 01/01/2024 au 31/12/2024", "Fiches : 4 175", "Médiateurs actifs : 49",
		"\nAisne : 442 fiches, 5 médiateurs\nNord : 1 793 fiches, 23 médiateurs\nOise : 175 fiches, 1 médiateur\nPas-de-Calais : 1 531 fiches, 17 médiateurs\nSomme : 234 fiches, 3 médiateurs",
		"Nord : 1 793 · 978 (55 %) · 1 377 (77 %)",
		// Resolved requests: their count beside the published share.
		"Accès aux droits\n3 667 demandes, dont 2 787 résolues (76 %)", "- Prestations de santé : 1 929 (53 %)",
		"- Aides pour frais de spécialiste : 247 (7 %)", "Accès aux soins\n2 324 demandes, dont 1 697 résolues (73 %)",
		"Niveau d'accompagnement",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
	if n := len([]rune(text)); n > frtext.MaxMessage {
		t.Errorf("message is %d characters, Telegram allows %d", n, frtext.MaxMessage)
	}

	// JSON keys of `relais report --format json`.
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Sheets        int `json:"sheets"`
		Mediators     int `json:"mediators"`
		ByDepartement map[string]struct {
			Sheets      int            `json:"sheets"`
			Mediators   int            `json:"mediators"`
			Sex         map[string]int `json:"sex"`
			QPV         map[string]int `json:"qpv"`
			AgeMean     *float64       `json:"age_mean"`
			Resources   map[string]int `json:"resources"`
			ContactMode map[string]int `json:"contact_mode"`
		} `json:"by_departement"`
		Rights struct {
			Total    int            `json:"total"`
			Resolved int            `json:"resolved"`
			ByType   map[string]int `json:"by_type"`
		} `json:"rights"`
		Care struct {
			Total    int            `json:"total"`
			Resolved int            `json:"resolved"`
			ByType   map[string]int `json:"by_type"`
		} `json:"care"`
		PerMediator map[string]*float64 `json:"per_mediator"`
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	if js.Sheets != 4175 || js.Mediators != 49 || len(js.ByDepartement) != 5 {
		t.Errorf("JSON sheets %d mediators %d départements %d", js.Sheets, js.Mediators, len(js.ByDepartement))
	}
	nord := js.ByDepartement["59"]
	if nord.Mediators != 23 || nord.Sheets != 1793 || nord.Sex["F"] != 978 || nord.QPV["oui"] != 1377 ||
		nord.AgeMean == nil || len(nord.Resources) != len(codes.Resources) || len(nord.ContactMode) != len(codes.ContactModes) {
		t.Errorf("JSON Nord: %+v", nord)
	}
	if js.Rights.ByType["prestations_sante"] != 1929 || js.Rights.Total != 3667 || js.Care.Total != 2324 {
		t.Errorf("JSON requests: %+v %+v", js.Rights, js.Care)
	}
	if js.PerMediator["distinct_people_mean"] == nil || js.PerMediator["distinct_people_qpv_mean"] == nil {
		t.Errorf("JSON per_mediator: %s", b)
	}

	// Picardie and one département only count their own sheets.
	pic, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Group("32", 0))
	if err != nil {
		t.Fatal(err)
	}
	if pic.Sheets != 442+175+234 || pic.Mediators != 5+1+3 || len(pic.ByDepartement) != 3 {
		t.Errorf("Picardie: %d sheets, %d mediators, %d départements", pic.Sheets, pic.Mediators, len(pic.ByDepartement))
	}
	nordReport, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("59"))
	if err != nil {
		t.Fatal(err)
	}
	if nordReport.Sheets != 1793 || nordReport.Label != "Nord" || nordReport.Total.Label != "Nord (23)" {
		t.Errorf("Nord: %d sheets, label %q / %q", nordReport.Sheets, nordReport.Label, nordReport.Total.Label)
	}
	if _, err := indicators.Chart(r); err != nil {
		t.Errorf("chart: %v", err)
	}
}
