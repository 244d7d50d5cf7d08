package bot

import (
	"context"
	"strconv"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/matrix"
)

// HandleMatrix handles one message of a direct Matrix chat, as presented
// by matrix.Presenter: the person's number is their chat (as a private
// chat on Telegram) and a typed choice comes as the press of its button,
// so everything from HandleEvent on is the same on both messengers; the
// person is looked up by that number (their Matrix identity).
func (b *Bot) HandleMatrix(ctx context.Context, in matrix.Event) error {
	ev := chat.Event{ID: in.MessageID, ChatID: in.ChatID, ChatKind: chat.Private, SenderID: in.SenderID,
		SenderName: matrixName(in.Sender), MessageID: in.MessageID, Text: in.Text}
	if in.Press != nil {
		ev.Text, ev.MessageID = "", in.Press.MessageID
		ev.Press = &chat.Press{Data: in.Press.Data, CallbackID: matrix.PressPrefix + strconv.FormatInt(in.ChatID, 10), MessageText: in.Press.MessageText}
	}
	return b.HandleEvent(ctx, ev)
}

// matrixName is a greeting's name from a Matrix id: its local part
// (« @camille:tchap.gouv.fr » is « camille »).
func matrixName(userID string) string {
	name := userID
	if len(name) > 0 && name[0] == '@' {
		name = name[1:]
	}
	for i := 0; i < len(name); i++ {
		if name[i] == ':' {
			return name[:i]
		}
	}
	return name
}
