package indicators

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/frtext"
)

// History is a report's figures put in time: the same period one year
// earlier, and the sheets and requests of the twelve months ending with
// the period's last month.
type History struct {
	PreviousPeriod Period       `json:"previous_period"`
	Previous       KeyFigures   `json:"previous"`
	Months         []MonthCount `json:"months"`
}

// KeyFigures are the main figures compared with the previous year.
type KeyFigures struct {
	Sheets         int `json:"sheets"`
	Mediators      int `json:"mediators"`
	People         int `json:"people"`
	RightsRequests int `json:"rights_requests"`
	RightsResolved int `json:"rights_resolved"`
	CareRequests   int `json:"care_requests"`
	CareResolved   int `json:"care_resolved"`
}

// MonthCount is one month of the trend.
type MonthCount struct {
	Month  string `json:"month"` // 2024-03
	Sheets int    `json:"sheets"`
}

// YearBefore is p one year earlier (29 February becomes the 28th).
func YearBefore(p Period) Period {
	back := func(t time.Time) time.Time {
		d := Day(t)
		y := time.Date(d.Year()-1, d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		if y.Month() != d.Month() {
			y = y.AddDate(0, 0, -y.Day())
		}
		return y
	}
	return Period{From: back(p.From), To: back(p.To)}
}

// computeHistory counts only the main figures of the year before (the
// same definitions as computeSheets and computeRequests), not a whole
// second report, and the sheets of twelve months; from the rollups when
// they answer the year before (rollups: the report reads them).
func computeHistory(ctx context.Context, db Querier, r *Report, s Scope, rollups bool) error {
	prevPeriod := YearBefore(r.Period)
	if span, start, ok := rollupSpan(prevPeriod); ok && rollups {
		return rollupHistory(ctx, db, r, s, span, start)
	}
	h := &History{PreviousPeriod: prevPeriod}
	cond, args := s.Filter("m", 3)
	args = append([]any{prevPeriod.From, prevPeriod.To}, args...)
	k := &h.Previous
	err := db.QueryRow(ctx, `
SELECT count(*), count(DISTINCT s.mediator_id), count(DISTINCT s.beneficiary_id)
FROM sheets s JOIN mediators m ON m.id = s.mediator_id
WHERE s.date BETWEEN $1 AND $2 AND `+cond, args...).Scan(&k.Sheets, &k.Mediators, &k.People)
	if err != nil {
		return fmt.Errorf("compute history: year before: %w", err)
	}
	err = db.QueryRow(ctx, `
SELECT count(*) FILTER (WHERE q.kind = 'droits'), count(*) FILTER (WHERE q.kind = 'droits' AND q.status = 'resolue'),
       count(*) FILTER (WHERE q.kind = 'soins'), count(*) FILTER (WHERE q.kind = 'soins' AND q.status = 'resolue')
FROM requests q JOIN sheets s ON s.id = q.sheet_id JOIN mediators m ON m.id = s.mediator_id
WHERE s.date BETWEEN $1 AND $2 AND `+cond, args...).Scan(&k.RightsRequests, &k.RightsResolved, &k.CareRequests, &k.CareResolved)
	if err != nil {
		return fmt.Errorf("compute history: year before: %w", err)
	}
	// Grouped by day first: a date is cheaper to group than a text.
	if h.Months, err = twelveMonths(ctx, db, r, s, func(cond string) string {
		return `
SELECT to_char(date_trunc('month', d.date), 'YYYY-MM'), sum(d.n)::int
FROM (SELECT s.date, count(*) AS n FROM sheets s JOIN mediators m ON m.id = s.mediator_id
      WHERE s.date BETWEEN $1 AND $2 AND ` + cond + ` GROUP BY s.date) d
GROUP BY 1`
	}); err != nil {
		return err
	}
	r.History = h
	return nil
}

// comparison says once what the brackets after the key figures hold: the
// same figures one year earlier, named by the calendar year or month when
// the period is one, else by its dates. "" without history.
func (r *Report) comparison() string {
	if r.History == nil {
		return ""
	}
	p := r.History.PreviousPeriod
	what := "du " + frDate(p.From) + " au " + frDate(p.To)
	switch {
	case p.From.Month() == time.January && p.From.Day() == 1 && p.To.Month() == time.December && p.To.Day() == 31 && p.From.Year() == p.To.Year():
		what = "de " + fmt.Sprint(p.From.Year())
	case p.From.Day() == 1 && p.To.Equal(Month(p.From).To):
		month := monthsLong[p.From.Month()-1]
		what = "de " + month
		if strings.ContainsRune("aeiouéà", []rune(month)[0]) { // d'avril, d'août, d'octobre
			what = "d'" + month
		}
		what += " " + fmt.Sprint(p.From.Year())
	case Day(p.From).Equal(Day(p.To)):
		what = "du " + frDate(p.From)
	}
	return "Entre parenthèses : les chiffres " + what + ", un an plus tôt."
}

// before writes " (3 900)" after a key figure, the same figure one year
// earlier (comparison says so once); "" without history.
func (r *Report) before(n func(KeyFigures) int) string {
	if r.History == nil {
		return ""
	}
	return " (" + frtext.Number(n(r.History.Previous)) + ")"
}

var monthsLong = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

var monthsFR = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// textTrend is the twelve-month trend: a bar line to see the shape, then
// the counts, four months a line.
func (r *Report) textTrend() string {
	if r.History == nil {
		return ""
	}
	months := r.History.Months
	top := 0
	for _, m := range months {
		top = max(top, m.Sheets)
	}
	bars := []rune("▁▂▃▄▅▆▇█")
	var spark strings.Builder
	for _, m := range months {
		i := 0
		if top > 0 {
			i = m.Sheets * (len(bars) - 1) / top
		}
		spark.WriteRune(bars[i])
	}
	var b strings.Builder
	b.WriteString("Fiches par mois sur 12 mois : " + spark.String())
	for i, m := range months {
		t, err := time.Parse("2006-01", m.Month)
		if err != nil {
			continue
		}
		sep := " · "
		if i%4 == 0 {
			sep = "\n"
		}
		fmt.Fprintf(&b, "%s%s %02d : %s", sep, monthsFR[t.Month()-1], t.Year()%100, frtext.Number(m.Sheets))
	}
	return b.String()
}

// twelveMonths counts the sheets of the twelve months ending with r's
// last month, by month, with the query query(cond) writes: $1 the first
// month's first day, $2 the last month's last day, then s's filter cond;
// it returns each month as 2024-03 and its count. A month without sheets
// counts 0.
func twelveMonths(ctx context.Context, db Querier, r *Report, s Scope, query func(cond string) string) ([]MonthCount, error) {
	last := time.Date(r.Period.To.Year(), r.Period.To.Month(), 1, 0, 0, 0, 0, time.UTC)
	first := last.AddDate(0, -11, 0)
	cond, args := s.Filter("m", 3)
	rows, err := db.Query(ctx, query(cond), append([]any{first, last.AddDate(0, 1, -1)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("compute history: months: %w", err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var month string
		var n int
		if err := rows.Scan(&month, &n); err != nil {
			return nil, fmt.Errorf("compute history: months: %w", err)
		}
		got[month] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compute history: months: %w", err)
	}
	months := make([]MonthCount, 0, 12)
	for i := range 12 {
		key := first.AddDate(0, i, 0).Format("2006-01")
		months = append(months, MonthCount{Month: key, Sheets: got[key]})
	}
	return months, nil
}
