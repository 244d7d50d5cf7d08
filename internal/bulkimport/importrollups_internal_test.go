package bulkimport

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/testenv"
)

// The pure aggregation of writeImportRollups, against literal rows; the
// database test (importrollups_test.go) checks the writing against
// rollup_rebuild. Lines are formatted as that test's snapshot formats them.

func (d rollupDay) String() string {
	if d == noDay {
		return ""
	}
	return d.time().Format(time.DateOnly)
}

func (r importRollups) lines() []string {
	var out []string
	r.eachCount(func(key rollupKey, dim, code string, n, resolved, open int64) {
		out = append(out, fmt.Sprintf("d %s %d %s %s %d %d %d", key.day, key.mediatorID, dim, code, n, resolved, open))
	})
	for _, f := range r.followUps {
		out = append(out, fmt.Sprintf("fu %d %s %c %s %d", f.key.mediatorID, f.key.day, f.what, f.day, f.n))
	}
	for _, d := range r.followUpDays {
		out = append(out, fmt.Sprintf("fud %c %s %d %d", d.what, d.day, d.mediatorID, d.n))
	}
	for _, p := range r.people {
		out = append(out, fmt.Sprintf("p %c %s %d %d %s %s %s %s %s f", p.span, p.start, p.mediatorID, p.beneficiaryID,
			p.first[firstVisit], p.first[firstQPV], p.first[firstSP], p.first[firstRights], p.first[firstCare]))
	}
	for _, d := range r.peopleDays {
		out = append(out, fmt.Sprintf("pd %c %s %d %s %d %d %d %d %d %d", d.span, d.start, d.mediatorID, d.day,
			d.n[firstVisit], d.n[firstVisit], d.n[firstQPV], d.n[firstSP], d.n[firstRights], d.n[firstCare]))
	}
	return out
}

func isoDay(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// rollupRow is a line of a test file: base values changed by f.
func rollupRow(line int, sheet, date, kind, typ, status string, f func(*Row)) Row {
	age := 30
	r := Row{Line: line, SheetID: sheet, Date: isoDay(date), Mediator: "M", Departement: "59", Beneficiary: "B",
		Sex: "F", Age: &age, QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "oriente",
		SocialProtection: "oui", RequestKind: kind, RequestType: typ, Status: status}
	if f != nil {
		f(&r)
	}
	return r
}

// rollupFile: mediator 1 on 4 (not fresh), 5 and 6 (not fresh) March 2024, mediator 2 on
// 31 December 2024 and 1 January 2025; new people 10, 11, 20 (listed last
// first), person 5 known before; K1 a sheet already imported.
func rollupFile() (*importFile, map[importDayKey]bool) {
	follow := func(d string) func(*Row) {
		return func(r *Row) { t := isoDay(d); r.FollowUp = &t }
	}
	rows := []Row{
		rollupRow(2, "T1", "2025-01-01", "soins", "autre", "resolue", func(r *Row) { r.Sex, *r.Age = "M", 0 }),
		rollupRow(3, "T1", "2025-01-01", "droits", "css", "en_cours", func(r *Row) {
			r.Sex, r.Age = "M", new(int)
			follow("2025-01-10")(r)
		}),
		rollupRow(4, "T0", "2024-12-31", "droits", "css", "en_cours", func(r *Row) {
			*r.Age, r.QPV, r.SocialProtection = 40, "non", "non"
			follow("2025-01-10")(r)
		}),
		rollupRow(5, "S1", "2024-03-05", "droits", "css", "resolue", func(r *Row) { r.Obstacles = []string{"langue", "langue", "mobilite"} }),
		rollupRow(6, "S1", "2024-03-05", "droits", "css", "en_cours", func(r *Row) {
			r.Obstacles = []string{"langue", "langue", "mobilite"}
			follow("2024-04-02")(r)
		}),
		rollupRow(7, "S1", "2024-03-05", "soins", "rdv", "non_resolue", func(r *Row) { r.Obstacles = []string{"langue", "langue", "mobilite"} }),
		rollupRow(8, "S2", "2024-03-05", "soins", "rdv", "en_cours", func(r *Row) {
			r.Sex, r.Age, r.QPV, r.Resources, r.ContactMode, r.Level, r.SocialProtection = "X", nil, "non", "salaire", "demarche_usager", "accompagne", "non"
		}),
		rollupRow(9, "S3", "2024-03-04", "", "", "", func(r *Row) { r.QPV, r.SocialProtection = "non", "non" }),
		// Later in the month: no first day moves.
		rollupRow(10, "S4", "2024-03-06", "droits", "css", "en_cours", nil),
		rollupRow(11, "S4", "2024-03-06", "soins", "rdv", "en_cours", nil),
		rollupRow(12, "K1", "2024-03-05", "droits", "autre", "resolue", func(r *Row) { r.Sex = "M" }),
		rollupRow(13, "U1", "2025-01-01", "droits", "css", "resolue", nil),
	}
	ids := map[string]ImportSheetIDs{
		"T1": {MediatorID: 2, BeneficiaryID: 20, NewPerson: true},
		"T0": {MediatorID: 2, BeneficiaryID: 20, NewPerson: true},
		"S1": {MediatorID: 1, BeneficiaryID: 10, NewPerson: true},
		"S2": {MediatorID: 1, BeneficiaryID: 11, NewPerson: true},
		"S3": {MediatorID: 1, BeneficiaryID: 10, NewPerson: true},
		"S4": {MediatorID: 1, BeneficiaryID: 10, NewPerson: true},
		"K1": {Known: true, MediatorID: 1, BeneficiaryID: 11, NewPerson: true},
		"U1": {MediatorID: 2, BeneficiaryID: 5},
	}
	fresh := map[importDayKey]bool{
		{1, dayOf(isoDay("2024-03-05"))}: true, {1, dayOf(isoDay("2024-03-04"))}: false,
		{2, dayOf(isoDay("2024-12-31"))}: true, {2, dayOf(isoDay("2025-01-01"))}: true,
	}
	return importFileOf(rows, ids), fresh
}

func TestComputeImportRollups(t *testing.T) {
	t.Parallel()
	f, fresh := rollupFile()
	got := computeImportRollups(f, fresh, testenv.Paris, testenv.Paris)
	want := []string{
		// 5 March, mediator 1: S1 and S2 (not K1, known; not S3, 4 March).
		"d 2024-03-05 1 sheets  2 0 0",
		"d 2024-03-05 1 sex F 1 0 0",
		"d 2024-03-05 1 sex X 1 0 0",
		"d 2024-03-05 1 qpv oui 1 0 0",
		"d 2024-03-05 1 qpv non 1 0 0",
		"d 2024-03-05 1 age_known  1 0 0",
		"d 2024-03-05 1 age_sum  30 0 0",
		"d 2024-03-05 1 obstacle_sheets  1 0 0",
		"d 2024-12-31 2 sheets  1 0 0",
		"d 2024-12-31 2 sex F 1 0 0",
		"d 2024-12-31 2 qpv non 1 0 0",
		"d 2024-12-31 2 age_known  1 0 0",
		"d 2024-12-31 2 age_sum  40 0 0",
		"d 2025-01-01 2 sheets  2 0 0",
		"d 2025-01-01 2 sex F 1 0 0",
		"d 2025-01-01 2 sex M 1 0 0",
		"d 2025-01-01 2 qpv oui 2 0 0",
		"d 2025-01-01 2 age_known  2 0 0", // an age of 0 is known
		"d 2025-01-01 2 age_sum  30 0 0",
		"d 2025-01-01 2 resources rsa 2 0 0",
		"d 2025-01-01 2 contact_mode aller_vers 2 0 0",
		"d 2025-01-01 2 level oriente 2 0 0",
		"d 2024-12-31 2 resources rsa 1 0 0",
		"d 2024-12-31 2 contact_mode aller_vers 1 0 0",
		"d 2024-12-31 2 level oriente 1 0 0",
		"d 2024-03-05 1 resources rsa 1 0 0",
		"d 2024-03-05 1 contact_mode aller_vers 1 0 0",
		"d 2024-03-05 1 level oriente 1 0 0",
		"d 2024-03-05 1 obstacle langue 2 0 0", // twice on one sheet: two mentions
		"d 2024-03-05 1 obstacle mobilite 1 0 0",
		"d 2024-03-05 1 resources salaire 1 0 0",
		"d 2024-03-05 1 contact_mode demarche_usager 1 0 0",
		"d 2024-03-05 1 level accompagne 1 0 0",
		"d 2025-01-01 2 soins autre 1 1 0",
		"d 2025-01-01 2 droits css 2 1 1",
		"d 2024-12-31 2 droits css 1 0 1",
		"d 2024-03-05 1 droits css 2 1 1",
		"d 2024-03-05 1 soins rdv 2 0 1",
		"fu 2 2025-01-01 r 2025-01-01 2",
		"fu 2 2025-01-01 o 2025-01-10 1",
		"fu 2 2024-12-31 o 2025-01-10 1",
		"fu 1 2024-03-05 r 2024-03-05 1",
		"fu 1 2024-03-05 o 2024-04-02 1", // S2's en_cours has no follow-up day: none
		"fud r 2025-01-01 2 2",
		"fud o 2025-01-10 2 2", // summed over both sheet days
		"fud r 2024-03-05 1 1",
		"fud o 2024-04-02 1 1",
		// By person; 10's first visit is S3's day, listed after S1.
		"p m 2024-03-01 1 10 2024-03-04 2024-03-05 2024-03-05 2024-03-05 2024-03-05 f",
		"p y 2024-01-01 1 10 2024-03-04 2024-03-05 2024-03-05 2024-03-05 2024-03-05 f",
		"p m 2024-03-01 1 11 2024-03-05    2024-03-05 f", // K1 (known) gives no rights
		"p y 2024-01-01 1 11 2024-03-05    2024-03-05 f",
		"p m 2024-12-01 2 20 2024-12-31   2024-12-31  f",
		"p m 2025-01-01 2 20 2025-01-01 2025-01-01 2025-01-01 2025-01-01 2025-01-01 f",
		"p y 2024-01-01 2 20 2024-12-31   2024-12-31  f",
		"p y 2025-01-01 2 20 2025-01-01 2025-01-01 2025-01-01 2025-01-01 2025-01-01 f",
		"pd m 2024-03-01 1 2024-03-04 1 1 0 0 0 0",
		"pd m 2024-03-01 1 2024-03-05 1 1 1 1 1 2",
		"pd y 2024-01-01 1 2024-03-04 1 1 0 0 0 0",
		"pd y 2024-01-01 1 2024-03-05 1 1 1 1 1 2",
		"pd m 2024-12-01 2 2024-12-31 1 1 0 0 1 0",
		"pd m 2025-01-01 2 2025-01-01 1 1 1 1 1 1",
		"pd y 2024-01-01 2 2024-12-31 1 1 0 0 1 0",
		"pd y 2025-01-01 2 2025-01-01 1 1 1 1 1 1",
	}
	lines := got.lines()
	// The order within a table is free, but people's (by person).
	sorted := func(s []string) []string {
		var people, other []string
		for _, l := range s {
			if strings.HasPrefix(l, "p ") {
				people = append(people, l)
			} else {
				other = append(other, l)
			}
		}
		slices.Sort(other)
		return append(other, people...)
	}
	if g, w := strings.Join(sorted(lines), "\n"), strings.Join(sorted(want), "\n"); g != w {
		t.Errorf("rollups:\n%s\nwant:\n%s", g, w)
	}
	var keys []string
	for _, k := range got.freshKeys {
		keys = append(keys, fmt.Sprintf("%d %s", k.mediatorID, k.day))
	}
	if strings.Join(keys, ", ") != "1 2024-03-05, 2 2024-12-31, 2 2025-01-01" {
		t.Errorf("fresh keys %s, want the three marked true", keys)
	}
}

// A request resolved on a line's day was resolved at that day's midnight in
// the file's zone: in Tokyo, the day before in Paris; in New York (or
// Paris), the same day.
func TestComputeImportRollupsResolvedDayInParis(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		zone string
		want string
	}{
		{"Asia/Tokyo", "fu 1 2024-03-05 r 2024-03-04 1|fu 2 2025-01-01 r 2024-12-31 2"},
		{"Europe/Paris", "fu 1 2024-03-05 r 2024-03-05 1|fu 2 2025-01-01 r 2025-01-01 2"},
		{"America/New_York", "fu 1 2024-03-05 r 2024-03-05 1|fu 2 2025-01-01 r 2025-01-01 2"},
	} {
		zone, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		f, fresh := rollupFile()
		var got []string
		for _, l := range computeImportRollups(f, fresh, zone, testenv.Paris).lines() {
			if strings.Contains(l, " r ") && strings.HasPrefix(l, "fu ") {
				got = append(got, l)
			}
		}
		slices.Sort(got)
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: resolved follow-ups %v, want %s", c.zone, got, c.want)
		}
	}
}

// syntheticImport is a file of n lines: sheets of one to three lines over
// 100 mediators and a year of days, every other person new.
func syntheticImport(n int) (*importFile, map[importDayKey]bool) {
	f := &importFile{}
	fresh := map[importDayKey]bool{}
	start := isoDay("2024-01-01")
	kinds := []string{"droits", "soins", ""}
	statuses := []string{"resolue", "en_cours", "non_resolue"}
	obstacles := [][]string{nil, {"langue"}, {"mobilite", "langue"}}
	follow := isoDay("2024-06-01")
	for s := 0; int(f.n) < n; s++ {
		med := int64((s/3)%100 + 1) // a person has one mediator
		date := start.AddDate(0, 0, (s/100)%366)
		age := 20 + s%60
		sh := importSheet{first: int32(int(f.n)), mediatorID: med, beneficiaryID: int64(s/3 + 1), newPerson: (s/3)%2 == 0}
		for l := 0; l <= s%3 && int(f.n) < n; l++ {
			r := Row{Line: int(f.n) + 2, SheetID: fmt.Sprint(s), Date: date, Sex: "F", Age: &age, QPV: "oui",
				Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "non",
				Obstacles: obstacles[s%3], RequestKind: kinds[(s+l)%3], RequestType: "css", Status: statuses[(s+l)%3]}
			if r.RequestKind == "" {
				r.RequestType, r.Status = "", ""
			}
			if r.Status == "en_cours" {
				r.FollowUp = &follow
			}
			sh.rights = sh.rights || r.RequestKind == "droits"
			sh.care = sh.care || r.RequestKind == "soins"
			f.add(r) // numbers its sheet len(f.sheets), the next one
		}
		f.sheets = append(f.sheets, sh)
		fresh[importDayKey{med, dayOf(date)}] = s%7 != 0
	}
	return f, fresh
}

// BenchmarkImportRollupsCompute: the aggregation of a million lines
// (RELAIS_BENCH_ROWS may shrink it on a shared machine).
func BenchmarkImportRollupsCompute(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("RELAIS_BENCH_ROWS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		n = v
	}
	f, fresh := syntheticImport(n)
	zone := testenv.Paris
	b.ReportAllocs()
	for b.Loop() {
		computeImportRollups(f, fresh, zone, zone)
	}
}
