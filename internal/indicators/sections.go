package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/frtext"
)

// Section is one part of a figures result that the chat sends on its own,
// on a button under the key figures: a phone shows the key figures whole,
// and each part when asked.
type Section string

const (
	SectionRights    Section = "droits"
	SectionCare      Section = "soins"
	SectionPublics   Section = "publics"
	SectionObstacles Section = "freins"
	SectionActions   Section = "actions"
	SectionReviews   Section = "bilans"
)

// AllSections are the sections in the order of their buttons.
var AllSections = []Section{SectionRights, SectionCare, SectionPublics, SectionObstacles, SectionActions, SectionReviews}

// ParseSection reads a section's code from button data.
func ParseSection(code string) (Section, bool) {
	s := Section(code)
	return s, slices.Contains(AllSections, s)
}

// Button is the section's button text.
func (s Section) Button() string {
	switch s {
	case SectionRights:
		return "Droits"
	case SectionCare:
		return "Soins"
	case SectionPublics:
		return "Publics"
	case SectionObstacles:
		return "Freins"
	case SectionActions:
		return "Actions"
	case SectionReviews:
		return "Bilans"
	}
	return string(s)
}

// title is the section's heading.
func (s Section) title() string {
	switch s {
	case SectionRights:
		return "Accès aux droits"
	case SectionCare:
		return "Accès aux soins"
	case SectionPublics:
		return "Publics"
	case SectionObstacles:
		return "Freins"
	case SectionActions:
		return "Actions collectives et partenaires"
	case SectionReviews:
		return "Bilans annuels"
	}
	return string(s)
}

// SectionText is one section as a message: its heading with the territory
// and period (it may be read apart from the key figures), then its figures.
// Counts in brackets there are shares, with their % sign.
func (r *Report) SectionText(s Section) string {
	who := r.Label
	if r.Own {
		who = "vos chiffres"
	}
	head := s.title() + " – " + who + "\n" + capitalize(r.Period.Label())
	return fit([]string{head, r.sectionBody(s)})
}

func (r *Report) sectionBody(s Section) string {
	switch s {
	case SectionRights:
		return r.textRequestSection(r.Rights, func(d *Breakdown) (int, int) { return d.RightsRequests, d.RightsResolved })
	case SectionCare:
		return r.textRequestSection(r.Care, func(d *Breakdown) (int, int) { return d.CareRequests, d.CareResolved })
	case SectionPublics:
		return r.textPublics()
	case SectionObstacles:
		return r.textObstacles()
	case SectionActions:
		return strings.Join(r.textActivities(), "\n\n")
	case SectionReviews:
		if r.Review == nil {
			return ""
		}
		return r.textReview(r.Review)
	}
	return ""
}

// textRequestSection is one kind of requests: the count and resolved
// share, each type's count, and each département's when several.
func (r *Report) textRequestSection(q Requests, byDep func(*Breakdown) (requests, resolved int)) string {
	if q.Total == 0 {
		return "Aucune demande sur la période."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, dont %s (%d %%)\nPar type :", frtext.Plural(q.Total, "demande", "demandes"),
		frtext.Plural(q.Resolved, "résolue", "résolues"), q.ResolvedPct())
	types := q.Types()
	slices.SortStableFunc(types, func(a, b TypeCount) int { return cmp.Compare(b.Count, a.Count) })
	for _, t := range types {
		if t.Count > 0 {
			fmt.Fprintf(&b, "\n- %s : %s", t.Label, countPct(t.Count, q.Total))
		}
	}
	deps := r.Departements()
	if len(deps) < 2 {
		return b.String()
	}
	b.WriteString("\n\nPar département : demandes, dont résolues")
	for _, d := range deps {
		n, resolved := byDep(d)
		name := codes.DepartementLabel(d.Code)
		if n == 0 {
			fmt.Fprintf(&b, "\n%s : aucune demande", name)
			continue
		}
		fmt.Fprintf(&b, "\n%s : %s, dont %s", name, frtext.Number(n), countPct(resolved, n))
	}
	return b.String()
}

// textPublics is who the mediators met. People are counted once
// (personnes distinctes); sex, QPV, age, resources, contact and level are
// written on each sheet, so they are counted in sheets, and each line says
// which.
func (r *Report) textPublics() string {
	if r.Sheets == 0 {
		return "Aucune fiche sur la période."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Personnes distinctes : %s", frtext.Number(r.People))
	if r.Scope.Kind == KindMediator {
		fmt.Fprintf(&b, ", dont en QPV : %s", frtext.Number(r.PerMediator.DistinctPeopleQPV.Round()))
	} else {
		pm := r.PerMediator
		b.WriteString("\nMoyennes par médiateur, en personnes distinctes :")
		fmt.Fprintf(&b, "\n- personnes accompagnées : %s, dont en QPV : %s",
			frtext.Number(pm.DistinctPeople.Round()), frtext.Number(pm.DistinctPeopleQPV.Round()))
		fmt.Fprintf(&b, "\n- personnes avec une demande d'accès aux droits : %s · aux soins : %s", frtext.Number(pm.RightsPeople.Round()), frtext.Number(pm.CarePeople.Round()))
		fmt.Fprintf(&b, "\n- personnes orientées vers la protection sociale : %s", frtext.Number(pm.SocialProtection.Round()))
	}
	t := r.Total
	fmt.Fprintf(&b, "\n\nFiches : %s\n- par sexe : ", frtext.Number(r.Sheets))
	var sexes []string
	for _, c := range codes.Sex {
		if n := t.Sex[c.Code]; n > 0 || c.Code != "X" {
			sexes = append(sexes, codes.Plural("sex", c.Code)+" "+countPct(n, t.Sheets))
		}
	}
	b.WriteString(strings.Join(sexes, " · "))
	fmt.Fprintf(&b, "\n- en QPV : %s", countPct(t.QPV["oui"], t.Sheets))
	if t.AgeKnown > 0 {
		fmt.Fprintf(&b, "\n- âge moyen : %d ans", t.Age.Round())
	}
	parts := []string{b.String()}
	if deps := r.Departements(); len(deps) > 1 {
		var d strings.Builder
		d.WriteString("Par département, en fiches : total · femmes · en QPV · âge moyen")
		for _, row := range deps {
			name := codes.DepartementLabel(row.Code)
			if row.Sheets == 0 {
				fmt.Fprintf(&d, "\n%s : aucune fiche", name)
				continue
			}
			fmt.Fprintf(&d, "\n%s : %s · %s · %s", name, frtext.Number(row.Sheets),
				countPct(row.Sex["F"], row.Sheets), countPct(row.QPV["oui"], row.Sheets))
			if row.AgeKnown > 0 {
				fmt.Fprintf(&d, " · %d ans", row.Age.Round())
			}
		}
		parts = append(parts, d.String())
	}
	parts = append(parts,
		textShares("Ressources principales, en fiches", codes.Resources, t.Resources),
		textShares("Mode de contact, en fiches", codes.ContactModes, t.ContactMode),
		textShares("Niveau d'accompagnement, en fiches", codes.Levels, t.Level),
	)
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// textObstacles is the obstacles: how many sheets cite one, then each
// obstacle's share of the mentions (a sheet may cite several).
func (r *Report) textObstacles() string {
	t := r.Total
	if t == nil || r.Sheets == 0 {
		return "Aucune fiche sur la période."
	}
	head := fmt.Sprintf("Fiches citant au moins un frein : %s sur %s", countPct(t.ObstacleSheets, r.Sheets), frtext.Number(r.Sheets))
	shares := textShares("Part de chaque frein dans les mentions (une fiche peut en citer plusieurs)", codes.Obstacles, t.Obstacles)
	if shares == "" {
		return head
	}
	return head + "\n\n" + shares
}
