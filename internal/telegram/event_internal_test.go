package telegram

import (
	"encoding/json"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/chat"
)

// Each kind of update Relais acts on becomes the chat.Event the bot reads,
// from the JSON Telegram sends; the others are not events.
func TestEventOfUpdates(t *testing.T) {
	t.Parallel()
	const private = `"chat":{"id":7,"type":"private"},"from":{"id":7,"first_name":"Awa"}`
	cases := []struct {
		name, update string
		want         chat.Event
		ok           bool
	}{
		{"text", `{"update_id":10,"message":{"message_id":3,"date":0,` + private + `,"text":" /fiche "}}`,
			chat.Event{ID: 10, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 3, Text: " /fiche "}, true},
		{"photo with caption", `{"update_id":11,"message":{"message_id":4,"date":0,` + private + `,"caption":"Mme X","photo":[{"file_id":"small","width":1,"height":1},{"file_id":"big","width":9,"height":9}]}}`,
			chat.Event{ID: 11, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 4, Caption: "Mme X",
				Attachment: &chat.Attachment{Kind: chat.Photo, FileID: "big"}}, true},
		{"document", `{"update_id":12,"message":{"message_id":5,"date":0,` + private + `,"document":{"file_id":"d1","file_unique_id":"u","file_name":"suivi.csv"}}}`,
			chat.Event{ID: 12, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 5,
				Attachment: &chat.Attachment{Kind: chat.Document, FileID: "d1", Name: "suivi.csv"}}, true},
		{"voice", `{"update_id":13,"message":{"message_id":6,"date":0,` + private + `,"voice":{"file_id":"v1","file_unique_id":"u","duration":2}}}`,
			chat.Event{ID: 13, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 6,
				Attachment: &chat.Attachment{Kind: chat.Voice, FileID: "v1"}}, true},
		{"sticker: no attachment", `{"update_id":14,"message":{"message_id":7,"date":0,` + private + `,"sticker":{"file_id":"s","file_unique_id":"u","width":1,"height":1}}}`,
			chat.Event{ID: 14, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 7}, true},
		{"edit", `{"update_id":15,"edited_message":{"message_id":3,"date":0,` + private + `,"text":"3 personnes"}}`,
			chat.Event{ID: 15, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 3, Text: "3 personnes", Edited: true}, true},
		{"press", `{"update_id":16,"callback_query":{"id":"cb1","from":{"id":7,"first_name":"Awa"},"data":"r:12:res","message":{"message_id":8,"date":0,"chat":{"id":7,"type":"private"},"text":"Vos demandes"}}}`,
			chat.Event{ID: 16, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 8,
				Press: &chat.Press{Data: "r:12:res", CallbackID: "cb1", MessageText: "Vos demandes"}}, true},
		{"group message", `{"update_id":17,"message":{"message_id":9,"date":0,"chat":{"id":-100,"type":"supergroup"},"from":{"id":7,"first_name":"Awa"},"text":"x"}}`,
			chat.Event{ID: 17, ChatID: -100, ChatKind: chat.Supergroup, SenderID: 7, SenderName: "Awa", MessageID: 9, Text: "x"}, true},
		{"added to a group", `{"update_id":18,"my_chat_member":{"chat":{"id":-5,"type":"group"},"from":{"id":7,"first_name":"Awa"},"date":0,"old_chat_member":{"status":"left","user":{"id":1}},"new_chat_member":{"status":"administrator","user":{"id":1}}}}`,
			chat.Event{ID: 18, ChatID: -5, ChatKind: chat.Group, SenderID: 7, SenderName: "Awa", Membership: chat.Joined}, true},
		{"blocked", `{"update_id":19,"my_chat_member":{"chat":{"id":7,"type":"private"},"from":{"id":7,"first_name":"Awa"},"date":0,"old_chat_member":{"status":"member","user":{"id":1}},"new_chat_member":{"status":"kicked","user":{"id":1}}}}`,
			chat.Event{ID: 19, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", Membership: chat.Removed}, true},
		{"left a channel", `{"update_id":20,"my_chat_member":{"chat":{"id":-9,"type":"channel"},"from":{"id":7,"first_name":"Awa"},"date":0,"old_chat_member":{"status":"member","user":{"id":1}},"new_chat_member":{"status":"left","user":{"id":1}}}}`,
			chat.Event{ID: 20, ChatID: -9, ChatKind: chat.Channel, SenderID: 7, SenderName: "Awa", Membership: chat.Left}, true},
		{"restricted", `{"update_id":21,"my_chat_member":{"chat":{"id":-5,"type":"group"},"from":{"id":7,"first_name":"Awa"},"date":0,"old_chat_member":{"status":"member","user":{"id":1}},"new_chat_member":{"status":"restricted","user":{"id":1}}}}`,
			chat.Event{ID: 21, ChatID: -5, ChatKind: chat.Group, SenderID: 7, SenderName: "Awa", Membership: chat.Other}, true},
		{"press on an inline message", `{"update_id":22,"callback_query":{"id":"cb2","from":{"id":7,"first_name":"Awa"},"data":"x","inline_message_id":"i"}}`, chat.Event{}, false},
		{"channel post", `{"update_id":23,"channel_post":{"message_id":1,"date":0,"chat":{"id":-9,"type":"channel"},"text":"x"}}`, chat.Event{}, false},
		{"message without sender", `{"update_id":24,"message":{"message_id":1,"date":0,"chat":{"id":-9,"type":"group"},"text":"x"}}`, chat.Event{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var u tgbotapi.Update
			if err := json.Unmarshal([]byte(c.update), &u); err != nil {
				t.Fatal(err)
			}
			got, ok := eventOf(u)
			if ok != c.ok || !reflect.DeepEqual(got, c.want) {
				t.Errorf("eventOf = %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}
