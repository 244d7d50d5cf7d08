package indicators_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/testenv"
)

// Deployments of these tests, side by side in one binary: nothing about
// the served regions is global.
var (
	occitanie = testenv.Served("76")
	both      = testenv.Served("32", "76")
)

var (
	coord76  = indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "76"}
	coord32  = indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "32"}
	coordAny = indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelRegion}
	garonne  = indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelDepartement, Departement: "31"}
)

func scopeLabels(t *testing.T, served territory.Served, v indicators.Viewer) string {
	t.Helper()
	var out []string
	for _, s := range indicators.Scopes(served, v) {
		if !indicators.Allowed(served, v, s) {
			t.Errorf("Scopes offers %q, which Allowed refuses", s.Label())
		}
		if len(s.Key()) > 64 {
			t.Errorf("key %q over 64 bytes", s.Key())
		}
		out = append(out, s.Label())
	}
	return strings.Join(out, " | ")
}

const occitanieList = "Ariège | Aude | Aveyron | Gard | Haute-Garonne | Gers | Hérault | Lot | Lozère | Hautes-Pyrénées | " +
	"Pyrénées-Orientales | Tarn | Tarn-et-Garonne"

func TestScopesOfAnOccitanieDeployment(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		viewer indicators.Viewer
		want   string
	}{
		{coord76, "Occitanie | " + occitanieList + " | Postes ruraux | Postes en QPV"},
		{coordAny, "Occitanie | " + occitanieList + " | Postes ruraux | Postes en QPV"},
		{admin, "Occitanie | " + occitanieList + " | Postes ruraux | Postes en QPV"},
		{garonne, "Haute-Garonne | Postes ruraux – Haute-Garonne | Postes en QPV – Haute-Garonne"},
		{coord32, ""},   // a region the deployment does not serve
		{nordCoord, ""}, // a département outside it
	} {
		if got := scopeLabels(t, occitanie, c.viewer); got != c.want {
			t.Errorf("Scopes(76, %+v) =\n %q\nwant\n %q", c.viewer, got, c.want)
		}
	}
	if w, ok := indicators.Widest(occitanie, admin); !ok || w != indicators.Region("76") {
		t.Errorf("an admin of Occitanie alone: widest %+v, %v", w, ok)
	}
}

// An admin of several regions sees them side by side: the national
// scope first, then each region's territories, its posts named after it.
func TestNationalScopesSideBySide(t *testing.T) {
	t.Parallel()
	want := "Hauts-de-France et Occitanie | Hauts-de-France | Picardie (Aisne, Oise, Somme) | Aisne | Nord | Oise | Pas-de-Calais | Somme | " +
		"Postes ruraux – Hauts-de-France | Postes en QPV – Hauts-de-France | Occitanie | " + occitanieList +
		" | Postes ruraux – Occitanie | Postes en QPV – Occitanie"
	if got := scopeLabels(t, both, admin); got != want {
		t.Errorf("admin of 32 and 76:\n %q\nwant\n %q", got, want)
	}
	nationalCoord := indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelNational}
	if got := scopeLabels(t, both, nationalCoord); got != want {
		t.Errorf("national coordinator of 32 and 76:\n %q\nwant\n %q", got, want)
	}
	if got, want := scopeLabels(t, both, coord76), "Occitanie | "+occitanieList+" | Postes ruraux | Postes en QPV"; got != want {
		t.Errorf("coordinator of 76 among 32 and 76:\n %q\nwant\n %q", got, want)
	}
	if w, ok := indicators.Widest(both, admin); !ok || w != indicators.National(both) || w.Label() != "Hauts-de-France et Occitanie" {
		t.Errorf("an admin of 32 and 76: widest %+v, %v", w, ok)
	}
	if w, ok := indicators.Widest(both, coord32); !ok || w != indicators.Region("32") {
		t.Errorf("a coordinator of 32 among 32 and 76: widest %+v, %v", w, ok)
	}
}

func TestAllowedAcrossRegions(t *testing.T) {
	t.Parallel()
	med5in32 := indicators.Scope{Kind: indicators.KindMediator, MediatorID: 5, Region: "32"}
	med5in76 := indicators.Scope{Kind: indicators.KindMediator, MediatorID: 5, Region: "76"}
	cases := []struct {
		name   string
		served territory.Served
		viewer indicators.Viewer
		scope  indicators.Scope
		want   bool
	}{
		{"76 coordinator, Occitanie", both, coord76, indicators.Region("76"), true},
		{"76 coordinator, Hauts-de-France", both, coord76, indicators.Region("32"), false},
		{"76 coordinator, Picardie", both, coord76, indicators.Group("32", 0), false},
		{"76 coordinator, Nord", both, coord76, indicators.Departement("59"), false},
		{"76 coordinator, Haute-Garonne", both, coord76, indicators.Departement("31"), true},
		{"76 coordinator, a Nord structure", both, coord76, indicators.Structure("59", "CCAS Roubaix"), false},
		{"76 coordinator, a Toulouse structure", both, coord76, indicators.Structure("31", "CCAS Toulouse"), true},
		{"76 coordinator, rural posts of 32", both, coord76, indicators.Rural("32"), false},
		{"76 coordinator, rural posts of 76", both, coord76, indicators.Rural("76"), true},
		{"76 coordinator, QPV posts of the Nord", both, coord76, indicators.Scope{Kind: indicators.KindQPVPosts, Departement: "59"}, false},
		{"76 coordinator, a mediator of 32", both, coord76, med5in32, false},
		{"76 coordinator, a mediator of 76", both, coord76, med5in76, true},
		{"76 coordinator, a mediator without territory among two regions", both, coord76, indicators.Mediator(5), false},
		{"76 coordinator, a mediator without territory, 76 alone", occitanie, coord76, indicators.Mediator(5), true},
		{"76 coordinator, the national scope", both, coord76, indicators.National(both), false},
		{"76 coordinator, the national scope of 76 alone", occitanie, coord76, indicators.National(occitanie), false},
		{"32 coordinator, Occitanie", both, coord32, indicators.Region("76"), false},
		{"32 coordinator, Haute-Garonne", both, coord32, indicators.Departement("31"), false},
		{"regional coordinator without region among two", both, coordAny, indicators.Region("32"), false},
		{"76 coordinator where 76 is not served", hdf, coord76, indicators.Region("32"), false},
		{"Haute-Garonne coordinator, Occitanie", both, garonne, indicators.Region("76"), false},
		{"Haute-Garonne coordinator, Haute-Garonne", both, garonne, indicators.Departement("31"), true},
		{"admin, national", both, admin, indicators.National(both), true},
		{"national coordinator, national", both, indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelNational}, indicators.National(both), true},
		{"national coordinator, Nord", both, indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelNational}, indicators.Departement("59"), true},
		{"national coordinator, Nord where 76 alone is served", occitanie, indicators.Viewer{Role: roles.Coordinator, Level: territory.LevelNational}, indicators.Departement("59"), false},
		{"admin, Haute-Garonne among two", both, admin, indicators.Departement("31"), true},
		{"admin, Nord where 76 alone is served", occitanie, admin, indicators.Departement("59"), false},
		{"admin, Hauts-de-France where 76 alone is served", occitanie, admin, indicators.Region("32"), false},
		{"admin, a national scope naming a region not served", occitanie, admin, indicators.National(both), false},
		{"admin, Haute-Garonne where 32 alone is served", hdf, admin, indicators.Departement("31"), false},
		{"admin, a département outside its region", both, admin, indicators.Scope{Kind: indicators.KindRural, Region: "32", Departement: "31"}, false},
		{"admin, a grouping Occitanie does not have", both, admin, indicators.Group("76", 0), false},
		{"admin, a region scope carrying a grouping", both, admin, indicators.Scope{Kind: indicators.KindRegion, Region: "32", Group: 1}, false},
		{"admin, a region scope carrying regions", both, admin, indicators.Scope{Kind: indicators.KindRegion, Region: "32", Regions: "32,76"}, false},
		{"admin, a national scope narrowed to a département", both, admin, indicators.Scope{Kind: indicators.KindNational, Regions: "32,76", Departement: "59"}, false},
	}
	for _, c := range cases {
		if got := indicators.Allowed(c.served, c.viewer, c.scope); got != c.want {
			t.Errorf("%s: Allowed = %v, want %v", c.name, got, c.want)
		}
	}
}

// Keys carry the region; the Hauts-de-France's keep the keys written
// before (buttons already in chats), which still read as region 32.
func TestScopeKeysWithRegions(t *testing.T) {
	t.Parallel()
	for s, want := range map[indicators.Scope]string{
		indicators.Region("32"):   "r::0:",
		indicators.Group("32", 0): "p::0:",
		indicators.Rural("32"):    "ru::0:",
		indicators.Region("76"):   "r@76::0:",
		indicators.Rural("76"):    "ru@76::0:",
		indicators.QPVPosts("76"): "q@76::0:",
		indicators.National(both): "n::0:",
		{Kind: indicators.KindMediator, MediatorID: 5, Region: "76"}: "m@76::5:",
		{Kind: indicators.KindMediator, MediatorID: 5, Region: "32"}: "m@32::5:",
	} {
		if got := s.Key(); got != want {
			t.Errorf("%+v: Key = %q, want %q", s, got, want)
		}
		got, err := indicators.ParseScope(want, both)
		if err != nil || got != s {
			t.Errorf("ParseScope(%q) = %+v, %v; want %+v", want, got, err, s)
		}
	}
	for key, want := range map[string]indicators.Scope{
		"p::0:": indicators.Group("32", 0),
		"r::0:": indicators.Region("32"),
		"q::0:": indicators.QPVPosts("32"),
		"m::5:": indicators.Mediator(5),
	} {
		if got, err := indicators.ParseScope(key, hdf); err != nil || got != want {
			t.Errorf("old key %q = %+v, %v; want %+v", key, got, err, want)
		}
	}
	for _, bad := range []string{"r::0:", "p::0:", "d:59:0:", "r@32::0:", "g@76.0::0:", "r@99::0:", "g@32.x::0:", "r@76.1::0:"} {
		if s, err := indicators.ParseScope(bad, occitanie); err == nil {
			t.Errorf("ParseScope(%q) under 76 = %+v, accepted", bad, s)
		}
	}
	// A key cut short; a national, region or grouping key narrowed to a
	// département (its label would name more than its figures count).
	for _, bad := range []string{"d:59:0", "n:59:0:", "r@76:31:0:", "g@32.0:59:0:"} {
		if s, err := indicators.ParseScope(bad, both); err == nil {
			t.Errorf("ParseScope(%q) under 32 and 76 = %+v, accepted", bad, s)
		}
	}
	if n, err := indicators.ParseScope("n::0:", occitanie); err != nil || n != indicators.National(occitanie) {
		t.Errorf("national key under 76 = %+v, %v", n, err)
	}
}

func TestAnnexeColumnsFollowTheRegion(t *testing.T) {
	t.Parallel()
	columns := func(s indicators.Scope) string {
		_, c, ok := indicators.AnnexeScopes(s)
		if !ok {
			return "none"
		}
		return strings.Join(c, "|")
	}
	for s, want := range map[indicators.Scope]string{
		indicators.Region("32"):      "Région|Picardie|Nord|Pas-de-Calais|Médiateurs ruraux|Médiateurs QPV",
		indicators.Region("76"):      "Région|" + strings.ReplaceAll(occitanieList, " | ", "|") + "|Médiateurs ruraux|Médiateurs QPV",
		indicators.National(both):    "Hauts-de-France|Occitanie",
		indicators.Departement("31"): "none",
	} {
		if got := columns(s); got != want {
			t.Errorf("Annexe 1 of %s: %q, want %q", s.Label(), got, want)
		}
	}
}

// seedTwoRegions is the scopes' data with the Pas-de-Calais post moved to
// Haute-Garonne: MED-R and MED-L in the Nord, MED-P in Occitanie.
func seedTwoRegions(t *testing.T) *testenv.DB {
	t.Helper()
	db := seedScopes(t)
	if _, err := db.SQL.Exec(context.Background(), `UPDATE mediators SET departement = '31', structure = 'CCAS Toulouse' WHERE identifier = 'MED-P'`); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestFiguresOfTwoRegionsSideBySide(t *testing.T) {
	t.Parallel()
	db := seedTwoRegions(t)
	ctx := context.Background()
	week := indicators.Week(time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC))
	sheets := func(s indicators.Scope) int {
		t.Helper()
		r, err := indicators.Compute(ctx, db.Store.Reports(), week, s)
		if err != nil {
			t.Fatal(err)
		}
		return r.Sheets
	}
	for s, want := range map[indicators.Scope]int{
		indicators.Region("32"):        4,
		indicators.Region("76"):        1,
		indicators.National(both):      5,
		indicators.Departement("31"):   1,
		indicators.QPVPosts("76"):      1,
		indicators.Rural("76"):         0,
		indicators.Group("32", 0):      0,
		indicators.National(occitanie): 1,
	} {
		if got := sheets(s); got != want {
			t.Errorf("%s: %d sheets, want %d", s.Label(), got, want)
		}
	}
	a, err := indicators.ComputeAnnexe(ctx, db.Store.Reports(), week, indicators.National(both))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.Columns, "|"); got != "Hauts-de-France|Occitanie" || a.Reports[0].Sheets != 4 || a.Reports[1].Sheets != 1 {
		t.Errorf("national Annexe 1: %s, %d and %d sheets", got, a.Reports[0].Sheets, a.Reports[1].Sheets)
	}
	tables := a.Tables()
	if got := strings.Join(tables[0].Header, "|"); got != "Indicateur|Hauts-de-France|Occitanie" {
		t.Errorf("national Annexe 1 header %q", got)
	}
	// A regional coordinator of 76 lists only Occitanie's posts and structures.
	ms, err := indicators.MediatorScopes(ctx, db.Store.Reports(), both, coord76)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Label() != "Paul" || !indicators.Allowed(both, coord76, ms[0]) || indicators.Allowed(both, coord32, ms[0]) {
		t.Errorf("mediators of 76: %+v", ms)
	}
	ss, err := indicators.StructureScopes(ctx, db.Store.Reports(), both, coord76)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Label() != "CCAS Toulouse (Haute-Garonne)" {
		t.Errorf("structures of 76: %+v", ss)
	}
	// A forged mediator scope of 76 naming a post of 32 counts nothing.
	forged := indicators.Scope{Kind: indicators.KindMediator, MediatorID: mediatorID(t, db, "MED-R"), Region: "76"}
	if !indicators.Allowed(both, coord76, forged) || sheets(forged) != 0 {
		t.Errorf("a 76 mediator scope naming a Nord post counts %d sheets", sheets(forged))
	}
}

func TestAnnualReportFollowsTheRegion(t *testing.T) {
	t.Parallel()
	db := seedTwoRegions(t)
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	d, err := annual.BuildFigures(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("76"), now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Les médiateurs santé en quartiers politique de la ville – Bilan régional 2024 – Occitanie"; d.Title != want {
		t.Errorf("title %q, want %q", d.Title, want)
	}
	posts := docTable(t, d, "Postes")
	if got := posts.Rows[4]; got[0] != "Haute-Garonne" || got[1] != 1 {
		t.Errorf("Haute-Garonne row %v", got)
	}
	if got := posts.Rows[len(posts.Rows)-1]; got[0] != "Occitanie" || got[1] != 1 || len(posts.Rows) != 14 {
		t.Errorf("total row %v of %d rows", got, len(posts.Rows))
	}
	annexe := docTable(t, d, "Annexe 1")
	if got := strings.Join(annexe.Header, "|"); !strings.HasPrefix(got, "Indicateur|Région|Ariège|Aude|") || !strings.HasSuffix(got, "|Tarn-et-Garonne|Médiateurs ruraux|Médiateurs QPV") {
		t.Errorf("Annexe 1 of 76: %q", got)
	}
	national, err := annual.BuildFigures(ctx, db.Store.Reports(), indicators.Year(2024), indicators.National(both), now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Les médiateurs santé en quartiers politique de la ville – Bilan national 2024 – Hauts-de-France et Occitanie"; national.Title != want {
		t.Errorf("national title %q, want %q", national.Title, want)
	}
	if got := strings.Join(docTable(t, national, "Annexe 1").Header, "|"); got != "Indicateur|Hauts-de-France|Occitanie" {
		t.Errorf("national Annexe 1: %q", got)
	}
	if _, err := annual.BuildFigures(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Departement("31"), now); err == nil {
		t.Error("an annual report of a département was built")
	}
}

// docTable is the document's table named name.
func docTable(t *testing.T, d *annual.Document, name string) indicators.Table {
	t.Helper()
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if tb, ok := b.(annual.Table); ok && tb.Name == name {
				return tb.Table
			}
		}
	}
	t.Fatalf("no table %q in the document", name)
	return indicators.Table{}
}
