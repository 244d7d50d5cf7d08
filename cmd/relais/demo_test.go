package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/testenv"
)

// TestDemoServesTheWebChat runs `relais demo` (serve with the web chat) on a
// server that lacks the database, as on a fresh machine, and checks the
// printed address, the page and the seeded accounts' chats.
func TestDemoServesTheWebChat(t *testing.T) {
	dbURL := missingDatabase(t)
	rdb := testenv.NewRedis(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := ln.Addr().String()
	ln.Close()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{
			"RELAIS_DEMO_DATABASE_URL": dbURL,
			"REDIS_URL":                testenv.RedisURL(),
			"RELAIS_REDIS_PREFIX":      rdb.Prefix,
			"RELAIS_DEMO_ADDR":         httpAddr,
			// What serve would use: the demo must open neither.
			"DATABASE_URL":     "postgres://postgres@127.0.0.1:1/relais_production?sslmode=disable",
			"RELAIS_HTTP_ADDR": "0.0.0.0:1",
			// Nor the bot's Matrix account (nothing listens there), nor
			// the deployment's regions: its synthetic year is the
			// Hauts-de-France's.
			"MATRIX_HOMESERVER_URL": "http://127.0.0.1:1",
			"MATRIX_USER_ID":        "@relais:example.fr",
			"MATRIX_ACCESS_TOKEN":   "syt_real",
			"MATRIX_PICKLE_KEY":     "0123456789abcdef0123456789abcdef",
			"RELAIS_REGIONS":        "76",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- demo(ctx, cfg, stdout)
		stdout.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	}()

	lines := bufio.NewScanner(out)
	want := "Ouvrez http://" + httpAddr + "/ dans votre navigateur."
	for lines.Scan() && lines.Text() != want {
	}
	if lines.Text() != want {
		t.Fatalf("demo did not print %q", want)
	}
	// the demo's later output is drained until it closes its end (EOF)
	drained := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, out)
		drained <- err
	}()
	t.Cleanup(func() {
		if err := <-drained; err != nil {
			t.Errorf("drain the demo's output: %v", err)
		}
	})

	get := func(path string) string {
		t.Helper()
		res, err := http.Get("http://" + httpAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, res.StatusCode, b)
		}
		return string(b)
	}
	if page := get("/"); !strings.Contains(page, "static/chat.js") {
		t.Fatalf("GET / is not the chat page: %.200s", page)
	}
	get("/readyz")
	if p := get("/api/personas"); !strings.Contains(p, "Awa") || !strings.Contains(p, "Claire") {
		t.Fatalf("personas = %s", p)
	}

	// The seeded /start reaches the real bot: the coordinator is welcomed
	// once the synthetic year is written, which a busy machine under -race
	// takes its time to do: the wait ends shortly before the test's own
	// deadline (go test -timeout), never after a guess.
	until := time.Now().Add(10 * time.Minute)
	if deadline, ok := t.Deadline(); ok {
		until = deadline.Add(-min(time.Minute, time.Until(deadline)/10))
	}
	sctx, scancel := context.WithDeadline(ctx, until)
	defer scancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, "http://"+httpAddr+"/api/chats/4503599630570497/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	events := bufio.NewScanner(res.Body)
	for events.Scan() && !strings.Contains(events.Text(), "Bienvenue sur Relais") {
	}
	if !strings.Contains(events.Text(), "coordinat") {
		t.Fatalf("no welcome for the demo coordinator (last line %q, %v)", events.Text(), events.Err())
	}
}

// missingDatabase is the URL of a database that does not exist yet, dropped
// at the end of the test.
func missingDatabase(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	name := testenv.RandomName("relais_demo_")
	u.Path = "/" + name
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), testenv.AdminURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	return u.String()
}

// startWatch is stdout for a demo run: it says when the demo has started
// (printed where to open its page).
type startWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	started chan struct{}
	once    sync.Once
}

func (w *startWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), "Ouvrez http://") {
		w.once.Do(func() { close(w.started) })
	}
	return n, err
}

func (w *startWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runDemoCommand runs `relais demo` with the environment the test set. A
// demo that starts is stopped at once, and reported: started is true.
func runDemoCommand(t *testing.T) (exit int, stdout, stderr string, started bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &startWatch{started: make(chan struct{})}
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"demo"}, out, &errOut) }()
	select {
	case exit = <-done:
	case <-out.started:
		cancel()
		exit = <-done
		started = true
	}
	return exit, out.String(), errOut.String(), started
}

// Right after `relais import`, a database holds sheets, people and posts
// but no user: the demo (no login) would show them to anyone who opens its
// page, and /export would hand them out. It refuses to start on it, says
// what it found and what to do, and writes nothing there.
func TestDemoRefusesADatabaseWithImportedRecords(t *testing.T) {
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	file := filepath.Join(t.TempDir(), "suivi.csv")
	csv := "sheet_id,date,mediator,departement,beneficiary,sex,age,qpv,resources,contact_mode,level,social_protection,request_kind,request_type,status,follow_up,obstacles\n" +
		"R1,2024-03-04,MED-R,59,PR1,F,30,oui,rsa,aller_vers,oriente,oui,droits,css,resolue,,\n" +
		"R2,2024-03-05,MED-R,59,PR2,M,50,non,salaire,contact_direct,informe,non,soins,rdv,en_cours,2024-03-20,\n" +
		"P1,2024-03-05,MED-P,62,PP1,X,,oui,aucune,aller_vers,oriente,oui,droits,css,en_cours,2024-03-01,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", db.URL)
	var importOut, importErr bytes.Buffer
	if code := run(context.Background(), []string{"import", "--file", file}, &importOut, &importErr); code != 0 {
		t.Fatalf("import: exit %d, %s%s", code, importOut.String(), importErr.String())
	}

	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/relais_production?sslmode=disable")
	t.Setenv("RELAIS_DEMO_DATABASE_URL", db.URL)
	t.Setenv("RELAIS_DEMO_ADDR", "127.0.0.1:0")
	t.Setenv("RELAIS_REDIS_PREFIX", rdb.Prefix)
	t.Setenv("TELEGRAM_TOKEN", "")
	exit, stdout, stderr, started := runDemoCommand(t)
	want := "relais: cette base n'a pas été créée par la démo et contient déjà des données " +
		"(3 fiches, 3 personnes accompagnées, 2 postes de médiateur, 1 ligne du journal d'audit) : la démo n'a pas de connexion, " +
		"elle ne doit jamais ouvrir une base réelle. Donnez-lui sa propre base (RELAIS_DEMO_DATABASE_URL, par défaut relais_demo, créée si elle n'existe pas)\n"
	if started || exit != 1 || stderr != want {
		t.Fatalf("demo on an imported database: started %v, exit %d, stdout %q\nstderr %q\nwant   %q", started, exit, stdout, stderr, want)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM sheets`:      3,
		`SELECT count(*) FROM mediators`:   2,
		`SELECT count(*) FROM users`:       0,
		`SELECT count(*) FROM invitations`: 0,
		`SELECT count(*) FROM demo_state`:  0,
	} {
		if n := countRows(t, db.URL, query); n != want {
			t.Errorf("after the refused demo, %s = %d, want %d", query, n, want)
		}
	}
}

// The demo page has no login: RELAIS_DEMO_ADDR on every interface is
// refused at start, before any database is opened or created.
func TestDemoRefusesANetworkAddress(t *testing.T) {
	dbURL := missingDatabase(t)
	rdb := testenv.NewRedis(t)
	t.Setenv("RELAIS_DEMO_DATABASE_URL", dbURL)
	t.Setenv("RELAIS_DEMO_ADDR", "0.0.0.0:0")
	t.Setenv("RELAIS_REDIS_PREFIX", rdb.Prefix)
	t.Setenv("TELEGRAM_TOKEN", "")
	exit, stdout, stderr, started := runDemoCommand(t)
	want := "relais: RELAIS_DEMO_ADDR : \"0.0.0.0:0\" n'est pas une adresse de bouclage : la page de la démo n'a pas de connexion, " +
		"elle écoute sur cette machine seulement (127.0.0.1, ::1 ou localhost), par exemple 127.0.0.1:8080\n"
	if started || exit != 1 || stderr != want {
		t.Fatalf("demo on 0.0.0.0: started %v, exit %d, stdout %q\nstderr %q\nwant   %q", started, exit, stdout, stderr, want)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if n := countRows(t, testenv.AdminURL(), "SELECT count(*) FROM pg_database WHERE datname = '"+name+"'"); n != 0 {
		t.Fatalf("the refused demo created its database %s", name)
	}
}
