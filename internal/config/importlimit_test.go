package config

import "testing"

func TestImportMaxBytes(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.ImportMaxBytes != 536870912 {
		t.Fatalf("default import limit: %d, %v; want 536870912 (512 Mo)", c.ImportMaxBytes, err)
	}
	c, err = FromEnv(env(map[string]string{"RELAIS_IMPORT_MAX_BYTES": "1024"}))
	if err != nil || c.ImportMaxBytes != 1024 {
		t.Fatalf("RELAIS_IMPORT_MAX_BYTES=1024: %d, %v", c.ImportMaxBytes, err)
	}
	for _, v := range []string{"0", "-5", "512M", "1e9"} {
		_, err := FromEnv(env(map[string]string{"RELAIS_IMPORT_MAX_BYTES": v}))
		want := `RELAIS_IMPORT_MAX_BYTES : "` + v + `" n'est pas une taille en octets (un nombre entier positif), par exemple 536870912 pour 512 Mo`
		if err == nil || err.Error() != want {
			t.Errorf("RELAIS_IMPORT_MAX_BYTES=%q: %v, want %q", v, err, want)
		}
	}
}
