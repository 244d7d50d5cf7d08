package indicators

import (
	"testing"
	"time"
)

// The comparison with a year earlier is said once, naming the period
// compared: a calendar year or month by its name, other dates as dates.
func TestComparisonNamesThePeriodAYearEarlier(t *testing.T) {
	t.Parallel()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		p    Period
		want string
	}{
		{Year(2026), "Entre parenthèses : les chiffres de 2025, un an plus tôt."},
		{Month(day(2026, 3, 1)), "Entre parenthèses : les chiffres de mars 2025, un an plus tôt."},
		{Month(day(2026, 4, 1)), "Entre parenthèses : les chiffres d'avril 2025, un an plus tôt."},
		{Month(day(2026, 8, 1)), "Entre parenthèses : les chiffres d'août 2025, un an plus tôt."},
		{Month(day(2026, 10, 1)), "Entre parenthèses : les chiffres d'octobre 2025, un an plus tôt."},
		{Days(day(2026, 1, 1), day(2026, 11, 27)), "Entre parenthèses : les chiffres du 01/01/2025 au 27/11/2025, un an plus tôt."},
		{Days(day(2024, 2, 29), day(2024, 2, 29)), "Entre parenthèses : les chiffres du 28/02/2023, un an plus tôt."},
	} {
		r := &Report{Period: c.p, History: &History{PreviousPeriod: YearBefore(c.p)}}
		if got := r.comparison(); got != c.want {
			t.Errorf("%s: %q, want %q", c.p.Label(), got, c.want)
		}
	}
	if got := (&Report{Period: Year(2026)}).comparison(); got != "" {
		t.Errorf("without history: %q", got)
	}
}
