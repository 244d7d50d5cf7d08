package indicators_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

var (
	admin       = indicators.Viewer{Role: roles.Admin}
	regionCoord = indicators.Viewer{Role: roles.Coordinator, Level: "region"}
	nordCoord   = indicators.Viewer{Role: roles.Coordinator, Level: "departement", Departement: "59"}
	ccasCoord   = indicators.Viewer{Role: roles.Coordinator, Level: "structure", Departement: "59", Structure: "CCAS Roubaix"}
	mediator7   = indicators.Viewer{Role: roles.Mediator, MediatorID: 7}
)

func TestAllowedKeepsCoordinatorsInTheirTerritory(t *testing.T) {
	t.Parallel()
	nord, pdc := indicators.Departement("59"), indicators.Departement("62")
	roubaix := indicators.Structure("59", "CCAS Roubaix")
	lille := indicators.Structure("59", "Centre social Lille")
	med7 := indicators.Mediator(7)
	med7Nord := indicators.Scope{Kind: indicators.KindMediator, MediatorID: 7, Departement: "59"}
	med7Roubaix := indicators.Scope{Kind: indicators.KindMediator, MediatorID: 7, Departement: "59", Structure: "CCAS Roubaix"}
	ruralNord := indicators.Scope{Kind: indicators.KindRural, Departement: "59"}
	rural := indicators.Scope{Kind: indicators.KindRural}
	cases := []struct {
		name   string
		viewer indicators.Viewer
		scope  indicators.Scope
		want   bool
	}{
		{"Nord coordinator, Pas-de-Calais", nordCoord, pdc, false},
		{"Nord coordinator, Nord", nordCoord, nord, true},
		{"Nord coordinator, region", nordCoord, indicators.Region("32"), false},
		{"Nord coordinator, Picardie", nordCoord, indicators.Group("32", 0), false},
		{"Nord coordinator, a Nord structure", nordCoord, roubaix, true},
		{"Nord coordinator, a Pas-de-Calais structure", nordCoord, indicators.Structure("62", "CCAS Lens"), false},
		{"Nord coordinator, a mediator without territory", nordCoord, med7, false},
		{"Nord coordinator, a mediator in Nord", nordCoord, med7Nord, true},
		{"Nord coordinator, Nord rural posts", nordCoord, ruralNord, true},
		{"Nord coordinator, all rural posts", nordCoord, rural, false},
		{"structure coordinator, own structure", ccasCoord, roubaix, true},
		{"structure coordinator, another structure", ccasCoord, lille, false},
		{"structure coordinator, their département", ccasCoord, nord, false},
		{"structure coordinator, own mediator", ccasCoord, med7Roubaix, true},
		{"structure coordinator, mediator of the département", ccasCoord, med7Nord, false},
		{"region coordinator, Pas-de-Calais", regionCoord, pdc, true},
		{"region coordinator, Picardie", regionCoord, indicators.Group("32", 0), true},
		{"region coordinator, a mediator", regionCoord, med7, true},
		{"admin, anything", admin, lille, true},
		{"admin, malformed scope", admin, indicators.Scope{Kind: "departement"}, false},
		{"mediator, themselves", mediator7, med7, true},
		{"mediator, another mediator", mediator7, indicators.Mediator(8), false},
		{"mediator, their département", mediator7, nord, false},
		{"unknown role", indicators.Viewer{Role: "visitor"}, indicators.Region("32"), false},
		{"coordinator without level", indicators.Viewer{Role: roles.Coordinator}, nord, false},
	}
	for _, c := range cases {
		if got := indicators.Allowed(hdf, c.viewer, c.scope); got != c.want {
			t.Errorf("%s: Allowed = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestScopesListsOnlyAllowedTerritories(t *testing.T) {
	t.Parallel()
	labels := func(v indicators.Viewer) string {
		var out []string
		for _, s := range indicators.Scopes(hdf, v) {
			if !indicators.Allowed(hdf, v, s) {
				t.Errorf("Scopes offers %q, which Allowed refuses", s.Label())
			}
			out = append(out, s.Label())
		}
		return strings.Join(out, " | ")
	}
	for _, c := range []struct {
		viewer indicators.Viewer
		want   string
	}{
		{regionCoord, "Hauts-de-France | Picardie (Aisne, Oise, Somme) | Aisne | Nord | Oise | Pas-de-Calais | Somme | Postes ruraux | Postes en QPV"},
		{admin, "Hauts-de-France | Picardie (Aisne, Oise, Somme) | Aisne | Nord | Oise | Pas-de-Calais | Somme | Postes ruraux | Postes en QPV"},
		{nordCoord, "Nord | Postes ruraux – Nord | Postes en QPV – Nord"},
		{ccasCoord, "CCAS Roubaix (Nord)"},
		{mediator7, "Poste n° 7"},
		{indicators.Viewer{Role: "visitor"}, ""},
	} {
		if got := labels(c.viewer); got != c.want {
			t.Errorf("Scopes(%+v) = %q, want %q", c.viewer, got, c.want)
		}
	}
}

func TestScopeKeyRoundTrips(t *testing.T) {
	t.Parallel()
	for _, s := range []indicators.Scope{
		indicators.Region("32"), indicators.Group("32", 0), indicators.Departement("02"),
		indicators.Structure("59", "Centre social: Lille-Sud"),
		{Kind: indicators.KindMediator, MediatorID: 12, Departement: "59", Structure: "CCAS Roubaix"},
		{Kind: indicators.KindQPVPosts, Departement: "80"},
	} {
		got, err := indicators.ParseScope(s.Key(), hdf)
		if err != nil || got != s {
			t.Errorf("ParseScope(%q) = %+v, %v; want %+v", s.Key(), got, err, s)
		}
	}
	for _, bad := range []string{"", "x:59:0:", "d::0:", "m::0:", "d:75:0:", "d:59:abc:"} {
		if _, err := indicators.ParseScope(bad, hdf); err == nil {
			t.Errorf("ParseScope(%q) accepted", bad)
		}
	}
}

func TestPctRoundsHalfUpAndMeans(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, total, want int }{
		{1, 8, 13}, {1, 3, 33}, {2, 3, 67}, {250, 442, 57}, {192, 442, 43}, {1, 200, 1}, {0, 0, 0}, {5, 5, 100},
	} {
		if got := indicators.Pct(c.n, c.total); got != c.want {
			t.Errorf("Pct(%d, %d) = %d, want %d", c.n, c.total, got, c.want)
		}
	}
	m := indicators.Mean{Sum: 5, N: 2}
	if m.Round() != 3 || m.Tenths() != 2.5 {
		t.Errorf("mean 5/2: %d, %v", m.Round(), m.Tenths())
	}
	// Tenths on an exact half of a tenth rounds up; just below it rounds down.
	for _, c := range []struct {
		sum, n int64
		want   float64
	}{
		{1, 4, 0.3}, {3, 4, 0.8}, {1, 20, 0.1}, {1, 40, 0}, {49, 20, 2.5}, {2, 3, 0.7}, {1, 3, 0.3}, {0, 3, 0}, {7, 0, 0},
	} {
		if got := (indicators.Mean{Sum: c.sum, N: c.n}).Tenths(); got != c.want {
			t.Errorf("Mean{%d, %d}.Tenths() = %v, want %v", c.sum, c.n, got, c.want)
		}
	}
	if b, err := (indicators.Mean{}).MarshalJSON(); err != nil || string(b) != "null" {
		t.Errorf("empty mean as JSON: %s (err %v)", b, err)
	}
	if frtext.Number(4175) != "4 175" || frtext.Number(1000000) != "1 000 000" || frtext.Number(12) != "12" {
		t.Errorf("Number: %q %q", frtext.Number(4175), frtext.Number(1000000))
	}
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	wed := time.Date(2024, 3, 6, 15, 0, 0, 0, time.UTC)
	w := indicators.Week(wed)
	if w.Label() != "du 04/03/2024 au 10/03/2024" || w.Previous().Label() != "du 26/02/2024 au 03/03/2024" {
		t.Errorf("week %s, previous %s", w.Label(), w.Previous().Label())
	}
	if m := indicators.Month(wed); m.Label() != "du 01/03/2024 au 31/03/2024" {
		t.Errorf("month %s", m.Label())
	}
	if y := indicators.YearToDate(wed); y.Label() != "du 01/01/2024 au 06/03/2024" {
		t.Errorf("year to date %s", y.Label())
	}
	if _, err := indicators.ParsePeriod("31/12/2024", "01/01/2024", wed); err == nil || !strings.Contains(err.Error(), "précède") {
		t.Errorf("reversed period: %v", err)
	}
	if _, err := indicators.ParsePeriod("hier", "2024-01-01", wed); err == nil || err.Error() != "date « hier » invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)" {
		t.Errorf("bad date: %v", err)
	}
}

const scopeFile = "sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n" +
	// MED-R (Nord, CCAS Roubaix): 3 sheets, 2 people
	"R1,2024-03-04,MED-R,59,PR1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n" +
	"R1,2024-03-04,MED-R,59,PR1,F,30,oui,rsa,aller_vers,oriente,oui,soins,rdv,en_cours,2024-03-08,\n" +
	"R2,2024-03-05,MED-R,59,PR1,F,30,oui,rsa,aller_vers,oriente,non,soins,conseil,en_cours,2024-03-20,\n" +
	"R3,2024-03-06,MED-R,59,PR2,M,50,non,salaire,contact_direct,informe,non,droits,autre,en_cours,,\n" +
	// MED-L (Nord, rural post, Centre social Lille)
	"L1,2024-03-05,MED-L,59,PL1,F,70,non,retraite,bouche_a_oreille,accompagne,oui,soins,depistage,en_cours,2024-03-01,\n" +
	// MED-P (Pas-de-Calais)
	"P1,2024-03-05,MED-P,62,PP1,X,,oui,aucune,aller_vers,oriente,oui,droits,css,en_cours,2024-03-01,\n" +
	// last week, for Previous()
	"R0,2024-02-28,MED-R,59,PR3,F,40,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n"

func seedScopes(t *testing.T) *testenv.DB {
	t.Helper()
	db := testenv.NewDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := trackingcsv.RunImport(ctx, bulkimport.New(db.Store), strings.NewReader(scopeFile), hdf, false, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	for _, q := range []string{
		`UPDATE mediators SET structure = 'CCAS Roubaix' WHERE identifier = 'MED-R'`,
		`UPDATE mediators SET structure = 'Centre social Lille', rural = true WHERE identifier = 'MED-L'`,
		`UPDATE mediators SET structure = 'CCAS Lens' WHERE identifier = 'MED-P'`,
		// MED-R and MED-P have a Telegram account; MED-L, imported, has none.
		`INSERT INTO users (telegram_id, role, display_name, chat_id) VALUES (901, 'mediator', 'Rachida', 901), (903, 'mediator', 'Paul', 903)`,
		`UPDATE mediators SET user_id = 901 WHERE identifier = 'MED-R'`,
		`UPDATE mediators SET user_id = 903 WHERE identifier = 'MED-P'`,
		// R1's rights request was resolved on Thursday of that week; R0's long before.
		`UPDATE requests SET resolved_at = '2024-03-07 10:00+01' WHERE sheet_id = 'R1' AND kind = 'droits'`,
		`UPDATE requests SET resolved_at = '2024-02-28 10:00+01' WHERE sheet_id = 'R0'`,
	} {
		if _, err := db.SQL.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func mediatorID(t *testing.T, db *testenv.DB, identifier string) ids.MediatorID {
	t.Helper()
	var id ids.MediatorID
	if err := db.SQL.QueryRow(context.Background(), `SELECT id FROM mediators WHERE identifier = $1`, identifier).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestComputeByScopeWithFollowUps(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	week := indicators.Week(time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC))
	asOf := indicators.AsOf(time.Date(2024, 3, 11, 9, 0, 0, 0, time.UTC))
	compute := func(s indicators.Scope, p indicators.Period) *indicators.Report {
		t.Helper()
		r, err := indicators.Compute(ctx, db.Store.Reports(), p, s, asOf)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	region := compute(indicators.Region("32"), week)
	if region.Sheets != 5 || region.Mediators != 3 || region.People != 4 || region.Posts != 3 {
		t.Errorf("region week: %d sheets, %d mediators, %d people, %d posts", region.Sheets, region.Mediators, region.People, region.Posts)
	}
	// Opened: the week's 6 requests; resolved during the week: R1 rights;
	// overdue on 11/03: R1 care (08/03), L1 and P1 (01/03), not R2 (20/03).
	if f := region.FollowUps; f.Opened != 6 || f.Resolved != 1 || f.Overdue != 3 || f.AsOf != "2024-03-11" {
		t.Errorf("region follow-ups %+v", f)
	}
	if !strings.Contains(region.Text(), "\nDemandes résolues pendant la période, fiches de toutes dates : 1\nSuivis en retard au 11/03/2024, fiches de toutes dates : 3\n") {
		t.Errorf("text:\n%s", region.Text())
	}

	nord := compute(indicators.Departement("59"), week)
	if nord.Sheets != 4 || nord.Total.Label != "Nord (2)" || nord.FollowUps.Overdue != 2 || len(nord.ByDepartement) != 1 {
		t.Errorf("Nord: %d sheets, label %q, overdue %d", nord.Sheets, nord.Total.Label, nord.FollowUps.Overdue)
	}
	roubaix := compute(indicators.Structure("59", "CCAS Roubaix"), week)
	if roubaix.Sheets != 3 || roubaix.People != 2 || roubaix.Rights.Total != 2 || roubaix.Care.Total != 2 {
		t.Errorf("Roubaix: %d sheets %d people %d rights %d care", roubaix.Sheets, roubaix.People, roubaix.Rights.Total, roubaix.Care.Total)
	}
	if pm := roubaix.PerMediator; pm.DistinctPeople.Round() != 2 || pm.DistinctPeopleQPV.Round() != 1 ||
		pm.RightsPeople.Round() != 2 || pm.CarePeople.Round() != 1 || pm.SocialProtection.Round() != 1 {
		t.Errorf("Roubaix per mediator %+v", pm)
	}
	rural := compute(indicators.Scope{Kind: indicators.KindRural}, week)
	qpvPosts := compute(indicators.Scope{Kind: indicators.KindQPVPosts, Departement: "59"}, week)
	if rural.Sheets != 1 || qpvPosts.Sheets != 3 {
		t.Errorf("rural posts %d sheets, Nord QPV posts %d", rural.Sheets, qpvPosts.Sheets)
	}

	// /monbilan: one mediator's own figures, labelled with their name,
	// never with the post's identifier.
	me := compute(indicators.Mediator(mediatorID(t, db, "MED-R")), week)
	if me.Label != "Rachida" || me.Sheets != 3 || me.People != 2 || !strings.Contains(me.Text(), "Personnes distinctes : 2, dont en QPV : 1") {
		t.Errorf("mediator report %q %d sheets:\n%s", me.Label, me.Sheets, me.Text())
	}
	prev := compute(indicators.Mediator(mediatorID(t, db, "MED-R")), week.Previous())
	if prev.Sheets != 1 || prev.FollowUps.Resolved != 1 {
		t.Errorf("previous week: %d sheets, %d resolved", prev.Sheets, prev.FollowUps.Resolved)
	}

	empty := compute(indicators.Departement("80"), week)
	if empty.Sheets != 0 || !strings.Contains(empty.Text(), "Aucune fiche sur cette période.") {
		t.Errorf("empty report:\n%s", empty.Text())
	}
	if _, err := indicators.Chart(empty); err != nil {
		t.Errorf("chart of an empty report: %v", err)
	}
}

// A scope forged from button data cannot reach outside the territory it
// declares: Allowed checks the declaration, the SQL enforces it.
func TestForgedMediatorScopeStaysInDeclaredTerritory(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	week := indicators.Week(time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC))
	forged := indicators.Scope{Kind: indicators.KindMediator, MediatorID: mediatorID(t, db, "MED-P"), Departement: "59"}
	if !indicators.Allowed(hdf, nordCoord, forged) {
		t.Fatal("the forged scope declares Nord: Allowed lets it through, the query must not")
	}
	r, err := indicators.Compute(ctx, db.Store.Reports(), week, forged)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sheets != 0 || r.FollowUps.Overdue != 0 {
		t.Errorf("a Nord scope shows a Pas-de-Calais mediator's figures: %d sheets", r.Sheets)
	}
	var rows bytes.Buffer
	if err := trackingcsv.WriteCSV(ctx, db.Store.Reports(), week, forged, &rows); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rows.String(), "MED-P") {
		t.Errorf("export of a forged scope leaks:\n%s", rows.String())
	}
}

func TestMediatorAndStructureScopesForButtons(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	list := func(v indicators.Viewer) string {
		ms, err := indicators.MediatorScopes(ctx, db.Store.Reports(), hdf, v)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range ms {
			if !indicators.Allowed(hdf, v, s) {
				t.Errorf("MediatorScopes offers %+v to %+v, which Allowed refuses", s, v)
			}
			out = append(out, s.Label())
		}
		return strings.Join(out, ", ")
	}
	// Names, never identifiers; a post without an account by its structure.
	if got := list(nordCoord); got != "Poste sans compte de Centre social Lille, Rachida" {
		t.Errorf("Nord coordinator's mediators: %q", got)
	}
	if got := list(ccasCoord); got != "Rachida" {
		t.Errorf("structure coordinator's mediators: %q", got)
	}
	if got := list(regionCoord); got != "Poste sans compte de Centre social Lille, Rachida, Paul" {
		t.Errorf("region coordinator's mediators: %q", got)
	}
	ss, err := indicators.StructureScopes(ctx, db.Store.Reports(), hdf, nordCoord)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Label() != "CCAS Roubaix (Nord)" || ss[1].Label() != "Centre social Lille (Nord)" {
		t.Errorf("Nord structures: %+v", ss)
	}
}

func TestChartIsAPhoneSizedPNG(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	r, err := indicators.Compute(context.Background(), db.Store.Reports(), indicators.Year(2024), indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := indicators.Chart(r)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 600 || w > 1280 || h < 400 || h > 2000 {
		t.Errorf("chart is %d×%d pixels", w, h)
	}
}

func TestDigestComparesWithPreviousWeek(t *testing.T) {
	t.Parallel()
	db := seedScopes(t)
	ctx := context.Background()
	monday := time.Date(2024, 3, 11, 8, 0, 0, 0, time.UTC)
	week := indicators.Week(monday.AddDate(0, 0, -7))
	me := indicators.Mediator(mediatorID(t, db, "MED-R"))
	var reports []*indicators.Report
	for _, p := range []indicators.Period{week, week.Previous(), indicators.YearToDate(week.To)} {
		r, err := indicators.Compute(ctx, db.Store.Reports(), p, me, indicators.AsOf(monday), indicators.ForTheMediator())
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	got := indicators.Digest(reports[0], reports[1], reports[2])
	want := "Résumé du lundi\nVotre semaine, du 04/03/2024 au 10/03/2024\n\n" +
		"Fiches : 3 (+2 par rapport à la semaine précédente)\n" +
		"Personnes distinctes : 2 (+1 par rapport à la semaine précédente)\n" +
		"Demandes enregistrées : 4 (+3 par rapport à la semaine précédente)\n" +
		"Demandes résolues : 1 (comme la semaine précédente)\n" +
		"Suivis en retard à ce jour (date de suivi passée, toutes fiches) : 1\n\n" +
		"Depuis le 01/01/2024 : 4 fiches, 3 personnes distinctes, 5 demandes ; résolues : accès aux droits 2 sur 3 (67 %), accès aux soins 0 sur 2 (0 %)"
	if got != want {
		t.Errorf("digest:\n%s\nwant:\n%s", got, want)
	}
}
