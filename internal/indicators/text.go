package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/codes"
)

// MaxMessage is Telegram's limit for one message, in UTF-16 units.
const MaxMessage = 4096

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
		r.textProfile(),
		r.textDepartements(),
		textRequests("Accès aux droits", r.Rights),
		textRequests("Accès aux soins", r.Care),
		r.textFollowUps(),
	)
	sections = append(sections, r.textActivities()...)
	sections = append(sections,
		textShares("Freins (part des mentions)", codes.Obstacles, r.Total.Obstacles),
		textShares("Ressources principales", codes.Resources, r.Total.Resources),
		textShares("Premier contact", codes.ContactModes, r.Total.ContactMode),
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
		if MessageLen(msg) <= MaxMessage {
			return msg
		}
		kept = kept[:len(kept)-1]
	}
	msg := strings.Join(kept, "\n\n")
	for MessageLen(msg) > MaxMessage {
		_, size := utf8.DecodeLastRuneInString(msg)
		msg = msg[:len(msg)-size]
	}
	return msg
}

// MessageLen is a text's length as Telegram counts it against MaxMessage.
func MessageLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (r *Report) textHeader() string {
	if r.Own {
		return "Vos chiffres\n" + capitalize(r.Period.Label())
	}
	return fmt.Sprintf("Indicateurs – %s\n%s", r.Label, capitalize(r.Period.Label()))
}

func (r *Report) textKeyFigures() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fiches : %s\n", Number(r.Sheets))
	if r.Scope.Kind == KindMediator {
		fmt.Fprintf(&b, "Personnes distinctes : %s", Number(r.People))
		pm := r.PerMediator
		fmt.Fprintf(&b, ", dont en QPV : %s\n", Number(pm.DistinctPeopleQPV.Round()))
		fmt.Fprintf(&b, "Personnes pour les droits : %s · pour les soins : %s\n",
			Number(pm.RightsPeople.Round()), Number(pm.CarePeople.Round()))
		fmt.Fprintf(&b, "Orientées vers la protection sociale : %s", Number(pm.SocialProtection.Round()))
		return b.String()
	}
	fmt.Fprintf(&b, "Médiateurs actifs : %s", Number(r.Mediators))
	if r.Posts > 0 {
		fmt.Fprintf(&b, " (postes : %s)", Number(r.Posts))
	}
	fmt.Fprintf(&b, "\nPersonnes distinctes : %s\n", Number(r.People))
	pm := r.PerMediator
	b.WriteString("Moyennes par médiateur :\n")
	fmt.Fprintf(&b, "- personnes : %s, dont en QPV : %s\n",
		Number(pm.DistinctPeople.Round()), Number(pm.DistinctPeopleQPV.Round()))
	fmt.Fprintf(&b, "- droits : %s · soins : %s\n", Number(pm.RightsPeople.Round()), Number(pm.CarePeople.Round()))
	fmt.Fprintf(&b, "- orientées protection sociale : %s", Number(pm.SocialProtection.Round()))
	return b.String()
}

func (r *Report) textProfile() string {
	t := r.Total
	s := fmt.Sprintf("Femmes %d %% · hommes %d %%", Pct(t.Sex["F"], t.Sheets), Pct(t.Sex["M"], t.Sheets))
	if t.Sex["X"] > 0 {
		s += fmt.Sprintf(" · non binaires %d %%", Pct(t.Sex["X"], t.Sheets))
	}
	s += fmt.Sprintf("\nEn QPV %d %%", Pct(t.QPV["oui"], t.Sheets))
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
	b.WriteString("Par département : fiches · femmes · QPV · âge")
	for _, d := range deps {
		if d.Sheets == 0 {
			fmt.Fprintf(&b, "\n%s : aucune fiche", d.Label)
			continue
		}
		fmt.Fprintf(&b, "\n%s : %s · %d %% · %d %%", d.Label, Number(d.Sheets),
			Pct(d.Sex["F"], d.Sheets), Pct(d.QPV["oui"], d.Sheets))
		if d.AgeKnown > 0 {
			fmt.Fprintf(&b, " · %d ans", d.Age.Round())
		}
	}
	return b.String()
}

func textRequests(title string, q Requests) string {
	if q.Total == 0 {
		return title + " : aucune demande"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s : %s, %d %% résolues", title, Plural(q.Total, "demande", "demandes"), q.ResolvedPct())
	types := q.Types()
	slices.SortStableFunc(types, func(a, b TypeCount) int { return cmp.Compare(b.Count, a.Count) })
	for _, t := range types {
		if t.Count > 0 {
			fmt.Fprintf(&b, "\n- %s : %s (%d %%)", shorten(t.Label, 48), Number(t.Count), Pct(t.Count, q.Total))
		}
	}
	return b.String()
}

func (r *Report) textFollowUps() string {
	f := r.FollowUps
	return fmt.Sprintf("Suivi des demandes : %s et %s sur la période ; %s",
		Plural(f.Opened, "demande enregistrée", "demandes enregistrées"), Plural(f.Resolved, "résolue", "résolues"), overdue(f.Overdue))
}

// overdue names the requests still waiting after their follow-up date.
func overdue(n int) string {
	if n == 0 {
		return "aucun suivi en retard"
	}
	return Plural(n, "suivi en retard (demande non résolue, date de suivi passée)", "suivis en retard (demandes non résolues, date de suivi passée)")
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
		fmt.Fprintf(&b, "\n- %s : %d %%", shorten(s.label, 40), Pct(s.n, total))
	}
	return b.String()
}

// shorten cuts a long label to n characters with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:n-1])) + "…"
}

// Plural writes a count with its noun in French: "0 demande", "1 demande",
// "2 demandes" (0 and 1 take the singular), thousands spaced.
func Plural(n int, one, many string) string {
	if n > 1 || n < -1 {
		return Number(n) + " " + many
	}
	return Number(n) + " " + one
}

// Number writes n the French way, thousands separated by a space: 4 175.
func Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Digest is the weekly message: the week's figures with their change from
// the previous week, then the year to date. The three reports share a scope.
func Digest(week, previous, yearToDate *Report) string {
	var b strings.Builder
	if week.Own {
		fmt.Fprintf(&b, "Votre semaine\n%s\n\n", capitalize(week.Period.Label()))
	} else {
		fmt.Fprintf(&b, "Votre semaine – %s\n%s\n\n", week.Label, capitalize(week.Period.Label()))
	}
	line := func(label string, now, before int) {
		fmt.Fprintf(&b, "%s : %s (%s)\n", label, Number(now), change(now, before))
	}
	line("Fiches", week.Sheets, previous.Sheets)
	line("Personnes distinctes", week.People, previous.People)
	line("Demandes enregistrées", week.FollowUps.Opened, previous.FollowUps.Opened)
	line("Demandes résolues", week.FollowUps.Resolved, previous.FollowUps.Resolved)
	if now, before := actionCount(week), actionCount(previous); now > 0 || before > 0 {
		line("Actions collectives", now, before)
	}
	fmt.Fprintf(&b, "Suivis en retard (date de suivi passée) : %s\n", Number(week.FollowUps.Overdue))
	if week.Scope.Kind != KindMediator {
		fmt.Fprintf(&b, "Médiateurs actifs : %s\n", Number(week.Mediators))
	}
	y := yearToDate
	fmt.Fprintf(&b, "\nDepuis le %s : %s, %s, %s (%d %% des demandes d'accès aux droits et %d %% de celles d'accès aux soins résolues)",
		frDate(y.Period.From), Plural(y.Sheets, "fiche", "fiches"), Plural(y.People, "personne distincte", "personnes distinctes"),
		Plural(y.Rights.Total+y.Care.Total, "demande", "demandes"), y.Rights.ResolvedPct(), y.Care.ResolvedPct())
	return fit([]string{b.String()})
}

// change says how a figure moved since the previous week.
func change(now, before int) string {
	switch d := now - before; {
	case d > 0:
		return fmt.Sprintf("+%s par rapport à la semaine précédente", Number(d))
	case d < 0:
		return fmt.Sprintf("−%s par rapport à la semaine précédente", Number(-d))
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
