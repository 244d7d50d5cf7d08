package indicators

import (
	"context"
	"fmt"
	"strconv"
)

// The report's definitions, each written once here: the SQL
// below applies them and Definitions gives the one-line French wording
// every output prints as a footnote.

// ExploitableMonths is N: a review counts as exploitable ("bilan
// exploitable") when its post was active at least N months of the review's
// year. Six, because a review's declared counts describe the post's year:
// a post open less than half of it (one started in October declares three
// months of people) would pull the declared yearly averages down, and the
// regional report keeps 39 reviews of 49 active posts for that reason.
const ExploitableMonths = 6

// Definition is one figure's definition, shown as a footnote.
type Definition struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Definitions returns the definitions of the report of period p, in the
// order the documents print them.
func Definitions(p Period) []Definition {
	end := Day(p.To).Format("02/01/2006")
	return []Definition{
		{"resolution", fmt.Sprintf("Taux de résolution : demandes résolues au %s (date de résolution au plus tard ce jour) / demandes des fiches de la période.", end)},
		{"posts", fmt.Sprintf("Postes : postes actifs pendant la période (du %s au %s) selon leurs dates de début et de fin ; sans date de fin, un poste compte s'il n'a pas été fermé (compte du médiateur désactivé) avant le %s.", Day(p.From).Format("02/01/2006"), end, Day(p.From).Format("02/01/2006"))},
		{"active", "Médiateurs actifs : au moins une fiche dans la période."},
		{"exploitable", "Bilans exploitables : bilans dont le poste a été actif au moins " + strconv.Itoa(ExploitableMonths) + " mois de l'année du bilan."},
		{"declared", "Moyennes déclarées (source : bilans) : nombres de personnes différentes déclarés par chaque médiateur dans son bilan annuel, moyenne des bilans exploitables."},
		{"derived", "Moyennes calculées (source : fiches) : personnes différentes des fiches de la période, moyenne par médiateur actif."},
		{"pct", "Pourcentages arrondis à l'entier, la moitié vers le haut."},
	}
}

// postActiveSQL is the condition "post m active during [from, to]" (the
// definition "posts"), from and to being SQL parameters ("$1"). Without an
// end date, the post counts unless it was closed before the period's start
// (closed_at, Paris day, as the rollups): a past period's figure never moves
// when a mediator is disabled later. A post closed at an unknown time
// (closed_at NULL, not active) counts in no period.
func postActiveSQL(m, from, to string) string {
	return "(coalesce(" + m + ".post_start, '-infinity'::date) <= " + to +
		" AND (" + m + ".post_end >= " + from + " OR (" + m + ".post_end IS NULL AND (" +
		"(" + m + ".closed_at AT TIME ZONE '" + rollupZone + "')::date >= " + from +
		" OR (" + m + ".closed_at IS NULL AND " + m + ".active)))))"
}

// exploitableSQL is the condition "review r of post m is exploitable": the
// post was active at least ExploitableMonths months of the review's year.
func exploitableSQL(m, r string) string {
	first := "make_date(" + r + ".year, 1, 1)"
	last := "make_date(" + r + ".year, 12, 31)"
	return "((least(coalesce(" + m + ".post_end, " + last + "), " + last + ") + 1) >= " +
		"(greatest(coalesce(" + m + ".post_start, " + first + "), " + first + ") + INTERVAL '" +
		strconv.Itoa(ExploitableMonths) + " months')::date)"
}

// PostCount is the posts of one département active during a period.
type PostCount struct {
	Departement string `json:"departement"`
	Posts       int    `json:"posts"`
	Rural       int    `json:"rural"`
}

// PostsByDepartement counts the posts active during p (the definition
// "posts") per département of scope s, rural ones apart, in report order.
func PostsByDepartement(ctx context.Context, db Querier, p Period, s Scope) ([]PostCount, error) {
	cond, args := s.Filter("m", 3)
	rows, err := db.Query(ctx, `
SELECT m.departement, count(*), count(*) FILTER (WHERE m.rural)
FROM mediators m WHERE `+postActiveSQL("m", "$1", "$2")+` AND `+cond+`
GROUP BY m.departement`, append([]any{Day(p.From), Day(p.To)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("posts by département: %w", err)
	}
	defer rows.Close()
	got := map[string]PostCount{}
	for rows.Next() {
		var c PostCount
		if err := rows.Scan(&c.Departement, &c.Posts, &c.Rural); err != nil {
			return nil, fmt.Errorf("posts by département: %w", err)
		}
		got[c.Departement] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("posts by département: %w", err)
	}
	var out []PostCount
	for _, d := range s.Departements() {
		c := got[d]
		c.Departement = d
		out = append(out, c)
	}
	return out, nil
}
