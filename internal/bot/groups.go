package bot

import (
	"context"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
)

const msgPrivateOnly = "Relais fonctionne uniquement en conversation privée : les fiches et les chiffres ne doivent pas être vus par tout un groupe. " +
	"Écrivez-moi directement. Je quitte ce groupe."

// membershipChanged answers the bot being added to a group, a supergroup or
// a channel: one message saying Relais works in private chats only, then it
// leaves. Nothing else is ever sent to such a chat.
func (b *Bot) membershipChanged(ctx context.Context, ev chat.Event) {
	if ev.ChatKind == chat.Private || ev.Membership != chat.Joined {
		return // a private chat, or removed, or left: nothing to do
	}
	kind := string(ev.ChatKind)
	if ev.ChatKind != chat.Channel {
		if _, err := b.out.Post(ctx, chat.Message{ChatID: ev.ChatID, Text: msgPrivateOnly}); err != nil {
			b.log.WarnContext(ctx, "tell a group Relais is private", "chat_type", kind, "err", err)
		}
	}
	if err := b.out.LeaveChat(ctx, ev.ChatID); err != nil {
		b.log.ErrorContext(ctx, "leave group", "chat_type", kind, "err", err)
		return
	}
	b.log.InfoContext(ctx, "left a group chat", "chat_type", kind)
	b.audit(ctx, ids.TelegramID(ev.SenderID), store.AuditRefused, "group", map[string]any{"reason": "group chat", "chat_type": kind})
}
