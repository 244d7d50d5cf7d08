package telegramtest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// deleteMessage as the Bot API documents it: True on success; a bot
// deletes incoming messages in private chats, its own anywhere, others' in
// a group only as an administrator; nothing older than 48 hours; an
// unknown or already deleted id is "message to delete not found".
func TestDeleteMessageFollowsTheBotAPI(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	u.Send("06 12 34 56 78")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates = %v, %v", ups, err)
	}
	typed := ups[0].Message.MessageID

	resp, err := api.Request(tgbotapi.NewDeleteMessage(1001, typed))
	if err != nil || string(resp.Result) != "true" {
		t.Fatalf("delete the user's message: %s, %v", resp.Result, err)
	}
	if msgs := u.Messages(); len(msgs) != 0 {
		t.Fatalf("the chat still shows %v", msgs)
	}
	for _, id := range []int{typed, 9999} {
		_, err = api.Request(tgbotapi.NewDeleteMessage(1001, id))
		if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: message to delete not found" {
			t.Fatalf("delete %d again: %d %q", id, e.Code, e.Message)
		}
	}

	// 48 hours later the message stays.
	u.Send("bonjour")
	snap, err := srv.Bot().Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(snap, &s); err != nil {
		t.Fatal(err)
	}
	var old int
	for _, c := range s["chats"].([]any) {
		for _, m := range c.(map[string]any)["messages"].([]any) {
			if mm := m.(map[string]any); mm["text"] == "bonjour" {
				mm["date"] = time.Now().Add(-49 * time.Hour).Unix()
				old = int(mm["id"].(float64))
			}
		}
	}
	snap, err = json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Bot().Restore(snap, 0); err != nil {
		t.Fatal(err)
	}
	_, err = api.Request(tgbotapi.NewDeleteMessage(1001, old))
	if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: message can't be deleted" {
		t.Fatalf("delete a message of 49 hours ago: %d %q", e.Code, e.Message)
	}
	if msgs := u.Messages(); len(msgs) != 1 || msgs[0].Text != "bonjour" {
		t.Fatalf("chat after a refused deletion = %v", msgs)
	}
}

func TestDeleteMessageInAGroupNeedsAdministrator(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	g := srv.NewGroup(-100, "Quartier", false, true)
	u.SendIn(g, "bonjour à tous")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("updates = %v, %v", ups, err)
	}
	theirs := ups[0].Message.MessageID
	_, err = api.Request(tgbotapi.NewDeleteMessage(-100, theirs))
	if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: message can't be deleted" {
		t.Fatalf("delete a member's message as a member: %d %q", e.Code, e.Message)
	}
	own, err := api.Send(tgbotapi.NewMessage(-100, "Relais ne répond pas dans les groupes."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Request(tgbotapi.NewDeleteMessage(-100, own.MessageID)); err != nil {
		t.Fatalf("delete its own message: %v", err)
	}
	g.PromoteBot(u)
	if _, err := api.Request(tgbotapi.NewDeleteMessage(-100, theirs)); err != nil {
		t.Fatalf("delete a member's message as an administrator: %v", err)
	}
	for _, m := range srv.Bot().ChatMessages(-100) {
		if strings.Contains(m.Text, "bonjour") || m.FromBot {
			t.Fatalf("still in the group: %v", m)
		}
	}
}
