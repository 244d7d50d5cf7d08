package indicators

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/relais-sante/relais/internal/codes"
)

// Collective actions, partners and the annual review. Each
// section has the whole scope and its split between rural posts and QPV
// posts, as the regional report compares them.

// Post groups of a section.
const (
	GroupTotal = "total"
	GroupRural = "rural"
	GroupQPV   = "qpv_posts"
)

// Actions is the collective prevention actions of the period.
type Actions struct {
	Total    ActionGroup `json:"total"`
	Rural    ActionGroup `json:"rural"`
	QPVPosts ActionGroup `json:"qpv_posts"`
	// Themes ranks the themes by number of actions (an action may have
	// several); Pct is the share of the actions.
	Themes []Rank `json:"themes"`
	// Partners ranks the co-animating partner types (an action may have
	// several); Pct is the share of the actions that name at least one.
	Partners []Rank `json:"partners"`
}

// ActionGroup is the actions of a group of posts. Means are per mediator
// active in the period: with at least one sheet or one action.
type ActionGroup struct {
	Mediators   int             `json:"mediators"`
	Actions     int             `json:"actions"`
	ByRole      map[string]int  `json:"by_role"`
	PerMediator map[string]Mean `json:"per_mediator"` // by role
	// CoanimatedForProfessionals counts the mediators who co-animated at
	// least one action for professionals.
	CoanimatedForProfessionals    int `json:"coanimated_for_professionals"`
	CoanimatedForProfessionalsPct int `json:"coanimated_for_professionals_pct"`
	Participants                  int `json:"participants"`
	// CoanimatedForPublic counts the co-animated actions for the public
	// (not professionals): the report's co-animated average reads them only.
	// A co-animated action also co-built counts in both roles of ByRole.
	CoanimatedForPublic     int  `json:"coanimated_public"`
	CoanimatedForPublicMean Mean `json:"coanimated_public_per_mediator"`
}

// Rank is one code of a ranking, largest count first.
type Rank struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count int    `json:"count"`
	Pct   int    `json:"pct"`
}

// Partners is the mediators' partner registries (/partenaires, as they
// stand now), per mediator active in the period.
type Partners struct {
	Total    PartnerGroup `json:"total"`
	Rural    PartnerGroup `json:"rural"`
	QPVPosts PartnerGroup `json:"qpv_posts"`
}

// PartnerGroup is the partners of a group of posts, by category.
type PartnerGroup struct {
	Mediators   int             `json:"mediators"`
	ByCategory  map[string]int  `json:"by_category"`
	PerMediator map[string]Mean `json:"per_mediator"`
}

// Review is the annual reviews of the years the period covers. The open
// answers are not part of it: they only go to the export (OpenAnswers).
type Review struct {
	Years    []int       `json:"years"`
	Total    ReviewGroup `json:"total"`
	Rural    ReviewGroup `json:"rural"`
	QPVPosts ReviewGroup `json:"qpv_posts"`
	// HealthNeeds ranks the needs seen; Pct is the share of the reviews.
	HealthNeeds []Rank `json:"health_needs"`
	// Publics ranks the kinds of partners and publics worked with, and
	// Obstacles the obstacles to health care seen on the territory, as the
	// report reads them from the reviews; Pct is the share of the reviews.
	Publics   []Rank `json:"publics"`
	Obstacles []Rank `json:"obstacles"`
}

// ReviewQuestions are the yes/no questions of the review, in report order.
var ReviewQuestions = codes.List{
	{Code: "identified", Label: "Rôle identifié sur le territoire"},
	{Code: "missions_known", Label: "Missions connues des partenaires"},
	{Code: "cpam_partnership", Label: "Partenariat avec la CPAM"},
	{Code: "partner_bodies", Label: "Participation à des instances partenariales"},
	{Code: "professional_project", Label: "Projet professionnel défini ou en réflexion"},
	{Code: "training", Label: "Formation suivie"},
}

// ReviewGroup is the reviews of a group of posts.
type ReviewGroup struct {
	Posts   int `json:"posts"`   // active posts, who should fill one
	Reviews int `json:"reviews"` // reviews filled
	// Yes counts "oui" by question (ReviewQuestions); Pct is its share of
	// the reviews that answered it.
	Yes      map[string]int `json:"yes"`
	Answered map[string]int `json:"answered"`
	Pct      map[string]int `json:"pct"`
	// PartnersMean is the partners declared in the reviews, by category.
	PartnersMean map[string]Mean `json:"partners_mean"`
	// Exploitable counts the reviews whose post was active at least
	// ExploitableMonths months of the year (Definitions "exploitable").
	Exploitable int `json:"exploitable"`
	// Declared is the means of the counts declared in the exploitable
	// reviews (Annexe 1, "données calculées via les bilans"), beside the
	// Report's PerMediator derived from the sheets.
	Declared PerMediator `json:"declared_per_mediator"`
}

func newActionGroup() ActionGroup {
	g := ActionGroup{ByRole: map[string]int{}, PerMediator: map[string]Mean{}}
	for _, c := range codes.ActionRoles {
		g.ByRole[c.Code], g.PerMediator[c.Code] = 0, Mean{}
	}
	return g
}

func newPartnerGroup() PartnerGroup {
	g := PartnerGroup{ByCategory: map[string]int{}, PerMediator: map[string]Mean{}}
	for _, c := range codes.PartnerCategories {
		g.ByCategory[c.Code], g.PerMediator[c.Code] = 0, Mean{}
	}
	return g
}

func newReviewGroup() ReviewGroup {
	g := ReviewGroup{Yes: map[string]int{}, Answered: map[string]int{}, Pct: map[string]int{}, PartnersMean: map[string]Mean{}}
	for _, q := range ReviewQuestions {
		g.Yes[q.Code], g.Answered[q.Code], g.Pct[q.Code] = 0, 0, 0
	}
	for _, c := range codes.PartnerCategories {
		g.PartnersMean[c.Code] = Mean{}
	}
	return g
}

// computeActivities fills the actions, partners and review sections.
func computeActivities(ctx context.Context, db Querier, r *Report, s Scope) error {
	from, to := r.Period.From, r.Period.To
	r.Actions = &Actions{Total: newActionGroup(), Rural: newActionGroup(), QPVPosts: newActionGroup()}
	r.Partners = &Partners{Total: newPartnerGroup(), Rural: newPartnerGroup(), QPVPosts: newPartnerGroup()}
	r.Review = &Review{Total: newReviewGroup(), Rural: newReviewGroup(), QPVPosts: newReviewGroup()}
	for y := from.Year(); y <= to.Year(); y++ {
		r.Review.Years = append(r.Review.Years, y)
	}
	cond, fargs := s.Filter("m", 3)
	if err := computeActionGroups(ctx, db, r, cond, append([]any{from, to}, fargs...)); err != nil {
		return err
	}
	if err := computeActionRanks(ctx, db, r, cond, append([]any{from, to}, fargs...)); err != nil {
		return err
	}
	if err := computeReviews(ctx, db, r, s, cond, append([]any{from.Year(), to.Year()}, fargs...)); err != nil {
		return err
	}
	return nil
}

// computeActionGroups counts, per post group, the active mediators, their
// actions by role and their registered partners by category.
func computeActionGroups(ctx context.Context, db Querier, r *Report, cond string, args []any) error {
	rows, err := db.Query(ctx, `
WITH act AS (
	SELECT a.mediator_id,
	       count(*) AS n,
	       count(*) FILTER (WHERE a.role = 'coanimee') AS coanimee,
	       count(*) FILTER (WHERE a.role = 'coconstruite' OR a.cobuilt) AS coconstruite,
	       count(*) FILTER (WHERE a.role = 'coanimee' AND a.audience = 'public') AS coanimee_public,
	       count(*) FILTER (WHERE a.role = 'participation') AS participation,
	       bool_or(a.role = 'coanimee' AND a.audience = 'professionnels') AS pro,
	       coalesce(sum(a.participants), 0) AS participants
	FROM actions a JOIN mediators m ON m.id = a.mediator_id
	WHERE a.date BETWEEN $1 AND $2 AND `+cond+`
	GROUP BY a.mediator_id
), active AS (
	SELECT m.id, m.rural FROM mediators m
	WHERE `+cond+`
	  AND (EXISTS (SELECT 1 FROM act WHERE act.mediator_id = m.id)
	       OR EXISTS (SELECT 1 FROM sheets s WHERE s.mediator_id = m.id AND s.date BETWEEN $1 AND $2))
), reg AS (
	SELECT p.mediator_id,
	       count(*) FILTER (WHERE p.category = 'sanitaire') AS sanitaire,
	       count(*) FILTER (WHERE p.category = 'social') AS social,
	       count(*) FILTER (WHERE p.category = 'medico_social') AS medico
	FROM partners p JOIN active ON active.id = p.mediator_id
	GROUP BY p.mediator_id
)
SELECT m.rural, count(*),
       coalesce(sum(act.n), 0), coalesce(sum(act.coanimee), 0), coalesce(sum(act.coconstruite), 0),
       coalesce(sum(act.coanimee_public), 0),
       coalesce(sum(act.participation), 0), count(*) FILTER (WHERE act.pro), coalesce(sum(act.participants), 0),
       coalesce(sum(reg.sanitaire), 0), coalesce(sum(reg.social), 0), coalesce(sum(reg.medico), 0)
FROM active m LEFT JOIN act ON act.mediator_id = m.id LEFT JOIN reg ON reg.mediator_id = m.id
GROUP BY m.rural`, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: actions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rural bool
		var mediators, n, coanimee, coconstruite, coanimeePublic, participation, pro, participants, san, soc, med int64
		if err := rows.Scan(&rural, &mediators, &n, &coanimee, &coconstruite, &coanimeePublic, &participation, &pro, &participants,
			&san, &soc, &med); err != nil {
			return fmt.Errorf("compute indicators: actions: %w", err)
		}
		ag, pg := &r.Actions.QPVPosts, &r.Partners.QPVPosts
		if rural {
			ag, pg = &r.Actions.Rural, &r.Partners.Rural
		}
		for _, g := range []*ActionGroup{ag, &r.Actions.Total} {
			g.Mediators += int(mediators)
			g.Actions += int(n)
			g.ByRole["coanimee"] += int(coanimee)
			g.ByRole["coconstruite"] += int(coconstruite)
			g.ByRole["participation"] += int(participation)
			g.CoanimatedForPublic += int(coanimeePublic)
			g.CoanimatedForProfessionals += int(pro)
			g.Participants += int(participants)
		}
		for _, g := range []*PartnerGroup{pg, &r.Partners.Total} {
			g.Mediators += int(mediators)
			g.ByCategory["sanitaire"] += int(san)
			g.ByCategory["social"] += int(soc)
			g.ByCategory["medico_social"] += int(med)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: actions: %w", err)
	}
	for _, g := range []*ActionGroup{&r.Actions.Total, &r.Actions.Rural, &r.Actions.QPVPosts} {
		for role, n := range g.ByRole {
			g.PerMediator[role] = Mean{Sum: int64(n), N: int64(g.Mediators)}
		}
		g.CoanimatedForProfessionalsPct = Pct(g.CoanimatedForProfessionals, g.Mediators)
		g.CoanimatedForPublicMean = Mean{Sum: int64(g.CoanimatedForPublic), N: int64(g.Mediators)}
	}
	for _, g := range []*PartnerGroup{&r.Partners.Total, &r.Partners.Rural, &r.Partners.QPVPosts} {
		for c, n := range g.ByCategory {
			g.PerMediator[c] = Mean{Sum: int64(n), N: int64(g.Mediators)}
		}
	}
	return nil
}

// computeActionRanks ranks the actions' themes and co-animating partners.
func computeActionRanks(ctx context.Context, db Querier, r *Report, cond string, args []any) error {
	rows, err := db.Query(ctx, `
SELECT 'theme', t.code, count(*)
FROM actions a JOIN mediators m ON m.id = a.mediator_id CROSS JOIN LATERAL unnest(a.themes) AS t(code)
WHERE a.date BETWEEN $1 AND $2 AND `+cond+`
GROUP BY t.code
UNION ALL
SELECT 'partner', p.code, count(DISTINCT a.id)
FROM actions a JOIN mediators m ON m.id = a.mediator_id
CROSS JOIN LATERAL unnest(array_remove(a.partner_type || a.other_partner_types, NULL)) AS p(code)
WHERE a.date BETWEEN $1 AND $2 AND `+cond+`
GROUP BY p.code
UNION ALL
SELECT 'with_partner', '', count(*)
FROM actions a JOIN mediators m ON m.id = a.mediator_id
WHERE a.date BETWEEN $1 AND $2 AND (a.partner_type IS NOT NULL OR a.other_partner_types <> '{}') AND `+cond, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: action ranks: %w", err)
	}
	defer rows.Close()
	themes, partners := map[string]int{}, map[string]int{}
	withPartner := 0
	for rows.Next() {
		var dim, code string
		var n int
		if err := rows.Scan(&dim, &code, &n); err != nil {
			return fmt.Errorf("compute indicators: action ranks: %w", err)
		}
		switch dim {
		case "theme":
			themes[code] += n
		case "partner":
			partners[code] += n
		default:
			withPartner = n
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: action ranks: %w", err)
	}
	r.Actions.Themes = ranking(codes.Themes, themes, r.Actions.Total.Actions)
	r.Actions.Partners = ranking(codes.PartnerTypes, partners, withPartner)
	return nil
}

// ranking lists the codes with a count, largest first (catalogue order
// between equals), each with its share of total.
func ranking(list codes.List, counts map[string]int, total int) []Rank {
	out := []Rank{}
	for code, n := range counts {
		if n > 0 {
			out = append(out, Rank{Code: code, Label: list.Label(code), Count: n, Pct: Pct(n, total)})
		}
	}
	order := func(code string) int {
		for i, c := range list {
			if c.Code == code {
				return i
			}
		}
		return len(list)
	}
	slices.SortFunc(out, func(a, b Rank) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(order(a.Code), order(b.Code)); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out
}

// computeReviews counts the reviews of the years covered and the active
// posts expected to fill them, per post group.
func computeReviews(ctx context.Context, db Querier, r *Report, s Scope, cond string, args []any) error {
	rows, err := db.Query(ctx, `
SELECT m.rural, count(*),
       count(*) FILTER (WHERE r.identified), count(r.identified),
       count(*) FILTER (WHERE r.missions_known), count(r.missions_known),
       count(*) FILTER (WHERE r.cpam_partnership), count(r.cpam_partnership),
       count(*) FILTER (WHERE r.partner_bodies), count(r.partner_bodies),
       count(*) FILTER (WHERE r.professional_project), count(r.professional_project),
       count(*) FILTER (WHERE r.training), count(r.training),
       coalesce(sum(r.partners_sanitaire), 0), count(r.partners_sanitaire),
       coalesce(sum(r.partners_social), 0), count(r.partners_social),
       coalesce(sum(r.partners_medico), 0), count(r.partners_medico),
       count(*) FILTER (WHERE `+exploitableSQL("m", "r")+`),
       coalesce(sum(r.declared_people) FILTER (WHERE `+exploitableSQL("m", "r")+`), 0),
       count(r.declared_people) FILTER (WHERE `+exploitableSQL("m", "r")+`),
       coalesce(sum(r.declared_people_qpv) FILTER (WHERE `+exploitableSQL("m", "r")+`), 0),
       count(r.declared_people_qpv) FILTER (WHERE `+exploitableSQL("m", "r")+`),
       coalesce(sum(r.declared_rights) FILTER (WHERE `+exploitableSQL("m", "r")+`), 0),
       count(r.declared_rights) FILTER (WHERE `+exploitableSQL("m", "r")+`),
       coalesce(sum(r.declared_care) FILTER (WHERE `+exploitableSQL("m", "r")+`), 0),
       count(r.declared_care) FILTER (WHERE `+exploitableSQL("m", "r")+`),
       coalesce(sum(r.declared_social_protection) FILTER (WHERE `+exploitableSQL("m", "r")+`), 0),
       count(r.declared_social_protection) FILTER (WHERE `+exploitableSQL("m", "r")+`)
FROM reviews r JOIN mediators m ON m.id = r.mediator_id
WHERE r.year BETWEEN $1 AND $2 AND `+cond+`
GROUP BY m.rural`, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: reviews: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rural bool
		var n int
		yes := make([]int, len(ReviewQuestions))
		answered := make([]int, len(ReviewQuestions))
		var partners [3][2]int64
		dest := []any{&rural, &n}
		for i := range ReviewQuestions {
			dest = append(dest, &yes[i], &answered[i])
		}
		for i := range partners {
			dest = append(dest, &partners[i][0], &partners[i][1])
		}
		var exploitable int
		var declared [5][2]int64
		dest = append(dest, &exploitable)
		for i := range declared {
			dest = append(dest, &declared[i][0], &declared[i][1])
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("compute indicators: reviews: %w", err)
		}
		g := &r.Review.QPVPosts
		if rural {
			g = &r.Review.Rural
		}
		for _, t := range []*ReviewGroup{g, &r.Review.Total} {
			t.Reviews += n
			t.Exploitable += exploitable
			for i, m := range []*Mean{&t.Declared.DistinctPeople, &t.Declared.DistinctPeopleQPV, &t.Declared.RightsPeople,
				&t.Declared.CarePeople, &t.Declared.SocialProtection} {
				m.Sum += declared[i][0]
				m.N += declared[i][1]
			}
			for i, q := range ReviewQuestions {
				t.Yes[q.Code] += yes[i]
				t.Answered[q.Code] += answered[i]
			}
			for i, c := range codes.PartnerCategories {
				m := t.PartnersMean[c.Code]
				m.Sum += partners[i][0]
				m.N += partners[i][1]
				t.PartnersMean[c.Code] = m
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute indicators: reviews: %w", err)
	}
	for _, g := range []*ReviewGroup{&r.Review.Total, &r.Review.Rural, &r.Review.QPVPosts} {
		for _, q := range ReviewQuestions {
			g.Pct[q.Code] = Pct(g.Yes[q.Code], g.Answered[q.Code])
		}
	}

	lists := map[string]map[string]int{"needs": {}, "publics": {}, "obstacles": {}}
	nrows, err := db.Query(ctx, `
SELECT h.dim, h.code, count(*)
FROM reviews r JOIN mediators m ON m.id = r.mediator_id
CROSS JOIN LATERAL (SELECT 'needs', x FROM unnest(r.health_needs) x
                    UNION ALL SELECT 'publics', x FROM unnest(r.publics) x
                    UNION ALL SELECT 'obstacles', x FROM unnest(r.obstacles) x) AS h(dim, code)
WHERE r.year BETWEEN $1 AND $2 AND `+cond+`
GROUP BY h.dim, h.code`, args...)
	if err != nil {
		return fmt.Errorf("compute indicators: health needs: %w", err)
	}
	defer nrows.Close()
	for nrows.Next() {
		var dim, code string
		var n int
		if err := nrows.Scan(&dim, &code, &n); err != nil {
			return fmt.Errorf("compute indicators: health needs: %w", err)
		}
		lists[dim][code] = n
	}
	if err := nrows.Err(); err != nil {
		return fmt.Errorf("compute indicators: health needs: %w", err)
	}
	r.Review.HealthNeeds = ranking(codes.HealthNeeds, lists["needs"], r.Review.Total.Reviews)
	r.Review.Publics = ranking(codes.Publics, lists["publics"], r.Review.Total.Reviews)
	r.Review.Obstacles = ranking(codes.Obstacles, lists["obstacles"], r.Review.Total.Reviews)

	pcond, pargs := s.Filter("m", 3)
	prow, err := db.Query(ctx, `SELECT m.rural, count(*) FROM mediators m WHERE `+postActiveSQL("m", "$1", "$2")+` AND `+pcond+` GROUP BY m.rural`,
		append([]any{r.Period.From, r.Period.To}, pargs...)...)
	if err != nil {
		return fmt.Errorf("compute indicators: review posts: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var rural bool
		var n int
		if err := prow.Scan(&rural, &n); err != nil {
			return fmt.Errorf("compute indicators: review posts: %w", err)
		}
		g := &r.Review.QPVPosts
		if rural {
			g = &r.Review.Rural
		}
		g.Posts += n
		r.Review.Total.Posts += n
	}
	if err := prow.Err(); err != nil {
		return fmt.Errorf("compute indicators: review posts: %w", err)
	}
	return nil
}

// OpenAnswer is one mediator's open answers of an annual review, for the
// coordinator's written synthesis. It is only ever written to the export
// file: never to the Report, its JSON, its text or its tables.
type OpenAnswer struct {
	Mediator    string // the post's identifier
	Departement string
	Structure   string
	Rural       bool
	Year        int
	Helped      string
	Hindered    string
	Improve     string
	UpdatedAt   time.Time
}

// OpenAnswers lists the open answers of the reviews of the years period p
// covers, in scope s, by département, structure and mediator.
func OpenAnswers(ctx context.Context, db Querier, p Period, s Scope) ([]OpenAnswer, error) {
	cond, fargs := s.Filter("m", 3)
	rows, err := db.Query(ctx, `
SELECT m.identifier, m.departement, m.structure, m.rural, r.year, r.helped, r.hindered, r.improve, r.updated_at
FROM reviews r JOIN mediators m ON m.id = r.mediator_id
WHERE r.year BETWEEN $1 AND $2 AND `+cond+`
ORDER BY r.year, m.departement, m.structure, m.identifier`, append([]any{Day(p.From).Year(), Day(p.To).Year()}, fargs...)...)
	if err != nil {
		return nil, fmt.Errorf("review open answers: %w", err)
	}
	defer rows.Close()
	var out []OpenAnswer
	for rows.Next() {
		var a OpenAnswer
		if err := rows.Scan(&a.Mediator, &a.Departement, &a.Structure, &a.Rural, &a.Year, &a.Helped, &a.Hindered,
			&a.Improve, &a.UpdatedAt); err != nil {
			return nil, fmt.Errorf("review open answers: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review open answers: %w", err)
	}
	return out, nil
}
