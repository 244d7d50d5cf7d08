package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// logBuffer collects log lines from concurrent goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// captureDefaultLog routes slog's default logger to a buffer for the test.
func captureDefaultLog(t *testing.T) *logBuffer {
	var b logBuffer
	prev := slog.Default()
	slog.SetDefault(b.logger())
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &b
}

func connect(t testing.TB, srv *telegramtest.Server) *tgbotapi.BotAPI {
	t.Helper()
	api, err := telegram.Connect(context.Background(), srv.Token(), srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func texts(msgs []telegramtest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func TestConnectRetriesUntilTelegramAnswers(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	srv.InjectFault(telegramtest.Fault{Method: "getMe", Code: 502, Description: "Bad Gateway"})
	srv.InjectFault(telegramtest.Fault{Method: "getMe"}) // connection cut
	logs := captureDefaultLog(t)
	api, err := telegram.Connect(context.Background(), srv.Token(), srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if api.Self.UserName != "relais_test_bot" || srv.Stats().ByMethod["getme"] != 3 {
		t.Fatalf("self %+v after %d getMe", api.Self, srv.Stats().ByMethod["getme"])
	}
	if strings.Contains(logs.String(), srv.Token()) {
		t.Fatalf("token in logs:\n%s", logs)
	}
}

func TestConnectRefusedTokenFailsAtOnce(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	// No deadline: a retry loop would hang the test.
	_, err := telegram.Connect(context.Background(), "123:refused", srv.Endpoint())
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v", err)
	}
}

func TestConnectNeverShowsTheToken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	logs := captureDefaultLog(t)
	token := "4242:SECRET-token-value"
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, err = telegram.Connect(ctx, token, "http://"+addr+"/bot%s/%s")
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if strings.Contains(err.Error(), "SECRET") || strings.Contains(logs.String(), "SECRET") {
		t.Fatalf("token leaked:\nerr: %v\nlogs: %s", err, logs)
	}
	if !strings.Contains(err.Error(), "<token>") || !strings.Contains(logs.String(), "retrying") {
		t.Fatalf("expected a scrubbed URL and a retry log:\nerr: %v\nlogs: %s", err, logs)
	}
}

func TestSenderHonoursRetryAfterAndKeepsOrder(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t) // Telegram's limits: 5 at once per chat, then 1/s
	api := connect(t, srv)
	// Pacing off: the fake's 429s are what slows this sender down.
	s := telegram.NewSender(api, telegram.SenderOptions{Unlimited: true})
	users := []*telegramtest.User{srv.NewUser(1001, "Awa"), srv.NewUser(1002, "Bilal")}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for i := 1; i <= 8; i++ {
				if _, err := s.Send(context.Background(), tgbotapi.NewMessage(u.ID(), fmt.Sprint(i))); err != nil {
					t.Errorf("chat %d message %d: %v", u.ID(), i, err)
				}
			}
		})
	}
	wg.Wait()
	want := "1 2 3 4 5 6 7 8"
	for _, u := range users {
		if got := strings.Join(texts(u.Messages()), " "); got != want {
			t.Errorf("chat %d got %q, want %q", u.ID(), got, want)
		}
	}
	st := s.Stats()
	if srv.Stats().TooManyRequests == 0 || st.TooManyRequests != int64(srv.Stats().TooManyRequests) || st.Failed != 0 || st.Sent != 16 {
		t.Fatalf("sender %+v, fake %+v", st, srv.Stats())
	}
}

func TestSenderPacesBelowTelegramLimits(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	s := telegram.NewSender(api, telegram.SenderOptions{})
	var wg sync.WaitGroup
	// One chatty chat and a broadcast to 40 chats at the same time.
	chatty := srv.NewUser(1, "Awa")
	wg.Go(func() {
		for i := range 5 {
			if _, err := s.Send(context.Background(), tgbotapi.NewMessage(chatty.ID(), fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		}
	})
	for i := range 40 {
		u := srv.NewUser(int64(100+i), "U")
		wg.Go(func() {
			if _, err := s.Send(context.Background(), tgbotapi.NewMessage(u.ID(), "Rappel")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if st := srv.Stats(); st.TooManyRequests != 0 || st.Messages != 45 {
		t.Fatalf("fake saw %+v", st)
	}
}

// A user's answer does not queue behind a broadcast: bulk calls use what
// conversations leave of the global rate.
func TestSenderConversationsBeforeBulk(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	s := telegram.NewSender(api, telegram.SenderOptions{GlobalRate: 20, GlobalBurst: 6})
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		bulk int // bulk messages delivered so far
	)
	for i := range 30 {
		u := srv.NewUser(int64(100+i), "U")
		wg.Go(func() {
			if _, err := s.Send(telegram.Bulk(context.Background()), tgbotapi.NewMessage(u.ID(), "Rappel")); err != nil {
				t.Error(err)
			}
			mu.Lock()
			bulk++
			mu.Unlock()
		})
	}
	for s.Stats().BulkSent < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	awa := srv.NewUser(1, "Awa")
	if _, err := s.Send(context.Background(), tgbotapi.NewMessage(awa.ID(), "Question suivante")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	before := bulk
	mu.Unlock()
	wg.Wait()
	if before > 8 {
		t.Errorf("the conversation waited for %d of 30 bulk messages", before)
	}
	if st := srv.Stats(); st.TooManyRequests != 0 || st.Messages != 31 || s.Stats().BulkSent != 30 {
		t.Fatalf("fake saw %+v, sender %+v", st, s.Stats())
	}
}

func TestSenderRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	s := telegram.NewSender(api, telegram.SenderOptions{})
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 502, Description: "Bad Gateway"})
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage"}) // connection cut
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 500, Description: "Internal Server Error"})
	m, err := s.Send(context.Background(), tgbotapi.NewMessage(1001, "Bienvenue"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Bienvenue" || u.LastMessage().Text != "Bienvenue" || len(u.Messages()) != 1 {
		t.Fatalf("sent %+v; chat %+v", m, u.Messages())
	}
	if st := s.Stats(); st.Retries != 3 || st.Sent != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSenderGivesUpWithALoggedError(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	srv.NewUser(1001, "Awa")
	var logs logBuffer
	s := telegram.NewSender(api, telegram.SenderOptions{GiveUpAfter: 1500 * time.Millisecond, Logger: logs.logger()})

	// A permanent error is returned at once, not retried.
	_, err := s.Send(context.Background(), tgbotapi.NewMessage(999, "x"))
	if err == nil || !strings.Contains(err.Error(), "Bad Request: chat not found") || s.Stats().Retries != 0 {
		t.Fatalf("err = %v", err)
	}

	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 503, Description: "Service Unavailable", Times: 1000})
	_, err = s.Send(context.Background(), tgbotapi.NewMessage(1001, "Texte confidentiel"))
	if err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("err = %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "giving up") || !strings.Contains(out, "chat=1001") || !strings.Contains(out, "method=sendMessage") {
		t.Fatalf("logs:\n%s", out)
	}
	if strings.Contains(out, "confidentiel") || strings.Contains(out, srv.Token()) {
		t.Fatalf("message text or token in logs:\n%s", out)
	}

}

func TestSenderNotModifiedAndCallbacks(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	s := telegram.NewSender(api, telegram.SenderOptions{})
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Résolue", "r:1")))
	msg := tgbotapi.NewMessage(1001, "Demande n°1")
	msg.ReplyMarkup = kb
	sent, err := s.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Request(context.Background(), tgbotapi.NewEditMessageTextAndMarkup(1001, sent.MessageID, "Demande n°1", kb))
	if !telegram.IsNotModified(err) || s.Stats().Retries != 0 {
		t.Fatalf("identical edit: %v", err)
	}
	if _, err := s.Request(context.Background(), tgbotapi.NewEditMessageTextAndMarkup(1001, sent.MessageID, "Demande n°1 : résolue", kb)); err != nil {
		t.Fatal(err)
	}
	if got := u.LastMessage(); got.Text != "Demande n°1 : résolue" || got.EditCount != 1 {
		t.Fatalf("chat shows %+v", got)
	}

	// Button presses are answered through the same Sender, unpaced.
	u.Press("Résolue")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates %+v %v", ups, err)
	}
	before := srv.Stats().Messages
	if _, err := s.Request(context.Background(), tgbotapi.NewCallback(ups[0].CallbackQuery.ID, "C'est noté")); err != nil {
		t.Fatal(err)
	}
	if a := u.CallbackAnswers(); len(a) != 1 || a[0].Text != "C'est noté" || srv.Stats().Messages != before {
		t.Fatalf("answers %+v", a)
	}
}

func TestPollerOrderPerChatAndParallelChats(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	a, b, c := srv.NewUser(1, "A"), srv.NewUser(2, "B"), srv.NewUser(3, "C")
	for i := 1; i <= 10; i++ {
		for _, u := range []*telegramtest.User{a, b, c} {
			u.Send(fmt.Sprint(i))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu       sync.Mutex
		got      = map[int64][]string{}
		total    int
		bStarted = make(chan struct{})
	)
	handle := func(_ context.Context, ev chat.Event) error {
		chatID, text := ev.ChatID, ev.Text
		if chatID == 2 && text == "1" {
			close(bStarted)
		}
		if chatID == 1 && text == "1" {
			// Chat 1 waits for chat 2: only parallel chats get past this.
			select {
			case <-bStarted:
			case <-time.After(5 * time.Second):
				t.Error("chat 2 did not run while chat 1 was busy")
			}
		}
		mu.Lock()
		defer mu.Unlock()
		got[chatID] = append(got[chatID], text)
		total++
		if total == 30 {
			cancel()
		}
		return nil
	}
	if err := (&telegram.Poller{Timeout: time.Second, Limit: 7}).Run(ctx, api, handle); err != nil {
		t.Fatal(err)
	}
	want := "1 2 3 4 5 6 7 8 9 10"
	for chatID := int64(1); chatID <= 3; chatID++ {
		if s := strings.Join(got[chatID], " "); s != want {
			t.Errorf("chat %d handled %q", chatID, s)
		}
	}
	if n := srv.Bot().PendingUpdates(); n != 0 {
		t.Fatalf("%d updates left unconfirmed", n)
	}
}

func TestPollerShutdownWaitsForInFlightHandlers(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	var finished bool
	var handlerCtxErr error
	handle := func(hctx context.Context, ev chat.Event) error {
		close(started)
		<-release
		handlerCtxErr = hctx.Err()
		finished = true
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- (&telegram.Poller{Timeout: time.Second}).Run(ctx, api, handle) }()
	u.Send("/start")
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while a handler was running")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !finished || handlerCtxErr != nil {
		t.Fatalf("finished=%v handler ctx err=%v", finished, handlerCtxErr)
	}
	if n := srv.Bot().PendingUpdates(); n != 0 {
		t.Fatalf("handled update not confirmed at shutdown (%d pending)", n)
	}
	// Updates arriving after shutdown wait for the next run.
	u.Send("plus tard")
	if n := srv.Bot().PendingUpdates(); n != 1 {
		t.Fatalf("pending = %d", n)
	}
}

func TestPollerPassesRedeliveredUpdates(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ids []int
	var mu sync.Mutex
	first := make(chan struct{})
	handle := func(_ context.Context, ev chat.Event) error {
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, ev.ID)
		if len(ids) == 1 {
			close(first)
		}
		if len(ids) == 2 {
			cancel()
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- (&telegram.Poller{Timeout: time.Second}).Run(ctx, api, handle) }()
	u.Send("une fois")
	<-first
	// Once the update is confirmed, Telegram delivers it again (as after a
	// crash of another poller): the handler sees it, to de-duplicate it.
	for srv.Bot().PendingUpdates() != 0 {
		time.Sleep(5 * time.Millisecond)
	}
	u.SendDuplicate()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Fatalf("handled %v", ids)
	}
}

func TestPollerStopsOnRefusedToken(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	api.Token = "999:revoked"
	err := telegram.Poll(context.Background(), api, func(context.Context, chat.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "revoked") {
		t.Fatalf("err = %v", err)
	}
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 401 {
		t.Fatalf("err = %#v", err)
	}
}

// An update is confirmed to Telegram only once it and every update before
// it are handled: while a handler runs, a crash would get it delivered
// again, and other chats go on meanwhile.
func TestPollerConfirmsOnlyHandledUpdates(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	slow, quick := srv.NewUser(1001, "Awa"), srv.NewUser(1002, "Leo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var mu sync.Mutex
	var handled []string
	quickDone := make(chan struct{}, 2)
	handle := func(_ context.Context, ev chat.Event) error {
		if ev.ChatID == 1001 {
			<-release
		}
		mu.Lock()
		handled = append(handled, ev.Text)
		mu.Unlock()
		if ev.ChatID == 1002 {
			quickDone <- struct{}{}
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- (&telegram.Poller{Timeout: time.Second}).Run(ctx, api, handle) }()
	slow.Send("lent")
	quick.Send("un")
	quick.Send("deux")
	<-quickDone
	<-quickDone
	// The other chat's two updates are handled, but the first update still
	// runs: nothing is confirmed, all three would come back after a crash.
	time.Sleep(50 * time.Millisecond)
	if n := srv.Bot().PendingUpdates(); n != 3 {
		t.Fatalf("pending while the first update runs = %d, want 3", n)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for srv.Bot().PendingUpdates() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Bot().PendingUpdates(); n != 0 {
		t.Fatalf("pending after handling = %d, want 0", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(handled, " "); got != "un deux lent" {
		t.Fatalf("handled %q (each once)", got)
	}
}

// A handler that cannot handle an update yet (its chat busy on another
// replica) gets it again after a pause, before the chat's next update; an
// update cut by shutdown is left unconfirmed for the next run.
func TestPollerRetriesUnhandledUpdatesInOrder(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var seen []string
	refusals := 2
	handle := func(_ context.Context, ev chat.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, ev.Text)
		if ev.Text == "a" && refusals > 0 {
			refusals--
			return errors.New("chat busy")
		}
		if ev.Text == "b" {
			cancel()
		}
		return nil
	}
	u.Send("a")
	u.Send("b")
	if err := (&telegram.Poller{Timeout: time.Second, RetryAfter: 10 * time.Millisecond}).Run(ctx, api, handle); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, " "); got != "a a a b" {
		t.Fatalf("handled %q, want a refused twice then a, b", got)
	}
	if n := srv.Bot().PendingUpdates(); n != 0 {
		t.Fatalf("pending = %d", n)
	}

	// Shutdown while an update keeps failing: it stays unconfirmed.
	u.Send("c")
	ctx2, cancel2 := context.WithCancel(context.Background())
	tried := make(chan struct{}, 100)
	never := func(context.Context, chat.Event) error {
		tried <- struct{}{}
		return errors.New("chat busy")
	}
	done := make(chan error, 1)
	go func() {
		done <- (&telegram.Poller{Timeout: time.Second, RetryAfter: 10 * time.Millisecond, DrainTimeout: 50 * time.Millisecond}).Run(ctx2, api, never)
	}()
	<-tried
	cancel2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := srv.Bot().PendingUpdates(); n != 1 {
		t.Fatalf("unhandled update confirmed at shutdown: pending = %d, want 1", n)
	}
}

func pushUpdate(h http.Handler, id int, chatID int64) *httptest.ResponseRecorder {
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1,"date":0,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"A"},"text":"x"}}`, id, chatID, chatID)
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	req.Header.Set(telegram.SecretHeader, "s3cret")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The webhook answers Telegram once the update is handled (200), or 503 so
// Telegram pushes it again: when the handler could not handle it, and when
// too many updates are waiting.
func TestWebhookAnswersAfterHandling(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var handled sync.Map
	hook := telegram.NewWebhook("s3cret", func(_ context.Context, ev chat.Event) error {
		if ev.ID == 1 {
			<-release
		}
		if ev.ID == 3 {
			return errors.New("chat busy")
		}
		handled.Store(ev.ID, true)
		return nil
	}, telegram.WebhookOptions{MaxPending: 1})
	defer hook.Close()
	answered := make(chan int, 1)
	go func() { answered <- pushUpdate(hook, 1, 10).Code }()
	select {
	case code := <-answered:
		t.Fatalf("answered %d before the update was handled", code)
	case <-time.After(50 * time.Millisecond):
	}
	// One update waiting: the queue is full, Telegram must retry.
	if code := pushUpdate(hook, 2, 11).Code; code != http.StatusServiceUnavailable {
		t.Fatalf("over capacity = %d, want 503", code)
	}
	close(release)
	if code := <-answered; code != http.StatusOK {
		t.Fatalf("handled update answered %d", code)
	}
	if _, ok := handled.Load(1); !ok {
		t.Fatal("update 1 not handled")
	}
	if code := pushUpdate(hook, 2, 11).Code; code != http.StatusOK {
		t.Fatalf("retried update = %d", code)
	}
	if code := pushUpdate(hook, 3, 12).Code; code != http.StatusServiceUnavailable {
		t.Fatalf("unhandled update = %d, want 503", code)
	}
}

// A Message is sent, edited in place (its keyboard removed when it has no
// buttons) and sent with a photo, as the user then sees it.
func TestSenderPostsMessages(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	s := telegram.NewSender(connect(t, srv), telegram.SenderOptions{Unlimited: true})
	u := srv.NewUser(7, "Awa")
	ctx := context.Background()
	id, err := s.Post(ctx, chat.Message{ChatID: u.ID(), Text: "Sexe ?", Buttons: [][]chat.Button{{{Text: "Femme", Data: "d:c:sex:F"}, {Text: "Aide", URL: "https://example.org/aide"}}}})
	if err != nil || id == 0 {
		t.Fatalf("post: %d %v", id, err)
	}
	if m := u.LastMessage(); m.Text != "Sexe ?" || len(m.Buttons) != 1 || m.Buttons[0][0].Data != "d:c:sex:F" || m.Buttons[0][1].URL != "https://example.org/aide" {
		t.Fatalf("sent %+v", m)
	}
	if got, err := s.Post(ctx, chat.Message{ChatID: u.ID(), Edit: id, Text: "Sexe : Femme"}); err != nil || got != id {
		t.Fatalf("edit: %d %v", got, err)
	}
	if _, err := s.Post(ctx, chat.Message{ChatID: u.ID(), Edit: id, Text: "Sexe : Femme"}); err != nil {
		t.Fatalf("an edit that changes nothing: %v", err)
	}
	if m := u.LastMessage(); m.ID != id || m.Text != "Sexe : Femme" || len(m.Buttons) != 0 || m.EditCount != 1 {
		t.Fatalf("edited %+v", m)
	}
	var img bytes.Buffer
	if err := pngEncode(&img); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(ctx, chat.Message{ChatID: u.ID(), Text: "Demandes", File: &chat.File{Name: "d.png", Data: img.Bytes(), Photo: true}}); err != nil {
		t.Fatal(err)
	}
	if m := u.LastMessage(); m.Photo == nil || m.Text != "Demandes" {
		t.Fatalf("photo %+v", m)
	}
}

// pngEncode writes a small image, as the digest's chart is.
func pngEncode(w *bytes.Buffer) error {
	return png.Encode(w, image.NewRGBA(image.Rect(0, 0, 8, 8)))
}

// Under contention the newest chat head goes first, but only chat heads
// compete: a chat's own messages still leave in the order they were sent.
func TestSenderKeepsEachChatInOrderWhenContended(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	s := telegram.NewSender(connect(t, srv), telegram.SenderOptions{GlobalRate: 20, GlobalBurst: 1})
	awa, bilal, chloe := srv.NewUser(1, "Awa"), srv.NewUser(2, "Bilal"), srv.NewUser(3, "Chloé")
	var wg sync.WaitGroup
	for i, c := range []struct {
		u    *telegramtest.User
		text string
	}{{awa, "Awa 1"}, {awa, "Awa 2"}, {awa, "Awa 3"}, {bilal, "Bilal 1"}, {chloe, "Chloé 1"}, {awa, "Awa 4"}} {
		wg.Go(func() {
			if _, err := s.Send(context.Background(), tgbotapi.NewMessage(c.u.ID(), c.text)); err != nil {
				t.Error(err)
			}
		})
		for s.QueueDepth()+int(s.Stats().Sent) < i+1 {
			time.Sleep(time.Millisecond) // each call made after the previous one
		}
	}
	wg.Wait()
	if got := texts(awa.Messages()); !slices.Equal(got, []string{"Awa 1", "Awa 2", "Awa 3", "Awa 4"}) {
		t.Errorf("Awa's chat reads %q", got)
	}
	if got := append(texts(bilal.Messages()), texts(chloe.Messages())...); !slices.Equal(got, []string{"Bilal 1", "Chloé 1"}) {
		t.Errorf("Bilal and Chloé got %q", got)
	}
}

// While Telegram answers only updates still being handled, the poller asks
// again after a short pause (heldBackPause, 20 ms) rather than at once: 300
// ms of a handler running cost at most 300/20 getUpdates plus slack, not
// hundreds. A slow machine makes fewer calls, never more.
func TestPollerPausesWhileOnlyHeldBackUpdatesComeBack(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	handle := func(context.Context, chat.Event) error {
		close(started)
		<-release
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- (&telegram.Poller{Timeout: time.Second}).Run(ctx, api, handle) }()
	u.Send("lent")
	<-started
	before := srv.Stats().ByMethod["getupdates"]
	time.Sleep(300 * time.Millisecond)
	asked := srv.Stats().ByMethod["getupdates"] - before
	close(release)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if asked > 25 {
		t.Fatalf("%d getUpdates in 300 ms while one update ran, want at most 25", asked)
	}
}
