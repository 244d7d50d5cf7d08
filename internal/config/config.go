// Package config reads Relais' settings from environment variables only, so
// the same binary runs in CI, in the demo and in production unchanged.
package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the whole runtime configuration.
type Config struct {
	TelegramToken       string
	TelegramAPIEndpoint string
	DatabaseURL         string
	RedisURL            string
	RedisPrefix         string
	Location            *time.Location
	HTTPAddr            string
	ReminderHour        int
	NudgeAfter          time.Duration
	// WebhookURL, when set, makes Telegram push updates to this public
	// https URL (served on RELAIS_HTTP_ADDR at the same path) instead of long polling.
	WebhookURL    string
	WebhookSecret string
}

// WebhookPath is the path the webhook is served at.
func (c *Config) WebhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)

// Defaults for a developer machine.
const (
	DefaultAPIEndpoint = "https://api.telegram.org/bot%s/%s"
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/relais?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultTZ          = "Europe/Paris"
	DefaultHTTPAddr    = "127.0.0.1:8080"
)

// Error names the variable at fault, so the operator sees one clear line.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return e.Var + ": " + e.Reason }

// FromEnv reads the configuration through getenv (os.Getenv in main).
func FromEnv(getenv func(string) string) (*Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		TelegramToken:       strings.TrimSpace(getenv("TELEGRAM_TOKEN")),
		TelegramAPIEndpoint: get("TELEGRAM_API_ENDPOINT", DefaultAPIEndpoint),
		DatabaseURL:         get("DATABASE_URL", DefaultDatabaseURL),
		RedisURL:            get("REDIS_URL", DefaultRedisURL),
		RedisPrefix:         get("RELAIS_REDIS_PREFIX", "relais:"),
		HTTPAddr:            get("RELAIS_HTTP_ADDR", DefaultHTTPAddr),
	}
	if strings.Count(c.TelegramAPIEndpoint, "%s") != 2 {
		return nil, &Error{"TELEGRAM_API_ENDPOINT", "must contain two %s (token and method), e.g. http://127.0.0.1:8081/bot%s/%s"}
	}
	if u, err := url.Parse(strings.ReplaceAll(c.TelegramAPIEndpoint, "%s", "x")); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{"TELEGRAM_API_ENDPOINT", "not an http(s) URL"}
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, &Error{"DATABASE_URL", "must be a postgres:// URL"}
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, &Error{"REDIS_URL", "must be a redis:// URL"}
	}
	loc, err := time.LoadLocation(get("RELAIS_TZ", DefaultTZ))
	if err != nil {
		return nil, &Error{"RELAIS_TZ", "unknown time zone"}
	}
	c.Location = loc
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return nil, &Error{"RELAIS_HTTP_ADDR", "must be host:port, e.g. 127.0.0.1:8080"}
	}
	c.ReminderHour = 9
	if v := getenv("RELAIS_REMINDER_HOUR"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 0 || h > 23 {
			return nil, &Error{"RELAIS_REMINDER_HOUR", "must be an hour from 0 to 23"}
		}
		c.ReminderHour = h
	}
	c.WebhookURL = get("RELAIS_WEBHOOK_URL", "")
	c.WebhookSecret = get("RELAIS_WEBHOOK_SECRET", "")
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &Error{"RELAIS_WEBHOOK_URL", "must be the public https URL Telegram posts updates to"}
		}
		if !secretPattern.MatchString(c.WebhookSecret) {
			return nil, &Error{"RELAIS_WEBHOOK_SECRET", "required with RELAIS_WEBHOOK_URL: 16 to 256 characters A-Z, a-z, 0-9, _ or -"}
		}
	}
	c.NudgeAfter = 4 * time.Hour
	if v := getenv("RELAIS_NUDGE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, &Error{"RELAIS_NUDGE_AFTER", "must be a duration such as 4h"}
		}
		c.NudgeAfter = d
	}
	return c, nil
}

// Demo reports whether no token is set: then `serve` runs the local demo.
func (c *Config) Demo() bool { return c.TelegramToken == "" }

// String never prints the token.
func (c *Config) String() string {
	return fmt.Sprintf("endpoint=%s http=%s tz=%s", redactEndpoint(c.TelegramAPIEndpoint), c.HTTPAddr, c.Location)
}

func redactEndpoint(e string) string {
	if u, err := url.Parse(strings.ReplaceAll(e, "%s", "x")); err == nil {
		return u.Scheme + "://" + u.Host
	}
	return "?"
}
