package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
)

// Text is the report as one compact plain-text French message for Telegram:
// short lines, the most useful figures first. It never exceeds MaxMessage;
// when a very wide scope would, the least important sections are dropped.
func (r *Report) Text() string {
	sections := []string{r.textHeader()}
	if r.Sheets == 0 {
		sections = append(sections, "Aucune fiche sur cette période.", r.textFollowUps())
		sections = append(sections, r.textActivities()...)
		return fit(sections)
	}
	sections = append(sections,
		r.textKeyFigures(),
		r.textTrend(),
		r.textProfile(),
		r.textDepartements(),
		textRequests("Accès aux droits", r.Rights, r.before(func(k KeyFigures) int { return k.RightsRequests })),
		textRequests("Accès aux soins", r.Care, r.before(func(k KeyFigures) int { return k.CareRequests })),
		r.textRequestsByDepartement(),
		r.textFollowUps(),
	)
	sections = append(sections, r.textActivities()...)
	sections = append(sections,
		textShares("Freins (part des mentions)", codes.Obstacles, r.Total.Obstacles),
		textShares("Ressources principales", codes.Resources, r.Total.Resources),
		textShares("Mode de contact", codes.ContactModes, r.Total.ContactMode),
		textShares("Niveau d'accompagnement", codes.Levels, r.Total.Level),
	)
	return fit(sections)
}

// fit joins sections with blank lines, dropping the last ones while the
// message is too long for Telegram.
func fit(sections []string) string {
	var kept []string
	for _, s := range sections {
		if s != "" {
			kept = append(kept, s)
		}
	}
	for len(kept) > 1 {
		msg := strings.Join(kept, "\n\n")
		if frtext.MessageLen(msg) <= frtext.MaxMessage {
			return msg
		}
		kept = kept[:len(kept)-1]
	}
	msg := strings.Join(kept, "\n\n")
	for frtext.MessageLen(msg) > frtext.MaxMessage {
		_, size := utf8.DecodeLastRuneInString(msg)
		msg = msg[:len(msg)-size]
	}
	return msg
}

func (r *Report) textHeader() string {
	if r.Own {
		return "Vos chiffres\n" + capitalize(r.Period.Label())
	}
	return fmt.Sprintf("Indicateurs – %s\n%s", r.Label, capitalize(r.Period.Label()))
}

func (r *Report) textKeyFigures() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fiches : %s%s\n", frtext.Number(r.Sheets), r.before(func(k KeyFigures) int { return k.Sheets }))
	if r.Scope.Kind == KindMediator {
		fmt.Fprintf(&b, "Personnes distinctes : %s", frtext.Number(r.People))
		pm := r.PerMediator
		fmt.Fprintf(&b, ", dont en QPV : %s\n", frtext.Number(pm.DistinctPeopleQPV.Round()))
		fmt.Fprintf(&b, "Personnes pour les droits : %s · pour les soins : %s\n",
			frtext.Number(pm.RightsPeople.Round()), frtext.Number(pm.CarePeople.Round()))
		fmt.Fprintf(&b, "Orientées vers la protection sociale : %s", frtext.Number(pm.SocialProtection.Round()))
		return b.String()
	}
	fmt.Fprintf(&b, "Médiateurs actifs : %s", frtext.Number(r.Mediators))
	if r.Posts > 0 {
		fmt.Fprintf(&b, " sur %s", frtext.Plural(r.Posts, "poste", "postes"))
	}
	b.WriteString(r.before(func(k KeyFigures) int { return k.Mediators }))
	fmt.Fprintf(&b, "\nPersonnes distinctes : %s%s\n", frtext.Number(r.People), r.before(func(k KeyFigures) int { return k.People }))
	pm := r.PerMediator
	b.WriteString("Moyennes par médiateur, en personnes distinctes :\n")
	fmt.Fprintf(&b, "- personnes accompagnées : %s, dont en QPV : %s\n",
		frtext.Number(pm.DistinctPeople.Round()), frtext.Number(pm.DistinctPeopleQPV.Round()))
	fmt.Fprintf(&b, "- personnes avec une demande d'accès aux droits : %s · aux soins : %s\n", frtext.Number(pm.RightsPeople.Round()), frtext.Number(pm.CarePeople.Round()))
	fmt.Fprintf(&b, "- personnes orientées vers la protection sociale : %s", frtext.Number(pm.SocialProtection.Round()))
	return b.String()
}

func (r *Report) textProfile() string {
	t := r.Total
	s := fmt.Sprintf("Femmes %s · hommes %s", countPct(t.Sex["F"], t.Sheets), countPct(t.Sex["M"], t.Sheets))
	if t.Sex["X"] > 0 {
		s += fmt.Sprintf(" · non binaires %s", countPct(t.Sex["X"], t.Sheets))
	}
	s += fmt.Sprintf("\nEn QPV %s", countPct(t.QPV["oui"], t.Sheets))
	if t.AgeKnown > 0 {
		s += fmt.Sprintf(" · âge moyen %d ans", t.Age.Round())
	}
	return s
}

func (r *Report) textDepartements() string {
	deps := r.Departements()
	if len(deps) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Par département : fiches · femmes · en QPV · âge moyen")
	for _, d := range deps {
		if d.Sheets == 0 {
			fmt.Fprintf(&b, "\n%s : aucune fiche", d.Label)
			continue
		}
		fmt.Fprintf(&b, "\n%s : %s · %s · %s", d.Label, frtext.Number(d.Sheets),
			countPct(d.Sex["F"], d.Sheets), countPct(d.QPV["oui"], d.Sheets))
		if d.AgeKnown > 0 {
			fmt.Fprintf(&b, " · %d ans", d.Age.Round())
		}
	}
	return b.String()
}

func textRequests(title string, q Requests, before string) string {
	if q.Total == 0 {
		return title + " : aucune demande" + before
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s : %s%s, %s (%d %%)", title, frtext.Plural(q.Total, "demande", "demandes"), before, frtext.Plural(q.Resolved, "résolue", "résolues"), q.ResolvedPct())
	types := q.Types()
	slices.SortStableFunc(types, func(a, b TypeCount) int { return cmp.Compare(b.Count, a.Count) })
	for _, t := range types {
		if t.Count > 0 {
			fmt.Fprintf(&b, "\n- %s : %s (%d %%)", t.Label, frtext.Number(t.Count), Pct(t.Count, q.Total))
		}
	}
	return b.String()
}

// textRequestsByDepartement gives each département's requests and how many
// are resolved, when the scope covers several.
func (r *Report) textRequestsByDepartement() string {
	deps := r.Departements()
	if len(deps) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Demandes par département, dont résolues :")
	for _, d := range deps {
		if d.RightsRequests+d.CareRequests == 0 {
			fmt.Fprintf(&b, "\n%s : aucune demande", d.Label)
			continue
		}
		fmt.Fprintf(&b, "\n%s : droits %s, dont %s · soins %s, dont %s", d.Label,
			frtext.Number(d.RightsRequests), countPct(d.RightsResolved, d.RightsRequests),
			frtext.Number(d.CareRequests), countPct(d.CareResolved, d.CareRequests))
	}
	return b.String()
}

func (r *Report) textFollowUps() string {
	f := r.FollowUps
	return fmt.Sprintf("Suivi des demandes : %s et %s sur la période.\n%s",
		frtext.Plural(f.Opened, "demande enregistrée", "demandes enregistrées"), frtext.Plural(f.Resolved, "résolue", "résolues"), overdue(f))
}

// overdue names the requests still waiting after their follow-up date. It
// is about today, whatever the period: it says so, with the day, so a past
// year's report does not seem to hold today's backlog.
func overdue(f FollowUps) string {
	day := "À ce jour (" + frAsOf(f.AsOf) + ")"
	if f.Overdue == 0 {
		return day + " : aucun suivi en retard"
	}
	return day + " : " + frtext.Plural(f.Overdue, "suivi en retard (demande non résolue, date de suivi passée), toutes dates de fiche confondues",
		"suivis en retard (demandes non résolues, date de suivi passée), toutes dates de fiche confondues")
}

// countPct writes a count with its share: "978 (55 %)".
func countPct(n, total int) string {
	return fmt.Sprintf("%s (%d %%)", frtext.Number(n), Pct(n, total))
}

// textShares lists the non-zero codes of counts with their share, largest
// first.
func textShares(title string, list codes.List, counts map[string]int) string {
	total := 0
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		return ""
	}
	type share struct {
		label string
		n     int
	}
	var shares []share
	for _, c := range list {
		if counts[c.Code] > 0 {
			shares = append(shares, share{c.Label, counts[c.Code]})
		}
	}
	for code, n := range counts {
		if n > 0 && !list.Has(code) {
			shares = append(shares, share{code, n})
		}
	}
	slices.SortStableFunc(shares, func(a, b share) int { return cmp.Compare(b.n, a.n) })
	var b strings.Builder
	b.WriteString(title + " :")
	for _, s := range shares {
		fmt.Fprintf(&b, "\n- %s : %s", s.label, countPct(s.n, total))
	}
	return b.String()
}

// Digest is the weekly message: the week's figures with their change from
// the previous week, then the year to date. The three reports share a scope.
func Digest(week, previous, yearToDate *Report) string {
	var b strings.Builder
	if week.Own {
		fmt.Fprintf(&b, "Résumé du lundi\nVotre semaine, %s\n\n", week.Period.Label())
	} else {
		fmt.Fprintf(&b, "Résumé du lundi – %s\nVotre semaine, %s\n\n", week.Label, week.Period.Label())
	}
	line := func(label string, now, before int) {
		fmt.Fprintf(&b, "%s : %s (%s)\n", label, frtext.Number(now), change(now, before))
	}
	line("Fiches", week.Sheets, previous.Sheets)
	line("Personnes distinctes", week.People, previous.People)
	line("Demandes enregistrées", week.FollowUps.Opened, previous.FollowUps.Opened)
	line("Demandes résolues", week.FollowUps.Resolved, previous.FollowUps.Resolved)
	if now, before := actionCount(week), actionCount(previous); now > 0 || before > 0 {
		line("Actions collectives", now, before)
	}
	fmt.Fprintf(&b, "Suivis en retard à ce jour (date de suivi passée, toutes fiches) : %s\n", frtext.Number(week.FollowUps.Overdue))
	if week.Scope.Kind != KindMediator {
		fmt.Fprintf(&b, "Médiateurs actifs : %s\n", frtext.Number(week.Mediators))
	}
	y := yearToDate
	fmt.Fprintf(&b, "\nDepuis le %s : %s, %s, %s ; résolues : accès aux droits %s sur %s (%d %%), accès aux soins %s sur %s (%d %%)",
		frDate(y.Period.From), frtext.Plural(y.Sheets, "fiche", "fiches"), frtext.Plural(y.People, "personne distincte", "personnes distinctes"),
		frtext.Plural(y.Rights.Total+y.Care.Total, "demande", "demandes"), frtext.Number(y.Rights.Resolved), frtext.Number(y.Rights.Total), y.Rights.ResolvedPct(),
		frtext.Number(y.Care.Resolved), frtext.Number(y.Care.Total), y.Care.ResolvedPct())
	return fit([]string{b.String()})
}

// change says how a figure moved since the previous week.
func change(now, before int) string {
	switch d := now - before; {
	case d > 0:
		return fmt.Sprintf("+%s par rapport à la semaine précédente", frtext.Number(d))
	case d < 0:
		return fmt.Sprintf("−%s par rapport à la semaine précédente", frtext.Number(-d))
	}
	return "comme la semaine précédente"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[size:]
}
