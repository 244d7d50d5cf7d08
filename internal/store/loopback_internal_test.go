package store

import "testing"

// A DATABASE_URL without sslmode on this machine's loopback connects plain
// first, TLS as the fallback; any other host, or a URL or environment that
// says sslmode, keeps what it says (pgx's default: TLS first).
func TestPlainFirstOnLoopbackOnly(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	cases := []struct {
		url        string
		plainFirst bool
	}{
		{"postgres://postgres@127.0.0.1:5432/relais", true},
		{"postgres://postgres@localhost:5432/relais?application_name=relais", true},
		{"postgres://postgres@[::1]:5432/relais", true},
		{"host=127.0.0.1 port=5432 user=postgres dbname=relais", true},
		{"postgres://postgres@127.0.0.1:5432/relais?sslmode=prefer", false},
		{"postgres://postgres@127.0.0.1:5432/relais?sslmode=require", false},
		{"postgres://postgres@db.example.org:5432/relais", false},
		{"postgres://postgres@10.0.0.5:5432/relais", false},
		{"postgres://postgres@127.0.0.1:5432,db.example.org:5432/relais", false},
	}
	for _, c := range cases {
		cfg, err := parsePoolConfig(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		cc := cfg.ConnConfig
		plainFirst := cc.TLSConfig == nil && len(cc.Fallbacks) > 0 && cc.Fallbacks[0].TLSConfig != nil
		if plainFirst != c.plainFirst {
			t.Errorf("%s: plain first %v, want %v (TLS first %v, %d fallbacks)", c.url, plainFirst, c.plainFirst, cc.TLSConfig != nil, len(cc.Fallbacks))
		}
	}
}

// PGSSLMODE chooses for the URLs that do not.
func TestPGSSLModeKeepsTLSFirstOnLoopback(t *testing.T) {
	t.Setenv("PGSSLMODE", "prefer")
	cfg, err := parsePoolConfig("postgres://postgres@127.0.0.1:5432/relais")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnConfig.TLSConfig == nil {
		t.Fatal("PGSSLMODE=prefer on loopback: plain first, want TLS first")
	}
}
