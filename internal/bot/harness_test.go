package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var paris = testenv.Paris

// harness is a running bot on the fake Bot API, real PostgreSQL and Redis.
type harness struct {
	t      testing.TB
	tg     *telegramtest.Server
	db     *testenv.DB
	rdb    *testenv.Redis
	drafts *state.Drafts
	clock  *clock
	forms  bot.Forms
	logs   *logBuffer // what the bot logged
	stop   func()     // stops the running bot, waiting for in-flight updates
	// options change the bot's options (as serve's configuration would) at each start.
	options []func(*bot.Options)
	// updates has each update handled once (the bot's other Redis store).
	updates *state.Updates
}

// logBuffer collects the bot's log lines (from concurrent handlers).
type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// clock is a controllable "now" shared by the bot and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// chatLines is RELAIS_CHAT_FILES=lines: the chat gets line-level files.
func chatLines(o *bot.Options) { o.ChatFiles = config.ChatFilesLines }

func newHarness(t testing.TB, options ...func(*bot.Options)) *harness {
	t.Helper()
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	rdb := testenv.NewRedis(t)
	h := &harness{
		t:       t,
		tg:      telegramtest.NewServer(t, telegramtest.WithoutRateLimits()),
		db:      testenv.NewDB(t),
		rdb:     rdb,
		drafts:  state.New(rdb.Client, rdb.Prefix).Drafts(),
		updates: state.New(rdb.Client, rdb.Prefix).Updates(),
		clock:   &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, paris)},
		forms:   bot.Forms(fs),
		logs:    &logBuffer{},
		options: options,
	}
	h.start()
	t.Cleanup(func() { h.stop() })
	return h
}

// start runs a new bot process (same database and Redis): calling stop then
// start again is a restart of the bot.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	api, err := telegram.Connect(ctx, h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		h.t.Fatal(err)
	}
	o := bot.Options{
		Store:    h.db.Store,
		Drafts:   h.drafts,
		Updates:  h.updates,
		Out:      telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}),
		Location: paris,
		Now:      h.clock.Now,
		Username: api.Self.UserName,
		Forms:    h.forms,
		Log:      slog.New(slog.NewTextHandler(h.logs, nil)),
	}
	for _, set := range h.options {
		set(&o)
	}
	b := bot.New(o)
	done := make(chan error, 1)
	go func() { done <- telegram.Poll(ctx, api, b.HandleEvent) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			// stopping is the cancellation; any other error is the test's news
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				h.t.Errorf("poll: %v", err)
			}
		})
	}
}

func (h *harness) restart() {
	h.stop()
	h.start()
}

func (h *harness) invite(inv store.Invitation) string {
	h.t.Helper()
	if inv.ExpiresAt.IsZero() {
		inv.ExpiresAt = h.clock.Now().Add(7 * 24 * time.Hour)
	}
	code, err := h.db.Store.CreateInvitation(context.Background(), inv)
	if err != nil {
		h.t.Fatal(err)
	}
	return code
}

// mediator registers a new mediator of département dep through /start.
func (h *harness) mediator(id int64, name, dep string) *telegramtest.User {
	h.t.Helper()
	u := h.tg.NewUser(id, name).For(h.t)
	u.Send("/start " + h.invite(store.Invitation{Role: roles.Mediator, Departement: dep, Structure: "CCAS Roubaix"}))
	u.Expect("Bienvenue")
	return u
}

func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.db.SQL.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// setDatabaseUp makes the test database refuse (or accept again) every
// connection, as when PostgreSQL is down or restarting.
func (h *harness) setDatabaseUp(up bool) {
	h.t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.AdminURL())
	if err != nil {
		h.t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s ALLOW_CONNECTIONS %t`, h.db.Name, up)); err != nil {
		h.t.Fatal(err)
	}
	if !up {
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, h.db.Name); err != nil {
			h.t.Fatal(err)
		}
	}
}
