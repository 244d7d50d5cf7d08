package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// Migrations apply to an empty database (not the migrated template), then
// again with nothing left to do.
func TestMigrateTwice(t *testing.T) {
	url := missingDatabase(t)
	conn, err := pgx.Connect(context.Background(), testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(strings.SplitN(url[strings.LastIndex(url, "/"):], "?", 2)[0], "/")
	if _, err := conn.Exec(context.Background(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", url)
	for i := range 2 {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"migrate"}, &out, &errOut); code != 0 {
			t.Fatalf("migrate #%d exited %d: %s", i+1, code, errOut.String())
		}
	}
	if n := countRows(t, url, `SELECT count(*) FROM information_schema.tables WHERE table_name IN ('sheets', 'audit', 'job_executions', 'report_counts')`); n != 4 {
		t.Fatalf("%d of the 4 tables checked exist after migrating an empty database", n)
	}
}

func TestServeWithBadDatabaseURLFailsInOneLine(t *testing.T) {
	t.Setenv("TELEGRAM_TOKEN", "123:abc")
	for _, url := range []string{"postgres://postgres@127.0.0.1:1/relais?sslmode=disable&connect_timeout=2", "mysql://nope"} {
		t.Setenv("DATABASE_URL", url)
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"serve"}, &out, &errOut)
		msg := errOut.String()
		if code == 0 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "relais: ") {
			t.Fatalf("DATABASE_URL=%s: exit %d, stderr %q", url, code, msg)
		}
	}
	t.Setenv("DATABASE_URL", "mysql://nope")
	var errOut bytes.Buffer
	run(context.Background(), []string{"serve"}, &bytes.Buffer{}, &errOut)
	if !strings.Contains(errOut.String(), "DATABASE_URL") {
		t.Fatalf("malformed DATABASE_URL not named: %q", errOut.String())
	}
}

func TestInviteAndFormsCheck(t *testing.T) {
	db := testenv.NewDB(t)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TELEGRAM_TOKEN", "")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"invite", "--role", "mediator", "--departement", "59", "--structure", "CCAS Roubaix"}, &out, &errOut); code != 0 {
		t.Fatalf("invite: %d %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "Code d'invitation (médiateur, valable 7 jours, usage unique) : ") || !strings.Contains(out.String(), "https://t.me/RelaisBot?start=") {
		t.Fatalf("invite printed %q", out.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"invite", "--role", "mediator"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "departement") {
		t.Fatalf("invite without département: %d %q", code, errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"forms", "check"}, &out, &errOut); code != 0 || out.String() != "4 formulaires valides.\n" {
		t.Fatalf("forms check: %d %q %q", code, out.String(), errOut.String())
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/bad.yaml", []byte("id: bad\nversion: 1\ntitle: {fr: X}\nsteps:\n  - id: a\n    type: choice\n    label: {fr: A}\n    choices: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"forms", "check", dir}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "bad.yaml:") {
		t.Fatalf("broken form accepted: %d %q", code, errOut.String())
	}
}

// TestServeRegistersAMediator runs the `relais serve` code path against the
// fake Bot API, real PostgreSQL and Redis, by long polling and by webhook.
func TestServeRegistersAMediator(t *testing.T) {
	t.Run("polling", func(t *testing.T) { testServe(t, false) })
	t.Run("webhook", func(t *testing.T) { testServe(t, true) })
}

func testServe(t *testing.T, webhook bool) {
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	tg := telegramtest.NewServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := ln.Addr().String()
	ln.Close()
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	const secret = "s3cret-token_for-tests"
	hookURL, hookSecret := "", ""
	if webhook {
		hookURL, hookSecret = "http://"+httpAddr+"/telegram/webhook", secret
	}
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{
			"RELAIS_WEBHOOK_URL":    hookURL,
			"RELAIS_WEBHOOK_SECRET": hookSecret,
			"TELEGRAM_TOKEN":        tg.Token(),
			"TELEGRAM_API_ENDPOINT": tg.Endpoint(),
			"DATABASE_URL":          db.URL,
			"REDIS_URL":             testenv.RedisURL(),
			"RELAIS_REDIS_PREFIX":   rdb.Prefix,
			"RELAIS_HTTP_ADDR":      httpAddr,
			"RELAIS_METRICS_ADDR":   metricsAddr,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ready) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve not ready")
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + httpAddr + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	if webhook {
		resp, err := http.Post(hookURL, "application/json", strings.NewReader(`{"update_id":1,"message":{"message_id":1,"from":{"id":9},"chat":{"id":9},"text":"/start X"}}`))
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("update without the secret token: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	// Before registering, anyone sees only what they can use.
	if cmds := fmt.Sprint(tg.Bot().MenuFor(501, "fr")); cmds != "[{start vous inscrire avec votre code d'invitation} {aide ce que vous pouvez faire}]" {
		t.Fatalf("default command menu = %s", cmds)
	}
	code, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "62", Structure: "Centre social Lens", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	u := tg.NewUser(501, "Awa").For(t)
	u.Send("/start " + code)
	u.Expect("Bienvenue")
	var dep, structure string
	if err := db.SQL.QueryRow(ctx, `SELECT departement, structure FROM mediators WHERE user_id = 501`).Scan(&dep, &structure); err != nil || dep != "62" || structure != "Centre social Lens" {
		t.Fatalf("mediator row: %s %s %v", dep, structure, err)
	}
	if cmds := tg.Bot().MenuFor(501, "fr"); len(cmds) < 2 || cmds[0].Command != "fiche" {
		t.Fatalf("a registered mediator's menu = %+v", cmds)
	}
	other := tg.NewUser(502, "Bob").For(t)
	other.Send("/start " + code)
	other.Expect("déjà été utilisé")
	stranger := tg.NewUser(503, "Eve").For(t)
	stranger.Send("salut")
	stranger.Expect("invitation")
	var n int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM users WHERE telegram_id IN (502, 503)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused users stored: %d %v", n, err)
	}

	// /metrics is not on the listener the image opens (webhook, health)...
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /metrics on RELAIS_HTTP_ADDR: %v %v, want 404", resp, err)
	}
	resp.Body.Close()
	// ...but on its own (RELAIS_METRICS_ADDR), and it counts the updates
	// handled, the messages sent, the jobs run (the start-up execution of
	// the reminders job may still be running).
	var body []byte
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %v %v", resp, err)
		}
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The last update's handler may still be finishing after its reply.
		if (strings.Contains(string(body), `relais_job_executions_total{job="reminders"`) &&
			strings.Contains(string(body), `relais_updates_total{outcome="handled"} 3`)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{`relais_updates_total{outcome="handled"} 3`, "relais_update_handling_seconds_count 3",
		"relais_sender_queue_depth 0", "relais_telegram_rate_per_second 30", "relais_telegram_too_many_requests_total 0", `relais_backend_errors_total{backend="redis"} 0`,
		`relais_job_executions_total{job="reminders",outcome="ok"}`, "relais_telegram_calls_sent_total"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// The replica is announced for the others to share Telegram's rate...
	replicas, err := rdb.Client.Keys(ctx, rdb.Prefix+"replicas:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(replicas) != 1 {
		t.Fatalf("replica sets %q, want one", replicas)
	}
	if n, err := rdb.Client.ZCard(ctx, replicas[0]).Result(); err != nil || n != 1 {
		t.Fatalf("replicas announced: %d %v, want 1", n, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v on shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	// ...and gone at once when it stops, so they take its share.
	if n, err := rdb.Client.ZCard(context.Background(), replicas[0]).Result(); err != nil || n != 0 {
		t.Fatalf("replicas announced after shutdown: %d %v, want 0", n, err)
	}
}

// Invitation mistakes are refused in one French line, before any database
// work: a flag that does not fit the role would otherwise be dropped silently.
func TestInviteRefusesMistakesInFrench(t *testing.T) {
	db := testenv.NewDB(t)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TELEGRAM_TOKEN", "")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--role", "mediator"}, "un médiateur a besoin de --departement"},
		{[]string{"--role", "mediator", "--departement", "75"}, "département « 75 » inconnu"},
		{[]string{"--role", "coordinator"}, "un coordinateur a besoin de --scope"},
		{[]string{"--role", "coordinator", "--scope", "picardie"}, "portée « picardie » inconnue"},
		{[]string{"--role", "coordinator", "--scope", "region", "--departement", "59"}, "--departement ne s'applique pas à un coordinateur régional"},
		{[]string{"--role", "admin", "--rural"}, "--rural ne s'applique pas à un administrateur"},
		{[]string{"--role", "mediator", "--departement", "59", "--scope", "region"}, "--scope ne s'applique pas à un médiateur"},
		{[]string{"--role", "mediator", "--departement", "59", "--structure", "CCAS", "Roubaix"}, "argument inattendu « Roubaix »"},
		{[]string{"--role", "boss"}, "rôle « boss » inconnu"},
		{[]string{"--role", "mediator", "--departement", "59", "--structure", "  "}, "--structure est vide"},
		{[]string{"--rol", "admin"}, "invite : option inconnue --rol ; usage : relais invite --role"},
		{[]string{"--role"}, "invite : l'option --role attend une valeur"},
		{[]string{"--role", "mediator", "--departement", "59", "--rural=peut-être"}, "invite : valeur « peut-être » incorrecte pour --rural"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"invite"}, c.args...), &out, &errOut)
		msg := errOut.String()
		if code == 0 || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("invite %v: exit %d, stderr %q, want %q", c.args, code, msg, c.want)
		}
	}
	var n int
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM invitations`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d invitations after refusals (%v)", n, err)
	}
}

// An unreachable PostgreSQL or Redis stops serve with one line naming the
// variable to fix.
func TestServeNamesTheUnreachableService(t *testing.T) {
	db := testenv.NewDB(t)
	t.Setenv("TELEGRAM_TOKEN", "123:abc")
	cases := []struct{ database, redis, want string }{
		{"postgres://postgres@127.0.0.1:1/relais?sslmode=disable&connect_timeout=2", "", "DATABASE_URL : PostgreSQL injoignable"},
		{db.URL, "redis://127.0.0.1:1/0?dial_timeout=1s", "REDIS_URL : Redis injoignable"},
	}
	for _, c := range cases {
		t.Setenv("DATABASE_URL", c.database)
		t.Setenv("REDIS_URL", c.redis)
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"serve"}, &bytes.Buffer{}, &errOut)
		msg := errOut.String()
		if code == 0 || !strings.HasPrefix(msg, "relais: "+c.want) || strings.Count(msg, "\n") != 1 || strings.Contains(msg, "\t") {
			t.Errorf("exit %d, stderr %q, want one line starting %q", code, msg, c.want)
		}
	}
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/relais?sslmode=disable&connect_timeout=2")
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, &bytes.Buffer{}, &errOut); code == 0 || !strings.Contains(errOut.String(), "DATABASE_URL") {
		t.Errorf("migrate: exit %d, stderr %q", code, errOut.String())
	}
	// The local demo says the same of its own database.
	t.Setenv("RELAIS_DEMO_DATABASE_URL", "postgres://postgres@127.0.0.1:1/relais_demo?sslmode=disable&connect_timeout=2")
	t.Setenv("RELAIS_DEMO_ADDR", "127.0.0.1:0")
	errOut.Reset()
	if code := run(context.Background(), []string{"demo"}, &bytes.Buffer{}, &errOut); code == 0 ||
		!strings.HasPrefix(errOut.String(), "relais: RELAIS_DEMO_DATABASE_URL : PostgreSQL injoignable") || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("demo: exit %d, stderr %q", code, errOut.String())
	}
}

// Without a token, serve does not fall back to the demo (it would serve
// DATABASE_URL's records to anyone reaching the page): it stops, saying
// what to do, before opening any database.
func TestServeWithoutTokenRefuses(t *testing.T) {
	db := testenv.NewDB(t)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TELEGRAM_TOKEN", "")
	t.Setenv("RELAIS_HTTP_ADDR", "127.0.0.1:0")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve"}, &out, &errOut)
	want := "relais: TELEGRAM_TOKEN : manquant : relais serve a besoin du jeton donné par @BotFather (TELEGRAM_TOKEN=123456:ABC… relais serve) " +
		"ou d'un compte Matrix (MATRIX_HOMESERVER_URL, MATRIX_USER_ID, MATRIX_ACCESS_TOKEN ou MATRIX_PASSWORD, MATRIX_PICKLE_KEY). " +
		"Pour essayer Relais sans Telegram, lancez la démo locale : relais demo (ou make run sans TELEGRAM_TOKEN)\n"
	if code != 1 || errOut.String() != want || out.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("%d users registered by serve without a token", n)
	}
}

// The demo refuses a database holding anyone but its personas: it has no
// login, so it must never open real records.
func TestDemoRefusesADatabaseWithRealUsers(t *testing.T) {
	db := testenv.NewDB(t)
	ctx := context.Background()
	code, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Coordinator, Level: "region", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store.RedeemInvitation(ctx, code, 777001, 777001, "Réelle", time.Now()); err != nil {
		t.Fatal(err)
	}
	rdb := testenv.NewRedis(t)
	t.Setenv("RELAIS_DEMO_DATABASE_URL", db.URL)
	t.Setenv("RELAIS_DEMO_ADDR", "127.0.0.1:0")
	t.Setenv("RELAIS_REDIS_PREFIX", rdb.Prefix)
	t.Setenv("TELEGRAM_TOKEN", "")
	var out, errOut bytes.Buffer
	exit := run(ctx, []string{"demo"}, &out, &errOut)
	if exit != 1 || !strings.HasPrefix(errOut.String(), "relais: cette base contient des utilisateurs qui ne sont pas ceux de la démo") ||
		strings.Contains(out.String(), "Ouvrez") {
		t.Fatalf("exit %d, stdout %q, stderr %q", exit, out.String(), errOut.String())
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM users`); n != 1 {
		t.Fatalf("%d users after the refused demo, want the 1 real one", n)
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM invitations`); n != 1 {
		t.Fatalf("%d invitations after the refused demo: it invited its personas", n)
	}
}

func countRows(t *testing.T, url, query string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Options of every subcommand are explained in French; --help prints the
// subcommand's usage and succeeds.
func TestSubcommandOptionsInFrench(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"import", "--file", "f.csv", "--dryrun"}, 1, "relais: import : option inconnue --dryrun ; usage : relais import --file suivi.csv [--dry-run]\n"},
		{[]string{"report", "--help"}, 0, "Usage : relais report --from 2024-01-01"},
		{[]string{"fakegram", "-addr"}, 1, "relais: fakegram : l'option --addr attend une valeur"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, &out, &errOut)
		got := errOut.String()
		if c.code == 0 {
			got = out.String()
		}
		if code != c.code || !strings.HasPrefix(got, c.out) || strings.Contains(got, "flag") {
			t.Errorf("%v: exit %d, output %q, want %d and %q", c.args, code, got, c.code, c.out)
		}
	}
}

// The usage names every variable the configuration reads.
func TestUsageListsEveryVariable(t *testing.T) {
	src, err := os.ReadFile("../../internal/config/config.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := regexp.MustCompile(`get(?:env)?\("([A-Z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(vars) < 15 {
		t.Fatalf("found only %d variables in config.go", len(vars))
	}
	for _, v := range vars {
		if !strings.Contains(usage, v[1]) {
			t.Errorf("the usage does not name %s", v[1])
		}
	}
}

// Renaming a step that a saver reads fails `relais forms check` with the
// form's file and line, instead of saving an empty field at run time.
func TestFormsCheckFindsAStepTheSaverReads(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"fiche.yaml", "action.yaml", "bilan.yaml", "partenaire.yaml"} {
		src, err := os.ReadFile("../../dialogs/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "fiche.yaml" {
			if !strings.Contains(string(src), "  - id: note\n") {
				t.Fatal("dialogs/fiche.yaml has no step note any more: update this test")
			}
			src = []byte(strings.Replace(string(src), "  - id: note\n", "  - id: remarque\n", 1))
		}
		if err := os.WriteFile(dir+"/"+name, src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"forms", "check", dir}, &out, &errOut)
	if code != 1 || !regexp.MustCompile(`fiche\.yaml:\d+: l'étape « note » est lue à l'enregistrement du formulaire « fiche » mais n'existe pas`).MatchString(errOut.String()) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}
