package config

import (
	"testing"
	"time"
)

func TestRetentionDefaultsToFiveYears(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention != (Retention{Years: 5}) || c.Retention.String() != "5 ans" {
		t.Fatalf("default retention = %+v (%s)", c.Retention, c.Retention)
	}
}

func TestRetentionValues(t *testing.T) {
	for v, want := range map[string]Retention{
		"5y": {Years: 5}, "5a": {Years: 5}, "10 ans": {Years: 10}, "1an": {Years: 1}, "1Y": {Years: 1},
		"1825d": {Days: 1825}, "400j": {Days: 400}, "365 jours": {Days: 365},
	} {
		c, err := FromEnv(env(map[string]string{"RELAIS_RETENTION": v}))
		if err != nil || c.Retention != want {
			t.Errorf("RELAIS_RETENTION=%q: %+v, %v; want %+v", v, c, err, want)
		}
	}
}

// Less than a year is refused: "5d" typed for "5y" must not erase years of work.
func TestRetentionRefusals(t *testing.T) {
	for _, v := range []string{"5d", "364j", "0y", "cinq ans", "5", "-5y", "5 years", "101y"} {
		_, err := FromEnv(env(map[string]string{"RELAIS_RETENTION": v}))
		want := `RELAIS_RETENTION : "` + v + `" n'est pas une durée de conservation d'au moins un an, par exemple 5y (5 ans) ou 1825d (1825 jours)`
		if err == nil || err.Error() != want {
			t.Errorf("RELAIS_RETENTION=%q: got %v, want %q", v, err, want)
		}
	}
}

func TestRetentionCutoffIsLocalMidnight(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 29, 0, 30, 0, 0, paris)
	if got := (Retention{Years: 5}).Cutoff(now); !got.Equal(time.Date(2021, 11, 29, 0, 0, 0, 0, paris)) {
		t.Fatalf("5 years cutoff = %v", got)
	}
	if got := (Retention{Days: 365}).Cutoff(now); !got.Equal(time.Date(2025, 11, 29, 0, 0, 0, 0, paris)) {
		t.Fatalf("365 days cutoff = %v", got)
	}
}
