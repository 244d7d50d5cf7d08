package bot

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/store"
)

const msgPrivateOnly = "Relais fonctionne uniquement en conversation privée : les fiches et les chiffres ne doivent pas être vus par tout un groupe. " +
	"Écrivez-moi directement. Je quitte ce groupe."

// membershipChanged answers the bot being added to a group, a supergroup or
// a channel: one message saying Relais works in private chats only, then it
// leaves. Nothing else is ever sent to such a chat.
func (b *Bot) membershipChanged(ctx context.Context, m *tgbotapi.ChatMemberUpdated) {
	if m.Chat.IsPrivate() {
		return
	}
	switch m.NewChatMember.Status {
	case "member", "administrator":
	default:
		return // removed, or left: nothing to do
	}
	if !m.Chat.IsChannel() {
		if _, err := b.out.Post(ctx, chat.Message{ChatID: m.Chat.ID, Text: msgPrivateOnly}); err != nil {
			b.log.WarnContext(ctx, "tell a group Relais is private", "chat_type", m.Chat.Type, "err", err)
		}
	}
	if err := b.out.LeaveChat(ctx, m.Chat.ID); err != nil {
		b.log.ErrorContext(ctx, "leave group", "chat_type", m.Chat.Type, "err", err)
		return
	}
	b.log.InfoContext(ctx, "left a group chat", "chat_type", m.Chat.Type)
	b.audit(ctx, store.TelegramID(m.From.ID), store.AuditRefused, "group", map[string]any{"reason": "group chat", "chat_type": m.Chat.Type})
}
