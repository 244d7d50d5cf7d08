package bot

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/relais-sante/relais/internal/ids"
)

// chatMember follows my_chat_member updates of private chats: a user who
// blocks the bot ("kicked") is marked unreachable, so scheduled messages
// skip them; one who unblocks it ("member") is reachable again.
func (b *Bot) chatMember(ctx context.Context, u tgbotapi.Update) {
	m := u.MyChatMember
	if m.Chat.Type != "private" {
		return
	}
	switch m.NewChatMember.Status {
	case "kicked":
		if _, err := b.store.MarkUnreachable(ctx, ids.TelegramID(m.From.ID), b.Now()); err != nil {
			b.log.ErrorContext(ctx, "mark user unreachable", "update_id", u.UpdateID, "err", err)
		}
	case "member":
		if _, err := b.store.MarkReachable(ctx, ids.TelegramID(m.From.ID)); err != nil {
			b.log.ErrorContext(ctx, "mark user reachable", "update_id", u.UpdateID, "err", err)
		}
	}
}

// noteReachable makes a user who writes reachable again: they unblocked
// the bot, so their reminders resume.
func (b *Bot) noteReachable(ctx context.Context, ev event) {
	if int64(ev.chatID) != int64(ev.userID) { // private chats only: the chat id is the user id
		return
	}
	if _, err := b.store.MarkReachable(ctx, ev.userID); err != nil {
		b.log.WarnContext(ctx, "mark user reachable", "err", err)
	}
}
