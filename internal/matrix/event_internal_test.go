package matrix

import (
	"testing"

	"github.com/relais-sante/relais/internal/chat"
)

func TestChatEventIsWhatTheBotHears(t *testing.T) {
	t.Parallel()
	typed := chatEvent(Event{ChatID: 8000000000000000007, SenderID: 8000000000000000007, MessageID: 42,
		Sender: "@camille:tchap.gouv.fr", Text: "fiche"})
	if typed.ChatKind != chat.Private || typed.ID != 42 || typed.MessageID != 42 || typed.Text != "fiche" ||
		typed.SenderName != "camille" || typed.Press != nil {
		t.Errorf("typed message: %+v", typed)
	}
	pressed := chatEvent(Event{ChatID: 8000000000000000007, SenderID: 8000000000000000007, MessageID: 43,
		Sender: "@camille", Text: "2", Press: &Press{Data: "d:sex:F", MessageID: 40, MessageText: "Sexe ?"}})
	if pressed.Text != "" || pressed.MessageID != 40 || pressed.SenderName != "camille" || pressed.Press == nil ||
		pressed.Press.Data != "d:sex:F" || pressed.Press.CallbackID != "matrix:8000000000000000007" {
		t.Errorf("pressed choice: %+v %+v", pressed, pressed.Press)
	}
}
