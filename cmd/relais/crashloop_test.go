//go:build crashloop

// The crash loop (scripts/crashloop.sh; not part of `make test`): simulated
// mediators fill sheets through the fake Bot API while `relais serve` is
// killed with SIGKILL at random moments, optionally with Redis and
// PostgreSQL outages. Afterwards every input got an answer, every sheet
// whose confirmation was shown is stored exactly once, none is duplicated,
// and every unfinished form resumes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

var (
	flagMediators = flag.Int("crash.mediators", 20, "simulated mediators")
	flagKills     = flag.Int("crash.kills", 30, "SIGKILLs of relais serve")
	flagOutage    = flag.Duration("crash.outage", 0, "also stop Redis, then PostgreSQL, this long each (e.g. 20s)")
	flagDump      = flag.Int("crash.dump", 6, "messages shown of a chat that did not resume")
	flagLogLevel  = flag.String("crash.loglevel", "warn", "RELAIS_LOG_LEVEL of relais serve")
	flagAnswer    = flag.Duration("crash.answer", 90*time.Second, "how long an input may wait for its answer")
	flagReplicas  = flag.Int("crash.replicas", 1, "relais serve replicas; 2: both behind one webhook front, killed in turn")
	flagLimits    = flag.Bool("crash.limits", false, "the fake Bot API enforces Telegram's limits (always with replicas) and the report counts its 429s")
)

// webhookFront is the reverse proxy two replicas sit behind, as a load
// balancer would: each update Telegram pushes goes to the next replica in
// turn, and to the other one when that replica is down (connection
// refused, as nginx's proxy_next_upstream does). It counts the updates each
// replica confirmed (2xx), and how many times each update id was confirmed:
// a replica starting calls setWebhook, after which the fake Bot API pushes
// again the update it was waiting on (as Telegram may), so an update can
// be confirmed twice; the bot's de-duplication answers it once, which the
// crash loop's invariants (every input answered, every sheet once) check.
type webhookFront struct {
	replicas []string // base URLs, http://127.0.0.1:port
	next     atomic.Int64
	client   *http.Client

	mu        sync.Mutex
	confirmed []int       // per replica
	refused   []int       // per replica: an answer that is not 2xx (Telegram pushes again)
	byUpdate  map[int]int // update id → confirmations
}

func newWebhookFront(replicas []string) *webhookFront {
	return &webhookFront{replicas: replicas, client: &http.Client{Timeout: 60 * time.Second},
		confirmed: make([]int, len(replicas)), refused: make([]int, len(replicas)), byUpdate: map[int]int{}}
}

func (f *webhookFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read update", http.StatusBadRequest)
		return
	}
	var u struct {
		UpdateID int `json:"update_id"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	first := int(f.next.Add(1)) % len(f.replicas)
	for k := range f.replicas {
		i := (first + k) % len(f.replicas)
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, f.replicas[i]+r.URL.Path, bytes.NewReader(body))
		if err != nil {
			http.Error(w, "front: "+err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := f.client.Do(req)
		if err != nil {
			continue // down (killed, restarting): the other replica
		}
		if cerr := resp.Body.Close(); cerr != nil {
			http.Error(w, "front: "+cerr.Error(), http.StatusBadGateway)
			return
		}
		f.mu.Lock()
		if resp.StatusCode/100 == 2 {
			f.confirmed[i]++
			f.byUpdate[u.UpdateID]++
		} else {
			f.refused[i]++
		}
		f.mu.Unlock()
		w.WriteHeader(resp.StatusCode)
		return
	}
	http.Error(w, "no replica up", http.StatusBadGateway)
}

// report says how the updates were shared and how many were pushed again
// after being confirmed.
func (f *webhookFront) report() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	total, twice := 0, 0
	for _, n := range f.confirmed {
		total += n
	}
	for _, n := range f.byUpdate {
		if n > 1 {
			twice++
		}
	}
	var shares []string
	for i, n := range f.confirmed {
		shares = append(shares, fmt.Sprintf("replica %d: %d (%.0f %%), refused %d", i+1, n, 100*float64(n)/float64(max(total, 1)), f.refused[i]))
	}
	return fmt.Sprintf("updates confirmed: %d, distinct %d, pushed again after a replica's setWebhook %d; %s",
		total, len(f.byUpdate), twice, strings.Join(shares, "; "))
}

// freePort is a loopback port free a moment ago, for a replica's
// RELAIS_HTTP_ADDR (the front must know where to reach it).
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// answers the fiche's questions: the first matching text decides.
var answers = []struct{ question, press, send string }{
	{question: "Vous avez une fiche en cours", press: "Reprendre"},
	{question: "Récapitulatif", press: "✅ Enregistrer"}, // before the lines it repeats
	{question: "Date de l'accompagnement", press: "Aujourd'hui"},
	{question: "Personne accompagnée", press: "Nouvelle personne"},
	{question: "Sexe de la personne", press: "Femme"},
	{question: "Âge de la personne", send: "34"},
	{question: "quartier prioritaire", press: "Oui"},
	{question: "Principale ressource", press: "RSA"},
	{question: "connu le médiateur", press: "Aller vers"},
	{question: "Niveau d'intervention", press: "Accompagné"},
	{question: "protection sociale", press: "Oui"},
	{question: "Accès aux droits ou accès aux soins", press: "Accès aux droits"},
	{question: "Quelle demande d'accès aux droits", press: "Complémentaire Santé Solidaire"},
	{question: "Où en est la demande", press: "Résolue"},
	{question: "Ajouter une autre demande", press: "Non"},
	{question: "Freins rencontrés", press: "Mobilité"},
	{question: "Une note", send: "/passer"},
}

var savedPattern = regexp.MustCompile(`Fiche n° (\d+) enregistrée`)

// asks tells whether a bot message asks question. A button answer edits
// the question in place into the next one, under the answers so far (and
// the new person's code, whose note names « Personne accompagnée ? »), so
// only the text after the last blank line is the question; the summary is
// recognised by its heading.
func asks(text, question string) bool {
	if question == "Récapitulatif" {
		return strings.HasPrefix(text, question)
	}
	if i := strings.LastIndex(text, "\n\n"); i >= 0 {
		text = text[i+2:]
	}
	return strings.Contains(text, question)
}

// mediator drives one simulated mediator through sheet after sheet.
type mediator struct {
	u                  *telegramtest.User
	inputs, unanswered int
	before             snapshot // the chat just before the last action
}

// progress is what changes when the bot answers: messages, edits, toasts.
func progress(u *telegramtest.User) int {
	n := len(u.CallbackAnswers())
	for _, m := range u.Messages() {
		if m.FromBot {
			n += 1 + m.EditCount
		}
	}
	return n
}

// settle waits until the chat changed since before and then stayed still a
// moment; false when nothing changed within limit.
func settle(u *telegramtest.User, before int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for before >= 0 && progress(u) == before {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	for last := progress(u); ; {
		time.Sleep(300 * time.Millisecond)
		now := progress(u)
		if now == last {
			return true
		}
		last = now
	}
}

// act answers the open question once, as a mediator would: the newest bot
// message that is a question (informational lines skipped). When none can
// be answered for a few seconds (its buttons gone), it types /fiche, which
// offers to resume. It returns false when the simulated user could not act.
func (m *mediator) act() (acted bool, on int) {
	defer func() {
		if recover() != nil { // telegramtest panics on a button not found
			acted = false
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if ok, id := m.answer(); ok {
			return true, id
		}
	}
	m.before = snap(m.u)
	m.u.Send("/fiche")
	return true, 0
}

// snapshot is the chat as the user acts: the newest bot message and edits.
type snapshot struct {
	progress, newest int
	edits            map[int]int
}

func snap(u *telegramtest.User) snapshot {
	s := snapshot{progress: progress(u), edits: map[int]int{}}
	for _, msg := range u.Messages() {
		if msg.FromBot {
			s.newest = max(s.newest, msg.ID)
			s.edits[msg.ID] = msg.EditCount
		}
	}
	return s
}

// waitAnswer waits for the bot's answer to an action on message on (0: a
// typed command): a newer message or an edit of that one, then a moment of
// stillness. A refused press gets only a toast. false: nothing at all came.
func waitAnswer(u *telegramtest.User, before snapshot, on int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	var firstChange time.Time
	for time.Now().Before(deadline) {
		now := snap(u)
		if now.progress != before.progress && firstChange.IsZero() {
			firstChange = time.Now()
		}
		if now.newest > before.newest || (on != 0 && now.edits[on] > before.edits[on]) {
			settle(u, -1, 0)
			return true
		}
		if !firstChange.IsZero() && time.Since(firstChange) > 15*time.Second {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return !firstChange.IsZero()
}

// answer acts on the newest bot message (informational lines and a used
// resume prompt skipped); false if it is not a question that can be
// answered yet (an answered line: the next question is coming).
func (m *mediator) answer() (bool, int) {
	msgs := m.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		msg := msgs[i]
		if !msg.FromBot {
			continue
		}
		buttons := fmt.Sprint(msg.ButtonTexts())
		if strings.Contains(msg.Text, "Vous avez une fiche en cours") && !strings.Contains(buttons, "Reprendre") {
			continue
		}
		if savedPattern.MatchString(msg.Text) {
			m.before = snap(m.u)
			m.u.Send("/fiche")
			return true, 0
		}
		for _, a := range answers {
			if !asks(msg.Text, a.question) {
				continue
			}
			if a.send != "" {
				m.before = snap(m.u)
				m.u.Send(a.send)
				return true, 0
			}
			press := a.press
			if a.question == "Freins rencontrés" && strings.Contains(buttons, "✅ ") {
				press = "Valider"
			}
			if !strings.Contains(buttons, press) {
				return false, 0 // answered or retired: the next one is coming
			}
			m.before = snap(m.u)
			m.u.PressOn(msg, press)
			return true, msg.ID
		}
		return false, 0
	}
	return false, 0
}

// openQuestion tells whether the form's question is open in the chat: the
// newest bot message that is a question of the form (the resume prompt and
// informational lines skipped) can be answered, its buttons there or typed.
func openQuestion(u *telegramtest.User) bool {
	msgs := u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if !msgs[i].FromBot {
			continue
		}
		for _, a := range answers[1:] {
			if asks(msgs[i].Text, a.question) {
				return a.send != "" || len(msgs[i].Buttons) > 0
			}
		}
	}
	return false
}

// confirmations are the sheet numbers shown saved in the chat.
func confirmations(t *testing.T, u *telegramtest.User) map[int64]bool {
	out := map[int64]bool{}
	for _, msg := range u.Messages() {
		if s := savedPattern.FindStringSubmatch(msg.Text); msg.FromBot && s != nil {
			n, err := strconv.ParseInt(s[1], 10, 64) // \d+ may overflow
			if err != nil {
				t.Errorf("sheet number in %q: %v", msg.Text, err)
				continue
			}
			out[n] = true
		}
	}
	return out
}

func TestCrashLoop(t *testing.T) {
	ctx := context.Background()
	bin := buildRelais(t)
	db := testenv.NewDB(t)
	rd := testenv.NewRedis(t)
	// Not bound to t: a simulated user whose button is gone looks again.
	// Replicas share the bot's rate, so with them the fake enforces
	// Telegram's limits and the report counts its 429s.
	limitsOn := *flagLimits || *flagReplicas > 1
	limits := telegramtest.WithoutRateLimits()
	if limitsOn {
		limits = telegramtest.WithLimits(telegramtest.TelegramLimits)
	}
	tg, err := telegramtest.New(limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tg.Close)
	ropt, err := redis.ParseURL(testenv.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	redisProxy := testenv.NewProxy(t, ropt.Addr)
	pgURL, pgProxy := db.URL, (*testenv.Proxy)(nil)
	if *flagOutage > 0 {
		// PostgreSQL behind a proxy too, to stop it for the bot alone.
		host := regexp.MustCompile(`@([^/]+)/`).FindStringSubmatch(db.URL)[1]
		pgProxy = testenv.NewProxy(t, host)
		pgURL = strings.Replace(db.URL, "@"+host+"/", "@"+pgProxy.Addr()+"/", 1)
	}
	logFile, err := os.Create(filepath.Join(t.TempDir(), "relais.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the deferred kill: no child writes to it any more
		if err := logFile.Close(); err != nil {
			t.Errorf("close relais.log: %v", err)
		}
	})
	env := append(os.Environ(),
		"TELEGRAM_TOKEN="+tg.Token(), "TELEGRAM_API_ENDPOINT="+tg.Endpoint(),
		"DATABASE_URL="+pgURL, "REDIS_URL=redis://"+redisProxy.Addr()+"/0",
		"RELAIS_REDIS_PREFIX="+rd.Prefix, "RELAIS_METRICS_ADDR=127.0.0.1:0", "RELAIS_LOG_LEVEL="+*flagLogLevel)
	var procs []*relaisProcess
	var front *webhookFront
	if *flagReplicas <= 1 {
		procs = append(procs, &relaisProcess{bin: bin, log: logFile, env: append(env, "RELAIS_HTTP_ADDR=127.0.0.1:0")})
	} else {
		// Two replicas (or more) behind one webhook: Telegram pushes to the
		// front, the front to a replica. Both share PostgreSQL and Redis.
		var urls []string
		for range *flagReplicas {
			port := freePort(t)
			urls = append(urls, fmt.Sprintf("http://127.0.0.1:%d", port))
			procs = append(procs, &relaisProcess{bin: bin, log: logFile, env: append(slices.Clone(env),
				fmt.Sprintf("RELAIS_HTTP_ADDR=127.0.0.1:%d", port))})
		}
		front = newWebhookFront(urls)
		srv := httptest.NewServer(front)
		t.Cleanup(srv.Close)
		for _, p := range procs {
			p.env = append(p.env, "RELAIS_WEBHOOK_URL="+srv.URL+"/telegram", "RELAIS_WEBHOOK_SECRET=crashloop-webhook-secret")
		}
	}
	for _, p := range procs {
		p.start(t)
		defer p.kill(t)
	}
	var proc *relaisProcess // the replica killed last

	meds := make([]*mediator, *flagMediators)
	for i := range meds {
		id := int64(7000 + i)
		code, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		meds[i] = &mediator{u: tg.NewUser(id, fmt.Sprintf("Med%d", i))}
		meds[i].u.Send("/start " + code)
		meds[i].inputs++
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, m := range meds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before := 0
			if !settle(m.u, before, *flagAnswer) {
				m.unanswered++
			}
			for !stop.Load() {
				ok, on := m.act()
				if !ok {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				m.inputs++
				if !waitAnswer(m.u, m.before, on, *flagAnswer) {
					m.unanswered++
				}
			}
		}()
	}

	start := time.Now()
	for k := 1; k <= *flagKills; k++ {
		time.Sleep(time.Duration(1000+rand.IntN(5000)) * time.Millisecond)
		proc = procs[k%len(procs)] // replicas are killed in turn; the others go on
		proc.kill(t)
		proc.start(t)
		if *flagOutage > 0 && k == *flagKills/3 {
			t.Logf("Redis stopped for %s", *flagOutage)
			redisProxy.Set(false)
			time.Sleep(*flagOutage)
			redisProxy.Set(true)
		}
		if *flagOutage > 0 && k == 2**flagKills/3 {
			t.Logf("PostgreSQL stopped for %s", *flagOutage)
			pgProxy.Set(false)
			time.Sleep(*flagOutage)
			pgProxy.Set(true)
		}
	}
	killsDone := time.Since(start)
	// A last stretch without kills, then the mediators stop where they are.
	time.Sleep(60 * time.Second)
	stop.Store(true)
	wg.Wait()

	// Every confirmation shown: that sheet, once; no sheet twice.
	confirmed, missing, dupNumbers := 0, 0, 0
	for _, m := range meds {
		for n := range confirmations(t, m.u) {
			confirmed++
			var c int
			if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets WHERE number = $1`, n).Scan(&c); err != nil {
				t.Fatal(err)
			}
			if c == 0 {
				missing++
			}
			if c > 1 {
				dupNumbers++
			}
		}
	}
	var stored, duplicated int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM (SELECT beneficiary_id FROM sheets GROUP BY beneficiary_id HAVING count(*) > 1) d`).Scan(&duplicated); err != nil {
		t.Fatal(err)
	}

	if *flagDump > 6 {
		for _, msg := range meds[0].u.Messages() {
			t.Logf("  first mediator: bot=%v %q %v", msg.FromBot, msg.Text, msg.ButtonTexts())
		}
	}

	// Every unfinished form resumes.
	drafts := state.New(rd.Client, rd.Prefix).Drafts()
	unfinished, resumed := 0, 0
	for _, m := range meds {
		id := m.u.ID()
		if _, ok, err := drafts.Load(ctx, ids.ChatID(id), ids.TelegramID(id)); err != nil || !ok {
			continue
		}
		unfinished++
		before := progress(m.u)
		m.u.Send("/fiche")
		settle(m.u, before, *flagAnswer)
		if last := m.u.LastMessage(); strings.Contains(fmt.Sprint(last.ButtonTexts()), "Reprendre") {
			before = progress(m.u)
			func() {
				// the button may be gone by now (the bot restarted): PressOn panics then
				defer func() {
					if r := recover(); r != nil {
						t.Logf("mediator %d: press Reprendre: %v", id, r)
					}
				}()
				m.u.PressOn(last, "Reprendre")
			}()
			settle(m.u, before, *flagAnswer)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !openQuestion(m.u) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if openQuestion(m.u) {
			resumed++
			continue
		}
		t.Logf("mediator %d did not resume; toasts %v; chat ends with:", id, m.u.CallbackAnswers())
		msgs := m.u.Messages()
		for _, msg := range msgs[max(0, len(msgs)-*flagDump):] {
			t.Logf("  bot=%v %q %v", msg.FromBot, msg.Text, msg.ButtonTexts())
		}
	}

	inputs, unanswered, sent, edits := 0, 0, 0, 0
	for _, m := range meds {
		inputs += m.inputs
		unanswered += m.unanswered
		for _, msg := range m.u.Messages() {
			if msg.FromBot {
				sent++
				edits += msg.EditCount
			}
		}
	}
	replicas := ""
	if front != nil {
		replicas = "\n" + front.report()
	}
	if limitsOn {
		st := tg.Stats()
		replicas += fmt.Sprintf("\n429 answered by the fake Bot API (Telegram's limits): %d, of which a chat's limit (1/s) %d and the bot's (30/s) %d",
			st.TooManyRequests, st.ChatTooMany, st.TooManyRequests-st.ChatTooMany)
	}
	report := fmt.Sprintf(`crash loop: %d replicas, %d mediators, %d SIGKILLs in %s, outages %s
inputs sent: %d, answered: %d, unanswered: %d; bot messages %d and edits %d (%.2f per input)
sheets confirmed to users: %d, of which in PostgreSQL exactly once: %d (missing %d, twice %d)
sheets in PostgreSQL: %d, duplicated: %d
unfinished forms: %d, resumed: %d%s`,
		len(procs), len(meds), *flagKills, killsDone.Round(time.Second), *flagOutage,
		inputs, inputs-unanswered, unanswered, sent, edits, float64(sent+edits)/float64(max(inputs, 1)),
		confirmed, confirmed-missing-dupNumbers, missing, dupNumbers,
		stored, duplicated, unfinished, resumed, replicas)
	fmt.Println(report)
	t.Log(report)
	if unanswered != 0 || missing != 0 || dupNumbers != 0 || duplicated != 0 || resumed != unfinished || confirmed == 0 {
		log, err := os.ReadFile(logFile.Name())
		if err != nil {
			t.Errorf("read relais log: %v", err)
		}
		t.Fatalf("crash loop broke an invariant; relais log tail:\n%s", tail(string(log), 4000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
