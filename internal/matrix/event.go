package matrix

import (
	"context"
	"strconv"

	"github.com/relais-sante/relais/internal/chat"
)

// Serve runs the presenter and hands each message to h as the bot hears
// every messenger: the person's number is their chat (as a private chat on
// Telegram) and a typed choice comes as the press of its button, so the bot
// does not know which messenger a person uses.
func (p *Presenter) Serve(ctx context.Context, h func(context.Context, chat.Event) error) error {
	return p.Run(ctx, func(ctx context.Context, in Event) error {
		return h(ctx, chatEvent(in))
	})
}

// chatEvent is a presented Matrix message as a transport-neutral event.
func chatEvent(in Event) chat.Event {
	ev := chat.Event{ID: in.MessageID, ChatID: in.ChatID, ChatKind: chat.Private, SenderID: in.SenderID,
		SenderName: localPart(in.Sender), MessageID: in.MessageID, Text: in.Text, Edited: in.Edited, NoButtons: true}
	if in.Press != nil {
		ev.Text, ev.MessageID = "", in.Press.MessageID
		ev.Press = &chat.Press{Data: in.Press.Data, CallbackID: PressPrefix + strconv.FormatInt(in.ChatID, 10), MessageText: in.Press.MessageText}
	}
	return ev
}

// localPart is a greeting's name from a Matrix id: its local part
// (« @camille:tchap.gouv.fr » is « camille »).
func localPart(userID string) string {
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
