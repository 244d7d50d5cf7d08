package telegramtest_test

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/telegramtest"
)

// TestSnapshotRestore: a fake restored from a snapshot shows the same chats
// (edits, buttons, files, menus), delivers the updates the bot had not
// confirmed, and numbers new updates and messages after the old ones, with
// the gap asked for.
func TestSnapshotRestore(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	api := connect(t, srv)
	u := srv.NewUser(42, "Awa")
	first := u.Send("/start")
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Femme", "d:F")))
	q := tgbotapi.NewMessage(42, "Sexe ?")
	q.ReplyMarkup = kb
	sent, err := api.Send(q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewEditMessageTextAndMarkup(42, sent.MessageID, "Sexe de la personne ?", kb)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewDocument(42, tgbotapi.FileBytes{Name: "export.csv", Bytes: []byte("a,b\n")})); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(42), tgbotapi.BotCommand{Command: "fiche", Description: "nouvelle fiche"})); err != nil {
		t.Fatal(err)
	}
	typed := u.Send("bonjour") // not yet read by the bot
	snap, err := srv.Bot().Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	for _, gap := range []int{0, 1000} {
		again := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
		if err := again.Bot().Restore(snap, gap); err != nil {
			t.Fatal(err)
		}
		msgs := again.Bot().ChatMessages(42)
		if len(msgs) != 4 || msgs[0].Text != "/start" || msgs[1].Text != "Sexe de la personne ?" || msgs[1].EditCount != 1 ||
			len(msgs[1].Buttons) != 1 || msgs[1].Buttons[0][0].Data != "d:F" || msgs[2].Document == nil ||
			string(msgs[2].Document.Data) != "a,b\n" || msgs[3].Text != "bonjour" {
			t.Fatalf("restored chat:\n%+v", msgs)
		}
		if menu := again.Bot().MenuFor(42, "fr"); len(menu) != 1 || menu[0].Command != "fiche" {
			t.Fatalf("restored menu = %+v", menu)
		}
		api2 := connect(t, again)
		ups, err := api2.GetUpdates(tgbotapi.UpdateConfig{Offset: first + 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(ups) != 1 || ups[0].UpdateID != typed || ups[0].Message.Text != "bonjour" {
			t.Fatalf("pending updates after restore = %+v, want the unread %d", ups, typed)
		}
		user := again.NewUser(42, "Awa") // the restored user
		next := user.Send("/aide")
		if next != typed+1+gap {
			t.Fatalf("gap %d: next update id = %d, want %d", gap, next, typed+1+gap)
		}
		reply, err := api2.Send(tgbotapi.NewMessage(42, "Ce que vous pouvez faire"))
		if err != nil {
			t.Fatal(err)
		}
		if want := msgs[3].ID + 2 + gap; reply.MessageID != want {
			t.Fatalf("gap %d: next message id = %d, want %d", gap, reply.MessageID, want)
		}
		// Buttons of the restored messages still work.
		if _, err := again.Bot().Press(42, sent.MessageID, "Femme"); err != nil {
			t.Fatalf("press a restored button: %v", err)
		}
	}
	if err := srv.Bot().Restore([]byte(`{"format":99}`), 0); err == nil {
		t.Fatal("an unknown snapshot format was accepted")
	}
}
