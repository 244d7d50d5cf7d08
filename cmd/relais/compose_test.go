package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The compose file passes on every setting an operator sets in .env for
// relais serve: without RELAIS_REGIONS there, an ARS other than the
// Hauts-de-France had to edit the file. The second replica has no Matrix
// account: two processes syncing the bot's one device would both answer.
func TestComposePassesTheSettingsOn(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"TELEGRAM_TOKEN":        "${TELEGRAM_TOKEN:-}",
		"MATRIX_HOMESERVER_URL": "${MATRIX_HOMESERVER_URL:-}",
		"MATRIX_USER_ID":        "${MATRIX_USER_ID:-}",
		"MATRIX_ACCESS_TOKEN":   "${MATRIX_ACCESS_TOKEN:-}",
		"MATRIX_PASSWORD":       "${MATRIX_PASSWORD:-}",
		"MATRIX_PICKLE_KEY":     "${MATRIX_PICKLE_KEY:-}",
		"MATRIX_RATE":           "${MATRIX_RATE:-}",
		"RELAIS_REGIONS":        "${RELAIS_REGIONS:-32}",
		"RELAIS_RETENTION":      "${RELAIS_RETENTION:-5y}",
		"RELAIS_REMINDER_HOUR":  "${RELAIS_REMINDER_HOUR:-9}",
		"RELAIS_NUDGE_AFTER":    "${RELAIS_NUDGE_AFTER:-4h}",
		"RELAIS_AUDIT_KEY":      "${RELAIS_AUDIT_KEY:-}",
		"RELAIS_LOG_LEVEL":      "${RELAIS_LOG_LEVEL:-info}",
		"RELAIS_WEBHOOK_URL":    "${RELAIS_WEBHOOK_URL:-}",
		"RELAIS_WEBHOOK_SECRET": "${RELAIS_WEBHOOK_SECRET:-}",
		"RELAIS_CHAT_FILES":     "${RELAIS_CHAT_FILES:-aggregates}",
	}
	relais := compose.Services["relais"].Environment
	for k, v := range want {
		if relais[k] != v {
			t.Errorf("relais: %s = %q, want %q", k, relais[k], v)
		}
	}
	second := compose.Services["relais-2"].Environment
	for k, v := range want {
		if strings.HasPrefix(k, "MATRIX_") {
			v = ""
		}
		if got, ok := second[k]; !ok || got != v {
			t.Errorf("relais-2: %s = %q (set %v), want %q", k, got, ok, v)
		}
	}
}
