package indicators_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// plan is one mediator of the constructed action dataset.
type plan struct {
	id                           string
	rural                        bool
	coanimee, coconstruite, part int
	proCoanimated                bool // one of the co-animated actions is for professionals
	sheetOnly                    bool // active through a sheet, no action
}

// seedActions builds the 2026 dataset: 10 active mediators (4 rural, 6 on
// QPV posts) with 88 co-animated, 45 co-built and 75 attended actions,
// the regional report's 8.8 / 4.5 / 7.5 per mediator; one more post is
// active in the registry but did nothing in 2026 (an action in 2025).
func seedActions(t *testing.T) (*testenv.DB, map[string]ids.MediatorID) {
	t.Helper()
	db := testenv.NewDB(t)
	ctx := context.Background()
	plans := []plan{
		{id: "R1", rural: true, coanimee: 10, coconstruite: 5, part: 6, proCoanimated: true},
		{id: "R2", rural: true, coanimee: 10, coconstruite: 5, part: 6},
		{id: "R3", rural: true, coanimee: 10, coconstruite: 5, part: 6},
		{id: "R4", rural: true, coanimee: 10, coconstruite: 5, part: 6},
		{id: "Q1", coanimee: 10, coconstruite: 5, part: 10, proCoanimated: true},
		{id: "Q2", coanimee: 10, coconstruite: 5, part: 10},
		{id: "Q3", coanimee: 10, coconstruite: 5, part: 10},
		{id: "Q4", coanimee: 9, coconstruite: 5, part: 10},
		{id: "Q5", coanimee: 9, coconstruite: 5, part: 11},
		{id: "Q6", sheetOnly: true},
		{id: "Z1"},
	}
	postIDs := map[string]ids.MediatorID{}
	n := 0
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, p := range plans {
		var id ids.MediatorID
		dep := "59"
		if p.rural {
			dep = "02"
		}
		if err := db.SQL.QueryRow(ctx, `INSERT INTO mediators (identifier, departement, rural) VALUES ($1, $2, $3) RETURNING id`,
			p.id, dep, p.rural).Scan(&id); err != nil {
			t.Fatal(err)
		}
		postIDs[p.id] = id
		partner := "centre_social"
		if p.rural {
			partner = "cpam"
		}
		add := func(count int, role, audience, partner string, themes []string) {
			for range count {
				n++
				var pt any
				if partner != "" {
					pt = partner
				}
				exec(`INSERT INTO actions (id, mediator_id, date, role, audience, themes, partner_type, participants)
				      VALUES ($1, $2, $3, $4, $5, $6, $7, 10)`,
					fmt.Sprintf("a%d", n), id, time.Date(2026, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC), role, audience, themes, pt)
			}
		}
		co := p.coanimee
		if p.proCoanimated {
			add(1, "coanimee", "professionnels", partner, []string{"nutrition"})
			co--
		}
		add(co, "coanimee", "public", partner, []string{"nutrition"})
		add(p.coconstruite, "coconstruite", "public", "association", []string{"sante_mentale", "nutrition"})
		add(p.part, "participation", "professionnels", "", []string{"vaccination"})
		if p.sheetOnly {
			if _, _, err := db.Store.SaveSheet(ctx, store.Sheet{ID: "s-" + p.id, MediatorID: id, Date: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC),
				Beneficiary: "QQQQQQ", Sex: "F", QPV: "oui", Resources: "rsa", ContactMode: "aller_vers", Level: "informe",
				SocialProtection: "non"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	exec(`INSERT INTO actions (id, mediator_id, date, role, audience) VALUES ('old', $1, '2025-12-31', 'coanimee', 'public')`, postIDs["Z1"])

	// Partner registries: R1 2 health + 1 social, Q1 3 social + 1 medico-social.
	for _, p := range []store.Partner{
		{MediatorID: postIDs["R1"], Name: "CH Laon", Category: "sanitaire", Type: "professionnel_sante"},
		{MediatorID: postIDs["R1"], Name: "CPAM Aisne", Category: "sanitaire", Type: "cpam"},
		{MediatorID: postIDs["R1"], Name: "CCAS Laon", Category: "social", Type: "collectivite"},
		{MediatorID: postIDs["Q1"], Name: "CS Épeule", Category: "social", Type: "centre_social"},
		{MediatorID: postIDs["Q1"], Name: "CAF", Category: "social", Type: "autre"},
		{MediatorID: postIDs["Q1"], Name: "CCAS Roubaix", Category: "social", Type: "collectivite"},
		{MediatorID: postIDs["Q1"], Name: "CSAPA", Category: "medico_social", Type: "acteur_specialise"},
		{MediatorID: postIDs["Z1"], Name: "Ignored", Category: "sanitaire", Type: "autre"}, // not active in 2026
	} {
		if _, err := db.Store.SavePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	// Reviews of 2026: R1, Q1, Q2.
	yes, no := true, false
	four, two := 4, 2
	for _, r := range []store.Review{
		{MediatorID: postIDs["R1"], Year: 2026, Identified: &yes, MissionsKnown: &yes, CPAMPartnership: &yes, PartnerBodies: &no,
			ProfessionalProject: &yes, Training: &yes, PartnersSanitaire: &four, HealthNeeds: []string{"sante_mentale", "nutrition"},
			Helped: "Le soutien de l'élu.", Hindered: "La distance.", Improve: "Un véhicule."},
		{MediatorID: postIDs["Q1"], Year: 2026, Identified: &yes, MissionsKnown: &no, CPAMPartnership: &no, PartnerBodies: &yes,
			ProfessionalProject: &no, Training: &yes, PartnersSanitaire: &two, HealthNeeds: []string{"sante_mentale"},
			Helped: "L'équipe du centre social."},
		{MediatorID: postIDs["Q2"], Year: 2026, Identified: &no, MissionsKnown: &no, CPAMPartnership: &no, PartnerBodies: &yes,
			ProfessionalProject: &no, Training: &yes, HealthNeeds: []string{"addictions"}},
	} {
		if _, err := db.Store.SaveReview(ctx, r, time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	return db, postIDs
}

func TestActionsPerMediatorMatchTheRegionalAverages(t *testing.T) {
	t.Parallel()
	db, _ := seedActions(t)
	ctx := context.Background()
	r, err := indicators.Compute(ctx, db.Store.Reports(), indicators.Year(2026), indicators.Region("32"), indicators.AsOf(time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	a := r.Actions
	per := func(g indicators.ActionGroup) string {
		return fmt.Sprintf("%d: %.1f %.1f %.1f", g.Mediators, g.PerMediator["coanimee"].Tenths(),
			g.PerMediator["coconstruite"].Tenths(), g.PerMediator["participation"].Tenths())
	}
	for _, c := range []struct {
		name string
		g    indicators.ActionGroup
		want string
	}{
		{"total", a.Total, "10: 8.8 4.5 7.5"},
		{"rural", a.Rural, "4: 10.0 5.0 6.0"},
		{"qpv posts", a.QPVPosts, "6: 8.0 4.2 8.5"},
	} {
		if got := per(c.g); got != c.want {
			t.Errorf("%s per mediator = %s, want %s", c.name, got, c.want)
		}
	}
	if a.Total.Actions != 208 || a.Total.Participants != 2080 || a.Total.CoanimatedForProfessionals != 2 || a.Total.CoanimatedForProfessionalsPct != 20 {
		t.Errorf("total = %+v", a.Total)
	}
	ranks := func(rs []indicators.Rank) string {
		var s []string
		for _, k := range rs {
			s = append(s, fmt.Sprintf("%s %d %d%%", k.Code, k.Count, k.Pct))
		}
		return strings.Join(s, ", ")
	}
	if got := ranks(a.Themes); got != "nutrition 133 64%, vaccination 75 36%, sante_mentale 45 22%" {
		t.Errorf("themes = %s", got)
	}
	if got := ranks(a.Partners); got != "centre_social 48 36%, association 45 34%, cpam 40 30%" {
		t.Errorf("partners = %s", got)
	}

	p := r.Partners.Total
	if p.Mediators != 10 || p.PerMediator["sanitaire"].Tenths() != 0.2 || p.PerMediator["social"].Tenths() != 0.4 || p.PerMediator["medico_social"].Tenths() != 0.1 {
		t.Errorf("partners = %+v", p)
	}
	if r.Partners.Rural.PerMediator["sanitaire"].Tenths() != 0.5 || r.Partners.QPVPosts.PerMediator["social"].Tenths() != 0.5 {
		t.Errorf("partners split = %+v / %+v", r.Partners.Rural, r.Partners.QPVPosts)
	}

	rv := r.Review
	if rv.Total.Posts != 11 || rv.Total.Reviews != 3 || rv.Total.Pct["identified"] != 67 || rv.Total.Pct["cpam_partnership"] != 33 ||
		rv.Total.Pct["partner_bodies"] != 67 || rv.Total.Pct["professional_project"] != 33 || rv.Total.Pct["training"] != 100 {
		t.Errorf("review = %+v", rv.Total)
	}
	if rv.Rural.Reviews != 1 || rv.Rural.Pct["cpam_partnership"] != 100 || rv.QPVPosts.Reviews != 2 || rv.QPVPosts.Pct["identified"] != 50 {
		t.Errorf("review split = %+v / %+v", rv.Rural, rv.QPVPosts)
	}
	if m := rv.Total.PartnersMean["sanitaire"]; m.Tenths() != 3.0 || m.N != 2 {
		t.Errorf("declared health partners mean = %+v", m)
	}
	if got := ranks(rv.HealthNeeds); got != "sante_mentale 2 67%, addictions 1 33%, nutrition 1 33%" {
		t.Errorf("health needs = %s", got)
	}

	// JSON: the three sections under their keys, means with one decimal.
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Actions struct {
			Total struct {
				PerMediator map[string]float64 `json:"per_mediator"`
			} `json:"total"`
		} `json:"actions"`
		Partners map[string]any `json:"partners"`
		Review   struct {
			Years []int `json:"years"`
			Total struct {
				Pct map[string]int `json:"pct"`
			} `json:"total"`
		} `json:"review"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if pm := doc.Actions.Total.PerMediator; pm["coanimee"] != 8.8 || pm["coconstruite"] != 4.5 || pm["participation"] != 7.5 {
		t.Errorf("JSON per_mediator = %v", pm)
	}
	if doc.Partners["total"] == nil || doc.Review.Total.Pct["training"] != 100 || fmt.Sprint(doc.Review.Years) != "[2026]" {
		t.Errorf("JSON partners/review = %v %+v", doc.Partners, doc.Review)
	}

	mustNameUnits(t, r)
	// The open answers are never in the report: not in JSON, text or tables.
	text := r.Text()
	var tables strings.Builder
	if err := indicators.WriteText(&tables, r.Tables()); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Le soutien de l'élu.", "La distance.", "L'équipe du centre social."} {
		if strings.Contains(string(b), secret) || strings.Contains(text, secret) || strings.Contains(tables.String(), secret) {
			t.Errorf("open answer %q leaked into the report", secret)
		}
	}
	for _, want := range []string{
		"Actions collectives : 208, avec 2 080 participants",
		"Actions par médiateur, en moyenne : co-animées 8,8 · co-construites avec les habitants 4,5 · participations sans co-animer 7,5",
		"- postes ruraux : co-animées 10,0 · co-construites avec les habitants 5,0 · participations sans co-animer 6,0",
		"Ont co-animé pour des professionnels : 20 % des médiateurs",
		"Thèmes, en % des actions : Nutrition 64 % · Vaccination 36 % · Santé mentale 22 %",
		"Partenaires par médiateur, en moyenne : sanitaires 0,2 · du champ social 0,4 · médico-sociaux 0,1",
		"Bilan annuel 2026 : 3 bilans remplis sur 11 postes\nEn % des bilans : identifiés 67 % · CPAM 33 %",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	var names []string
	for _, tb := range r.Tables() {
		if len([]rune(tb.Name)) > 31 {
			t.Errorf("sheet name %q longer than 31 characters", tb.Name)
		}
		names = append(names, tb.Name)
	}
	if got := strings.Join(names, "|"); !strings.HasSuffix(got, "|Actions|Thèmes des actions|Partenaires des actions|Partenaires|Bilan annuel|Besoins de santé") {
		t.Errorf("tables = %s", got)
	}

	open, err := indicators.OpenAnswers(ctx, db.Store.Reports(), indicators.Year(2026), indicators.Departement("02"))
	if err != nil || len(open) != 1 || open[0].Mediator != "R1" || open[0].Helped != "Le soutien de l'élu." || open[0].Improve != "Un véhicule." {
		t.Fatalf("open answers of Aisne = %+v, %v", open, err)
	}
}

func TestActionsOfOneMediatorAreCounts(t *testing.T) {
	t.Parallel()
	db, postIDs := seedActions(t)
	r, err := indicators.Compute(context.Background(), db.Store.Reports(), indicators.Year(2026), indicators.Mediator(postIDs["Q2"]))
	if err != nil {
		t.Fatal(err)
	}
	mustNameUnits(t, r)
	text := r.Text()
	for _, want := range []string{"Actions collectives : 25, avec 250 participants", "Co-animées 10 · co-construites avec les habitants 5 · participations sans co-animer 10", "Bilan annuel 2026 : rempli"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "par médiateur") {
		t.Errorf("means shown for one mediator:\n%s", text)
	}
}

func TestDigestCountsTheWeeksActions(t *testing.T) {
	t.Parallel()
	db, postIDs := seedActions(t)
	ctx := context.Background()
	me := indicators.Mediator(postIDs["Q1"])
	week := indicators.Week(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))
	var rs []*indicators.Report
	for _, p := range []indicators.Period{week, week.Previous(), indicators.YearToDate(week.To)} {
		r, err := indicators.Compute(ctx, db.Store.Reports(), p, me)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	// Q1's actions are numbered 85 to 109 and dated month 1+n%12, day
	// 1+n%28: a86 falls on 03/03/2026 (this week), a109 on 26/02/2026 (the
	// week before).
	got := indicators.Digest(rs[0], rs[1], rs[2])
	if !strings.Contains(got, "Actions collectives : 1 (comme la semaine précédente)") {
		t.Fatalf("digest lacks the week's 1 action (1 the week before):\n%s", got)
	}
}
