package bot

import (
	"testing"
	"time"
)

// Period codes from buttons: past years back to pastYears, months up to
// this one, nothing in the future; both ends of each range are tested.
func TestPeriodCodesOfButtons(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for code, want := range map[string]string{
		"y2025":   "du 01/01/2025 au 31/12/2025",
		"y2020":   "du 01/01/2020 au 31/12/2020",
		"y2026":   "du 01/01/2026 au 31/12/2026",
		"m202611": "du 01/11/2026 au 30/11/2026",
		"m202402": "du 01/02/2024 au 29/02/2024",
		"ly":      "du 01/01/2025 au 31/12/2025",
		"m":       "du 01/11/2026 au 23/11/2026",
	} {
		p, ok := period(code, today)
		if !ok || p.Label() != want {
			t.Errorf("period(%q) = %s, %v; want %s", code, p.Label(), ok, want)
		}
	}
	for _, code := range []string{"y2019", "y2027", "m202612", "m202613", "y20x5", "m2026", "p", "pm"} {
		if _, ok := period(code, today); ok {
			t.Errorf("period(%q) accepted", code)
		}
	}
	// What the buttons offer is what period accepts.
	for _, row := range yearButtons("i", "", today) {
		for _, b := range row {
			if _, ok := period(b.Data[2:], today); !ok {
				t.Errorf("year button %q is refused", b.Data)
			}
		}
	}
	months := monthButtons("i", "abc", today)
	if first, last := months[0][0].Data, months[3][2].Data; first != "i:m202611:abc" || last != "i:m202512:abc" {
		t.Errorf("months offered from %s to %s", first, last)
	}
	if months[0][0].Text != "novembre 2026" {
		t.Errorf("month button %q", months[0][0].Text)
	}
}
