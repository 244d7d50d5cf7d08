// Package config reads Relais' settings from environment variables only, so
// the same binary runs in CI, in the demo and in production unchanged.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/territory"
)

// Config is the whole runtime configuration.
type Config struct {
	TelegramToken string
	// Matrix is the Matrix account (Element, Tchap) the bot serves on,
	// beside Telegram or instead of it; its HomeserverURL is "" when unset.
	Matrix              Matrix
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
	// DemoDatabaseURL and DemoAddr are the local demo's own database and
	// listening address: the demo never opens DATABASE_URL nor listens on
	// RELAIS_HTTP_ADDR, so it cannot show real records to anyone.
	DemoDatabaseURL string
	DemoAddr        string
	// demo marks the configuration the demo derived (UseDemo).
	demo bool
	// Retention is how long records are kept (RELAIS_RETENTION): the daily
	// purge and `relais purge` delete what is older.
	Retention Retention
	// LogLevel is RELAIS_LOG_LEVEL (debug, info, warn, error; default info).
	LogLevel slog.Level
	// AuditKey is RELAIS_AUDIT_KEY, the secret of the keyed fingerprints of
	// erased beneficiary codes; empty: a key generated into the database.
	AuditKey string
	// ChatFiles is RELAIS_CHAT_FILES: what the files sent in a chat hold.
	ChatFiles ChatFiles
	// MetricsAddr is where /metrics is served (RELAIS_METRICS_ADDR), apart
	// from RELAIS_HTTP_ADDR, which faces Telegram and the network; "" (the
	// demo): no metrics listener.
	MetricsAddr string
	// ImportMaxBytes is RELAIS_IMPORT_MAX_BYTES: relais import refuses a
	// bigger file before reading it.
	ImportMaxBytes int64
	// Regions is RELAIS_REGIONS: the regions the deployment serves, by
	// INSEE code (default DefaultRegions, the Hauts-de-France).
	Regions territory.Served
}

// ChatFiles says what the files the bot sends in a chat (exports, annual
// report) may hold. Telegram is outside the EU and no health data host:
// by default those files carry figures only, and the line-level files
// (one row per request, person codes, post identifiers, free text) are
// produced on the server with `relais report`.
type ChatFiles string

// Values of RELAIS_CHAT_FILES.
const (
	// ChatFilesAggregates: the report's tables only (the default).
	ChatFilesAggregates ChatFiles = "aggregates"
	// ChatFilesLines: also the lines, the line-level CSVs and the reviews'
	// free-text answers.
	ChatFilesLines ChatFiles = "lines"
)

// UseDemo returns the configuration the local demo runs with: its own
// database and loopback address instead of DATABASE_URL and
// RELAIS_HTTP_ADDR, no webhook, no Matrix account (the demo's bot talks to
// its fake Telegram only: the bot's real account, synced from the demo's
// database, would answer real people there and fork the bot's encryption
// keys), and the region of its synthetic year, whatever RELAIS_REGIONS
// says.
func (c *Config) UseDemo() (*Config, error) {
	d := *c
	d.DatabaseURL, d.HTTPAddr = c.DemoDatabaseURL, c.DemoAddr
	d.WebhookURL, d.WebhookSecret = "", ""
	d.MetricsAddr = "" // the demo serves no metrics
	d.Matrix = Matrix{}
	regions, err := territory.Serve([]string{DemoRegion})
	if err != nil {
		return nil, fmt.Errorf("demo region: %w", err)
	}
	d.Regions = regions
	d.demo = true
	return &d, nil
}

// DemoRegion is the region of the demo's synthetic year (Hauts-de-France).
const DemoRegion = "32"

// DatabaseVar names the variable DatabaseURL came from, for error messages.
func (c *Config) DatabaseVar() string {
	if c.demo {
		return "RELAIS_DEMO_DATABASE_URL"
	}
	return "DATABASE_URL"
}

// Retention is a keeping time in years and days (one of them set).
type Retention struct {
	Years int
	Days  int
}

// DefaultRetention keeps five years: the current year's report, the
// previous years to compare with, and no more.
var DefaultRetention = Retention{Years: 5}

// Cutoff is the first day kept at now: midnight, in now's location, of the
// day the retention before today. What is dated earlier is purged.
func (r Retention) Cutoff(now time.Time) time.Time {
	d := now.AddDate(-r.Years, 0, -r.Days)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, now.Location())
}

// String says the retention in French ("5 ans", "400 jours").
func (r Retention) String() string {
	if r.Years > 0 {
		if r.Years == 1 {
			return "1 an"
		}
		return strconv.Itoa(r.Years) + " ans"
	}
	return strconv.Itoa(r.Days) + " jours"
}

var retentionPattern = regexp.MustCompile(`^(\d{1,5})\s*(y|a|an|ans|d|j|jours?)$`)

// ParseRetention reads "5y", "5a" or "5 ans" (years), "400d", "400j" or
// "400 jours" (days). Less than a year is refused: the past year's report
// must still be computable, and "5d" typed for "5y" would erase years of work.
func ParseRetention(v string) (Retention, error) {
	bad := func() (Retention, error) {
		return Retention{}, &Error{"RELAIS_RETENTION", fmt.Sprintf("%q n'est pas une durée de conservation d'au moins un an, par exemple 5y (5 ans) ou 1825d (1825 jours)", v)}
	}
	m := retentionPattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(v)))
	if m == nil {
		return bad()
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return bad()
	}
	var r Retention
	switch m[2] {
	case "y", "a", "an", "ans":
		r.Years = n
		if n < 1 || n > 100 {
			return bad()
		}
	default:
		r.Days = n
		if n < 365 || n > 36500 {
			return bad()
		}
	}
	return r, nil
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

// Defaults for a developer machine, and the one definition of each default
// the bot and its jobs share.
const (
	DefaultAPIEndpoint = "https://api.telegram.org/bot%s/%s"
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/relais?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultTZ          = "Europe/Paris"
	DefaultHTTPAddr    = "127.0.0.1:8080"
	// DefaultMetricsAddr is loopback: the metrics are for the operator.
	DefaultMetricsAddr = "127.0.0.1:9090"
	// DefaultDemoDatabaseURL is the demo's database, never the bot's.
	DefaultDemoDatabaseURL = "postgres://postgres@127.0.0.1:5432/relais_demo?sslmode=disable"
	// DefaultDemoAddr is loopback: the demo has no login.
	DefaultDemoAddr = "127.0.0.1:8080"
	// DefaultReminderHour is the morning follow-up reminder's hour for a
	// user who never chose one (users.reminder_hour NULL).
	DefaultReminderHour = 9
	// DefaultNudgeAfter is how long a draft stays idle before the "you have
	// a form in progress" nudge.
	DefaultNudgeAfter = 4 * time.Hour
	// DefaultImportMaxBytes (512 Mo) is some 5 million lines of tracking
	// file, far above a region's years of records.
	DefaultImportMaxBytes = 512 << 20
)

// Error names the variable at fault, so the operator sees one clear line.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return e.Var + " : " + e.Reason }

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
		DemoDatabaseURL:     get("RELAIS_DEMO_DATABASE_URL", DefaultDemoDatabaseURL),
		DemoAddr:            get("RELAIS_DEMO_ADDR", DefaultDemoAddr),
	}
	if err := c.Matrix.read(getenv); err != nil {
		return nil, err
	}
	if strings.Count(c.TelegramAPIEndpoint, "%s") != 2 {
		return nil, &Error{"TELEGRAM_API_ENDPOINT", "doit contenir deux %s (le jeton puis la méthode), par exemple http://127.0.0.1:8081/bot%s/%s"}
	}
	if u, err := url.Parse(strings.ReplaceAll(c.TelegramAPIEndpoint, "%s", "x")); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{"TELEGRAM_API_ENDPOINT", "n'est pas une adresse http(s)://, par exemple https://api.telegram.org/bot%s/%s"}
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, &Error{"DATABASE_URL", "doit être une adresse postgres://, par exemple " + DefaultDatabaseURL}
	}
	if u, err := url.Parse(c.DemoDatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, &Error{"RELAIS_DEMO_DATABASE_URL", "doit être une adresse postgres://, par exemple " + DefaultDemoDatabaseURL}
	}
	if !validHostPort(c.DemoAddr) {
		return nil, &Error{"RELAIS_DEMO_ADDR", fmt.Sprintf("%q n'est pas une adresse hôte:port valide (port de 0 à 65535), par exemple %s", c.DemoAddr, DefaultDemoAddr)}
	}
	if !loopback(c.DemoAddr) {
		return nil, &Error{"RELAIS_DEMO_ADDR", fmt.Sprintf("%q n'est pas une adresse de bouclage : la page de la démo n'a pas de connexion, "+
			"elle écoute sur cette machine seulement (127.0.0.1, ::1 ou localhost), par exemple %s", c.DemoAddr, DefaultDemoAddr)}
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, &Error{"REDIS_URL", "doit être une adresse redis://, par exemple " + DefaultRedisURL}
	}
	tz := get("RELAIS_TZ", DefaultTZ)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, &Error{"RELAIS_TZ", fmt.Sprintf("fuseau horaire inconnu %q, par exemple %s", tz, DefaultTZ)}
	}
	c.Location = loc
	if !validHostPort(c.HTTPAddr) {
		return nil, &Error{"RELAIS_HTTP_ADDR", fmt.Sprintf("%q n'est pas une adresse hôte:port valide (port de 0 à 65535), par exemple %s", c.HTTPAddr, DefaultHTTPAddr)}
	}
	c.MetricsAddr = get("RELAIS_METRICS_ADDR", DefaultMetricsAddr)
	if !validHostPort(c.MetricsAddr) {
		return nil, &Error{"RELAIS_METRICS_ADDR", fmt.Sprintf("%q n'est pas une adresse hôte:port valide (port de 0 à 65535), par exemple %s", c.MetricsAddr, DefaultMetricsAddr)}
	}
	if c.MetricsAddr == c.HTTPAddr && !strings.HasSuffix(c.MetricsAddr, ":0") {
		return nil, &Error{"RELAIS_METRICS_ADDR", fmt.Sprintf("%q est aussi RELAIS_HTTP_ADDR : les métriques ont leur propre adresse, par exemple %s", c.MetricsAddr, DefaultMetricsAddr)}
	}
	c.ReminderHour = DefaultReminderHour
	if v := getenv("RELAIS_REMINDER_HOUR"); v != "" {
		h, err := strconv.Atoi(v)
		// Daytime only: a reminder at night would wake a mediator up.
		if err != nil || h < 6 || h > 21 {
			return nil, &Error{"RELAIS_REMINDER_HOUR", fmt.Sprintf("%q n'est pas une heure de 6 à 21, par exemple %d", v, DefaultReminderHour)}
		}
		c.ReminderHour = h
	}
	c.WebhookURL = get("RELAIS_WEBHOOK_URL", "")
	c.WebhookSecret = get("RELAIS_WEBHOOK_SECRET", "")
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &Error{"RELAIS_WEBHOOK_URL", "doit être l'adresse https publique où Telegram envoie les messages, par exemple https://relais.example.org/telegram"}
		}
		if !secretPattern.MatchString(c.WebhookSecret) {
			return nil, &Error{"RELAIS_WEBHOOK_SECRET", "obligatoire avec RELAIS_WEBHOOK_URL : de 16 à 256 caractères parmi A-Z, a-z, 0-9, _ et -"}
		}
	} else if c.WebhookSecret != "" {
		return nil, &Error{"RELAIS_WEBHOOK_SECRET", "n'a de sens qu'avec RELAIS_WEBHOOK_URL (sans elle, le bot interroge Telegram) : définissez RELAIS_WEBHOOK_URL ou retirez RELAIS_WEBHOOK_SECRET"}
	}
	c.Retention = DefaultRetention
	if v := getenv("RELAIS_RETENTION"); strings.TrimSpace(v) != "" {
		r, err := ParseRetention(v)
		if err != nil {
			return nil, err
		}
		c.Retention = r
	}
	if v := get("RELAIS_LOG_LEVEL", "info"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return nil, &Error{"RELAIS_LOG_LEVEL", fmt.Sprintf("%q n'est pas un niveau connu : debug, info, warn ou error", v)}
		}
	}
	switch v := ChatFiles(get("RELAIS_CHAT_FILES", string(ChatFilesAggregates))); v {
	case ChatFilesAggregates, ChatFilesLines:
		c.ChatFiles = v
	default:
		return nil, &Error{"RELAIS_CHAT_FILES", fmt.Sprintf("%q n'est pas une valeur connue : aggregates (fichiers de chiffres seulement dans la discussion, par défaut) ou lines (aussi les lignes par demande et les réponses libres)", v)}
	}
	c.NudgeAfter = DefaultNudgeAfter
	if v := getenv("RELAIS_NUDGE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, &Error{"RELAIS_NUDGE_AFTER", fmt.Sprintf("%q n'est pas une durée positive, par exemple 4h ou 90m", v)}
		}
		c.NudgeAfter = d
	}
	c.AuditKey = strings.TrimSpace(getenv("RELAIS_AUDIT_KEY"))
	if c.AuditKey != "" && len(c.AuditKey) < MinAuditKeyLen {
		return nil, &Error{"RELAIS_AUDIT_KEY", fmt.Sprintf("trop courte : au moins %d caractères, par exemple la sortie de « openssl rand -hex 32 » (ou ne la définissez pas : une clé est alors créée dans la base)", MinAuditKeyLen)}
	}
	regions, err := territory.Serve(strings.FieldsFunc(get("RELAIS_REGIONS", DefaultRegions), func(r rune) bool { return r == ',' || r == ' ' }))
	if err != nil {
		return nil, &Error{"RELAIS_REGIONS", err.Error()}
	}
	c.Regions = regions
	c.ImportMaxBytes = DefaultImportMaxBytes
	if v := get("RELAIS_IMPORT_MAX_BYTES", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, &Error{"RELAIS_IMPORT_MAX_BYTES", fmt.Sprintf("%q n'est pas une taille en octets (un nombre entier positif), par exemple %d pour 512 Mo", v, DefaultImportMaxBytes)}
		}
		c.ImportMaxBytes = n
	}
	return c, nil
}

// DefaultRegions is the Hauts-de-France (INSEE code 32), the region Relais
// was first deployed for.
const DefaultRegions = "32"

// MinAuditKeyLen is the shortest RELAIS_AUDIT_KEY: 32 characters, too many
// to guess.
const MinAuditKeyLen = 32

// validHostPort accepts host:port with a port from 0 to 65535 (0: any free port).
func validHostPort(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// loopback reports whether addr (a valid host:port) listens on this
// machine only: an IP of 127.0.0.0/8 or ::1, or the name localhost. An
// empty host, 0.0.0.0 or :: listen on every interface, and any other name
// may resolve to one a network reaches.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RequireToken refuses to serve without a bot token: without one there is
// no Telegram to serve, and the demo is a separate, explicit command.
func (c *Config) RequireToken() error {
	if c.TelegramToken == "" && !c.Matrix.Enabled() {
		return &Error{"TELEGRAM_TOKEN", "manquant : relais serve a besoin du jeton donné par @BotFather (TELEGRAM_TOKEN=123456:ABC… relais serve) ou d'un compte Matrix (MATRIX_HOMESERVER_URL, MATRIX_USER_ID, MATRIX_ACCESS_TOKEN ou MATRIX_PASSWORD, MATRIX_PICKLE_KEY). " +
			"Pour essayer Relais sans Telegram, lancez la démo locale : relais demo (ou make run sans TELEGRAM_TOKEN)"}
	}
	return nil
}

// String never prints the token.
func (c *Config) String() string {
	return fmt.Sprintf("endpoint=%s http=%s metrics=%s tz=%s", redactEndpoint(c.TelegramAPIEndpoint), c.HTTPAddr, c.MetricsAddr, c.Location)
}

func redactEndpoint(e string) string {
	if u, err := url.Parse(strings.ReplaceAll(e, "%s", "x")); err == nil {
		return u.Scheme + "://" + u.Host
	}
	return "?"
}
