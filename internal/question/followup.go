package question

import (
	"slices"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

// Memory is a chat's last question answered, kept a few minutes so that
// « et l'an dernier ? » or « par département » apply to it. It holds the
// query only: no text typed, no figure.
type Memory struct {
	Key       string    `json:"key"`
	Territory Territory `json:"territory"`
	From      string    `json:"from,omitempty"` // "" when no period was said
	To        string    `json:"to,omitempty"`
	Own       bool      `json:"own,omitempty"`
	At        time.Time `json:"at"`
}

// Remember is q, answered for territory t at time at, as a Memory.
func Remember(q Query, t Territory, at time.Time) Memory {
	m := Memory{Key: q.Key(), Territory: t, Own: q.Own, At: at}
	if q.PeriodSaid {
		m.From, m.To = q.Period.From.Format(time.DateOnly), q.Period.To.Format(time.DateOnly)
	}
	return m
}

// Query reads a Memory back; false when it names no indicator or period
// of the catalogue.
func (m Memory) Query(today time.Time) (Query, bool) {
	q, ok := ParseKey(m.Key)
	if !ok {
		return Query{}, false
	}
	q.Territory, q.Own = m.Territory, m.Own
	q.Period = indicators.YearToDate(today)
	if m.From != "" {
		from, err1 := time.Parse(time.DateOnly, m.From)
		to, err2 := time.Parse(time.DateOnly, m.To)
		p := indicators.Days(from, to)
		if err1 != nil || err2 != nil || p.Validate() != nil {
			return Query{}, false
		}
		q.Period, q.PeriodSaid = p, true
	}
	return q, true
}

// FollowUp reads q as a follow-up of last: « et l'an dernier ? », « et
// dans le Nord ? », « par département » (no indicator: last's, with what
// q says changed), or « et les demandes de soins ? » (an indicator after
// « et »: last's territory and period unless q names its own). ok is
// false when q is a question of its own, or holds words not understood.
func FollowUp(q, last Query) (Query, bool) {
	if len(q.Unknown) > 0 || len(q.Foreign) > 0 || q.Conflict != "" || len(q.Ambiguous) > 0 || last.Indicator == "" {
		return q, false
	}
	var out Query
	switch {
	case q.Indicator == "":
		if !q.Continues && !q.Territory.Said() && !q.PeriodSaid && q.Breakdown == "" {
			return q, false
		}
		out = last
		out.Unsupported, out.Mismatch = q.Unsupported, q.Mismatch
		if q.Breakdown != "" {
			out.Breakdown = q.Breakdown
		}
		// « et le taux ? » after requests: their resolution rate; « et la
		// part ? » of a kind or type: its share of all requests
		switch {
		case q.shareWord == "":
		case requestFamily(last.Indicator) && (q.shareWord == "taux" || q.shareWord == "tx"):
			out.Indicator = Rate
		case last.Indicator == Requests && last.Code != "":
			out.share = true
		default:
			return q, false // a share of a count that has none: not understood
		}
	case q.Continues && q.unit == "" && dimensionIndicator(q.Indicator) && last.Indicator != q.Indicator &&
		!(q.Indicator == PeopleQPV && last.Indicator == QPV):
		// « et en QPV ? », « et pour les femmes ? »: a filter on the last
		// question, applied when its indicator can, reported when not
		out = q
		switch {
		case last.Indicator == Sheets && q.Indicator == PeopleQPV:
			out.Indicator = QPV
		case last.Indicator == Sheets:
		case last.Indicator == People && q.Indicator == PeopleQPV:
		case last.Indicator == People:
			out.checkUnit(unitPeople)
		default:
			out = last
			out.Unsupported = append(slices.Clone(last.Unsupported), filterOf(q))
		}
	case q.Continues:
		out = q
		// « et les résolues ? » after the CSS requests: the resolved CSS requests
		if q.Code == "" && q.Breakdown == "" && requestFamily(q.Indicator) && requestFamily(last.Indicator) {
			out.Code = last.Code
		}
	default:
		return q, false
	}
	out.Continues = false
	out.Territory = last.Territory
	if q.Territory.Said() {
		out.Territory = q.Territory
	} else if out.Breakdown == ByDepartement && (last.Territory.Kind == indicators.KindDepartement || last.Territory.Kind == indicators.KindStructure) {
		out.Territory = Territory{} // « par département » of a département's question: the asker's whole territory
	}
	out.Period, out.PeriodSaid = q.Period, q.PeriodSaid
	switch {
	case !q.PeriodSaid && last.PeriodSaid:
		out.Period, out.PeriodSaid = last.Period, true
	case q.yearless && last.PeriodSaid && last.Period.From.Year() == last.Period.To.Year():
		out.Period = inYear(q.Period, last.Period.From.Year()) // « et en avril ? » after March 2024: April 2024
	case q.yearBefore && last.PeriodSaid:
		// « et l'année d'avant ? » after 2024: 2023, after March 2024: March 2023
		out.Period = indicators.Days(last.Period.From.AddDate(-1, 0, 0), last.Period.To.AddDate(-1, 0, 0))
		if last.Period.From.Year() == last.Period.To.Year() {
			out.Period = inYear(last.Period, last.Period.From.Year()-1)
		}
	}
	out.Own = q.Own || last.Own
	return out, true
}

// inYear moves p, within one year, to year y; a period ending on a
// month's last day ends on that month's last day.
func inYear(p indicators.Period, y int) indicators.Period {
	if p.From.Year() != p.To.Year() {
		return p
	}
	from := time.Date(y, p.From.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p.From.Day()-1)
	to := time.Date(y, p.To.Month(), 1, 0, 0, 0, 0, time.UTC)
	if end := indicators.Month(p.To).To; indicators.Day(p.To).Equal(indicators.Day(end)) {
		to = indicators.Month(to).To
	} else {
		to = to.AddDate(0, 0, p.To.Day()-1)
	}
	return indicators.Days(from, to)
}

// dimensionIndicator tells whether ind counts sheets (or people) by one
// dimension: asked after « et », it is a filter on the last question.
func dimensionIndicator(ind string) bool {
	switch ind {
	case QPV, PeopleQPV, Sex, Resources, Contact, Level, Obstacles:
		return true
	}
	return false
}

// filterOf names the dimension of a dimension indicator, as a filter.
func filterOf(q Query) string {
	if q.Indicator == QPV || q.Indicator == PeopleQPV {
		return dimensionLabels[cQPV]
	}
	return dimensionLabels[dimensionOf(q.Indicator)]
}

func requestFamily(ind string) bool {
	return ind == Requests || ind == Resolved || ind == Rate || ind == Open
}
