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

// Text is the whole report in one plain-text French message: the key
// figures, then every section. It never exceeds MaxMessage; when a very
// wide scope would, the last sections are dropped. The chat sends the key
// figures (Summary) and each section on its button instead.
func (r *Report) Text() string {
	parts := []string{r.Summary()}
	for _, s := range AllSections {
		parts = append(parts, s.title()+"\n"+r.sectionBody(s))
	}
	return fit(parts)
}

// Summary is the key figures of the report, short enough for a phone
// screen (about 25 lines for the region): the period compared with a year
// earlier, said once, then the counts, each with its unit named.
func (r *Report) Summary() string {
	head := r.textHeader()
	if c := r.comparison(); c != "" {
		head += "\n" + c
	}
	if r.Sheets == 0 {
		return fit([]string{head, "Aucune fiche sur cette période.\n" + r.textOverdue() + "\n" + r.textActionCount()})
	}
	return fit([]string{head, r.textKeyFigures(), r.textTrend(), r.textDepartements()})
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

// textKeyFigures are the counts of the key figures, each followed by the
// same count a year earlier in brackets (the comparison line says so).
func (r *Report) textKeyFigures() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fiches : %s%s\n", frtext.Number(r.Sheets), r.before(func(k KeyFigures) int { return k.Sheets }))
	fmt.Fprintf(&b, "Personnes distinctes : %s%s", frtext.Number(r.People), r.before(func(k KeyFigures) int { return k.People }))
	if r.Scope.Kind == KindMediator {
		pm := r.PerMediator
		fmt.Fprintf(&b, ", dont en QPV : %s\n", frtext.Number(pm.DistinctPeopleQPV.Round()))
		fmt.Fprintf(&b, "Personnes avec une demande d'accès aux droits : %s · aux soins : %s\n",
			frtext.Number(pm.RightsPeople.Round()), frtext.Number(pm.CarePeople.Round()))
		fmt.Fprintf(&b, "Personnes orientées vers la protection sociale : %s\n", frtext.Number(pm.SocialProtection.Round()))
	} else {
		fmt.Fprintf(&b, "\nMédiateurs actifs : %s", frtext.Number(r.Mediators))
		if r.Posts > 0 {
			fmt.Fprintf(&b, " sur %s", frtext.Plural(r.Posts, "poste", "postes"))
		}
		b.WriteString(r.before(func(k KeyFigures) int { return k.Mediators }) + "\n")
	}
	requests := func(what string, q Requests, before func(KeyFigures) int) {
		fmt.Fprintf(&b, "Demandes d'accès aux %s : %s%s", what, frtext.Number(q.Total), r.before(before))
		if q.Total > 0 {
			fmt.Fprintf(&b, ", résolues à %d %%", q.ResolvedPct())
		}
		b.WriteString("\n")
	}
	requests("droits", r.Rights, func(k KeyFigures) int { return k.RightsRequests })
	requests("soins", r.Care, func(k KeyFigures) int { return k.CareRequests })
	fmt.Fprintf(&b, "Demandes résolues pendant la période, fiches de toutes dates : %s\n", frtext.Number(r.FollowUps.Resolved))
	b.WriteString(r.textOverdue())
	if s := r.textActionCount(); s != "" {
		b.WriteString("\n" + s)
	}
	return b.String()
}

// textOverdue names the requests still waiting after their follow-up date.
// It is about today, whatever the period: it says so, with the day, so a
// past year's figures do not seem to hold today's backlog.
func (r *Report) textOverdue() string {
	f := r.FollowUps
	n := "aucun"
	if f.Overdue > 0 {
		n = frtext.Number(f.Overdue)
	}
	return "Suivis en retard au " + frAsOf(f.AsOf) + ", fiches de toutes dates : " + n
}

// textActionCount is the collective actions' one line of the key figures.
func (r *Report) textActionCount() string {
	if r.Actions == nil {
		return ""
	}
	t := r.Actions.Total
	if t.Actions == 0 {
		return "Actions collectives : aucune"
	}
	return fmt.Sprintf("Actions collectives : %s, avec %s", frtext.Number(t.Actions), frtext.Plural(t.Participants, "participant", "participants"))
}

// textDepartements gives each département's sheets and active mediators,
// when the scope covers several: both units are written out, no count is
// left in brackets to guess.
func (r *Report) textDepartements() string {
	deps := r.Departements()
	if len(deps) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Par département : fiches, médiateurs actifs")
	for _, d := range deps {
		name := codes.DepartementLabel(d.Code)
		if d.Sheets == 0 {
			fmt.Fprintf(&b, "\n%s : aucune fiche", name)
			continue
		}
		fmt.Fprintf(&b, "\n%s : %s, %s", name, frtext.Plural(d.Sheets, "fiche", "fiches"), frtext.Plural(d.Mediators, "médiateur", "médiateurs"))
	}
	return b.String()
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
