//go:build matrixload && goolm

package matrix_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/relais-sante/relais/internal/matrix/matrixtest"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// loadSheet is one whole accompaniment sheet typed on Matrix (the inputs
// of TestBotFillsASheetOnMatrix): what the mediator types and a part of
// the bot's answer that shows the step was taken.
var loadSheet = slices.Concat([]struct{ say, want string }{{"!fiche", "Date de l'accompagnement ?"}},
	sheetInputs, []struct{ say, want string }{{"enregistrer", "enregistrée."}})

// TestMatrixLoad is the Matrix load benchmark (build tags matrixload and
// goolm; never part of `make test`): `relais serve` as its own process, on
// the test homeserver, answers MATRIX_LOAD_USERS mediators (50), each a
// mautrix client with its own device in an encrypted direct chat with the
// bot, registered with « !start CODE », then filling whole sheets with
// MATRIX_LOAD_THINK between inputs (3s), arrivals spread over
// MATRIX_LOAD_RAMP (the think time), starting sheets for
// MATRIX_LOAD_DURATION (3m) and finishing the one in progress. It prints
// the bot's messages (sends and edits, as the people decrypted them) per
// input, input → first answer percentiles (from the moment the person
// sends until their client decrypts the bot's first event after it),
// errors, the 429s the bot's pacer saw (its /metrics), the sheets started
// and saved (rows), and the CPU seconds of the relais process (and of the
// homeserver) per input. MATRIX_LOAD_PROFILE=file also writes a CPU profile
// of relais. `make bench-matrix` runs it.
func TestMatrixLoad(t *testing.T) {
	t.Parallel()
	users := loadEnvInt(t, "MATRIX_LOAD_USERS", 50)
	think := loadEnvDuration(t, "MATRIX_LOAD_THINK", 3*time.Second)
	duration := loadEnvDuration(t, "MATRIX_LOAD_DURATION", 3*time.Minute)
	ramp := loadEnvDuration(t, "MATRIX_LOAD_RAMP", think)
	profile := os.Getenv("MATRIX_LOAD_PROFILE")
	if profile != "" {
		abs, err := filepath.Abs(profile)
		if err != nil {
			t.Fatal(err)
		}
		profile = abs
	}
	srv := testenv.Matrix(t)
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	ctx := context.Background()

	// The bot, built and started as in production.
	botUser := srv.NewUser(t, "relais")
	bin := filepath.Join(t.TempDir(), "relais")
	tags := "goolm"
	if profile != "" {
		tags += ",cpuprofile"
	}
	build := exec.Command("go", "build", "-tags", tags, "-o", bin, "../../cmd/relais")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build relais: %v\n%s", err, out)
	}
	metricsAddr := freeAddr(t)
	serve := exec.Command(bin, "serve")
	serve.Env = append(os.Environ(), "TELEGRAM_TOKEN=", "DATABASE_URL="+db.URL, "REDIS_URL="+testenv.RedisURL(),
		"RELAIS_REDIS_PREFIX="+rdb.Prefix, "RELAIS_HTTP_ADDR="+freeAddr(t), "RELAIS_METRICS_ADDR="+metricsAddr,
		"RELAIS_LOG_LEVEL=warn", "MATRIX_HOMESERVER_URL="+srv.URL, "MATRIX_USER_ID="+botUser.UserID,
		"MATRIX_ACCESS_TOKEN="+botUser.AccessToken, "MATRIX_PASSWORD=", "MATRIX_PICKLE_KEY="+randomHex(t, 32),
		"RELAIS_CPUPROFILE="+profile)
	serveLog, err := os.Create(filepath.Join(t.TempDir(), "relais.log"))
	if err != nil {
		t.Fatal(err)
	}
	serve.Stdout, serve.Stderr = serveLog, serveLog
	if err := serve.Start(); err != nil {
		t.Fatalf("start relais serve: %v", err)
	}
	stopped := false
	stopServe := func() {
		if stopped {
			return
		}
		stopped = true
		if err := serve.Process.Signal(syscall.SIGINT); err != nil {
			t.Errorf("stop relais: %v", err)
		}
		if err := serve.Wait(); err != nil {
			t.Errorf("relais serve: %v", err)
		}
		if t.Failed() {
			if log, err := os.ReadFile(serveLog.Name()); err == nil {
				t.Logf("relais serve's log:\n%s", tail(string(log), 40))
			}
		}
	}
	defer stopServe()
	waitMetrics(t, metricsAddr)

	// The mediators: an account, a device, an encrypted direct chat the
	// bot joined, an invitation code.
	type mediator struct {
		p    *matrixtest.Peer
		room id.RoomID
		code string
	}
	meds := make([]mediator, users)
	setup := time.Now()
	for i := range meds {
		u := srv.NewUser(t, "mediatrice")
		p := matrixtest.NewPeer(t, srv, u)
		code, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator,
			Departement: []string{"02", "59", "60", "62", "80"}[i%5], Structure: "Banc d'essai", ExpiresAt: time.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		meds[i] = mediator{p: p, room: p.Room(botUser.UserID, true, true), code: code}
	}
	for _, m := range meds {
		m.p.WaitMember(m.room, botUser.UserID, true)
	}
	t.Logf("%d mediators in encrypted direct chats with the bot in %.1f s", users, time.Since(setup).Seconds())

	var (
		mu                      sync.Mutex
		latencies, accepted     []time.Duration
		inputs, botMessages     int
		edits                   int
		errs                    []string
		started, saved, aborted int
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 1000 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	// perStep counts the bot's messages after each input (the input's
	// text, up to the next input), and how many times it was typed.
	perStep, typed := map[string]int{}, map[string]int{}
	count := func(after string, rs []matrixtest.Received) {
		e := 0
		for _, r := range rs {
			if r.Content != nil && r.Content.NewContent != nil {
				e++
			}
		}
		mu.Lock()
		botMessages += len(rs)
		edits += e
		perStep[after] += len(rs)
		mu.Unlock()
	}

	loadStart := readLoad()
	cpu0, hs0 := processCPU(serve.Process.Pid), homeserverCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for i, m := range meds {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * ramp / time.Duration(users))
			// step sends text and waits for an answer holding want; the
			// bot's messages that came meanwhile are counted.
			prev := ""
			step := func(text, want string) bool {
				count(prev, drain(m.p.Got))
				prev = text
				mu.Lock()
				typed[text]++
				mu.Unlock()
				t0 := time.Now()
				if _, err := m.p.SayEncrypted(m.room, text); err != nil {
					fail("mediator %d: send %q: %v", i, text, err)
					return false
				}
				mu.Lock()
				accepted = append(accepted, time.Since(t0))
				mu.Unlock()
				first := true
				var got []matrixtest.Received
				defer func() { count(text, got) }()
				timeout := time.After(60 * time.Second)
				for {
					select {
					case r := <-m.p.Got:
						got = append(got, r)
						if first {
							first = false
							mu.Lock()
							latencies = append(latencies, time.Since(t0))
							mu.Unlock()
						}
						if r.Wire != event.EventEncrypted {
							fail("mediator %d: the bot answered %q in clear", i, text)
						}
						if strings.Contains(bodyOf(r), want) {
							mu.Lock()
							inputs++
							mu.Unlock()
							return true
						}
					case <-timeout:
						fail("mediator %d: no answer with %q to %q within 60 s (%d messages)", i, want, text, len(got))
						return false
					}
				}
			}
			if !step("!start "+m.code, "Bienvenue") {
				return
			}
			for time.Since(start) < duration {
				for k, s := range loadSheet {
					time.Sleep(think)
					if !step(s.say, s.want) {
						mu.Lock()
						aborted++
						mu.Unlock()
						return
					}
					mu.Lock()
					switch k {
					case 0:
						started++
					case len(loadSheet) - 1:
						saved++
					}
					mu.Unlock()
				}
			}
			// What the bot still said after the last answer.
			time.Sleep(2 * time.Second)
			count(prev, drain(m.p.Got))
		})
	}
	wg.Wait()
	wall := time.Since(start)
	cpu1, hs1 := processCPU(serve.Process.Pid), homeserverCPU()
	loadEnd := readLoad()
	metrics := scrape(t, metricsAddr)
	stopServe()

	var rows int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	slices.Sort(latencies)
	slices.Sort(accepted)
	pctOf := func(ds []time.Duration, p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	pct := func(p float64) float64 { return pctOf(latencies, p) }
	var mean time.Duration
	for _, l := range latencies {
		mean += l
	}
	if len(latencies) > 0 {
		mean /= time.Duration(len(latencies))
	}
	perInput := func(x float64) float64 {
		if inputs == 0 {
			return 0
		}
		return x / float64(inputs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Matrix load: %d mediators, think %s, ramp %s, duration %s (wall %.1f s), load average %s → %s\n",
		users, think, ramp, duration, wall.Seconds(), loadStart, loadEnd)
	fmt.Fprintf(&b, "| inputs answered | %d (%.1f/s) |\n", inputs, float64(inputs)/wall.Seconds())
	fmt.Fprintf(&b, "| bot messages per input | %.3f (%d events: %d new, %d edits) |\n", perInput(float64(botMessages)), botMessages, botMessages-edits, edits)
	fmt.Fprintf(&b, "| input → first answer p50 / p90 / p99 / max | %.0f / %.0f / %.0f / %.0f ms (mean %.0f ms, %d answers) |\n",
		pct(0.50), pct(0.90), pct(0.99), pct(1), float64(mean.Microseconds())/1000, len(latencies))
	fmt.Fprintf(&b, "| input sent → accepted by the homeserver (encrypt + PUT) p50 / p99 | %.0f / %.0f ms |\n", pctOf(accepted, 0.5), pctOf(accepted, 0.99))
	fmt.Fprintf(&b, "| errors | %d |\n", len(errs))
	fmt.Fprintf(&b, "| 429s seen by the pacer / retries / calls given up | %s / %s / %s |\n",
		metrics["relais_matrix_too_many_requests_total"], metrics["relais_matrix_retries_total"], metrics["relais_matrix_calls_failed_total"])
	fmt.Fprintf(&b, "| sheets started / saved (client) / rows / abandoned | %d / %d / %d / %d |\n", started, saved, rows, aborted)
	fmt.Fprintf(&b, "| relais CPU (user+sys) | %.2f s, %.2f ms per input |\n", cpu1-cpu0, 1000*perInput(cpu1-cpu0))
	if hs0 >= 0 && hs1 >= 0 {
		fmt.Fprintf(&b, "| homeserver CPU (Dendrite) | %.2f s, %.2f ms per input |\n", hs1-hs0, 1000*perInput(hs1-hs0))
	}
	for _, s := range append([]struct{ say, want string }{{say: "!start"}}, loadSheet...) {
		text := s.say
		if text == "!start" {
			for k := range typed {
				if strings.HasPrefix(k, "!start ") {
					typed["!start"] += typed[k]
					perStep["!start"] += perStep[k]
				}
			}
		}
		if typed[text] > 0 && perStep[text] != typed[text] {
			fmt.Fprintf(&b, "| after %q | %.2f messages (%d for %d) |\n", text, float64(perStep[text])/float64(typed[text]), perStep[text], typed[text])
		}
	}
	t.Log("\n" + b.String())
	for _, e := range errs[:min(len(errs), 20)] {
		t.Error(e)
	}
	if rows != saved {
		t.Errorf("%d sheets saved as the clients saw it, %d rows", saved, rows)
	}
}

func bodyOf(r matrixtest.Received) string {
	if r.Content == nil {
		return ""
	}
	if r.Content.NewContent != nil {
		return r.Content.NewContent.Body
	}
	return r.Content.Body
}

// drain takes what is already in ch.
func drain(ch chan matrixtest.Received) []matrixtest.Received {
	var out []matrixtest.Received
	for {
		select {
		case r := <-ch:
			out = append(out, r)
		default:
			return out
		}
	}
}

func loadEnvInt(t *testing.T, key string, def int) int {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", key, v)
	}
	return n
}

func loadEnvDuration(t *testing.T, key string, def time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		t.Fatalf("%s=%q: want a duration such as 3s", key, v)
	}
	return d
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// waitMetrics waits until relais serves /metrics (it has opened the
// Matrix transport by then).
func waitMetrics(t *testing.T, addr string) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("relais serve did not serve /metrics within 60 s")
}

// scrape reads relais's /metrics as name → value (series without labels).
func scrape(t *testing.T, addr string) map[string]string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), " "); ok && !strings.HasPrefix(name, "#") {
			out[name] = value
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read /metrics: %v", err)
	}
	return out
}

// processCPU is the user + system CPU seconds of process pid (fields 14
// and 15 of /proc/PID/stat, in clock ticks of 1/100 s), or -1.
func processCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // after the command's name
	user, err1 := strconv.ParseFloat(fields[11], 64)
	sys, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (user + sys) / 100
}

// homeserverCPU is processCPU of the test Dendrite (scripts/services.sh
// writes its pid), or -1.
func homeserverCPU() float64 {
	dir := os.Getenv("RELAIS_TEST_MATRIX_DIR")
	if dir == "" {
		dir = "/tmp/relais-dendrite"
	}
	b, err := os.ReadFile(filepath.Join(dir, "dendrite.pid"))
	if err != nil {
		return -1
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return processCPU(pid)
}

func readLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
