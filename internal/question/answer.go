package question

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
)

// Figure is the answer to a query, read from a report computed by
// indicators.Compute: never a second computation of a figure.
type Figure struct {
	Title string // what is counted, in French: "Demandes « Complémentaire Santé Solidaire »"
	Value string // the figure as shown: "42", "55 % (978 fiches sur 1 793)"
	// Count is the main figure as a number (a percentage for a rate, a
	// rounded mean for a mean), for tables and tests.
	Count int
	// Lines is the detail of a breakdown by type, one line per code.
	Lines []string
}

// table is the rights or the care table of a report, with its name.
type table struct {
	label string
	indicators.Requests
}

// requestsOf returns the rights or care table named by a kind, or both.
func requestsOf(r *indicators.Report, kind string) []table {
	rights, care := table{"Accès aux droits", r.Rights}, table{"Accès aux soins", r.Care}
	switch kind {
	case "droits":
		return []table{rights}
	case "soins":
		return []table{care}
	}
	return []table{rights, care}
}

func splitCode(code string) (kind, typ string) {
	kind, typ, _ = strings.Cut(code, ".")
	return kind, typ
}

func share(n, total int, noun string) string {
	return fmt.Sprintf("%s sur %s (%d %%)", frtext.Number(n), frtext.Plural(total, noun, noun+"s"), indicators.Pct(n, total))
}

func shares(list codes.List, counts map[string]int, total int) []string {
	var out []string
	for _, c := range list {
		out = append(out, fmt.Sprintf("- %s : %s (%d %%)", c.Label, frtext.Number(counts[c.Code]), indicators.Pct(counts[c.Code], total)))
	}
	return out
}

// FigureOf reads the figure q asks for from r.
func FigureOf(q Query, r *indicators.Report) Figure {
	f := Figure{Title: Title(q)}
	t := r.Total
	if t == nil {
		t = &indicators.Breakdown{}
	}
	count := func(n int) {
		f.Count, f.Value = n, frtext.Number(n)
	}
	ofSheets := func(n int) {
		f.Count, f.Value = n, share(n, t.Sheets, "fiche")
	}
	byType := q.Breakdown == ByType
	switch q.Indicator {
	case Sheets:
		count(r.Sheets)
	case People:
		count(r.People)
		if r.Scope.Kind != indicators.KindMediator && r.Mediators > 0 {
			f.Value += " (en moyenne " + indicators.Decimal(r.PerMediator.DistinctPeople) + " par médiateur actif)"
		}
	case QPV:
		if q.Code == "non" {
			ofSheets(t.QPV["non"])
			break
		}
		ofSheets(t.QPV["oui"])
		f.Lines = []string{"Personnes distinctes vivant en QPV, en moyenne par médiateur : " + indicators.Decimal(r.PerMediator.DistinctPeopleQPV)}
	case PeopleQPV:
		// The report's people in a QPV: each mediator's distinct people,
		// summed (the mean per mediator is this sum over the mediators).
		n, all := int(r.PerMediator.DistinctPeopleQPV.Sum), int(r.PerMediator.DistinctPeople.Sum)
		f.Count = n
		f.Value = fmt.Sprintf("%s sur %s (%d %%)", frtext.Plural(n, "personne distincte", "personnes distinctes"),
			frtext.Number(all), indicators.Pct(n, all))
		if r.Scope.Kind != indicators.KindMediator && r.PerMediator.DistinctPeopleQPV.N > 0 {
			f.Lines = []string{"En moyenne par médiateur actif : " + indicators.Decimal(r.PerMediator.DistinctPeopleQPV)}
		}
	case Sex:
		if q.Code == "" {
			f.Count, f.Value = t.Sheets, frtext.Plural(t.Sheets, "fiche", "fiches")
			f.Lines = shares(codes.Sex, t.Sex, t.Sheets)
			break
		}
		ofSheets(t.Sex[q.Code])
	case Age:
		f.Count = t.Age.Round()
		f.Value = indicators.Decimal(t.Age) + " ans"
		if t.AgeKnown > 0 {
			f.Value += " (" + frtext.Plural(t.AgeKnown, "fiche", "fiches") + " où l'âge est connu)"
		}
	case Resources, Contact, Level:
		list, counts := codes.Resources, t.Resources
		if q.Indicator == Contact {
			list, counts = codes.ContactModes, t.ContactMode
		} else if q.Indicator == Level {
			list, counts = codes.Levels, t.Level
		}
		if q.Code == "" || byType {
			f.Count, f.Value = t.Sheets, frtext.Plural(t.Sheets, "fiche", "fiches")
			f.Lines = shares(list, counts, t.Sheets)
			break
		}
		ofSheets(counts[q.Code])
	case Protection:
		f.Count, f.Value = r.PerMediator.SocialProtection.Round(), indicators.Decimal(r.PerMediator.SocialProtection)+" personnes en moyenne par médiateur actif"
		if r.Scope.Kind == indicators.KindMediator {
			f.Value = frtext.Plural(r.PerMediator.SocialProtection.Round(), "personne", "personnes")
		}
	case Requests, Resolved, Rate, Open:
		f = requestFigure(q, r, f)
	case Overdue:
		count(r.FollowUps.Overdue)
		f.Value = frtext.Plural(r.FollowUps.Overdue, "demande", "demandes") + " au " + day(r.FollowUps.AsOf)
	case Obstacles:
		if q.Code == "" || byType {
			f.Count, f.Value = t.ObstacleSheets, share(t.ObstacleSheets, t.Sheets, "fiche")
			f.Lines = shares(codes.Obstacles, t.Obstacles, t.Sheets)
			break
		}
		ofSheets(t.Obstacles[q.Code])
	case Actions, Participants:
		f = actionFigure(q, r, f)
	case Partners:
		p := r.Partners
		if p == nil {
			break
		}
		g := p.Total
		if q.Code == "" {
			n := 0
			for _, c := range codes.PartnerCategories {
				n += g.ByCategory[c.Code]
				f.Lines = append(f.Lines, fmt.Sprintf("- %s : %s (%s par médiateur actif)", c.Label,
					frtext.Number(g.ByCategory[c.Code]), indicators.Decimal(g.PerMediator[c.Code])))
			}
			count(n)
			break
		}
		count(g.ByCategory[q.Code])
		f.Value += " (" + indicators.Decimal(g.PerMediator[q.Code]) + " par médiateur actif)"
	case Reviews:
		rv := r.Review
		if rv == nil {
			break
		}
		g := rv.Total
		if q.Code == "" {
			f.Count, f.Value = g.Reviews, fmt.Sprintf("%s sur %s", frtext.Number(g.Reviews), frtext.Plural(g.Posts, "poste", "postes"))
			if byType {
				for _, c := range indicators.ReviewQuestions {
					f.Lines = append(f.Lines, fmt.Sprintf("- %s : %d %%", c.Label, g.Pct[c.Code]))
				}
			}
			break
		}
		f.Count = g.Pct[q.Code]
		f.Value = fmt.Sprintf("%d %% (%s sur %s)", g.Pct[q.Code], frtext.Number(g.Yes[q.Code]),
			frtext.Plural(g.Answered[q.Code], "bilan", "bilans"))
	case Mediators:
		count(r.Mediators)
		f.Value += " (postes enregistrés : " + frtext.Number(r.Posts) + ")"
	case Posts:
		count(r.Posts)
	}
	return f
}

func day(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

func requestFigure(q Query, r *indicators.Report, f Figure) Figure {
	kind, typ := splitCode(q.Code)
	tables := requestsOf(r, kind)
	total, resolved, open := 0, 0, 0
	for _, t := range tables {
		if typ != "" {
			total += t.ByType[typ]
			resolved += t.ResolvedByType[typ]
			open += t.OpenByType[typ]
			continue
		}
		total += t.Total
		resolved += t.Resolved
		open += t.Open
	}
	switch q.Indicator {
	case Requests:
		f.Count, f.Value = total, frtext.Number(total)
		if q.share {
			all := 0
			for _, t := range requestsOf(r, "") {
				all += t.Total
			}
			f.Value = share(total, all, "demande")
		}
	case Resolved:
		f.Count, f.Value = resolved, share(resolved, total, "demande")
	case Rate:
		f.Count = indicators.Pct(resolved, total)
		f.Value = fmt.Sprintf("%d %% (%s résolues sur %s)", f.Count, frtext.Number(resolved), frtext.Plural(total, "demande", "demandes"))
	case Open:
		f.Count, f.Value = open, frtext.Plural(open, "demande", "demandes")
	}
	if typ != "" {
		return f
	}
	if kind == "" && q.Breakdown != ByType {
		for _, t := range tables {
			f.Lines = append(f.Lines, "- "+t.label+" : "+lineValue(q, t.Total, t.Resolved, t.Open))
		}
		return f
	}
	if q.Breakdown == ByType || q.Indicator != Open {
		for _, t := range tables {
			if len(tables) > 1 {
				f.Lines = append(f.Lines, t.label+" :")
			}
			for _, tc := range t.Types() {
				if q.Indicator == Open {
					continue // open requests are not counted by type
				}
				f.Lines = append(f.Lines, "- "+tc.Label+" : "+lineValue(q, tc.Count, tc.Resolved, 0))
			}
		}
	}
	return f
}

func lineValue(q Query, total, resolved, open int) string {
	switch q.Indicator {
	case Resolved:
		return fmt.Sprintf("%s sur %s", frtext.Number(resolved), frtext.Number(total))
	case Rate:
		return fmt.Sprintf("%d %% (%s/%s)", indicators.Pct(resolved, total), frtext.Number(resolved), frtext.Number(total))
	case Open:
		return frtext.Number(open)
	}
	return frtext.Number(total)
}

func actionFigure(q Query, r *indicators.Report, f Figure) Figure {
	a := r.Actions
	if a == nil {
		return f
	}
	g := a.Total
	if q.Indicator == Participants {
		f.Count, f.Value = g.Participants, frtext.Number(g.Participants)
		return f
	}
	facet, code, _ := strings.Cut(q.Code, ".")
	switch facet {
	case "role":
		f.Count = g.ByRole[code]
		f.Value = fmt.Sprintf("%s (%s par médiateur actif)", frtext.Number(g.ByRole[code]), indicators.Decimal(g.PerMediator[code]))
	case "theme":
		for _, t := range a.Themes {
			if t.Code == code {
				f.Count, f.Value = t.Count, fmt.Sprintf("%s sur %s (%d %%)", frtext.Number(t.Count), frtext.Plural(g.Actions, "action", "actions"), t.Pct)
			}
		}
		if f.Value == "" {
			f.Value = "0 sur " + frtext.Plural(g.Actions, "action", "actions")
		}
	case "audience":
		f.Count = g.CoanimatedForProfessionals
		f.Value = fmt.Sprintf("%s sur %s (%d %%)", frtext.Number(g.CoanimatedForProfessionals),
			frtext.Plural(g.Mediators, "médiateur actif", "médiateurs actifs"), g.CoanimatedForProfessionalsPct)
	default:
		f.Count, f.Value = g.Actions, frtext.Number(g.Actions)
		if q.Breakdown == ByType {
			for _, t := range a.Themes {
				f.Lines = append(f.Lines, fmt.Sprintf("- %s : %s (%d %%)", t.Label, frtext.Number(t.Count), t.Pct))
			}
			break
		}
		for _, c := range codes.ActionRoles {
			f.Lines = append(f.Lines, fmt.Sprintf("- %s : %s", c.Label, frtext.Number(g.ByRole[c.Code])))
		}
	}
	return f
}

// Title names what a query counts, in French.
func Title(q Query) string {
	kind, typ := splitCode(q.Code)
	reqs := "Demandes"
	switch {
	case typ != "":
		reqs = "Demandes « " + codes.RequestTypes(kind).Label(typ) + " »"
	case kind == "droits":
		reqs = "Demandes d'accès aux droits"
	case kind == "soins":
		reqs = "Demandes d'accès aux soins"
	}
	facet, code, _ := strings.Cut(q.Code, ".")
	switch q.Indicator {
	case Sheets:
		return "Fiches d'accompagnement"
	case People:
		return "Personnes accompagnées (distinctes)"
	case QPV:
		if q.Code == "non" {
			return "Fiches de personnes ne vivant pas en QPV"
		}
		return "Fiches de personnes vivant en QPV"
	case PeopleQPV:
		return "Personnes distinctes vivant en QPV"
	case Sex:
		switch q.Code {
		case "F":
			return "Fiches de femmes"
		case "M":
			return "Fiches d'hommes"
		case "X":
			return "Fiches de personnes non binaires"
		}
		return "Fiches par sexe"
	case Age:
		return "Âge moyen des personnes"
	case Resources:
		if q.Code != "" {
			return "Fiches de personnes dont la ressource principale est « " + codes.Resources.Label(q.Code) + " »"
		}
		return "Ressources principales"
	case Contact:
		if q.Code != "" {
			return "Fiches dont le mode de contact est « " + codes.ContactModes.Label(q.Code) + " »"
		}
		return "Modes de contact"
	case Level:
		if q.Code != "" {
			return "Fiches de niveau « " + codes.Levels.Label(q.Code) + " »"
		}
		return "Niveaux d'accompagnement"
	case Protection:
		return "Personnes orientées vers les acteurs de la protection sociale"
	case Requests:
		return reqs
	case Resolved:
		return reqs + " résolues"
	case Rate:
		return "Taux de résolution – " + lowerFirst(reqs)
	case Open:
		return reqs + " en cours"
	case Overdue:
		return "Suivis en retard"
	case Obstacles:
		if q.Code != "" {
			return "Fiches citant le frein « " + codes.Obstacles.Label(q.Code) + " »"
		}
		return "Fiches citant au moins un frein"
	case Actions:
		switch facet {
		case "role":
			return "Actions collectives « " + codes.ActionRoles.Label(code) + " »"
		case "theme":
			return "Actions collectives sur le thème « " + codes.Themes.Label(code) + " »"
		case "audience":
			return "Médiateurs ayant co-animé une action pour des professionnels"
		}
		return "Actions collectives de prévention"
	case Participants:
		return "Participants aux actions collectives"
	case Partners:
		if q.Code != "" {
			return "Partenaires " + codes.Plural("partner_categories", q.Code)
		}
		return "Partenaires des médiateurs"
	case Reviews:
		if q.Code != "" {
			return "Bilans annuels – " + indicators.ReviewQuestions.Label(q.Code)
		}
		return "Bilans annuels remplis"
	case Mediators:
		return "Médiateurs actifs"
	case Posts:
		return "Postes de médiateurs enregistrés"
	}
	return ""
}

// Unit names what a query's figure counts, for the « Compris » line:
// distinct people, sheets and requests are never mixed.
func Unit(q Query) string {
	switch q.Indicator {
	case Sheets, QPV, Sex, Resources, Contact, Level, Obstacles:
		return "fiches"
	case People, PeopleQPV:
		return "personnes distinctes"
	case Protection:
		return "personnes distinctes, en moyenne par médiateur actif"
	case Age:
		return "années, moyenne des fiches où l'âge est connu"
	case Requests, Resolved, Open, Overdue:
		return "demandes"
	case Rate:
		return "part des demandes, en %"
	case Actions:
		if strings.HasPrefix(q.Code, "audience.") {
			return "médiateurs actifs"
		}
		return "actions collectives"
	case Participants:
		return "participants déclarés"
	case Partners:
		return "partenaires"
	case Reviews:
		if q.Code != "" {
			return "part des bilans annuels, en %"
		}
		return "bilans annuels"
	case Mediators:
		return "médiateurs actifs"
	case Posts:
		return "postes"
	}
	return ""
}

// lowerFirst lower-cases the first letter of s, a rune, not a byte: « Âge
// moyen » becomes « âge moyen », not a broken character.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// Definition is the one-line definition of what a query counts, as the
// report defines it.
func Definition(q Query) string {
	switch q.Indicator {
	case Sheets:
		return "une fiche par accompagnement, datée du jour de l'accompagnement."
	case People:
		return "personnes différentes (code pseudonyme) ayant au moins une fiche sur la période."
	case QPV:
		return "fiches dont la personne déclare vivre dans un quartier prioritaire (QPV), rapportées à toutes les fiches."
	case PeopleQPV:
		return "personnes différentes (code pseudonyme) ayant au moins une fiche de la période où elles déclarent vivre dans un quartier prioritaire (QPV), comptées pour chaque médiateur qui les suit ; rapportées aux personnes différentes comptées de même."
	case Sex, Resources, Contact, Level:
		return "fiches de la période, chaque fiche comptée une fois ; pourcentages arrondis à l'unité."
	case Age:
		return "moyenne de l'âge déclaré sur les fiches de la période où il est connu."
	case Protection:
		return "personnes différentes orientées vers les acteurs de la protection sociale (CAF, CPAM…), en moyenne par médiateur actif."
	case Requests:
		return "demandes enregistrées sur les fiches de la période (une fiche peut en porter plusieurs)."
	case Resolved:
		return "demandes des fiches de la période résolues à la fin de la période (date de résolution au plus tard son dernier jour)."
	case Rate:
		return "part des demandes des fiches de la période résolues à la fin de la période (date de résolution au plus tard son dernier jour)."
	case Open:
		return "demandes des fiches de la période dont le statut est encore « en cours »."
	case Overdue:
		return "demandes en cours dont la date de suivi est dépassée aujourd'hui, quelle que soit la date de la fiche."
	case Obstacles:
		return "fiches de la période citant le frein ; une fiche peut en citer plusieurs."
	case Actions:
		return "actions collectives de prévention de la période ; moyennes par médiateur actif (au moins une fiche ou une action)."
	case Participants:
		return "somme des participants déclarés aux actions collectives de la période."
	case Partners:
		return "partenaires des annuaires des médiateurs (/partenaires) tels qu'ils sont aujourd'hui, par médiateur actif sur la période."
	case Reviews:
		return "bilans annuels des années couvertes par la période ; parts calculées sur les bilans ayant répondu."
	case Mediators:
		return "médiateurs ayant au moins une fiche sur la période."
	case Posts:
		return "postes de médiateurs enregistrés et actifs sur le territoire."
	}
	return ""
}

// Key is the compact form of a query's indicator, code and breakdown for
// button data: "requests|droits.css|t". ParseKey reads it back.
func (q Query) Key() string {
	bd := "-"
	if q.Breakdown != "" {
		bd = q.Breakdown[:1]
	}
	return q.Indicator + "|" + q.Code + "|" + bd
}

// ParseKey reads a Key; ok is false when it names no indicator of the
// catalogue.
func ParseKey(key string) (Query, bool) {
	parts := strings.Split(key, "|")
	if len(parts) != 3 {
		return Query{}, false
	}
	q := Query{Indicator: parts[0], Code: parts[1]}
	switch parts[2] {
	case "d":
		q.Breakdown = ByDepartement
	case "t":
		q.Breakdown = ByType
	case "m":
		q.Breakdown = ByMonth
	case "-":
	default:
		return Query{}, false
	}
	if Title(q) == "" {
		return Query{}, false
	}
	return q, true
}
