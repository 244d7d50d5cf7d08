package config

import (
	"strconv"
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
	for _, v := range []string{"5d", "364j", "0y", "cinq ans", "5", "-5y", "5 years", "101y", "36501d"} {
		_, err := FromEnv(env(map[string]string{"RELAIS_RETENTION": v}))
		want := `RELAIS_RETENTION : "` + v + `" n'est pas une durée de conservation d'au moins un an, par exemple 5y (5 ans) ou 1825d (1825 jours)`
		if err == nil || err.Error() != want {
			t.Errorf("RELAIS_RETENTION=%q: got %v, want %q", v, err, want)
		}
	}
}

func TestRetentionCutoffIsLocalMidnight(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 0, 30, 0, 0, paris)
	if got := (Retention{Years: 5}).Cutoff(now); !got.Equal(time.Date(2021, 11, 29, 0, 0, 0, 0, paris)) {
		t.Fatalf("5 years cutoff = %v", got)
	}
	if got := (Retention{Days: 365}).Cutoff(now); !got.Equal(time.Date(2025, 11, 29, 0, 0, 0, 0, paris)) {
		t.Fatalf("365 days cutoff = %v", got)
	}
}

// The limits themselves are accepted: 6 h and 21 h reminders, 100 years, 36 500 days.
func TestConfigLimitsAreAccepted(t *testing.T) {
	for _, h := range []int{6, 21} {
		c, err := FromEnv(env(map[string]string{"RELAIS_REMINDER_HOUR": strconv.Itoa(h)}))
		if err != nil || c.ReminderHour != h {
			t.Errorf("RELAIS_REMINDER_HOUR=%d: %v", h, err)
		}
	}
	for v, want := range map[string]Retention{"100y": {Years: 100}, "36500d": {Days: 36500}} {
		c, err := FromEnv(env(map[string]string{"RELAIS_RETENTION": v}))
		if err != nil || c.Retention != want {
			t.Errorf("RELAIS_RETENTION=%q: %+v %v", v, c, err)
		}
	}
	if _, err := FromEnv(env(map[string]string{"RELAIS_HTTP_ADDR": "127.0.0.1:65535"})); err != nil {
		t.Errorf("port 65535 refused: %v", err)
	}
}
