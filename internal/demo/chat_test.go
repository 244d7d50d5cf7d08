package demo_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/demo"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

const awa = 1<<52 + 5900001 // the Nord mediator of demo.Personas (ids above 2^52: never a real Telegram id)

// chatMessage is a message as the page receives it.
type chatMessage struct {
	ID      int    `json:"id"`
	FromBot bool   `json:"from_bot"`
	Text    string `json:"text"`
	Edited  bool   `json:"edited"`
	Buttons [][]struct {
		Text string `json:"text"`
	} `json:"buttons"`
	Document *chatFile `json:"document"`
	Photo    *chatFile `json:"photo"`
}

type chatFile struct {
	Name  string `json:"name"`
	Mime  string `json:"mime"`
	Size  int    `json:"size"`
	Width int    `json:"width"`
	URL   string `json:"url"`
}

// call sends a request as the page does: a POST carries the page's own
// Origin, as a browser's fetch does.
func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", req.URL.Scheme+"://"+req.URL.Host)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// stream reads a chat's Server-Sent Events.
type stream struct {
	t      *testing.T
	cancel context.CancelFunc
	lines  *bufio.Scanner
}

// openStream opens a chat's stream, read until waitLimit: a fresh demo
// answers once its synthetic year is written, which a busy machine under
// -race takes its time to do.
func openStream(t *testing.T, url string) *stream {
	t.Helper()
	ctx, cancel := context.WithDeadline(context.Background(), waitLimit(t))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		cancel()
		t.Fatalf("events Content-Type = %q", ct)
	}
	s := &stream{t: t, cancel: func() { cancel(); res.Body.Close() }, lines: bufio.NewScanner(res.Body)}
	t.Cleanup(s.cancel)
	return s
}

// next returns the next event's name and data.
func (s *stream) next() (string, string) {
	s.t.Helper()
	var event, data string
	for s.lines.Scan() {
		line := s.lines.Text()
		switch {
		case line == "" && event != "":
			return event, data
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
	s.t.Fatalf("event stream ended: %v", s.lines.Err())
	return "", ""
}

// until reads events until a message whose text contains substr.
func (s *stream) until(substr string) chatMessage {
	s.t.Helper()
	for {
		event, data := s.next()
		if event != "message" {
			continue
		}
		var m chatMessage
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			s.t.Fatal(err)
		}
		if strings.Contains(m.Text, substr) {
			return m
		}
	}
}

func tinyPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, 10, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestChatAPIShowsWhatTheBotSends plays the bot's side by hand with the
// Telegram client library, and checks what the page receives and sends.
func TestChatAPIShowsWhatTheBotSends(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	web := demo.NewHandler(fake.Bot(), demo.Personas())
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	t.Cleanup(web.Close) // runs first: open streams end, so the server can close
	chat := fmt.Sprintf("%s/api/chats/%d/", srv.URL, awa)

	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(fake.Token(), fake.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	question := tgbotapi.NewMessage(awa, "Sexe de la personne ?")
	question.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Femme", "d:sex:F"),
		tgbotapi.NewInlineKeyboardButtonData("Homme", "d:sex:M"),
	))
	sent, err := api.Send(question)
	if err != nil {
		t.Fatal(err)
	}
	xlsx := []byte("PK\x03\x04 un classeur")
	if _, err := api.Send(tgbotapi.NewDocument(awa, tgbotapi.FileBytes{Name: "indicateurs-2026.xlsx", Bytes: xlsx})); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewPhoto(awa, tgbotapi.FileBytes{Name: "graphique.png", Bytes: tinyPNG(t)})); err != nil {
		t.Fatal(err)
	}

	// The "/" menu is the one the bot set for this chat, else the default.
	if _, err := api.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "aide", Description: "ce que vous pouvez faire"})); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(awa), tgbotapi.BotCommand{Command: "fiche", Description: "nouvelle fiche"})); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{awa: `[{"command":"fiche","description":"nouvelle fiche"}]`, 1<<52 + 3200001: `[{"command":"aide","description":"ce que vous pouvez faire"}]`} {
		if code, body := call(t, http.MethodGet, fmt.Sprintf("%s/api/chats/%d/commands", srv.URL, id), ""); code != http.StatusOK || strings.TrimSpace(body) != want {
			t.Errorf("menu of %d: %d %s, want %s", id, code, body, want)
		}
	}

	events := openStream(t, chat+"events")
	if event, _ := events.next(); event != "reset" {
		t.Fatalf("first event = %q, want reset", event)
	}

	code, body := call(t, http.MethodGet, chat+"messages", "")
	var msgs []chatMessage
	if err := json.Unmarshal([]byte(body), &msgs); code != http.StatusOK || err != nil || len(msgs) != 3 {
		t.Fatalf("messages = %d %s", code, body)
	}
	if q := msgs[0]; !q.FromBot || q.Text != "Sexe de la personne ?" || len(q.Buttons) != 1 || q.Buttons[0][1].Text != "Homme" {
		t.Fatalf("question = %+v", q)
	}
	doc, photo := msgs[1].Document, msgs[2].Photo
	if doc == nil || doc.Name != "indicateurs-2026.xlsx" || doc.Size != len(xlsx) || photo == nil || photo.Width != 40 {
		t.Fatalf("files = %+v %+v", doc, photo)
	}
	res, err := http.Get(srv.URL + "/" + doc.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !bytes.Equal(got, xlsx) || res.Header.Get("Content-Disposition") != `attachment; filename=indicateurs-2026.xlsx` ||
		!strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("document download: %q %q %d bytes", res.Header.Get("Content-Disposition"), res.Header.Get("Content-Type"), len(got))
	}
	res, err = http.Get(srv.URL + "/" + photo.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("photo: %q %q", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}

	// A press becomes a callback query for the bot, a typed text a message.
	if code, body := call(t, http.MethodPost, chat+"press", fmt.Sprintf(`{"message_id":%d,"button":"Femme"}`, sent.MessageID)); code != http.StatusOK {
		t.Fatalf("press = %d %s", code, body)
	}
	if code, body := call(t, http.MethodPost, chat+"send", `{"text":"bonjour"}`); code != http.StatusOK {
		t.Fatalf("send = %d %s", code, body)
	}
	updates, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) != 2 || updates[0].CallbackQuery == nil || updates[0].CallbackQuery.Data != "d:sex:F" ||
		updates[1].Message == nil || updates[1].Message.Text != "bonjour" || updates[1].Message.From.FirstName != "Awa" {
		t.Fatalf("updates = %+v", updates)
	}
	events.until("bonjour")

	// The bot's edit and its answer to the press reach the open page.
	if _, err := api.Request(tgbotapi.NewCallbackWithAlert(updates[0].CallbackQuery.ID, "Noté")); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewEditMessageText(awa, sent.MessageID, "Sexe : Femme")); err != nil {
		t.Fatal(err)
	}
	var sawAnswer, sawEdit bool
	for !sawAnswer || !sawEdit {
		switch event, data := events.next(); {
		case event == "answer" && strings.Contains(data, "Noté"):
			sawAnswer = true
		case event == "message" && strings.Contains(data, "Sexe : Femme"):
			var m chatMessage
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				t.Fatalf("message event %q: %v", data, err)
			}
			if m.ID != sent.MessageID || !m.Edited || len(m.Buttons) != 0 {
				t.Fatalf("edited message = %+v", m)
			}
			sawEdit = true
		}
	}

	// Refusals are short French sentences.
	for _, c := range []struct {
		method, path, body string
		code               int
		want               string
	}{
		{http.MethodPost, chat + "send", `{"text":"   "}`, http.StatusBadRequest, "Le message est vide."},
		{http.MethodPost, chat + "send", `{"text":"` + strings.Repeat("a", 4097) + `"}`, http.StatusBadRequest, "Message trop long"},
		{http.MethodPost, chat + "press", fmt.Sprintf(`{"message_id":%d,"button":"Homme"}`, sent.MessageID), http.StatusConflict, "plus disponible"},
		{http.MethodPost, chat + "send", `pas du json`, http.StatusBadRequest, "illisible"},
		{http.MethodGet, srv.URL + "/api/chats/42/messages", "", http.StatusNotFound, "n'existe pas"},
		{http.MethodGet, chat + "files/inconnu", "", http.StatusNotFound, "introuvable"},
	} {
		code, body := call(t, c.method, c.path, c.body)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s %s %.30s = %d %s, want %d %q", c.method, c.path, c.body, code, body, c.code, c.want)
		}
	}

	code, body = call(t, http.MethodGet, srv.URL+"/", "")
	if code != http.StatusOK || !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "static/chat.js") {
		t.Fatalf("page = %d %.200s", code, body)
	}
	if code, _ := call(t, http.MethodGet, srv.URL+"/static/chat.js", ""); code != http.StatusOK {
		t.Fatalf("chat.js = %d", code)
	}
	// The page says the figures are made up.
	if code, body := call(t, http.MethodGet, srv.URL+"/api/personas", ""); code != http.StatusOK ||
		!strings.Contains(body, `"notice":"Démo : chiffres fictifs, générés pour l'exemple, aucune donnée réelle."`) {
		t.Fatalf("personas = %d %s", code, body)
	}
}

// TestRestartKeepsTheDemoAccountsAndChats: the first start registers the
// three personas through /start; a restart on the same database invites
// nobody again, the accounts keep their roles, and every chat shows the
// same history (the invitation code hidden); new messages get through to
// the bot (update ids continue after the saved ones, so its
// de-duplication does not drop them) and are numbered after the old ones.
func TestRestartKeepsTheDemoAccountsAndChats(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	url, stop := startDemo(t, db, rdb)
	for _, p := range demo.Personas() {
		openStream(t, fmt.Sprintf("%sapi/chats/%d/events", url, p.ID)).until("Bienvenue sur Relais")
	}
	chat := fmt.Sprintf("%sapi/chats/%d/", url, awa)
	events := openStream(t, chat+"events")
	if code, body := call(t, http.MethodPost, chat+"send", `{"text":"/mesfiches"}`); code != http.StatusOK {
		t.Fatalf("send = %d %s", code, body)
	}
	events.until("Vos dernières fiches")
	_, before := call(t, http.MethodGet, chat+"messages", "")
	stop()

	url, _ = startDemo(t, db, rdb)
	chat = fmt.Sprintf("%sapi/chats/%d/", url, awa)
	code, after := call(t, http.MethodGet, chat+"messages", "")
	if code != http.StatusOK || after != before {
		t.Fatalf("after a restart, Awa's chat = %d\n%s\nwant the same as before:\n%s", code, after, before)
	}
	var msgs []chatMessage
	if err := json.Unmarshal([]byte(after), &msgs); err != nil || len(msgs) != 4 || msgs[0].Text != "/start" ||
		!strings.HasPrefix(msgs[1].Text, "Bienvenue sur Relais") || msgs[2].Text != "/mesfiches" {
		t.Fatalf("Awa's chat after a restart: %v\n%s", err, after)
	}
	var invitations int
	if err := db.SQL.QueryRow(context.Background(), `SELECT count(*) FROM invitations`).Scan(&invitations); err != nil {
		t.Fatal(err)
	}
	if invitations != len(demo.Personas()) {
		t.Fatalf("invitations = %d, want %d (one per persona, once)", invitations, len(demo.Personas()))
	}
	events = openStream(t, chat+"events")
	if code, body := call(t, http.MethodPost, chat+"send", `{"text":"/aide"}`); code != http.StatusOK {
		t.Fatalf("send = %d %s", code, body)
	}
	help := events.until("Ce que vous pouvez faire")
	if !strings.Contains(help.Text, "/fiche") {
		t.Fatalf("Awa is no longer a mediator after a restart: %q", help.Text)
	}
	if help.ID <= msgs[3].ID+1 {
		t.Fatalf("the answer after the restart has id %d, not after the old messages (last %d)", help.ID, msgs[3].ID)
	}
}

// TestInvitationCodeIsNotShown: opening an invitation link sends "/start
// CODE" to the bot, but Telegram shows "/start" alone in the person's chat;
// the web chat does the same. A "/start" typed without a code stays as is.
func TestInvitationCodeIsNotShown(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	web := demo.NewHandler(fake.Bot(), demo.Personas())
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	t.Cleanup(web.Close)
	if _, err := fake.Bot().SendText(awa, "/start K7QZ3MXP2A"); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Bot().SendText(awa, "/start"); err != nil {
		t.Fatal(err)
	}
	code, body := call(t, http.MethodGet, fmt.Sprintf("%s/api/chats/%d/messages", srv.URL, awa), "")
	var msgs []chatMessage
	if err := json.Unmarshal([]byte(body), &msgs); code != http.StatusOK || err != nil || len(msgs) != 2 {
		t.Fatalf("messages = %d %s", code, body)
	}
	if msgs[0].Text != "/start" || msgs[1].Text != "/start" || strings.Contains(body, "K7QZ3MXP2A") {
		t.Fatalf("the chat shows %q and %q (the code must not appear): %s", msgs[0].Text, msgs[1].Text, body)
	}
	// The bot itself gets the code, as from Telegram.
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(fake.Token(), fake.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	updates, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) != 2 || updates[0].Message.Text != "/start K7QZ3MXP2A" {
		t.Fatalf("updates = %+v", updates)
	}
}

// TestPageRefusesOtherOrigins: the page has no login, so another web site
// open in the same browser must not type or press in its chats (its
// fetch carries that site's Origin), nor read them through a name of its
// own resolving to 127.0.0.1 (DNS rebinding: Host and Origin are then
// that name). A refusal is a short French sentence and reaches no bot.
func TestPageRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	web := demo.NewHandler(fake.Bot(), demo.Personas())
	srv := httptest.NewServer(web)
	t.Cleanup(srv.Close)
	t.Cleanup(web.Close)
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(fake.Token(), fake.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	question := tgbotapi.NewMessage(awa, "Sexe de la personne ?")
	question.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Femme", "d:sex:F")))
	sent, err := api.Send(question)
	if err != nil {
		t.Fatal(err)
	}
	own := srv.URL // http://127.0.0.1:PORT
	port := strings.TrimPrefix(own, "http://127.0.0.1:")
	post := func(path, body string, header map[string]string, host string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/chats/%d/%s", own, awa, path), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if host != "" {
			req.Host = host
		}
		return do(t, req)
	}
	const (
		otherOrigin = "Requête refusée : elle ne vient pas de la page de la démo."
		otherHost   = "Cette page de démonstration ne répond qu'aux adresses de cette machine (127.0.0.1, ::1 ou localhost)."
	)
	for _, c := range []struct {
		name   string
		header map[string]string
		host   string
		want   string
	}{
		{"another site", map[string]string{"Origin": "http://evil.example"}, "", otherOrigin},
		{"another site on the same port", map[string]string{"Origin": "http://evil.example:" + port}, "", otherOrigin},
		{"another port of this machine", map[string]string{"Origin": "http://127.0.0.1:1"}, "", otherOrigin},
		{"https instead of http", map[string]string{"Origin": "https://127.0.0.1:" + port}, "", otherOrigin},
		{"an opaque origin (sandboxed frame, file://)", map[string]string{"Origin": "null"}, "", otherOrigin},
		{"no Origin and not same-origin", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", otherOrigin},
		{"no Origin at all", nil, "", otherOrigin},
		{"DNS rebinding", map[string]string{"Origin": "http://evil.example:" + port}, "evil.example:" + port, otherHost},
		{"DNS rebinding, same-origin mark", map[string]string{"Sec-Fetch-Site": "same-origin"}, "evil.example:" + port, otherHost},
	} {
		for path, body := range map[string]string{
			"send":  `{"text":"/export"}`,
			"press": fmt.Sprintf(`{"message_id":%d,"button":"Femme"}`, sent.MessageID),
		} {
			if code, got := post(path, body, c.header, c.host); code != http.StatusForbidden || !strings.Contains(got, c.want) {
				t.Errorf("%s: POST %s = %d %s, want 403 %q", c.name, path, code, got, c.want)
			}
		}
	}
	// Reading through a rebound name is refused too.
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1.evil.example:" + port} {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/chats/%d/messages", own, awa), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if code, got := do(t, req); code != http.StatusForbidden || strings.Contains(got, "Sexe de la personne") || !strings.Contains(got, otherHost) {
			t.Errorf("GET messages as %s = %d %s, want 403 %q", host, code, got, otherHost)
		}
	}

	// The page's own requests go through: its Origin, or a browser's
	// same-origin mark without one; localhost and ::1 are this machine too.
	for _, c := range []struct {
		name, text string
		header     map[string]string
		host       string
	}{
		{"its Origin", "un", map[string]string{"Origin": own}, ""},
		{"same-origin, no Origin", "deux", map[string]string{"Sec-Fetch-Site": "same-origin"}, ""},
		{"localhost", "trois", map[string]string{"Origin": "http://localhost:" + port}, "localhost:" + port},
		{"::1", "quatre", map[string]string{"Origin": "http://[::1]:" + port}, "[::1]:" + port},
	} {
		if code, got := post("send", fmt.Sprintf(`{"text":%q}`, c.text), c.header, c.host); code != http.StatusOK {
			t.Errorf("%s: POST send = %d %s, want 200", c.name, code, got)
		}
	}
	updates, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, u := range updates {
		switch {
		case u.Message != nil:
			texts = append(texts, u.Message.Text)
		case u.CallbackQuery != nil:
			texts = append(texts, "press "+u.CallbackQuery.Data)
		}
	}
	if got := strings.Join(texts, ", "); got != "un, deux, trois, quatre" {
		t.Fatalf("the bot received %q, want only the page's own %q", got, "un, deux, trois, quatre")
	}
}
