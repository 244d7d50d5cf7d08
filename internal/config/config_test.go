package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != DefaultDatabaseURL || c.RedisURL != DefaultRedisURL || c.HTTPAddr != DefaultHTTPAddr || c.Location.String() != "Europe/Paris" || !c.Demo() || c.ReminderHour != 9 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestMalformedValuesNameTheVariable(t *testing.T) {
	for k, v := range map[string]string{
		"DATABASE_URL":          "mysql://x",
		"REDIS_URL":             "localhost:6379",
		"RELAIS_TZ":             "Mars/Olympus",
		"RELAIS_HTTP_ADDR":      "8080",
		"TELEGRAM_API_ENDPOINT": "http://127.0.0.1:8081/bot",
		"RELAIS_REMINDER_HOUR":  "25",
	} {
		_, err := FromEnv(env(map[string]string{k: v}))
		if err == nil || !strings.HasPrefix(err.Error(), k+": ") {
			t.Errorf("%s=%q: got %v, want an error naming %s", k, v, err, k)
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
	if err == nil || !strings.HasPrefix(err.Error(), "RELAIS_WEBHOOK_SECRET: ") {
		t.Fatalf("webhook without secret: %v", err)
	}
	c, err := FromEnv(env(map[string]string{"RELAIS_WEBHOOK_URL": "https://relais.example.org/telegram/hook", "RELAIS_WEBHOOK_SECRET": "0123456789abcdef-_"}))
	if err != nil || c.WebhookPath() != "/telegram/hook" {
		t.Fatalf("webhook config: %v %+v", err, c)
	}
}
