package indicators

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/territory"
)

// Annexe is the report's Annexe 1: the same figures for several
// territories side by side, each column a whole Report. For a region: the
// region, its groupings (for the Hauts-de-France: Picardie, Nord,
// Pas-de-Calais; else one column per département), its rural posts, its
// QPV posts; for the national scope, one column per served region.
type Annexe struct {
	Period  Period    `json:"period"`
	Columns []string  `json:"columns"`
	Reports []*Report `json:"reports"`
}

// AnnexeScopes are the Annexe 1 columns of a region or national scope, in
// the report's order, with their headings; false for any other scope.
func AnnexeScopes(s Scope) (scopes []Scope, columns []string, ok bool) {
	switch s.Kind {
	case KindNational:
		for _, code := range s.regionList() {
			scopes, columns = append(scopes, Region(code)), append(columns, regionName(code))
		}
		return scopes, columns, len(scopes) > 0
	case KindRegion:
		r, found := territory.FindRegion(s.Region)
		if !found {
			return nil, nil, false
		}
		scopes, columns = []Scope{Region(r.Code)}, []string{"Région"}
		for i, g := range r.Annexe() {
			c := Group(r.Code, i)
			if len(g.Departements) == 1 {
				c = Departement(g.Departements[0])
			}
			scopes, columns = append(scopes, c), append(columns, g.Name)
		}
		return append(scopes, Rural(r.Code), QPVPosts(r.Code)),
			append(columns, "Médiateurs ruraux", "Médiateurs QPV"), true
	}
	return nil, nil, false
}

// ComputeAnnexe computes the report of each Annexe 1 column of s (a
// region or the national scope) for period p. It does not check access:
// call Allowed on s first.
func ComputeAnnexe(ctx context.Context, db Querier, p Period, s Scope, opts ...Option) (*Annexe, error) {
	scopes, columns, ok := AnnexeScopes(s)
	if !ok {
		return nil, fmt.Errorf("annexe: a region or the national scope, not %q", s.Key())
	}
	a := &Annexe{Period: Period{From: Day(p.From), To: Day(p.To)}, Columns: columns}
	for _, c := range scopes {
		r, err := Compute(ctx, db, p, c, opts...)
		if err != nil {
			return nil, fmt.Errorf("annexe: %w", err)
		}
		a.Reports = append(a.Reports, r)
	}
	return a, nil
}

// JSON is the Annexe as indented JSON (`relais report --annexe --format json`).
func (a *Annexe) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("annexe as JSON: %w", err)
	}
	return b, nil
}

// annexeRow is one line of Annexe 1: its label and its cell per column.
type annexeRow struct {
	label string
	cell  func(r *Report) any
}

// meanWhole is a per-mediator mean of people as the report prints it:
// whole, half up; "" when undefined.
func meanWhole(m Mean) any {
	if m.N == 0 {
		return ""
	}
	return m.Round()
}

// Tables returns Annexe 1 (rows in the report's order, declared and
// derived averages each labelled with its source) and the obstacles by
// territory, then the definitions.
func (a *Annexe) Tables() []Table {
	header := append([]string{"Indicateur"}, a.Columns...)
	rows := []annexeRow{
		{"Postes actifs pendant la période", func(r *Report) any { return r.Posts }},
		{"Médiateurs actifs (au moins une fiche)", func(r *Report) any { return r.Mediators }},
		{"Bilans remplis", func(r *Report) any { return r.Review.Total.Reviews }},
		{fmt.Sprintf("Bilans exploitables (poste actif %d mois ou plus)", ExploitableMonths), func(r *Report) any { return r.Review.Total.Exploitable }},
		{"Personnes différentes par médiateur – déclaré (bilans)", func(r *Report) any { return meanWhole(r.Review.Total.Declared.DistinctPeople) }},
		{"Personnes différentes par médiateur – calculé (fiches)", func(r *Report) any { return meanWhole(r.PerMediator.DistinctPeople) }},
		{"dont habitant en QPV – déclaré (bilans)", func(r *Report) any { return meanWhole(r.Review.Total.Declared.DistinctPeopleQPV) }},
		{"dont habitant en QPV – calculé (fiches)", func(r *Report) any { return meanWhole(r.PerMediator.DistinctPeopleQPV) }},
		{"Personnes pour l'accès aux droits – déclaré (bilans)", func(r *Report) any { return meanWhole(r.Review.Total.Declared.RightsPeople) }},
		{"Personnes pour l'accès aux droits – calculé (fiches)", func(r *Report) any { return meanWhole(r.PerMediator.RightsPeople) }},
		{"Personnes pour l'accès aux soins – déclaré (bilans)", func(r *Report) any { return meanWhole(r.Review.Total.Declared.CarePeople) }},
		{"Personnes pour l'accès aux soins – calculé (fiches)", func(r *Report) any { return meanWhole(r.PerMediator.CarePeople) }},
		{"Personnes orientées vers la protection sociale – déclaré (bilans)", func(r *Report) any { return meanWhole(r.Review.Total.Declared.SocialProtection) }},
		{"Personnes orientées vers la protection sociale – calculé (fiches)", func(r *Report) any { return meanWhole(r.PerMediator.SocialProtection) }},
		{"Actions co-animées auprès d'un public par médiateur", func(r *Report) any { return meanCell(r.Actions.Total.CoanimatedForPublicMean) }},
		{"Actions co-construites avec les habitants par médiateur", func(r *Report) any { return meanCell(r.Actions.Total.PerMediator["coconstruite"]) }},
		{"Participations sans co-animer par médiateur", func(r *Report) any { return meanCell(r.Actions.Total.PerMediator["participation"]) }},
		{"Demandes d'accès aux droits résolues en fin de période (%)", func(r *Report) any { return r.Rights.ResolvedPct() }},
		{"Demandes d'accès aux soins résolues en fin de période (%)", func(r *Report) any { return r.Care.ResolvedPct() }},
	}
	for _, q := range ReviewQuestions {
		q := q
		rows = append(rows, annexeRow{q.Label + " (% des bilans)", func(r *Report) any { return r.Review.Total.Pct[q.Code] }})
	}
	main := Table{Name: "Annexe 1", Title: "Annexe 1 – " + a.Period.Label() + " (moyennes par médiateur)", Header: header}
	for _, row := range rows {
		line := []any{row.label}
		for _, r := range a.Reports {
			line = append(line, row.cell(r))
		}
		main.Rows = append(main.Rows, line)
	}

	obst := Table{Name: "Annexe 1 – freins", Title: "Freins à l'accès à la santé constatés (% des bilans) par territoire", Header: header}
	for _, c := range codes.Obstacles {
		line := []any{c.Label}
		for _, r := range a.Reports {
			n := 0
			for _, x := range r.Review.Obstacles {
				if x.Code == c.Code {
					n = x.Pct
				}
			}
			line = append(line, n)
		}
		obst.Rows = append(obst.Rows, line)
	}
	return []Table{main, obst, DefinitionsTable(a.Period)}
}

// DefinitionsTable lists the definitions, for the outputs' footnotes.
func DefinitionsTable(p Period) Table {
	t := Table{Name: "Définitions", Title: "Définitions", Header: []string{"Définition"}}
	for _, d := range Definitions(p) {
		t.Rows = append(t.Rows, []any{d.Text})
	}
	return t
}
