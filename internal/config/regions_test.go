package config

import (
	"slices"
	"testing"
)

func regionCodes(c *Config) []string {
	var out []string
	for _, r := range c.Regions {
		out = append(out, r.Code)
	}
	return out
}

// Without RELAIS_REGIONS a deployment serves the Hauts-de-France, as it
// always did.
func TestRegionsDefaultToHautsDeFrance(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := regionCodes(c); !slices.Equal(got, []string{"32"}) || c.Regions[0].Name != "Hauts-de-France" {
		t.Errorf("default regions = %v (%+v), want [32] Hauts-de-France", got, c.Regions)
	}
}

func TestRegionsAreRead(t *testing.T) {
	for v, want := range map[string][]string{
		"76": {"76"}, "32,76": {"32", "76"}, " 76 , 32 ": {"76", "32"}, "32 76": {"32", "76"},
	} {
		c, err := FromEnv(env(map[string]string{"RELAIS_REGIONS": v}))
		if err != nil {
			t.Errorf("RELAIS_REGIONS=%q: %v", v, err)
			continue
		}
		if got := regionCodes(c); !slices.Equal(got, want) {
			t.Errorf("RELAIS_REGIONS=%q: %v, want %v", v, got, want)
		}
	}
	for v, want := range map[string]string{
		"59":    "RELAIS_REGIONS : région « 59 » inconnue : indiquez un code INSEE de région (32 Hauts-de-France, 76 Occitanie…)",
		"32,32": "RELAIS_REGIONS : région « 32 » indiquée deux fois",
		",":     "RELAIS_REGIONS : aucune région servie : indiquez au moins un code INSEE de région, par exemple 32 pour les Hauts-de-France",
	} {
		_, err := FromEnv(env(map[string]string{"RELAIS_REGIONS": v}))
		if err == nil || err.Error() != want {
			t.Errorf("RELAIS_REGIONS=%q: got %v, want %q", v, err, want)
		}
	}
}
