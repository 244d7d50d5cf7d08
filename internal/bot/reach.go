package bot

import (
	"context"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
)

// chatMember follows the bot's membership of private chats: a user who
// blocks the bot (removed) is marked unreachable, so scheduled messages
// skip them; one who unblocks it (joined) is reachable again.
func (b *Bot) chatMember(ctx context.Context, ev chat.Event) {
	if ev.ChatKind != chat.Private {
		return
	}
	switch ev.Membership {
	case chat.Removed:
		if _, err := b.store.MarkUnreachable(ctx, ids.TelegramID(ev.SenderID), b.Now()); err != nil {
			b.log.ErrorContext(ctx, "mark user unreachable", "update_id", ev.ID, "err", err)
		}
	case chat.Joined:
		if _, err := b.store.MarkReachable(ctx, ids.TelegramID(ev.SenderID)); err != nil {
			b.log.ErrorContext(ctx, "mark user reachable", "update_id", ev.ID, "err", err)
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
