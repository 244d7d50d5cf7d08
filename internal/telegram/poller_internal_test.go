package telegram

import (
	"encoding/json"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// An answer of getUpdates held back on an update in flight repeats it and
// the updates handled after it: only the new ones are left to decode, whole.
func TestHeldBackKeepsOnlyNewUpdates(t *testing.T) {
	t.Parallel()
	h := &heldBack{known: func(id int) bool { return id == 7 || id == 8 }}
	body := []byte(`{"ok":true,"result":[
		{"update_id":7,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"en cours \"}]"}},
		{"update_id":8,"message":{"message_id":2,"date":0,"chat":{"id":2,"type":"private"},"text":"fini"}},
		{"update_id":9,"message":{"message_id":3,"date":0,"chat":{"id":3,"type":"private"},"text":"nouveau {[\\"}},
		{"update_id":10,"callback_query":{"id":"c","from":{"id":4,"first_name":"A"},"data":"fiche:1"}}
	]}`)
	kept, ok := h.filter(body)
	if !ok {
		t.Fatal("filter could not read the answer")
	}
	var resp struct {
		OK     bool              `json:"ok"`
		Result []tgbotapi.Update `json:"result"`
	}
	if err := json.Unmarshal(kept, &resp); err != nil {
		t.Fatalf("filtered answer %s: %v", kept, err)
	}
	if !resp.OK || len(resp.Result) != 2 {
		t.Fatalf("filtered answer = %s, want ok and updates 9 and 10", kept)
	}
	if u := resp.Result[0]; u.UpdateID != 9 || u.Message == nil || u.Message.Text != `nouveau {[\` || u.Message.Chat.ID != 3 {
		t.Errorf("first update = %+v, want 9 « nouveau {[\\ » in chat 3", u)
	}
	if u := resp.Result[1]; u.UpdateID != 10 || u.CallbackQuery == nil || u.CallbackQuery.Data != "fiche:1" {
		t.Errorf("second update = %+v, want 10, the press fiche:1", u)
	}

	if kept, ok := h.filter([]byte(`{"ok":true,"result":[]}`)); !ok || string(kept) != `{"ok":true,"result":[]}` {
		t.Errorf("empty answer: %s, %v; want it unchanged, true", kept, ok)
	}
}

// An answer laid out otherwise, or an error, goes through whole: the
// dispatcher skips the known updates itself.
func TestHeldBackLeavesOtherAnswersWhole(t *testing.T) {
	t.Parallel()
	h := &heldBack{known: func(int) bool { return true }}
	for _, body := range []string{
		`{"ok":true,"result":[{"message":{"text":"x"},"update_id":9}]}`,
		`{"ok":false,"error_code":401,"description":"Unauthorized"}`,
		`{"ok":true,"result":[{"update_id":9,"message":{"text":"x"}`,
		`<html>Bad Gateway</html>`,
	} {
		if kept, ok := h.filter([]byte(body)); ok {
			t.Errorf("filter(%s) = %s, want it left whole", body, kept)
		}
	}
}
