package matrix

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"

	"github.com/relais-sante/relais/internal/chat"
)

// fakeHomeserver answers the sends with the given statuses and bodies in
// turn, and records the paths it was asked.
type fakeHomeserver struct {
	mu      sync.Mutex
	answers []fakeAnswer
	paths   []string
}

type fakeAnswer struct {
	status int
	header map[string]string
	body   string
}

func (f *fakeHomeserver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	a := f.answers[0]
	if len(f.answers) > 1 {
		f.answers = f.answers[1:]
	}
	f.mu.Unlock()
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func sendThrough(t *testing.T, answers ...fakeAnswer) (waits []time.Duration, paths []string, st Stats, err error) {
	t.Helper()
	fake := &fakeHomeserver{answers: answers}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cli, cerr := mautrix.NewClient(srv.URL, "@relais:localhost", "token")
	if cerr != nil {
		t.Fatal(cerr)
	}
	cli.DefaultHTTPRetries = 0
	cli.IgnoreRateLimit = true
	p := newPacer(SenderOptions{Unlimited: true, RetrySleep: func(_ context.Context, d time.Duration) bool {
		waits = append(waits, d)
		return true
	}}, slog.New(slog.DiscardHandler))
	txn := cli.TxnID()
	err = p.do(context.Background(), 7, "send", true, func(ctx context.Context) error {
		_, err := cli.SendMessageEvent(ctx, "!room:localhost", event.EventMessage, &event.MessageEventContent{MsgType: event.MsgText, Body: "Bonjour"},
			mautrix.ReqSendEvent{TransactionID: txn, DontEncrypt: true})
		return err
	})
	return waits, fake.paths, p.stats(), err
}

const limited = `{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":1500}`

func TestA429WaitsRetryAfterMSThenSendsTheSameTransaction(t *testing.T) {
	t.Parallel()
	waits, paths, st, err := sendThrough(t, fakeAnswer{status: 429, body: limited}, fakeAnswer{status: 200, body: `{"event_id":"$sent"}`})
	if err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 1500*time.Millisecond {
		t.Fatalf("waits %v, want [1.5s] (retry_after_ms)", waits)
	}
	if len(paths) != 2 || paths[0] != paths[1] || !strings.Contains(paths[0], "/send/m.room.message/") {
		t.Fatalf("paths %v: the retry must reuse the transaction id", paths)
	}
	if st != (Stats{Sent: 1, Retries: 1, TooManyRequests: 1}) {
		t.Fatalf("stats %+v", st)
	}
}

func TestA429WithoutRetryAfterMSUsesItsHeaderThenTheBackoff(t *testing.T) {
	t.Parallel()
	waits, _, _, err := sendThrough(t,
		fakeAnswer{status: 429, header: map[string]string{"Retry-After": "3"}, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down"}`},
		fakeAnswer{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down"}`},
		fakeAnswer{status: 502, body: `bad gateway`},
		fakeAnswer{status: 200, body: `{"event_id":"$sent"}`})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{3 * time.Second, 500 * time.Millisecond, time.Second}
	if len(waits) != len(want) || waits[0] != want[0] || waits[1] != want[1] || waits[2] != want[2] {
		t.Fatalf("waits %v, want %v", waits, want)
	}
}

func TestAForbiddenSendIsNotRetried(t *testing.T) {
	t.Parallel()
	waits, paths, st, err := sendThrough(t, fakeAnswer{status: 403, body: `{"errcode":"M_FORBIDDEN","error":"not in room"}`})
	if err == nil || len(waits) != 0 || len(paths) != 1 || st.Failed != 1 {
		t.Fatalf("err %v, waits %v, paths %v, stats %+v: a 403 is final", err, waits, paths, st)
	}
}

func TestALongRetryAfterGivesUp(t *testing.T) {
	t.Parallel()
	_, paths, st, err := sendThrough(t, fakeAnswer{status: 429, body: `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":600000}`})
	if err == nil || !IsTooManyRequests(err) || len(paths) != 1 || st.Failed != 1 {
		t.Fatalf("err %v, paths %v, stats %+v: ten minutes is past GiveUpAfter", err, paths, st)
	}
}

// Scheduled sends leave bulkReserve tokens to conversations: with five
// left, an answer goes at once and a reminder waits.
func TestAnswersGoBeforeBulk(t *testing.T) {
	t.Parallel()
	p := newPacer(SenderOptions{GlobalRate: 0.001, GlobalBurst: bulkReserve + 1}, slog.New(slog.DiscardHandler))
	if !p.limiter.AllowN(time.Now(), 1) {
		t.Fatal("the bucket starts full")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := p.global(ctx, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("bulk with %d tokens left: %v, want it to wait", bulkReserve, err)
	}
	if err := p.global(context.Background(), false); err != nil {
		t.Fatalf("answer: %v, want at once", err)
	}
}

func TestChoicesAreNumberedFromOneWithoutGaps(t *testing.T) {
	t.Parallel()
	got := Body(chat.Message{Text: "Sexe de la personne ?", Buttons: [][]chat.Button{
		{{Text: "Femme", Data: "s:f"}, {Text: "Homme", Data: "s:h"}},
		{{Text: "Guide", URL: "https://example.org/guide"}},
		{{Text: "⏭ Passer", Data: "skip"}},
	}})
	want := "Sexe de la personne ?\n1. Femme\n2. Homme\nGuide : https://example.org/guide\n3. ⏭ Passer"
	if got != want {
		t.Fatalf("body\n%s\nwant\n%s", got, want)
	}
}

// The bot's rate is the homeserver's allowance (MATRIX_RATE), and its burst
// two seconds of it: a raised rate is not held back by the default burst.
func TestThePacersBurstFollowsItsRate(t *testing.T) {
	for _, tc := range []struct {
		rate      float64
		wantRate  float64
		wantBurst int
	}{
		{0, 10, 20}, // unset: the default
		{5, 5, 20},
		{10, 10, 20},
		{10.5, 10.5, 21},
		{30, 30, 60},
	} {
		p := newPacer(SenderOptions{GlobalRate: tc.rate}, slog.New(slog.DiscardHandler))
		if got := float64(p.limiter.Limit()); got != tc.wantRate {
			t.Errorf("GlobalRate %v: paced at %v/s, want %v", tc.rate, got, tc.wantRate)
		}
		if got := p.limiter.Burst(); got != tc.wantBurst {
			t.Errorf("GlobalRate %v: burst %d, want %d", tc.rate, got, tc.wantBurst)
		}
	}
}
