package telegram

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// A token never reaches a log line, even URL-escaped as an *url.Error
// prints it ("%20" for a space, "%3A" for a colon).
func TestScrubMasksEscapedTokens(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"123456:ABC-def", "bad token", "12:a/b?c"} {
		for _, raw := range []string{
			"https://api.telegram.org/bot" + url.PathEscape(token) + "/getMe",
			"https://api.telegram.org/bot" + token + "/getMe",
		} {
			err := scrub(&url.Error{Op: "Post", URL: raw, Err: errors.New("connection refused")}, token)
			msg := err.Error()
			for _, form := range []string{token, url.PathEscape(token), url.QueryEscape(token)} {
				if strings.Contains(msg, form) {
					t.Errorf("token %q: %q still shows %q", token, msg, form)
				}
			}
			var ue *url.Error
			if !strings.Contains(msg, "<token>") || !strings.Contains(msg, "connection refused") || !errors.As(err, &ue) {
				t.Errorf("token %q: scrubbed error %q (url.Error kept: %v)", token, msg, errors.As(err, &ue))
			}
		}
	}
	plain := errors.New("timeout")
	if scrub(plain, "123:abc") != plain {
		t.Error("an error without the token was changed")
	}
}
