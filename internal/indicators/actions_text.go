package indicators

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
)

// Decimal writes a mean with one decimal the French way: 8,8 (– when undefined).
func Decimal(m Mean) string {
	if m.N == 0 {
		return "–"
	}
	return strings.Replace(strconv.FormatFloat(m.Tenths(), 'f', 1, 64), ".", ",", 1)
}

// meanCell is a mean for a table: one decimal, empty when undefined.
func meanCell(m Mean) any {
	if m.N == 0 {
		return ""
	}
	return m.Tenths()
}

// categoryPlural names partner categories after "Partenaires": "du champ
// social", since "partenaires sociaux" means trade unions in French.
var categoryPlural = codes.Plurals["partner_categories"].Forms

// actionCount is the number of collective actions of a report (0 when not computed).
func actionCount(r *Report) int {
	if r == nil || r.Actions == nil {
		return 0
	}
	return r.Actions.Total.Actions
}

// split tells whether the rural / QPV split says something: both kinds of
// posts are present.
func split(rural, qpv int) bool { return rural > 0 && qpv > 0 }

// textActivities is the chat section on actions and partners; empty when
// the report has neither.
func (r *Report) textActivities() []string {
	var out []string
	if a := r.Actions; a != nil {
		out = append(out, r.textActions(a))
	}
	if p := r.Partners; p != nil && p.Total.Mediators > 0 {
		// "partenaires sanitaires · du champ social · médico-sociaux": the
		// category labels agree with "partenaires" (codes.Plurals).
		categories := func(value func(code string) string) string {
			var parts []string
			for _, c := range codes.PartnerCategories {
				parts = append(parts, codes.Plural("partner_categories", c.Code)+" "+value(c.Code))
			}
			return strings.Join(parts, " · ")
		}
		if r.Scope.Kind == KindMediator {
			t := p.Total.ByCategory
			out = append(out, "Vos partenaires : "+categories(func(c string) string { return frtext.Number(t[c]) }))
		} else {
			roles := func(g PartnerGroup) string {
				return categories(func(c string) string { return Decimal(g.PerMediator[c]) })
			}
			s := "Partenaires par médiateur, en moyenne : " + roles(p.Total)
			if split(p.Rural.Mediators, p.QPVPosts.Mediators) {
				s += "\n- postes ruraux : " + roles(p.Rural) + "\n- postes QPV : " + roles(p.QPVPosts)
			}
			out = append(out, s)
		}
	}
	return out
}

func (r *Report) textActions(a *Actions) string {
	t := a.Total
	if t.Actions == 0 {
		return "Actions collectives : aucune sur la période"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Actions collectives : %s, avec %s", frtext.Number(t.Actions), frtext.Plural(t.Participants, "participant", "participants"))
	// "actions co-animées · co-construites avec les habitants · participations
	// sans co-animer": the role labels agree with "actions" (codes.Plurals).
	roles := func(value func(code string) string) string {
		var parts []string
		for _, c := range codes.ActionRoles {
			parts = append(parts, codes.Plural("action_roles", c.Code)+" "+value(c.Code))
		}
		return strings.Join(parts, " · ")
	}
	if r.Scope.Kind == KindMediator {
		b.WriteString("\n" + capitalize(roles(func(c string) string { return frtext.Number(t.ByRole[c]) })))
	} else {
		perMediator := func(g ActionGroup) string {
			return roles(func(c string) string { return Decimal(g.PerMediator[c]) })
		}
		b.WriteString("\nActions par médiateur, en moyenne : " + perMediator(t))
		if split(a.Rural.Mediators, a.QPVPosts.Mediators) {
			b.WriteString("\n- postes ruraux : " + perMediator(a.Rural) + "\n- postes QPV : " + perMediator(a.QPVPosts))
		}
		fmt.Fprintf(&b, "\nOnt co-animé pour des professionnels : %d %% des médiateurs", t.CoanimatedForProfessionalsPct)
	}
	if s := textRanks("Thèmes, en % des actions", a.Themes, 5); s != "" {
		b.WriteString("\n" + s)
	}
	if s := textRanks("Partenaires de co-animation, en % des actions avec partenaire", a.Partners, 4); s != "" {
		b.WriteString("\n" + s)
	}
	return b.String()
}

// textRanks is one line with the first n of a ranking and their shares.
func textRanks(title string, ranks []Rank, n int) string {
	if len(ranks) == 0 {
		return ""
	}
	var parts []string
	for i, k := range ranks {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d %%", k.Label, k.Pct))
	}
	return title + " : " + strings.Join(parts, " · ")
}

// posts is "1 poste", "0 poste", "12 postes".
func posts(n int) string { return frtext.Plural(n, "poste", "postes") }

func (r *Report) textReview(rv *Review) string {
	years := make([]string, len(rv.Years))
	for i, y := range rv.Years {
		years[i] = strconv.Itoa(y)
	}
	title := "Bilan annuel " + strings.Join(years, "-")
	t := rv.Total
	if r.Scope.Kind == KindMediator {
		if t.Reviews == 0 {
			return title + " : pas encore rempli (/bilan)"
		}
		return title + " : rempli"
	}
	if t.Reviews == 0 {
		return fmt.Sprintf("%s : aucun bilan rempli (%s)", title, posts(t.Posts))
	}
	shares := func(g ReviewGroup) string {
		return fmt.Sprintf("identifiés %d %% · CPAM %d %% · instances %d %% · projet pro %d %% · formation %d %%",
			g.Pct["identified"], g.Pct["cpam_partnership"], g.Pct["partner_bodies"], g.Pct["professional_project"], g.Pct["training"])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s : %s sur %s\nEn %% des bilans : %s", title, frtext.Plural(t.Reviews, "bilan rempli", "bilans remplis"), posts(t.Posts), shares(t))
	if split(rv.Rural.Reviews, rv.QPVPosts.Reviews) {
		b.WriteString("\n- postes ruraux : " + shares(rv.Rural) + "\n- postes QPV : " + shares(rv.QPVPosts))
	}
	if s := textRanks("Besoins de santé, en % des bilans", rv.HealthNeeds, 5); s != "" {
		b.WriteString("\n" + s)
	}
	return b.String()
}

// activityTables are the tables of the actions, partners and review
// sections (none when they were not computed). The open answers are not
// among them: the XLSX export writes them on a sheet of their own.
func (r *Report) activityTables() []Table {
	var out []Table
	groups := []string{"Ensemble", "Postes ruraux", "Postes QPV"}
	header := func(first string) []string { return append([]string{first}, groups...) }
	if a := r.Actions; a != nil {
		gs := []ActionGroup{a.Total, a.Rural, a.QPVPosts}
		t := Table{Name: "Actions", Title: "Actions collectives de prévention par médiateur actif", Header: header("Indicateur")}
		row := func(label string, cell func(ActionGroup) any) {
			line := []any{label}
			for _, g := range gs {
				line = append(line, cell(g))
			}
			t.Rows = append(t.Rows, line)
		}
		row("Médiateurs actifs", func(g ActionGroup) any { return g.Mediators })
		row("Actions", func(g ActionGroup) any { return g.Actions })
		for _, c := range codes.ActionRoles {
			row(c.Label+" (nombre)", func(g ActionGroup) any { return g.ByRole[c.Code] })
			row(c.Label+" par médiateur", func(g ActionGroup) any { return meanCell(g.PerMediator[c.Code]) })
		}
		row("Médiateurs ayant co-animé pour des professionnels", func(g ActionGroup) any { return g.CoanimatedForProfessionals })
		row("dont en % des médiateurs actifs", func(g ActionGroup) any { return g.CoanimatedForProfessionalsPct })
		row("Participants", func(g ActionGroup) any { return g.Participants })
		out = append(out, t,
			rankTable("Thèmes des actions", "Thèmes des actions collectives", "Thème", "% des actions", a.Themes),
			rankTable("Partenaires des actions", "Partenaires de co-animation des actions", "Partenaire", "% des actions avec partenaire", a.Partners))
	}
	if p := r.Partners; p != nil {
		gs := []PartnerGroup{p.Total, p.Rural, p.QPVPosts}
		t := Table{Name: "Partenaires", Title: "Partenaires des médiateurs actifs (répertoire)", Header: header("Indicateur")}
		line := []any{"Médiateurs actifs"}
		for _, g := range gs {
			line = append(line, g.Mediators)
		}
		t.Rows = append(t.Rows, line)
		for _, c := range codes.PartnerCategories {
			line := []any{"Partenaires " + categoryPlural[c.Code] + " par médiateur"}
			for _, g := range gs {
				line = append(line, meanCell(g.PerMediator[c.Code]))
			}
			t.Rows = append(t.Rows, line)
		}
		out = append(out, t)
	}
	if rv := r.Review; rv != nil {
		gs := []ReviewGroup{rv.Total, rv.Rural, rv.QPVPosts}
		t := Table{Name: "Bilan annuel", Title: "Bilans annuels des médiateurs", Header: header("Indicateur")}
		row := func(label string, cell func(ReviewGroup) any) {
			line := []any{label}
			for _, g := range gs {
				line = append(line, cell(g))
			}
			t.Rows = append(t.Rows, line)
		}
		row("Postes", func(g ReviewGroup) any { return g.Posts })
		row("Bilans remplis", func(g ReviewGroup) any { return g.Reviews })
		for _, q := range ReviewQuestions {
			row(q.Label+" (%)", func(g ReviewGroup) any { return g.Pct[q.Code] })
		}
		for _, c := range codes.PartnerCategories {
			row("Partenaires "+categoryPlural[c.Code]+" déclarés (moyenne)", func(g ReviewGroup) any { return meanCell(g.PartnersMean[c.Code]) })
		}
		out = append(out, t, rankTable("Besoins de santé", "Besoins de santé constatés (bilans annuels)", "Besoin", "% des bilans", rv.HealthNeeds))
	}
	return out
}

func rankTable(name, title, first, pct string, ranks []Rank) Table {
	t := Table{Name: name, Title: title, Header: []string{first, "Nombre", pct}}
	for _, k := range ranks {
		t.Rows = append(t.Rows, []any{k.Label, k.Count, k.Pct})
	}
	return t
}
