package telegram

import (
	"errors"
	"io"
	"net/http"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// An answer of getUpdates held back on an update in flight repeats it and
// the updates handled after it: only the new ones are decoded, whole,
// whatever their texts hold (quotes, brackets, the marker itself).
func TestUpdatesClientDecodesOnlyNewUpdates(t *testing.T) {
	t.Parallel()
	c := &updatesClient{known: func(id int) bool { return id == 7 || id == 8 }}
	body := []byte(`{"ok":true,"result":[
		{"update_id":7,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"en cours \"}]"}},
		{"update_id":8,"message":{"message_id":2,"date":0,"chat":{"id":2,"type":"private"},"text":"fini {\"update_id\":9}"}},
		{"update_id":9,"message":{"message_id":3,"date":0,"chat":{"id":3,"type":"private"},"text":"nouveau {[\\"}},
		{"update_id":10,"callback_query":{"id":"c","from":{"id":4,"first_name":"A"},"data":"fiche:1"}}
	]}
`)
	got, err := c.decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("decoded %d updates (%+v), want 9 and 10", len(got), got)
	}
	if u := got[0]; u.UpdateID != 9 || u.Message == nil || u.Message.Text != `nouveau {[\` || u.Message.Chat.ID != 3 {
		t.Errorf("first update = %+v, want 9 « nouveau {[\\ » in chat 3", u)
	}
	if u := got[1]; u.UpdateID != 10 || u.CallbackQuery == nil || u.CallbackQuery.Data != "fiche:1" {
		t.Errorf("second update = %+v, want 10, the press fiche:1", u)
	}

	for _, empty := range []string{`{"ok":true,"result":[]}`, `{"ok":true,"result":[{"update_id":7,"message":{"text":"x"}}]}`} {
		if got, err := c.decode([]byte(empty)); err != nil || len(got) != 0 {
			t.Errorf("decode(%s) = %+v, %v; want no update, no error", empty, got, err)
		}
	}
}

// An answer laid out otherwise is decoded whole (the dispatcher skips the
// known updates itself); an error answer is tgbotapi's Error, as tgbotapi
// returned it; what cannot be read at all is an error.
func TestUpdatesClientReadsOtherAnswersWhole(t *testing.T) {
	t.Parallel()
	c := &updatesClient{known: func(int) bool { return true }}
	for _, body := range []string{
		`{"ok":true,"result":[{"message":{"text":"x"},"update_id":9}]}`,
		` {"result":[{"update_id":9,"message":{"text":"x"}}],"ok":true}`,
	} {
		got, err := c.decode([]byte(body))
		if err != nil || len(got) != 1 || got[0].UpdateID != 9 || got[0].Message.Text != "x" {
			t.Errorf("decode(%s) = %+v, %v; want update 9 « x »", body, got, err)
		}
	}
	_, err := c.decode([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
	if e, ok := apiError(err); !ok || e.Code != 401 || e.Message != "Unauthorized" {
		t.Errorf("error answer: %v, want tgbotapi's Error 401 Unauthorized", err)
	}
	for _, body := range []string{`{"ok":true,"result":[{"update_id":9,"message":{"text":"x"}`, `<html>Bad Gateway</html>`} {
		if got, err := c.decode([]byte(body)); err == nil {
			t.Errorf("decode(%s) = %+v, want an error", body, got)
		}
	}
}

// The request is the one tgbotapi's GetUpdates made: same URL, same body
// (allowed_updates always, zeros left out).
func TestUpdatesClientAsksAsTgbotapi(t *testing.T) {
	t.Parallel()
	api := &tgbotapi.BotAPI{Token: "t"}
	api.SetAPIEndpoint(tgbotapi.APIEndpoint)
	for _, allowed := range [][]string{nil, {"message", "callback_query"}} {
		for _, offset := range []int{0, 42} {
			var want, got requestCatcher
			if _, err := withClient(api, &want).GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: 30, AllowedUpdates: allowed}); !errors.Is(err, errURLCaught) {
				t.Fatalf("tgbotapi's GetUpdates: %v, want the catcher's error", err)
			}
			c, err := newUpdatesClient(api, allowed, func(int) bool { return false })
			if err != nil {
				t.Fatal(err)
			}
			c.client = &got
			if _, err := c.get(t.Context(), offset, 100, 30); !errors.Is(err, errURLCaught) {
				t.Fatalf("get: %v, want the catcher's error", err)
			}
			if got != want || want.url != "https://api.telegram.org/bott/getUpdates" {
				t.Errorf("allowed %v, offset %d: asked %+v, want %+v", allowed, offset, got, want)
			}
		}
	}
}

// requestCatcher records a request's URL, content type and body, and sends nothing.
type requestCatcher struct{ url, contentType, body string }

func (c *requestCatcher) Do(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	c.url, c.contentType, c.body = req.URL.String(), req.Header.Get("Content-Type"), string(b)
	return nil, errURLCaught
}
