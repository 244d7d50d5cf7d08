package telegramtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// The control API plays users for curl and the demo's Go code, never for a
// web page: a site open in the demo's browser could otherwise post to it
// (a form or a fetch needs no CORS to be sent) and type or press as a
// persona. A request carrying an Origin (every browser POST does) is
// refused and reaches no bot.
func TestControlAPIRefusesWebPages(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	api := connect(t, srv)
	post := func(path, body, origin string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/plain")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
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
	if code, body := post("/fake/users", `{"id":1001,"first_name":"Awa"}`, ""); code != http.StatusOK {
		t.Fatalf("POST /fake/users = %d %s", code, body)
	}
	msg := tgbotapi.NewMessage(1001, "Bienvenue")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Aide", "help")))
	if _, err := api.Send(msg); err != nil {
		t.Fatal(err)
	}
	const refused = "L'API de contrôle du faux Telegram refuse les requêtes d'une page web (en-tête Origin)."
	for _, origin := range []string{"http://evil.example", "null", srv.URL()} {
		for path, body := range map[string]string{
			"/fake/users":            `{"id":1002,"first_name":"Intrus"}`,
			"/fake/chats/1001/send":  `{"text":"/export"}`,
			"/fake/chats/1001/press": `{"button":"Aide"}`,
		} {
			if code, got := post(path, body, origin); code != http.StatusForbidden || !strings.Contains(got, refused) {
				t.Errorf("POST %s from %s = %d %s, want 403 %q", path, origin, code, got, refused)
			}
		}
	}
	if code, body := post("/fake/chats/1001/send", `{"text":"bonjour"}`, ""); code != http.StatusOK {
		t.Fatalf("POST send without Origin = %d %s", code, body)
	}
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].Message == nil || ups[0].Message.Text != "bonjour" {
		t.Fatalf("the bot received %d updates (%+v), want only \"bonjour\"", len(ups), ups)
	}
}

// Listening on loopback, the fake answers only to a loopback Host: a web
// site whose name was made to resolve to 127.0.0.1 (DNS rebinding) would
// otherwise read the personas' chats (their ids are public) as its own
// origin, as the demo page refuses too.
func TestLoopbackFakeRefusesAnotherHost(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	api := connect(t, srv)
	srv.NewUser(1001, "Awa")
	if _, err := api.Send(tgbotapi.NewMessage(1001, "Fiche n° 3 enregistrée")); err != nil {
		t.Fatal(err)
	}
	get := func(host string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/fake/chats/1001/messages", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
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
	port := srv.URL()[strings.LastIndex(srv.URL(), ":"):]
	for _, host := range []string{"evil.example" + port, "127.0.0.1.nip.io" + port, "localhost." + port} {
		if code, body := get(host); code != http.StatusForbidden || strings.Contains(body, "Fiche") {
			t.Errorf("GET messages with Host %s = %d %s, want 403 and no message", host, code, body)
		}
	}
	for _, host := range []string{"127.0.0.1" + port, "localhost" + port, "LOCALHOST" + port} {
		if code, body := get(host); code != http.StatusOK || !strings.Contains(body, "Fiche n° 3") {
			t.Errorf("GET messages with Host %s = %d %s, want 200 with the message", host, code, body)
		}
	}
}
