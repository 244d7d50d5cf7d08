package bot

import (
	"context"
	"strconv"

	"github.com/relais-sante/relais/internal/matrix"
	"github.com/relais-sante/relais/internal/store"
)

// HandleMatrix handles one message of a direct Matrix chat, as presented
// by matrix.Presenter: the person's number is their chat (as a private
// chat on Telegram) and a typed choice comes as the press of its button,
// so everything after this point is the same on both messengers; the
// person is looked up by that number (their Matrix identity).
func (b *Bot) HandleMatrix(ctx context.Context, in matrix.Event) error {
	ev := event{updateID: in.MessageID, userID: store.TelegramID(in.SenderID), chatID: store.ChatID(in.ChatID),
		firstName: matrixName(in.Sender), text: in.Text, typedID: in.MessageID}
	if in.Press != nil {
		ev.text, ev.typedID = "", 0
		ev.data, ev.messageID, ev.pressedText = in.Press.Data, in.Press.MessageID, in.Press.MessageText
		ev.callback, ev.answered = matrix.PressPrefix+strconv.FormatInt(in.ChatID, 10), new(bool)
	}
	return b.handleOnce(ctx, ev)
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
