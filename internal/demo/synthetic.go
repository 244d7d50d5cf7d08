package demo

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
)

// The demo starts on a synthetic year so that a coordinator's first
// /indicateurs has figures and a chart, and the mediators have follow-ups
// due. Everything is generated from a fixed seed: no real person, post or
// figure is ever copied. Only the shape follows the regional report of 2024
// (../shared/fixtures): over the last 365 days the region has exactly the
// report's sheets by département, sex and QPV residence, its rights
// requests by type and its resolved shares (76 % of rights, 73 % of care),
// for the report's 49 mediators; Awa and Karim are two of them.

// SyntheticSeed is the generator's seed: the same seed and day give the same year.
const SyntheticSeed uint64 = 2024

// SyntheticNotice says, wherever the figures show, that they are made up.
const SyntheticNotice = "Démo : chiffres fictifs, générés pour l'exemple, aucune donnée réelle."

// stateSynthetic is the demo_state key marking the year as generated.
const stateSynthetic = "synthetic_year"

// depShape is one département of the report: its mediators and its sheets
// by sex and QPV residence (report2024_*_by_departement.csv).
type depShape struct {
	code          string
	sheets        int
	f, m, x       int
	qpvYes        int
	structures    []structureShape
	personaStruct string // the structure of a persona's post (Awa in 59, Karim in 62)
}

type structureShape struct {
	name  string
	posts int
	rural bool
}

var departementShapes = []depShape{
	{code: "02", sheets: 442, f: 263, m: 179, x: 0, qpvYes: 250, structures: []structureShape{
		{"CCAS Saint-Quentin", 2, false}, {"Centre social Laon", 1, false}, {"Maison de santé Soissons", 1, false},
		{"Communauté de communes de Thiérache", 1, true}}},
	{code: "59", sheets: 1793, f: 978, m: 815, x: 0, qpvYes: 1377, personaStruct: "CCAS Roubaix", structures: []structureShape{
		{"CCAS Roubaix", 4, false}, {"Ville de Lille", 4, false}, {"Centre social Tourcoing", 3, false},
		{"Association Santé Solidarité Valenciennes", 3, false}, {"CCAS Maubeuge", 3, false},
		{"Centre social Denain", 2, false}, {"Maison de santé de l'Avesnois", 2, true}, {"ADSM Dunkerque", 2, false}}},
	{code: "60", sheets: 175, f: 101, m: 74, x: 0, qpvYes: 74, structures: []structureShape{
		{"Centre social Creil", 1, false}}},
	{code: "62", sheets: 1531, f: 897, m: 630, x: 4, qpvYes: 1074, personaStruct: "Centre social Lens", structures: []structureShape{
		{"Centre social Lens", 3, false}, {"CCAS Calais", 3, false}, {"Ville de Boulogne-sur-Mer", 2, false},
		{"Association Prévention Santé Arras", 2, false}, {"CCAS Liévin", 2, false},
		{"Centre social Hénin-Beaumont", 2, false}, {"Maison de santé du Ternois", 2, true}, {"CCAS Béthune", 1, false}}},
	{code: "80", sheets: 234, f: 176, m: 58, x: 0, qpvYes: 197, structures: []structureShape{
		{"CCAS Amiens", 2, false}, {"Maison de santé du Vimeu", 1, true}}},
}

// Request types, region-wide: rights as in report2024_rights_requests_by_type.csv,
// care made up to the report's total of 2 324.
var (
	rightsCounts = []weighted{{"prestations_sante", 1929}, {"autre", 922}, {"prestations_sociales", 348},
		{"frais_specialiste", 247}, {"css", 221}}
	careCounts = []weighted{{"rdv", 520}, {"recherche_ps", 380}, {"accompagnement_rdv", 330}, {"conseil", 290},
		{"bilan_sante", 210}, {"depistage", 200}, {"plateforme_rdv", 120}, {"autre", 100}, {"addiction", 70},
		{"apa", 60}, {"atelier_cuisine", 44}}
)

// Resolved requests at the end of the period: 76 % of rights, 73 % of care.
const (
	rightsResolved = 2787 // round(0.76 × 3 667)
	careResolved   = 1697 // round(0.73 × 2 324)
)

// Shares the report gives no table for, made plausible.
var (
	resourcesWeights = []weighted{{"rsa", 22}, {"salaire", 15}, {"non_communique", 10}, {"chomage", 10},
		{"allocations_familiales", 9}, {"retraite", 9}, {"aah", 8}, {"aucune", 8}, {"assurance_maladie", 4},
		{"autre", 3}, {"reversion", 2}}
	contactWeights = []weighted{{"aller_vers", 28}, {"orientation_partenaire", 24}, {"bouche_a_oreille", 14},
		{"rencontre_physique", 12}, {"contact_direct", 10}, {"demarche_usager", 7}, {"communication", 5}}
	levelWeights    = []weighted{{"informe", 30}, {"oriente", 35}, {"accompagne", 35}}
	obstacleWeights = []weighted{{"demarches", 30}, {"manque_info", 18}, {"non_connaissance", 14}, {"langue", 10},
		{"mobilite", 9}, {"ressources", 9}, {"handicap", 3}, {"logement", 3}, {"crainte", 2}, {"emploi", 1}, {"education", 1}}
	themeWeights = []weighted{{"nutrition", 20}, {"cancer", 16}, {"sante_mentale", 12}, {"vaccination", 10},
		{"sante_sexuelle", 8}, {"addiction", 8}, {"bilan_sante", 8}, {"parcours_soins", 7}, {"hygiene", 5},
		{"sante_jeunes", 4}, {"autre", 2}}
	partnerWeights = []weighted{{"cpam", 22}, {"association", 20}, {"centre_social", 16}, {"professionnel_sante", 14},
		{"service_prevention", 12}, {"collectivite", 8}, {"acteur_specialise", 6}, {"autre", 2}}
	needsWeights = []weighted{{"sante_mentale", 30}, {"addictions", 20}, {"nutrition", 20}, {"hygiene", 10},
		{"cancer", 10}, {"sante_sexuelle", 8}, {"autre", 2}}
	themeTitles = map[string]string{
		"nutrition": "Atelier nutrition", "cancer": "Stand dépistage des cancers", "sante_mentale": "Café santé mentale",
		"vaccination": "Journée vaccination", "sante_sexuelle": "Stand santé sexuelle", "addiction": "Échange sur les addictions",
		"bilan_sante": "Bilans de santé au quartier", "parcours_soins": "Atelier « se repérer dans le parcours de soins »",
		"hygiene": "Atelier hygiène", "sante_jeunes": "Forum santé jeunes", "autre": "Temps d'échange santé",
	}
	openAnswers = [][3]string{
		{"Le soutien de la structure et des partenaires du quartier.", "Les délais de rendez-vous chez les spécialistes.", "Plus de temps d'échange entre médiateurs."},
		{"La permanence hebdomadaire au centre social.", "Le manque de transports vers l'hôpital.", "Une formation sur la santé mentale."},
		{"Le partenariat avec la CPAM.", "Les démarches en ligne pour les personnes sans ordinateur.", "Un interprétariat plus facile à obtenir."},
	}
)

// Awa's follow-ups: due today, and overdue since these many days.
var (
	awaDueToday   = 3
	awaOverdue    = []int{3, 6}
	karimDueToday = 2
)

type weighted struct {
	code   string
	weight int
}

// SyntheticYear is what Generate makes: mediator posts, sheets (as import
// rows), collective actions and annual reviews. Actions and reviews name
// their post by identifier.
type SyntheticYear struct {
	From, To time.Time
	Posts    []store.Mediator
	Rows     []bulkimport.Row
	Actions  []SyntheticAction
	Reviews  []SyntheticReview
}

// SyntheticAction is an action of the post Mediator.
type SyntheticAction struct {
	Mediator string
	store.Action
}

// SyntheticReview is an annual review of the post Mediator.
type SyntheticReview struct {
	Mediator string
	store.Review
}

// Generate makes the year ending on today (a local date) from seed. awa and
// karim are the identifiers of the personas' posts, which get their share
// of sheets like any mediator plus follow-ups due: three today and two
// overdue for Awa, two today for Karim; their other open requests come
// later, so what is due is exactly that.
//
// Each step draws from one random source in turn, so the year depends on
// their order: posts and sheets per département, then requests, their
// statuses, the personas' follow-ups, people, actions and reviews.
func Generate(seed uint64, today time.Time, awa, karim string) SyntheticYear {
	today = store.Day(today)
	g := generator{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), today: today, first: today.AddDate(0, 0, -364)}
	y := SyntheticYear{From: g.first, To: today}
	var posts []*synthPost
	var sheets []*synthSheet
	for _, d := range departementShapes {
		depPosts := d.posts(awa, karim)
		for _, p := range depPosts {
			if !p.persona {
				y.Posts = append(y.Posts, p.Mediator)
			}
		}
		posts = append(posts, depPosts...)
		sheets = append(sheets, g.sheets(d, depPosts)...)
	}
	slices.SortStableFunc(sheets, func(a, b *synthSheet) int { return a.date.Compare(b.date) })
	perSheet := g.requests(sheets)
	g.statuses(sheets, perSheet)
	for _, persona := range []struct {
		ident   string
		today   int
		overdue []int
	}{{awa, awaDueToday, awaOverdue}, {karim, karimDueToday, nil}} {
		g.personaDue(sheets, perSheet, persona.ident, slices.Concat(repeatInt(0, persona.today), persona.overdue))
	}
	y.Rows = g.rows(sheets, perSheet)
	y.Actions = g.actions(posts)
	y.Reviews = g.reviews(y.Posts)
	return y
}

// generator draws the synthetic year's parts from one random source.
type generator struct {
	rng          *rand.Rand
	first, today time.Time
}

// synthPost is a mediator post and the people it has met so far.
type synthPost struct {
	store.Mediator
	persona bool // Awa's or Karim's: it exists already, it is not a synthetic post
	persons []*person
}

// synthSheet is a visit: its post, day, and the person's sex and residence.
type synthSheet struct {
	post *synthPost
	date time.Time
	sex  string
	qpv  string
}

// posts are the département's posts, structure by structure; the
// persona's structure has the persona's post first.
func (d depShape) posts(awa, karim string) []*synthPost {
	var out []*synthPost
	for _, s := range d.structures {
		n := s.posts
		if s.name == d.personaStruct {
			n-- // the persona holds one of them
			ident := awa
			if d.code == "62" {
				ident = karim
			}
			out = append(out, &synthPost{Mediator: store.Mediator{Identifier: ident, Departement: d.code, Structure: s.name}, persona: true})
		}
		for range n {
			ident := fmt.Sprintf("%s%s-%02d", syntheticPrefix, d.code, len(out)+1)
			out = append(out, &synthPost{Mediator: store.Mediator{Identifier: ident, Departement: d.code, Structure: s.name, Rural: s.rural}})
		}
	}
	return out
}

// sheets are the département's sheets: an even share per post, give or
// take 40 %; exact sex counts, at random; exact QPV counts, rural posts'
// people living outside QPVs first.
func (g generator) sheets(d depShape, posts []*synthPost) []*synthSheet {
	rng := g.rng
	weights := make([]float64, len(posts))
	for i := range weights {
		weights[i] = 0.6 + 0.8*rng.Float64()
	}
	counts := apportion(d.sheets, weights)
	var out []*synthSheet
	for i, p := range posts {
		for range counts[i] {
			out = append(out, &synthSheet{post: p, date: workday(g.today.AddDate(0, 0, -rng.IntN(365)), g.first, g.today)})
		}
	}
	sexes := slices.Concat(repeat("F", d.f), repeat("M", d.m), repeat("X", d.x))
	rng.Shuffle(len(sexes), func(i, j int) { sexes[i], sexes[j] = sexes[j], sexes[i] })
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i, s := range out {
		s.sex = sexes[i]
	}
	slices.SortStableFunc(out, func(a, b *synthSheet) int {
		return cmp.Compare(boolInt(!a.post.Rural), boolInt(!b.post.Rural))
	})
	for i, s := range out {
		s.qpv = "oui"
		if i < d.sheets-d.qpvYes {
			s.qpv = "non"
		}
	}
	return out
}

// requests deals the exact pools of requests to the sheets: one per sheet
// first, the rest spread (at most three per sheet, never the same type
// twice).
func (g generator) requests(sheets []*synthSheet) [][]request {
	rng := g.rng
	var pool []request
	for _, w := range rightsCounts {
		pool = append(pool, repeatReq("droits", w.code, w.weight)...)
	}
	for _, w := range careCounts {
		pool = append(pool, repeatReq("soins", w.code, w.weight)...)
	}
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	perSheet := make([][]request, len(sheets))
	for i := range sheets {
		perSheet[i] = append(perSheet[i], pool[i])
	}
	for _, r := range pool[len(sheets):] {
		for {
			i := rng.IntN(len(sheets))
			if len(perSheet[i]) < 3 && !slices.ContainsFunc(perSheet[i], func(o request) bool { return o.kind == r.kind && o.typ == r.typ }) {
				perSheet[i] = append(perSheet[i], r)
				break
			}
		}
	}
	return perSheet
}

// statuses sets exactly the resolved shares; recent requests are more
// often still open (Efraimidis–Spirakis weighted sampling of the
// unresolved).
func (g generator) statuses(sheets []*synthSheet, perSheet [][]request) {
	rng := g.rng
	type ref struct{ sheet, pos int }
	for _, kind := range []struct {
		code     string
		resolved int
	}{{"droits", rightsResolved}, {"soins", careResolved}} {
		type keyed struct {
			ref
			key float64
		}
		var all []keyed
		for i, s := range sheets {
			age := float64(g.today.Sub(s.date) / (24 * time.Hour))
			w := 1 + 6*math.Exp(-age/45)
			for j, r := range perSheet[i] {
				if r.kind == kind.code {
					all = append(all, keyed{ref{i, j}, math.Pow(rng.Float64(), 1/w)})
				}
			}
		}
		slices.SortStableFunc(all, func(a, b keyed) int { return cmp.Compare(b.key, a.key) })
		for n, k := range all {
			r := &perSheet[k.sheet][k.pos]
			if n >= len(all)-kind.resolved {
				r.status = "resolue"
				continue
			}
			age := int(g.today.Sub(sheets[k.sheet].date) / (24 * time.Hour))
			switch u := rng.Float64(); {
			case age <= 75 || u < 0.05:
				r.status = "en_cours"
				f := sheets[k.sheet].date.AddDate(0, 0, []int{7, 14, 21, 30}[rng.IntN(4)])
				r.followUp = &f
			case u < 0.6:
				r.status = "non_resolue"
			default:
				r.status = "abandonnee"
			}
		}
	}
}

// personaDue makes what is due for the persona ident exactly due: one of
// their open requests of the last week per day of due (0: today, 3: three
// days overdue); their other open requests come later.
func (g generator) personaDue(sheets []*synthSheet, perSheet [][]request, ident string, due []int) {
	var open []*request
	for i := len(sheets) - 1; i >= 0; i-- {
		if sheets[i].post.Identifier != ident {
			continue
		}
		for j := range perSheet[i] {
			r := &perSheet[i][j]
			if r.status != "en_cours" {
				continue
			}
			if !sheets[i].date.After(g.today.AddDate(0, 0, -7)) {
				open = append(open, r)
			}
			if !r.followUp.After(g.today) {
				f := g.today.AddDate(0, 0, 1+g.rng.IntN(10))
				r.followUp = &f
			}
		}
	}
	for i, days := range due {
		if i < len(open) {
			f := g.today.AddDate(0, 0, -days)
			open[i].followUp = &f
		}
	}
}

// rows are the sheets as import rows, one per request, with the people
// met: a third of the visits are someone the mediator already knows (same
// sex and residence).
func (g generator) rows(sheets []*synthSheet, perSheet [][]request) []bulkimport.Row {
	rng := g.rng
	var rows []bulkimport.Row
	codes := map[string]bool{}
	for i, s := range sheets {
		var p *person
		if rng.Float64() < 0.35 {
			for _, known := range s.post.persons {
				if known.sex == s.sex && known.qpv == s.qpv && rng.Float64() < 0.3 {
					p = known
					break
				}
			}
		}
		if p == nil {
			p = &person{code: newCode(rng, codes), sex: s.sex, qpv: s.qpv, age: age(rng), resources: pick(rng, resourcesWeights)}
			s.post.persons = append(s.post.persons, p)
		}
		var obstacles []string
		for range []int{0, 1, 1, 1, 2, 2, 3}[rng.IntN(7)] {
			o := pick(rng, obstacleWeights)
			if !slices.Contains(obstacles, o) {
				obstacles = append(obstacles, o)
			}
		}
		social := "non"
		if rng.Float64() < 0.34 {
			social = "oui"
		}
		base := bulkimport.Row{
			SheetID: fmt.Sprintf("demo-%05d", i+1), Date: s.date, Mediator: s.post.Identifier,
			Departement: s.post.Departement, Beneficiary: p.code, Sex: s.sex, Age: &p.age, QPV: s.qpv,
			Resources: p.resources, ContactMode: pick(rng, contactWeights), Level: pick(rng, levelWeights),
			SocialProtection: social, Obstacles: obstacles,
		}
		for _, r := range perSheet[i] {
			row := base
			row.Line = len(rows) + 1
			row.RequestKind, row.RequestType, row.Status, row.FollowUp = r.kind, r.typ, r.status, r.followUp
			rows = append(rows, row)
		}
	}
	return rows
}

// actions are the collective actions, about the report's yearly means per
// mediator: 8.8 co-animated, 4.5 co-built, 7.5 attended.
func (g generator) actions(posts []*synthPost) []SyntheticAction {
	rng := g.rng
	var out []SyntheticAction
	for _, p := range posts {
		for _, role := range []struct {
			code string
			mean float64
		}{{"coanimee", 8.8}, {"coconstruite", 4.5}, {"participation", 7.5}} {
			for range poisson(rng, role.mean) {
				theme := pick(rng, themeWeights)
				themes := []string{theme}
				if rng.Float64() < 0.3 {
					if t := pick(rng, themeWeights); t != theme {
						themes = append(themes, t)
					}
				}
				a := store.Action{
					ID: fmt.Sprintf("demo-a-%05d", len(out)+1), Date: workday(g.today.AddDate(0, 0, -rng.IntN(365)), g.first, g.today),
					Role: role.code, Audience: "public", Themes: themes, Title: themeTitles[theme],
				}
				if rng.Float64() < 0.15 {
					a.Audience = "professionnels"
				}
				if role.code == "coanimee" {
					a.PartnerType = pick(rng, partnerWeights)
				}
				n := 4 + rng.IntN(30)
				a.Participants = &n
				out = append(out, SyntheticAction{Mediator: p.Identifier, Action: a})
			}
		}
	}
	return out
}

// reviews are a few annual reviews of last year, from a third of the
// synthetic posts.
func (g generator) reviews(posts []store.Mediator) []SyntheticReview {
	rng := g.rng
	yes := func(share float64) *bool { v := rng.Float64() < share; return &v }
	count := func(lo, hi int) *int { v := lo + rng.IntN(hi-lo+1); return &v }
	var out []SyntheticReview
	for i, p := range posts {
		if i%3 != 0 {
			continue
		}
		answers := openAnswers[rng.IntN(len(openAnswers))]
		var needs []string
		for range 2 + rng.IntN(3) {
			if n := pick(rng, needsWeights); !slices.Contains(needs, n) {
				needs = append(needs, n)
			}
		}
		out = append(out, SyntheticReview{Mediator: p.Identifier, Review: store.Review{
			Year: g.today.Year() - 1, Identified: yes(0.85), MissionsKnown: yes(0.8), CPAMPartnership: yes(0.6),
			PartnerBodies: yes(0.55), PartnersSanitaire: count(3, 15), PartnersSocial: count(2, 10), PartnersMedico: count(0, 5),
			Helped: answers[0], Hindered: answers[1], Improve: answers[2], HealthNeeds: needs,
			ProfessionalProject: yes(0.5), Training: yes(0.7),
		}})
	}
	return out
}

type request struct {
	kind, typ, status string
	followUp          *time.Time
}

type person struct {
	code, sex, qpv, resources string
	age                       int
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func repeatInt(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func repeatReq(kind, typ string, n int) []request {
	out := make([]request, n)
	for i := range out {
		out[i] = request{kind: kind, typ: typ}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// apportion splits total in proportion to weights, exactly (largest remainders).
func apportion(total int, weights []float64) []int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	rest := make([]int, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(total) * w / sum
		out[i] = int(exact)
		given += out[i]
		rest[i] = i
	}
	slices.SortStableFunc(rest, func(a, b int) int {
		fa := float64(total)*weights[a]/sum - float64(out[a])
		fb := float64(total)*weights[b]/sum - float64(out[b])
		return cmp.Compare(fb, fa)
	})
	for i := 0; given < total; i++ {
		out[rest[i]]++
		given++
	}
	return out
}

// workday moves a Saturday or a Sunday to the nearest weekday within [first, last].
func workday(d, first, last time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		if f := d.AddDate(0, 0, -1); !f.Before(first) {
			return f
		}
		if m := d.AddDate(0, 0, 2); !m.After(last) {
			return m
		}
	case time.Sunday:
		if m := d.AddDate(0, 0, 1); !m.After(last) {
			return m
		}
		if f := d.AddDate(0, 0, -2); !f.Before(first) {
			return f
		}
	}
	return d
}

func pick(rng *rand.Rand, ws []weighted) string {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	n := rng.IntN(total)
	for _, w := range ws {
		if n < w.weight {
			return w.code
		}
		n -= w.weight
	}
	return ws[len(ws)-1].code
}

// age is an adult of 18 to 85 most of the time, a child otherwise.
func age(rng *rand.Rand) int {
	if rng.Float64() < 0.08 {
		return rng.IntN(18)
	}
	a := int(math.Round(44 + 16*rng.NormFloat64()))
	return min(max(a, 18), 92)
}

func poisson(rng *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// codeAlphabet is the person codes' alphabet (store.RandomCode's: no look-alikes).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func newCode(rng *rand.Rand, taken map[string]bool) string {
	for {
		b := make([]byte, 6)
		for i := range b {
			b[i] = codeAlphabet[rng.IntN(len(codeAlphabet))]
		}
		if c := string(b); !taken[c] {
			taken[c] = true
			return c
		}
	}
}

// SyntheticStore is what loading the synthetic year needs from the store.
type SyntheticStore interface {
	DemoState(ctx context.Context, key string) ([]byte, bool, error)
	SaveDemoState(ctx context.Context, key string, value []byte) error
	EnsurePosts(ctx context.Context, posts []store.Mediator) (map[string]ids.MediatorID, error)
	bulkimport.Database // the year's sheets go in as an import
	SaveHistory(ctx context.Context, actions []store.Action, reviews []store.Review) error
	ForgetEmptyReminderDay(ctx context.Context, mediatorIDs []ids.MediatorID, today time.Time) error
	UserByTelegramID(ctx context.Context, telegramID ids.TelegramID) (*store.User, error)
}

// syntheticMark is stored once the year is loaded.
type syntheticMark struct {
	Seed     uint64 `json:"seed"`
	Today    string `json:"today"`
	Sheets   int    `json:"sheets"`
	Requests int    `json:"requests"`
	Actions  int    `json:"actions"`
	Reviews  int    `json:"reviews"`
}

// LoadSyntheticYear generates the year ending today and writes it, unless
// this database already has one: it is generated once per demo database,
// so a restart keeps the same figures and whatever the visitor added. The
// personas must be registered (their posts receive their share). It
// returns whether it loaded a year now.
func LoadSyntheticYear(ctx context.Context, st SyntheticStore, seed uint64, today time.Time) (bool, error) {
	if _, ok, err := st.DemoState(ctx, stateSynthetic); err != nil || ok {
		return false, err
	}
	ps := Personas()
	awa, err := st.UserByTelegramID(ctx, ids.TelegramID(ps[0].ID))
	if err != nil {
		return false, fmt.Errorf("demo: synthetic year: %s: %w", ps[0].Name, err)
	}
	karim, err := st.UserByTelegramID(ctx, ids.TelegramID(ps[1].ID))
	if err != nil {
		return false, fmt.Errorf("demo: synthetic year: %s: %w", ps[1].Name, err)
	}
	if awa.Mediator == nil || karim.Mediator == nil {
		return false, errors.New("demo: synthetic year: the demo mediators have no post")
	}
	y := Generate(seed, today, awa.Mediator.Identifier, karim.Mediator.Identifier)
	postIDs, err := st.EnsurePosts(ctx, y.Posts)
	if err != nil {
		return false, fmt.Errorf("demo: synthetic year: %w", err)
	}
	postIDs[awa.Mediator.Identifier], postIDs[karim.Mediator.Identifier] = awa.Mediator.ID, karim.Mediator.ID
	sum, err := bulkimport.New(st).ImportRows(ctx, func(yield func(bulkimport.Row, error) bool) {
		for _, r := range y.Rows {
			if !yield(r, nil) {
				return
			}
		}
	}, bulkimport.Options{})
	if err != nil {
		if len(sum.Problems) > 0 {
			return false, fmt.Errorf("demo: synthetic year: %w (%s)", err, sum.Problems[0].Error())
		}
		return false, fmt.Errorf("demo: synthetic year: %w", err)
	}
	actions := make([]store.Action, len(y.Actions))
	for i, a := range y.Actions {
		actions[i] = a.Action
		actions[i].MediatorID = postIDs[a.Mediator]
	}
	reviews := make([]store.Review, len(y.Reviews))
	for i, r := range y.Reviews {
		reviews[i] = r.Review
		reviews[i].MediatorID = postIDs[r.Mediator]
	}
	if err := st.SaveHistory(ctx, actions, reviews); err != nil {
		return false, fmt.Errorf("demo: synthetic year: %w", err)
	}
	if err := st.ForgetEmptyReminderDay(ctx, []ids.MediatorID{awa.Mediator.ID, karim.Mediator.ID}, today); err != nil {
		return false, fmt.Errorf("demo: synthetic year: %w", err)
	}
	mark, err := json.Marshal(syntheticMark{Seed: seed, Today: store.Day(today).Format(time.DateOnly),
		Sheets: sum.Sheets, Requests: sum.Requests, Actions: len(actions), Reviews: len(reviews)})
	if err != nil {
		return false, fmt.Errorf("demo: synthetic year: %w", err)
	}
	if err := st.SaveDemoState(ctx, stateSynthetic, mark); err != nil {
		return false, fmt.Errorf("demo: synthetic year: %w", err)
	}
	return true, nil
}
