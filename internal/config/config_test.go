package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != DefaultDatabaseURL || c.RedisURL != DefaultRedisURL || c.HTTPAddr != DefaultHTTPAddr || c.Location.String() != "Europe/Paris" || c.RequireToken() == nil || c.DemoDatabaseURL != DefaultDemoDatabaseURL || c.DemoAddr != "127.0.0.1:8080" || c.ReminderHour != 9 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestMalformedValuesNameTheVariable(t *testing.T) {
	for k, v := range map[string]string{
		"DATABASE_URL":             "mysql://x",
		"REDIS_URL":                "localhost:6379",
		"RELAIS_TZ":                "Mars/Olympus",
		"RELAIS_HTTP_ADDR":         "8080",
		"TELEGRAM_API_ENDPOINT":    "http://127.0.0.1:8081/bot",
		"RELAIS_REMINDER_HOUR":     "25",
		"RELAIS_NUDGE_AFTER":       "-1h",
		"RELAIS_DEMO_DATABASE_URL": "mysql://x",
		"RELAIS_DEMO_ADDR":         "8080",
	} {
		_, err := FromEnv(env(map[string]string{k: v}))
		if err == nil || !strings.HasPrefix(err.Error(), k+" : ") {
			t.Errorf("%s=%q: got %v, want an error naming %s", k, v, err, k)
		}
	}
}

// The operator reads one French line that says what is wrong and what to write.
func TestErrorsAreFrenchAndShowAnExample(t *testing.T) {
	for _, c := range []struct{ k, v, want string }{
		{"RELAIS_HTTP_ADDR", "127.0.0.1:99999", `RELAIS_HTTP_ADDR : "127.0.0.1:99999" n'est pas une adresse hôte:port valide (port de 0 à 65535), par exemple 127.0.0.1:8080`},
		{"RELAIS_HTTP_ADDR", "127.0.0.1:http", `RELAIS_HTTP_ADDR : "127.0.0.1:http" n'est pas une adresse hôte:port valide`},
		{"RELAIS_TZ", "Mars/Olympus", `RELAIS_TZ : fuseau horaire inconnu "Mars/Olympus", par exemple Europe/Paris`},
		{"DATABASE_URL", "mysql://x", "DATABASE_URL : doit être une adresse postgres://, par exemple postgres://"},
		{"REDIS_URL", "localhost:6379", "REDIS_URL : doit être une adresse redis://"},
		{"RELAIS_REMINDER_HOUR", "neuf", `RELAIS_REMINDER_HOUR : "neuf" n'est pas une heure de 6 à 21`},
		{"RELAIS_REMINDER_HOUR", "0", `RELAIS_REMINDER_HOUR : "0" n'est pas une heure de 6 à 21, par exemple 9`},
		{"RELAIS_REMINDER_HOUR", "5", `RELAIS_REMINDER_HOUR : "5" n'est pas une heure de 6 à 21, par exemple 9`},
		{"RELAIS_REMINDER_HOUR", "22", `RELAIS_REMINDER_HOUR : "22" n'est pas une heure de 6 à 21, par exemple 9`},
		{"RELAIS_HTTP_ADDR", "127.0.0.1:65536", `RELAIS_HTTP_ADDR : "127.0.0.1:65536" n'est pas une adresse hôte:port valide (port de 0 à 65535)`},
		{"RELAIS_NUDGE_AFTER", "4 heures", `RELAIS_NUDGE_AFTER : "4 heures" n'est pas une durée positive, par exemple 4h`},
		{"TELEGRAM_API_ENDPOINT", "ftp://x/bot%s/%s", "TELEGRAM_API_ENDPOINT : n'est pas une adresse http(s)://"},
		{"RELAIS_LOG_LEVEL", "bavard", `RELAIS_LOG_LEVEL : "bavard" n'est pas un niveau connu : debug, info, warn ou error`},
		{"RELAIS_WEBHOOK_SECRET", "0123456789abcdef-_", "RELAIS_WEBHOOK_SECRET : n'a de sens qu'avec RELAIS_WEBHOOK_URL"},
	} {
		_, err := FromEnv(env(map[string]string{c.k: c.v}))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: got %v, want %q", c.k, c.v, err, c.want)
		}
	}
	for _, ok := range []string{"127.0.0.1:0", "0.0.0.0:65535", "[::1]:8080", ":8080"} {
		if _, err := FromEnv(env(map[string]string{"RELAIS_HTTP_ADDR": ok})); err != nil {
			t.Errorf("RELAIS_HTTP_ADDR=%q refused: %v", ok, err)
		}
	}
}

func TestStringHidesToken(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"TELEGRAM_TOKEN": "123:SECRET"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.String(), "SECRET") {
		t.Fatal("token printed")
	}
}

func TestWebhookNeedsASecret(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"RELAIS_WEBHOOK_URL": "https://relais.example.org/telegram"}))
	if err == nil || !strings.HasPrefix(err.Error(), "RELAIS_WEBHOOK_SECRET : obligatoire avec RELAIS_WEBHOOK_URL") {
		t.Fatalf("webhook without secret: %v", err)
	}
	c, err := FromEnv(env(map[string]string{"RELAIS_WEBHOOK_URL": "https://relais.example.org/telegram/hook", "RELAIS_WEBHOOK_SECRET": "0123456789abcdef-_"}))
	if err != nil || c.WebhookPath() != "/telegram/hook" {
		t.Fatalf("webhook config: %v %+v", err, c)
	}
}

func TestLogLevel(t *testing.T) {
	for v, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "WARN": slog.LevelWarn, "error": slog.LevelError} {
		c, err := FromEnv(env(map[string]string{"RELAIS_LOG_LEVEL": v}))
		if err != nil || c.LogLevel != want {
			t.Errorf("RELAIS_LOG_LEVEL=%q: %v %v, want %v", v, c, err, want)
		}
	}
}

// The demo page has no login: RELAIS_DEMO_ADDR is a loopback address
// (127.0.0.0/8, ::1 or localhost), anything a network could reach is
// refused at start, naming the variable.
func TestDemoAddrIsLoopbackOnly(t *testing.T) {
	for _, v := range []string{"127.0.0.1:8080", "127.0.0.1:0", "127.255.255.254:9000", "[::1]:8080", "localhost:8080", "LocalHost:8080"} {
		c, err := FromEnv(env(map[string]string{"RELAIS_DEMO_ADDR": v}))
		if err != nil || c.DemoAddr != v {
			t.Errorf("RELAIS_DEMO_ADDR=%q refused: %v", v, err)
		}
	}
	const want = "RELAIS_DEMO_ADDR : %q n'est pas une adresse de bouclage : la page de la démo n'a pas de connexion, elle écoute sur cette machine seulement (127.0.0.1, ::1 ou localhost), par exemple 127.0.0.1:8080"
	for _, v := range []string{"0.0.0.0:8080", ":8080", "[::]:8080", "192.168.1.20:8080", "10.0.0.1:8080", "128.0.0.1:8080",
		"relais.example.org:8080", "localhost.example.org:8080", "[::ffff:192.168.1.20]:8080", "[fe80::1]:8080"} {
		_, err := FromEnv(env(map[string]string{"RELAIS_DEMO_ADDR": v}))
		if err == nil || err.Error() != fmt.Sprintf(want, v) {
			t.Errorf("RELAIS_DEMO_ADDR=%q: got %v, want %q", v, err, fmt.Sprintf(want, v))
		}
	}
}

// The demo never reaches a real messenger nor follows the deployment's
// regions: with the bot's Matrix account and RELAIS_REGIONS=76 in the
// environment, it still runs on its fake Telegram alone, for the region of
// its synthetic year.
func TestTheDemoLeavesMatrixAndTheRegionsOut(t *testing.T) {
	c, err := FromEnv(env(matrixEnv(map[string]string{"RELAIS_REGIONS": "76", "TELEGRAM_TOKEN": "123:real"})))
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.UseDemo()
	if err != nil {
		t.Fatal(err)
	}
	if d.Matrix.Enabled() || d.Matrix.AccessToken != "" || d.Matrix.PickleKey != "" {
		t.Errorf("the demo keeps the Matrix account: %s", d.Matrix.String())
	}
	if len(d.Regions) != 1 || d.Regions[0].Code != "32" {
		t.Errorf("the demo serves %v, want the Hauts-de-France (32) alone", d.Regions)
	}
	if d.DatabaseVar() != "RELAIS_DEMO_DATABASE_URL" || d.DatabaseURL != DefaultDemoDatabaseURL {
		t.Errorf("the demo's database: %s %s", d.DatabaseVar(), d.DatabaseURL)
	}
	// The deployment's own configuration is left as it was.
	if !c.Matrix.Enabled() || c.Regions[0].Code != "76" {
		t.Errorf("UseDemo changed the deployment's configuration: %s, %v", c.Matrix.String(), c.Regions)
	}
}
