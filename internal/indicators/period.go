package indicators

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/relais-sante/relais/internal/frtext"
)

// Period is a range of days, both ends included. Only the calendar date of
// From and To counts (their clock and zone are ignored).
type Period struct {
	From, To time.Time
}

// Day returns the calendar day of t as a UTC midnight, the form Period keeps.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Days is the period from one day to another (dates only).
func Days(from, to time.Time) Period { return Period{From: Day(from), To: Day(to)} }

// Week is the Monday-to-Sunday week containing day.
func Week(day time.Time) Period {
	d := Day(day)
	monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	return Period{From: monday, To: monday.AddDate(0, 0, 6)}
}

// Month is the calendar month containing day.
func Month(day time.Time) Period {
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Period{From: first, To: first.AddDate(0, 1, -1)}
}

// Year is the calendar year y.
func Year(y int) Period {
	return Period{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)}
}

// YearToDate runs from January 1st to day.
func YearToDate(day time.Time) Period {
	return Period{From: time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC), To: Day(day)}
}

// Previous is the period of the same number of days just before p (the
// previous week for a week), for "compared with last week".
func (p Period) Previous() Period {
	n := p.NumDays()
	return Period{From: Day(p.From).AddDate(0, 0, -n), To: Day(p.From).AddDate(0, 0, -1)}
}

// NumDays is the number of days in p.
func (p Period) NumDays() int {
	return int(Day(p.To).Sub(Day(p.From)).Hours()/24+0.5) + 1
}

// Validate checks that the period is not reversed.
func (p Period) Validate() error {
	if p.From.IsZero() || p.To.IsZero() {
		return fmt.Errorf("période incomplète")
	}
	if Day(p.To).Before(Day(p.From)) {
		return fmt.Errorf("la date de fin (%s) précède la date de début (%s)", frDate(p.To), frDate(p.From))
	}
	return nil
}

// Label is the French form, "du 01/01/2024 au 31/12/2024".
func (p Period) Label() string {
	if Day(p.From).Equal(Day(p.To)) {
		return "le " + frDate(p.From)
	}
	return fmt.Sprintf("du %s au %s", frDate(p.From), frDate(p.To))
}

func frDate(t time.Time) string { return t.Format("02/01/2006") }

// MarshalJSON writes {"from":"2024-01-01","to":"2024-12-31"}.
func (p Period) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		From string `json:"from"`
		To   string `json:"to"`
	}{p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)})
}

// FirstDay is the earliest day a period may start: Relais holds nothing
// older, and a slip such as 01/01/0001 must be told, not computed.
var FirstDay = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// LastDay is the latest day a period may end on when it is today: one year
// ahead (follow-ups are planned; nothing later can exist).
func LastDay(today time.Time) time.Time { return Day(today).AddDate(1, 0, 0) }

// OutOfBoundsError is a period starting before FirstDay or ending after
// LastDay; its text names the range, in French.
type OutOfBoundsError struct{ Last time.Time }

func (e *OutOfBoundsError) Error() string {
	return fmt.Sprintf("Période hors limites : du %s au %s au plus", frDate(FirstDay), frDate(e.Last))
}

// CheckBounds refuses, with an *OutOfBoundsError, a period with a day
// before FirstDay or after LastDay(today): the one rule for every period a
// user types, asks or forges (the /indicateurs family, questions, buttons,
// relais report).
func (p Period) CheckBounds(today time.Time) error {
	last := LastDay(today)
	for _, d := range []time.Time{Day(p.From), Day(p.To)} {
		if d.Before(FirstDay) || d.After(last) {
			return &OutOfBoundsError{Last: last}
		}
	}
	return nil
}

// ParsePeriod reads two typed dates into a period within the bounds on
// today (CheckBounds); errors are French.
func ParsePeriod(from, to string, today time.Time) (Period, error) {
	f, err := frtext.ParseDate(from)
	if err != nil {
		return Period{}, err
	}
	t, err := frtext.ParseDate(to)
	if err != nil {
		return Period{}, err
	}
	p := Days(f, t)
	if err := p.CheckBounds(today); err != nil {
		return Period{}, err
	}
	return p, p.Validate()
}
