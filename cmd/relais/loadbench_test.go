//go:build loadbench

package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/config"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

// loadSheet is one whole accompaniment sheet, as loadgram's
// relais_sheet.json plays it: "" + label is a press, "/" or a digit typed.
var loadSheet = []struct{ text, press string }{
	{text: "/fiche"}, {press: "Aujourd'hui"}, {press: "Nouvelle personne"}, {press: "Femme"}, {text: "52"},
	{press: "Oui"}, {press: "RSA"}, {press: "Orientation par un partenaire"}, {press: "Accompagné"}, {press: "Oui"},
	{press: "Accès aux droits"}, {press: "Complémentaire Santé Solidaire"}, {press: "En cours"}, {press: "Dans 1 semaine"},
	{press: "Oui"}, {press: "Accès aux soins"}, {press: "Prise de RDV"}, {press: "Résolue"}, {press: "Non"},
	{press: "Mobilité"}, {press: "Valider"}, {press: "Passer"}, {press: "✅ Enregistrer"},
}

// TestLoadSheets is the load benchmark on the project's own fake Bot API
// (Telegram's limits on): `relais serve` with LOAD_USERS mediators (100)
// each filling LOAD_FORMS whole sheets (1) with LOAD_THINK between taps
// (3s). It prints messages per input, tap → first answer and tap →
// answerCallbackQuery percentiles, 429s and forms lost. With
// LOAD_REMINDERS=n, n other mediators have a follow-up due today and their
// reminder hour now: the morning pass sends their n reminders (bulk) while
// the conversations go on, and it prints when the last one arrived. Not
// part of `make test`:
//
//	go test -count=1 -tags loadbench -run TestLoadSheets -v -timeout 30m ./cmd/relais/
//	LOAD_USERS=20 LOAD_REMINDERS=1000 go test -count=1 -tags loadbench -run TestLoadSheets -v -timeout 30m ./cmd/relais/
func TestLoadSheets(t *testing.T) {
	users, forms, think := envInt("LOAD_USERS", 100), envInt("LOAD_FORMS", 1), 3*time.Second
	if v := os.Getenv("LOAD_THINK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		think = d
	}
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	tg := telegramtest.NewServer(t, telegramtest.WithLimits(telegramtest.TelegramLimits), telegramtest.WithExpectTimeout(60*time.Second))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := ln.Addr().String()
	ln.Close()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"TELEGRAM_TOKEN": tg.Token(), "TELEGRAM_API_ENDPOINT": tg.Endpoint(), "DATABASE_URL": db.URL,
			"REDIS_URL": testenv.RedisURL(), "RELAIS_REDIS_PREFIX": rdb.Prefix, "RELAIS_HTTP_ADDR": httpAddr, "RELAIS_METRICS_ADDR": "127.0.0.1:0", "RELAIS_LOG_LEVEL": "warn"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const base = 100000001
	if _, err := db.SQL.Exec(ctx, `
		INSERT INTO users (telegram_id, role, display_name, chat_id)
		  SELECT $1::bigint + i, 'mediator', 'Bench ' || i, $1::bigint + i FROM generate_series(0, $2::int - 1) i;`, base, users); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(ctx, `
		INSERT INTO mediators (identifier, user_id, departement, structure)
		  SELECT 'bench-' || i, $1::bigint + i, (ARRAY['02','59','60','62','80'])[1 + i % 5], 'Banc d''essai'
		  FROM generate_series(0, $2::int - 1) i`, base, users); err != nil {
		t.Fatal(err)
	}
	reminded := seedReminders(t, db, tg, envInt("LOAD_REMINDERS", 0), cfg.Location)
	sctx, cancel := context.WithCancel(ctx)
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- serve(sctx, cfg, ready) }()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	}

	before := tg.Stats()
	remindersDone := watchReminders(sctx, reminded)
	var (
		mu               sync.Mutex
		answers, acks    []time.Duration
		later            []time.Duration // answers but to /fiche (with one sheet each, the start wave)
		inputs, timeouts int
	)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range users {
		u := tg.NewUser(int64(base+i), "M"+strconv.Itoa(i))
		wg.Go(func() {
			events := tg.Bot().Subscribe(sctx, u.ID())
			for range forms {
				for step, in := range loadSheet {
					time.Sleep(think)
					for drained := false; !drained; { // older changes (a late keyboard removal)
						select {
						case <-events:
						default:
							drained = true
						}
					}
					acked := len(u.CallbackAnswers())
					t0 := time.Now()
					if in.press != "" {
						u.Press(in.press)
					} else {
						u.Send(in.text)
					}
					var answer, ack time.Duration
					deadline := time.After(60 * time.Second)
					tick := time.NewTicker(2 * time.Millisecond)
				wait:
					for answer == 0 || (in.press != "" && ack == 0) {
						select {
						case ev := <-events:
							if ev.Message.FromBot && answer == 0 {
								answer = time.Since(t0)
							}
						case <-tick.C:
							if in.press != "" && ack == 0 && len(u.CallbackAnswers()) > acked {
								ack = time.Since(t0)
							}
						case <-deadline:
							mu.Lock()
							timeouts++
							mu.Unlock()
							break wait
						}
					}
					tick.Stop()
					mu.Lock()
					inputs++
					if answer > 0 {
						answers = append(answers, answer)
						if step > 0 {
							later = append(later, answer)
						}
					}
					if ack > 0 {
						acks = append(acks, ack)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	st := tg.Stats()
	calls := 0
	for _, m := range []string{"sendmessage", "editmessagetext", "editmessagereplymarkup", "sendphoto", "senddocument", "deletemessage"} {
		calls += st.ByMethod[m] - before.ByMethod[m]
	}
	calls -= len(reminded) // one message each, not an answer to an input
	var saved int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets s JOIN mediators m ON m.id = s.mediator_id WHERE m.identifier LIKE 'bench-%'`).Scan(&saved); err != nil {
		t.Fatal(err)
	}
	t.Logf("project fake, %d mediators × %d sheets, think %v, wall %v", users, forms, think, wall.Round(time.Second))
	t.Logf("messages per input  %.3f (%d calls for %d inputs)", float64(calls)/float64(inputs), calls, inputs)
	t.Logf("tap -> first answer %s", percentiles(answers))
	// Every mediator types /fiche in the same instant: 100 answers at once
	// against a burst of 27 and 30/s, the last ones 2.4 s later whatever
	// the order. Without that wave, the steady state.
	t.Logf("  without the start %s", percentiles(later))
	t.Logf("tap -> callback     %s", percentiles(acks))
	t.Logf("429s %d   timeouts %d   forms lost %d", st.TooManyRequests-before.TooManyRequests, timeouts, users*forms-saved)
	if len(reminded) > 0 {
		select {
		case d := <-remindersDone:
			t.Logf("reminders: %d delivered, the last %v after the start", len(reminded), d.Round(100*time.Millisecond))
		case <-time.After(2 * time.Minute):
			t.Logf("reminders: not all %d delivered 2 min after the conversations ended", len(reminded))
		}
	}
}

// seedReminders registers n mediators (ids from 300000001) whose reminder
// hour is now, each with a request due today, and their chats in the fake.
func seedReminders(t *testing.T, db *testenv.DB, tg *telegramtest.Server, n int, loc *time.Location) []*telegramtest.User {
	t.Helper()
	if n == 0 {
		return nil
	}
	const base = 300000001
	now := time.Now().In(loc)
	ctx := context.Background()
	day := now.Format(time.DateOnly)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (telegram_id, role, display_name, chat_id, reminder_hour)
		   SELECT $1::bigint + i, 'mediator', 'Rappel ' || i, $1::bigint + i, $3::int FROM generate_series(0, $2::int - 1) i`, []any{base, n, now.Hour()}},
		{`INSERT INTO mediators (identifier, user_id, departement, structure)
		   SELECT 'rem-' || i, $1::bigint + i, '59', 'Banc d''essai' FROM generate_series(0, $2::int - 1) i`, []any{base, n}},
		{`INSERT INTO beneficiaries (code, mediator_id)
		   SELECT 'R' || lpad(i::text, 5, '0'), m.id FROM generate_series(0, $1::int - 1) i JOIN mediators m ON m.identifier = 'rem-' || i`, []any{n}},
		{`INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode, level, social_protection, obstacles, source)
		   SELECT 'rem-' || i, m.id, b.id, $2::date - 7, 'F', 40, 'oui', 'rsa', 'aller_vers', 'accompagne', 'oui', '{}'::text[], 'import'
		   FROM generate_series(0, $1::int - 1) i JOIN mediators m ON m.identifier = 'rem-' || i JOIN beneficiaries b ON b.mediator_id = m.id`, []any{n, day}},
		{`INSERT INTO requests (sheet_id, position, kind, type, status, follow_up)
		   SELECT 'rem-' || i, 1, 'droits', 'css', 'en_cours', $2::date FROM generate_series(0, $1::int - 1) i`, []any{n, day}},
	} {
		if _, err := db.SQL.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("seed reminders: %v", err)
		}
	}
	out := make([]*telegramtest.User, n)
	for i := range n {
		out[i] = tg.NewUser(int64(base+i), "R"+strconv.Itoa(i))
	}
	return out
}

// watchReminders reports when each of users has had a bot message.
func watchReminders(ctx context.Context, users []*telegramtest.User) <-chan time.Duration {
	done := make(chan time.Duration, 1)
	if len(users) == 0 {
		return done
	}
	start := time.Now()
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			if ctx.Err() != nil {
				return
			}
			all := true
			for _, u := range users {
				if len(u.Messages()) == 0 {
					all = false
					break
				}
			}
			if all {
				done <- time.Since(start)
				return
			}
		}
	}()
	return done
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "-"
	}
	slices.Sort(d)
	p := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000 }
	return fmt.Sprintf("p50 %.0f  p90 %.0f  p99 %.0f  max %.0f ms (n=%d)", p(0.5), p(0.9), p(0.99), p(1), len(d))
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}
