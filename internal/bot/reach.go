package bot

import (
	"context"
	"errors"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
)

// chatMember follows the bot's membership of private chats: a user who
// blocks the bot (removed) in the chat their scheduled messages go to is
// marked unreachable, so scheduled messages skip them (blocking it on
// their other messenger changes nothing: they are reached where they last
// wrote); one who unblocks it (joined) is reachable again.
func (b *Bot) chatMember(ctx context.Context, ev chat.Event) {
	if ev.ChatKind != chat.Private || (ev.Membership != chat.Removed && ev.Membership != chat.Joined) {
		return
	}
	u, err := b.store.UserByTelegramID(ctx, ids.TelegramID(ev.SenderID))
	if errors.Is(err, store.ErrNotFound) {
		return // a stranger: nothing is kept about them
	}
	if err != nil {
		b.log.ErrorContext(ctx, "load user of a membership change", "update_id", ev.ID, "err", err)
		return
	}
	switch ev.Membership {
	case chat.Removed:
		if u.ChatID != ids.ChatID(ev.ChatID) {
			return
		}
		if _, err := b.store.MarkUnreachable(ctx, u.TelegramID, b.Now()); err != nil {
			b.log.ErrorContext(ctx, "mark user unreachable", "update_id", ev.ID, "err", err)
		}
	case chat.Joined:
		if _, err := b.store.MarkReachable(ctx, u.TelegramID); err != nil {
			b.log.ErrorContext(ctx, "mark user reachable", "update_id", ev.ID, "err", err)
		}
	}
}

// noteReachable makes a user who writes reachable again: they unblocked
// the bot, so their reminders resume.
func (b *Bot) noteReachable(ctx context.Context, u *store.User, ev event) {
	if int64(ev.chatID) != int64(ev.userID) { // private chats only: the chat id is the user id
		return
	}
	if _, err := b.store.MarkReachable(ctx, u.TelegramID); err != nil {
		b.log.WarnContext(ctx, "mark user reachable", "err", err)
	}
}
