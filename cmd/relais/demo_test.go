package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
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
