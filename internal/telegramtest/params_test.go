package telegramtest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// A token whose bot id does not fit an int64 is refused, not read as 0.
func TestTokenIDOverflowIsRefused(t *testing.T) {
	srv, err := telegramtest.New(telegramtest.WithToken("99999999999999999999:abc"))
	if err == nil {
		srv.Close()
		t.Fatal("New took a 20-digit bot id")
	}
	ok, err := telegramtest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ok.Close()
	if _, err := ok.AddBot("99999999999999999999:abc", "big_bot"); err == nil {
		t.Fatal("AddBot took a 20-digit bot id")
	}
}

// Integer parameters that are not integers, and a Content-Type that does not
// parse, are a Bad Request rather than a zero.
func TestMalformedParamsAreBadRequests(t *testing.T) {
	srv, err := telegramtest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Post(srv.URL()+"/fake/users", "application/json", strings.NewReader(`{"id":1001,"first_name":"Awa"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	call := func(method, contentType, body string) (int, string) {
		t.Helper()
		resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/"+method, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	form := "application/x-www-form-urlencoded"
	for _, c := range []struct{ method, contentType, body string }{
		{"getUpdates", form, url.Values{"offset": {"abc"}}.Encode()},
		{"getUpdates", form, url.Values{"timeout": {"1.5"}}.Encode()},
		{"sendMessage", form, url.Values{"chat_id": {"1001"}, "text": {"Bonjour"}, "reply_to_message_id": {"x"}, "allow_sending_without_reply": {"true"}}.Encode()},
		{"sendMessage?chat_id=1001&text=Bonjour", "/", "x"},
	} {
		if code, body := call(c.method, c.contentType, c.body); code != http.StatusBadRequest {
			t.Errorf("%s %q: %d %s, want 400", c.method, c.body, code, body)
		}
	}
	if code, body := call("getUpdates", form, url.Values{"offset": {"0"}, "timeout": {"0"}}.Encode()); code != http.StatusOK {
		t.Errorf("getUpdates with integers: %d %s", code, body)
	}
}
