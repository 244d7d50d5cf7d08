package config

import (
	"strings"
	"testing"
)

// RELAIS_AUDIT_KEY keys the fingerprints of erased codes: unset, the
// database's own key is used; set, it must be long enough not to be guessed.
func TestAuditKey(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.AuditKey != "" {
		t.Fatalf("unset: %q, %v", c.AuditKey, err)
	}
	key := strings.Repeat("k", 32)
	if c, err := FromEnv(env(map[string]string{"RELAIS_AUDIT_KEY": " " + key + " "})); err != nil || c.AuditKey != key {
		t.Fatalf("32 characters: %q, %v", c.AuditKey, err)
	}
	_, err = FromEnv(env(map[string]string{"RELAIS_AUDIT_KEY": key[:31]}))
	want := "RELAIS_AUDIT_KEY : trop courte : au moins 32 caractères, par exemple la sortie de « openssl rand -hex 32 » (ou ne la définissez pas : une clé est alors créée dans la base)"
	if err == nil || err.Error() != want {
		t.Fatalf("31 characters: %v, want %q", err, want)
	}
}
