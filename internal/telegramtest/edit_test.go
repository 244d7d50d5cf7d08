package telegramtest_test

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// A user editing a message: the chat shows the new text and the bot gets an
// edited_message update carrying the whole message, its id and original
// date, and an edit_date, as Telegram sends it; allowed_updates can leave
// it out.
func TestUserEditSendsAnEditedMessageUpdate(t *testing.T) {
	srv := telegramtest.NewServer(t)
	api := connect(t, srv)
	u := srv.NewUser(1001, "Awa")
	u.Send("dossier CSS déposé")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("updates = %v, %v", ups, err)
	}
	sent := ups[0].Message

	u.Edit(sent.MessageID, "dossier CSS déposé, rappeler au 06 12 34 56 78")
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates after the edit = %v, %v", ups, err)
	}
	e := ups[0].EditedMessage
	if ups[0].Message != nil || e == nil {
		t.Fatalf("update = %+v, want edited_message only", ups[0])
	}
	if e.MessageID != sent.MessageID || e.Text != "dossier CSS déposé, rappeler au 06 12 34 56 78" ||
		e.Date != sent.Date || e.EditDate == 0 || e.From == nil || e.From.ID != 1001 || e.Chat == nil || e.Chat.Type != "private" {
		t.Fatalf("edited_message = %+v", e)
	}
	msgs := u.Messages()
	if len(msgs) != 1 || msgs[0].Text != "dossier CSS déposé, rappeler au 06 12 34 56 78" || msgs[0].EditCount != 1 {
		t.Fatalf("chat = %v", msgs)
	}

	// Filtered out like any other type.
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, AllowedUpdates: []string{"message"}}); err != nil {
		t.Fatal(err)
	}
	u.Edit(sent.MessageID, "dossier CSS déposé")
	if n := srv.Bot().PendingUpdates(); n != 0 {
		t.Fatalf("%d updates pending, want the edit left out by allowed_updates", n)
	}
}
