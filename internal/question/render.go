package question

import (
	"fmt"
	"strings"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// Scope turns the query's territory into the scope to compute for viewer
// v in a deployment serving served: the territory named, or the viewer's
// own when none was (« la région » is the asker's region). refusal is a
// French sentence when v may not see it (nothing is computed then).
func Scope(served territory.Served, q Query, v indicators.Viewer) (s indicators.Scope, refusal string) {
	if v.Role == roles.Mediator {
		if q.Territory.Said() {
			return indicators.Scope{}, "Vous ne pouvez consulter que vos propres chiffres. " +
				"Posez la question sans nommer de territoire, par exemple « combien de fiches ce mois-ci ? »."
		}
		s = indicators.Mediator(v.MediatorID)
		if !indicators.Allowed(served, v, s) {
			return indicators.Scope{}, "Aucun poste de médiateur ne vous est attribué : demandez à l'administrateur."
		}
		return s, ""
	}
	scopes := indicators.Scopes(served, v)
	if !q.Territory.Said() {
		if len(scopes) == 0 {
			return indicators.Scope{}, "Aucun territoire ne vous est attribué : demandez à l'administrateur."
		}
		return scopes[0], ""
	}
	s = scopeOf(served, q.Territory, v)
	if indicators.Allowed(served, v, s) {
		return s, ""
	}
	var names []string
	for _, a := range scopes {
		names = append(names, a.Label())
	}
	if v.Role == roles.Coordinator && v.Level != territory.LevelStructure && len(names) > 0 {
		names = append(names, "les structures de ce territoire")
	}
	what := s.Label()
	if s.Validate(served) != nil {
		what = "Ce territoire"
	}
	return indicators.Scope{}, what + " ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : " +
		strings.Join(names, ", ") + "."
}

// askerRegion is the region « la région » means for v: a regional
// coordinator's, a département's or structure's region, the only served
// one; "" for an admin of several regions.
func askerRegion(served territory.Served, v indicators.Viewer) string {
	switch {
	case v.Region != "":
		return v.Region
	case v.Departement != "":
		if d, ok := territory.FindDepartement(v.Departement); ok {
			return d.Region
		}
	case len(served) == 1:
		return served[0].Code
	}
	return ""
}

// scopeOf is the scope of a territory a question names, for viewer v.
func scopeOf(served territory.Served, t Territory, v indicators.Viewer) indicators.Scope {
	switch t.Kind {
	case "picardie": // a follow-up remembered before groupings were data
		return indicators.Group("32", 0)
	case indicators.KindRegion:
		if t.Region != "" {
			return indicators.Region(t.Region)
		}
		if code := askerRegion(served, v); code != "" {
			return indicators.Region(code)
		}
		return indicators.National(served)
	case indicators.KindGroup:
		return indicators.Group(t.Region, t.Group)
	case indicators.KindRural, indicators.KindQPVPosts:
		s := indicators.Scope{Kind: t.Kind, Region: t.Region, Departement: t.Departement}
		switch {
		case s.Departement != "" || s.Region != "":
		case v.Role == roles.Coordinator && v.Level == territory.LevelDepartement:
			s.Departement = v.Departement // "les postes ruraux" of a département's coordinator
		default:
			s.Region = askerRegion(served, v)
		}
		return s
	}
	return indicators.Scope{Kind: t.Kind, Departement: t.Departement, Structure: t.Structure}
}

// Departements lists the départements a breakdown by département covers
// for scope s: those of the region, of a grouping (the Picardie) or of
// the served regions; none for a narrower territory.
func Departements(s indicators.Scope) []indicators.Scope {
	var out []indicators.Scope
	switch s.Kind {
	case indicators.KindRegion, indicators.KindGroup, indicators.KindNational:
		for _, d := range s.Departements() {
			out = append(out, indicators.Departement(d))
		}
	}
	return out
}

// Months splits p into calendar months (the first and last may be partial),
// at most 24.
func Months(p indicators.Period) []indicators.Period {
	var out []indicators.Period
	for from := indicators.Day(p.From); !from.After(p.To) && len(out) < 24; {
		to := indicators.Month(from).To
		if to.After(p.To) {
			to = indicators.Day(p.To)
		}
		out = append(out, indicators.Days(from, to))
		from = to.AddDate(0, 0, 1)
	}
	return out
}

var monthNames = []string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// MonthLabel names a month of a breakdown: "mars 2024".
func MonthLabel(p indicators.Period) string {
	return monthNames[p.From.Month()] + " " + p.From.Format("2006")
}

// Row is one line of a breakdown by département or by month.
type Row struct {
	Label  string
	Figure Figure
}

// Text is the answer: what was understood, the figure (and its
// breakdown), what was not understood, and the definition.
func Text(q Query, s indicators.Scope, label string, p indicators.Period, f Figure, rows []Row) string {
	var b strings.Builder
	territory := label
	if s.Kind == indicators.KindMediator {
		territory = "vos chiffres"
	}
	b.WriteString("Compris : " + lowerFirst(f.Title) + " – " + territory + " – " + p.Label())
	if !q.PeriodSaid {
		b.WriteString(" (cette année, faute de période précisée)")
	}
	if u := Unit(q); u != "" {
		b.WriteString(" – unité : " + u)
	}
	b.WriteString(".\n\n")
	b.WriteString(f.Title + " : " + f.Value + "\n")
	for _, l := range f.Lines {
		b.WriteString(l + "\n")
	}
	if len(rows) > 0 {
		b.WriteString("\n")
		for _, r := range rows {
			b.WriteString("- " + r.Label + " : " + r.Figure.Value + "\n")
		}
	}
	b.WriteString("\nDéfinition : " + Definition(q))
	return b.String()
}

// NotUnderstood is the answer to a question read only partly: what was
// understood, what was not, and how to ask.
func NotUnderstood(q Query) string {
	var b strings.Builder
	switch {
	case len(q.Unsupported) > 0:
		b.WriteString("Je ne sais pas encore filtrer par " + strings.Join(q.Unsupported, ", ") +
			" : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.")
		if q.Mismatch != "" {
			b.WriteString("\n" + q.Mismatch)
		}
	case q.Mismatch != "":
		b.WriteString(q.Mismatch)
	case q.Conflict != "":
		b.WriteString("Votre question nomme plusieurs territoires : posez-la pour un seul à la fois.")
	case len(q.Ambiguous) > 0:
		var names []string
		for _, st := range q.Ambiguous {
			names = append(names, indicators.Structure(st.Departement, st.Name).Label())
		}
		b.WriteString("Plusieurs structures correspondent : " + strings.Join(names, ", ") + ". Précisez laquelle.")
	case q.Indicator != "":
		b.WriteString("Je n'ai compris qu'une partie de votre question.")
	default:
		b.WriteString("Je n'ai pas compris quel chiffre vous cherchez.")
	}
	var got []string
	if q.Indicator != "" {
		got = append(got, "l'indicateur « "+lowerFirst(Title(q))+" »")
	}
	if q.Territory.Said() && q.Conflict == "" {
		label := "votre région"
		if t := q.Territory; t.Kind != indicators.KindRegion || t.Region != "" {
			label = scopeOf(nil, t, indicators.Viewer{}).Label()
		}
		got = append(got, "le territoire « "+label+" »")
	}
	if q.PeriodSaid {
		got = append(got, "la période "+q.Period.Label())
	}
	if len(got) > 0 {
		b.WriteString("\nJ'ai compris : " + strings.Join(got, ", ") + ".")
	}
	if len(q.Unknown) > 0 {
		b.WriteString("\nJe ne connais pas : « " + strings.Join(q.Unknown, " ") + " ».")
	}
	if q.Indicator != "" && (len(q.Unsupported) > 0 || q.Mismatch != "") {
		b.WriteString("\n\nCe que je sais donner, sans ce filtre, est ci-dessous : son libellé dit ce qu'il compte.")
		return b.String()
	}
	if q.Indicator != "" && q.Conflict == "" && len(q.Ambiguous) == 0 {
		b.WriteString("\n\nVoulez-vous la réponse ci-dessous ? Sinon, reformulez, par exemple :\n" +
			"- combien de demandes de CSS dans le 62 en mars 2024 ?\n" +
			"- âge moyen à Roubaix cette année")
		return b.String()
	}
	b.WriteString("\n\nPosez une question sur un chiffre, un territoire et une période, par exemple :\n" +
		"- combien de demandes de CSS dans le 62 en mars 2024 ?\n" +
		"- taux de résolution des demandes de soins au premier semestre\n" +
		"- part des femmes par département en 2024\n" +
		"- combien d'actions sur la nutrition l'an dernier ?\n" +
		"Ou choisissez une question ci-dessous. /indicateurs donne tout le rapport, /aide les commandes.")
	return b.String()
}

// Suggestions are close questions to offer as buttons when q was not (or
// only partly) understood: the indicator found, or the most asked ones,
// for the territory and period found.
func Suggestions(q Query) []Query {
	base := q
	base.Unknown, base.Conflict, base.Ambiguous, base.Breakdown = nil, "", nil, ""
	base.Unsupported, base.Mismatch, base.Foreign, base.Continues = nil, "", nil, false
	if q.Conflict != "" {
		base.Territory = Territory{}
	}
	if base.Indicator == "" {
		base.Indicator = Sheets
	}
	if len(q.Ambiguous) > 0 {
		var out []Query
		for _, st := range q.Ambiguous {
			s := base
			s.Territory = Territory{Kind: indicators.KindStructure, Departement: st.Departement, Structure: st.Name}
			out = append(out, s)
		}
		return out
	}
	if q.Indicator != "" {
		// the question understood, and the same over another period
		other := base
		if base.PeriodSaid {
			other.PeriodSaid = false
		} else {
			y := base.Period.To.Year() - 1
			other.Period, other.PeriodSaid = indicators.Year(y), true
		}
		return []Query{base, other}
	}
	var out []Query
	for _, ind := range []struct{ ind, code string }{{Sheets, ""}, {People, ""}, {Requests, ""}} {
		s := base
		s.Indicator, s.Code = ind.ind, ind.code
		out = append(out, s)
	}
	return out
}

// Territories is what Relais counts by for viewer v in a deployment
// serving served: the asker's region (every served region for an admin of
// several), its départements and groupings, the kinds of posts and the
// structures; example is a structure's name to show how one is named (""
// for none).
func Territories(served territory.Served, v indicators.Viewer, example string) string {
	regions := served
	if r, ok := served.Region(askerRegion(served, v)); ok {
		regions = territory.Served{r}
	}
	var names, deps, groups []string
	for _, r := range regions {
		names = append(names, r.Name)
		for _, d := range r.Departements() {
			deps = append(deps, d.Name)
		}
		for i, g := range r.Annexe() {
			if len(g.Departements) > 1 {
				groups = append(groups, "la "+indicators.Group(r.Code, i).Label())
			}
		}
	}
	s := "Relais compte par territoire : la région " + andList(names) + ", ses départements (" + strings.Join(deps, ", ") + "), "
	if len(regions) > 1 {
		s = "Relais compte par territoire : les régions " + andList(names) + ", leurs départements (" + strings.Join(deps, ", ") + "), "
	}
	for _, g := range groups {
		s += g + ", "
	}
	s += "les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom"
	if w := exampleWord(example); w != "" {
		s += " (par exemple « " + w + " » pour " + example + ")"
	}
	return s + "."
}

// andList joins names the French way: « a, b et c ».
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " et " + names[len(names)-1]
}

// exampleWord is the word of a structure's name a question would use:
// its last word that is not common to structure names ("Roubaix" for
// "CCAS Roubaix").
func exampleWord(name string) string {
	fields := strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '\'' })
	for i := len(fields) - 1; i >= 0; i-- {
		t := tokens(fields[i])
		if len(t) == 1 && len(t[0]) >= 3 && !structureWords[t[0]] && !stop[t[0]] {
			return fields[i]
		}
	}
	return ""
}

// ForeignPlaces answers a question naming places that are none of
// Relais's territories: which, and what Relais counts by for viewer v in a
// deployment serving served; never a figure, and never the asker's own
// territory's in its place.
func ForeignPlaces(served territory.Served, q Query, v indicators.Viewer, example string) string {
	var lines []string
	for _, pl := range q.Foreign {
		switch {
		case !pl.Known:
			lines = append(lines, "« "+pl.Name+" » : je ne connais pas ce lieu, qui ne fait pas partie des territoires de Relais.")
		case pl.Year != 0:
			lines = append(lines, fmt.Sprintf("« %s » ne fait pas partie des territoires de Relais ; pour l'année %d, écrivez « en %d ».",
				pl.Name, pl.Year, pl.Year))
		case pl.Departement != "":
			lines = append(lines, "« "+pl.Name+" » ("+codes.DepartementLabel(pl.Departement)+
				") ne fait pas partie des territoires de Relais : Relais ne compte pas par commune.")
		default:
			lines = append(lines, "« "+pl.Name+" » ne fait pas partie des territoires de Relais.")
		}
	}
	if v.Role == roles.Mediator {
		return strings.Join(lines, " ") + " Vous ne pouvez consulter que vos propres chiffres : posez la question sans nommer de lieu, " +
			"par exemple « combien de fiches ce mois-ci ? »."
	}
	return strings.Join(lines, " ") + "\n\n" + Territories(served, v, example)
}
