package indicators_test

import (
	"errors"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

// Periods run from 01/01/2000 to a year after today, both included.
func TestPeriodBounds(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	const refused = "Période hors limites : du 01/01/2000 au 23/11/2027 au plus"
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"01/01/0001", "31/12/2024", false}, // not « période incomplète »
		{"31/12/1999", "31/12/2024", false},
		{"01/01/2000", "31/12/2024", true},
		{"01/01/2027", "23/11/2027", true},
		{"01/01/2027", "24/11/2027", false},
		{"24/11/2027", "31/12/2027", false},
		{"1999-01-01", "1999-12-31", false},
	} {
		_, err := indicators.ParsePeriod(c.from, c.to, today)
		var bounds *indicators.OutOfBoundsError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s – %s refused: %v", c.from, c.to, err)
		case !c.ok && (!errors.As(err, &bounds) || err.Error() != refused):
			t.Errorf("%s – %s: %v, want %q", c.from, c.to, err, refused)
		}
	}
	// A year ahead of 29 February is 1 March.
	if last := indicators.LastDay(time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)); !last.Equal(time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("LastDay(2028-02-29) = %s", last)
	}
}
