package indicators

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/frtext"
)

// Activity is who logs what in a territory: for each active mediator post,
// the sheets of the period, the last sheet ever (to this day) and whether
// the annual review of ReviewYear is filled. Coordinators use it to see
// who has logged nothing this month and who owes their review.
type Activity struct {
	Scope      Scope              `json:"scope"`
	Label      string             `json:"label"`
	Period     Period             `json:"period"`
	ReviewYear int                `json:"review_year"`
	Mediators  []MediatorActivity `json:"mediators"`
}

// MediatorActivity is one post's line of Activity.
type MediatorActivity struct {
	Identifier  string     `json:"identifier"`
	Name        string     `json:"name,omitempty"` // postName: the display name, or « Poste sans compte de … »
	Departement string     `json:"departement"`
	Structure   string     `json:"structure"`
	Sheets      int        `json:"sheets"`               // in the period
	LastSheet   *time.Time `json:"last_sheet,omitempty"` // the latest sheet's day, whatever the period
	ReviewDone  bool       `json:"review_done"`
}

// ComputeActivity lists the active posts of scope s with their activity
// over p and their review of reviewYear. It does not check access.
func ComputeActivity(ctx context.Context, db Querier, p Period, s Scope, reviewYear int) (*Activity, error) {
	if err := s.Validate(everywhere()); err != nil {
		return nil, fmt.Errorf("compute activity: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("compute activity: %w", err)
	}
	cond, args := s.Filter("m", 4)
	rows, err := db.Query(ctx, `
		SELECT m.identifier, `+postName+`, m.departement, m.structure,
		       (SELECT count(*) FROM sheets s WHERE s.mediator_id = m.id AND s.date BETWEEN $1 AND $2),
		       (SELECT max(s.date) FROM sheets s WHERE s.mediator_id = m.id),
		       EXISTS (SELECT 1 FROM reviews r WHERE r.mediator_id = m.id AND r.year = $3)
		FROM mediators m LEFT JOIN users u ON u.telegram_id = m.user_id
		WHERE m.active AND `+cond+`
		ORDER BY m.departement, m.structure, 2, m.id`,
		append([]any{Day(p.From), Day(p.To), reviewYear}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("compute activity: %w", err)
	}
	defer rows.Close()
	a := &Activity{Scope: s, Label: s.Label(), Period: Days(p.From, p.To), ReviewYear: reviewYear}
	for rows.Next() {
		var m MediatorActivity
		if err := rows.Scan(&m.Identifier, &m.Name, &m.Departement, &m.Structure, &m.Sheets, &m.LastSheet, &m.ReviewDone); err != nil {
			return nil, fmt.Errorf("compute activity: %w", err)
		}
		a.Mediators = append(a.Mediators, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compute activity: %w", err)
	}
	return a, nil
}

// structureGroup is the posts of one structure.
type structureGroup struct {
	label string
	posts []MediatorActivity
}

func (a *Activity) structures() []structureGroup {
	var out []structureGroup
	for _, m := range a.Mediators {
		label := m.Structure
		if label == "" {
			label = "Structure non renseignée"
		}
		label += " (" + codes.DepartementLabel(m.Departement) + ")"
		if n := len(out); n > 0 && out[n-1].label == label {
			out[n-1].posts = append(out[n-1].posts, m)
			continue
		}
		out = append(out, structureGroup{label: label, posts: []MediatorActivity{m}})
	}
	return out
}

// Text is the activity as one chat message: a line per structure, a line
// per post under it, then who has no sheet in the period and who has not
// filled their review. The last sheet and the review are "à ce jour".
func (a *Activity) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Activité – %s\nFiches %s ; dernière fiche et bilan annuel %d : à ce jour", a.Label, a.Period.Label(), a.ReviewYear)
	if len(a.Mediators) == 0 {
		b.WriteString("\n\nAucun poste de médiateur actif sur ce territoire.")
		return b.String()
	}
	sections := []string{b.String()}
	var idle, noReview []string
	for _, g := range a.structures() {
		var s strings.Builder
		sheets, reviews := 0, 0
		for _, m := range g.posts {
			sheets += m.Sheets
			if m.ReviewDone {
				reviews++
			}
		}
		fmt.Fprintf(&s, "%s : %s, %s sur la période, bilan annuel %d rempli par %d sur %d",
			g.label, frtext.Plural(len(g.posts), "médiateur santé", "médiateurs santé"), frtext.Plural(sheets, "fiche", "fiches"), a.ReviewYear, reviews, len(g.posts))
		for _, m := range g.posts {
			who := m.Name
			last := "aucune fiche enregistrée"
			if m.LastSheet != nil {
				last = "dernière fiche le " + frDate(*m.LastSheet)
			}
			review := "bilan " + fmt.Sprint(a.ReviewYear) + " non rempli"
			if m.ReviewDone {
				review = "bilan " + fmt.Sprint(a.ReviewYear) + " rempli"
			} else {
				noReview = append(noReview, m.Name)
			}
			if m.Sheets == 0 {
				idle = append(idle, m.Name)
			}
			fmt.Fprintf(&s, "\n- %s : %s · %s · %s", who, frtext.Plural(m.Sheets, "fiche", "fiches"), last, review)
		}
		sections = append(sections, s.String())
	}
	slices.SortFunc(idle, cmp.Compare[string])
	slices.SortFunc(noReview, cmp.Compare[string])
	summary := fmt.Sprintf("Sans fiche sur la période : %s\nBilan annuel %d non rempli : %s", names(idle), a.ReviewYear, names(noReview))
	// The summary goes right after the header: it is what the coordinator
	// acts on. The whole list is kept: a region's may take more than one
	// message, and the bot sends it in several, cut between lines.
	sections = append([]string{sections[0], summary}, sections[1:]...)
	return strings.Join(sections, "\n\n")
}

func names(ids []string) string {
	if len(ids) == 0 {
		return "personne"
	}
	return fmt.Sprintf("%d (%s)", len(ids), strings.Join(ids, ", "))
}
