package main

import (
	"testing"
	"time"
)

// relais report takes periods from 2000-01-01 to a year after today.
func TestReportPeriodIsBounded(t *testing.T) {
	db := cliDB(t)
	today := time.Now().In(paris())
	last := today.AddDate(1, 0, 0)
	refused := "relais: Période hors limites : du 01/01/2000 au " + last.Format("02/01/2006") + " au plus\n"
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"0001-01-01", "2024-12-31", false},
		{"1999-12-31", "2024-12-31", false},
		{"2000-01-01", "2000-12-31", true},
		{today.Format("2006-01-02"), last.Format("2006-01-02"), true},
		{today.Format("2006-01-02"), last.AddDate(0, 0, 1).Format("2006-01-02"), false},
	} {
		code, _, errOut := cli(t, "report", "--from", c.from, "--to", c.to)
		if c.ok && code != 0 || !c.ok && (code != 1 || errOut != refused) {
			t.Errorf("report --from %s --to %s: %d %q", c.from, c.to, code, errOut)
		}
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM audit WHERE action = 'export'`); n != 2 {
		t.Errorf("%d reports audited, want the 2 produced", n)
	}
}
