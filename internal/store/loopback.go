package store

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// parsePoolConfig parses DATABASE_URL for the pool. A URL that names no
// sslmode (nor PGSSLMODE) gets pgx's default, "prefer": TLS first, plain if
// the server offers none. When every host it names is this machine's
// loopback, the pool asks plain first and TLS only if the server refuses
// plain ("allow"): TLS over loopback hides nothing from anyone who could
// read it, and cost about 8 % of the bot's CPU per input (record layer,
// a copy and a write per statement; docs/performance.md, "CPU per
// input"). A URL that says sslmode keeps it whatever the host.
func parsePoolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if namesSSLMode(url) || !onLoopback(cfg.ConnConfig.Config) {
		return cfg, nil
	}
	allow, err := pgxpool.ParseConfig(withSSLMode(url, "allow"))
	if err != nil {
		return nil, fmt.Errorf("plain first on loopback: %w", err)
	}
	return allow, nil
}

// namesSSLMode reports whether the connection string or the environment
// chooses the sslmode.
func namesSSLMode(url string) bool {
	return os.Getenv("PGSSLMODE") != "" || strings.Contains(strings.ToLower(url), "sslmode")
}

// onLoopback reports whether every host of cfg (and of its fallbacks) is a
// loopback address or "localhost". Unix sockets never use TLS in pgx and
// need nothing.
func onLoopback(cfg pgconn.Config) bool {
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if strings.HasPrefix(h, "/") {
			return false
		}
		if h == "localhost" {
			continue
		}
		ip := net.ParseIP(h)
		if ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// withSSLMode adds sslmode=mode to a URL or key=value connection string
// that has none.
func withSSLMode(url, mode string) string {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		return url + sep + "sslmode=" + mode
	}
	return url + " sslmode=" + mode
}
