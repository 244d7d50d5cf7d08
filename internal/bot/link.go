package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
)

// A person may be on Telegram, on Matrix (Tchap, Element), or on both with
// one account: /lier gives a code that the other messenger's account types
// after « start » (store.RedeemLinkCode). The bot answers each account in
// its own chat, and nothing else tells them apart: role, territory, post
// and sheets are the user's, whichever messenger they write from. Drafts,
// the bot's pending question and the last figures question stay keyed by
// the chat they were begun in (state.Drafts): a sheet begun on Telegram is
// resumed on Telegram (its nudge goes there), because the messages it
// edits live in that chat; one begun on the other messenger meanwhile is a
// draft of its own. Reminders and the digest go to users.chat_id, the chat
// the person last wrote from (store.Touch). Only this file names the
// messengers, to say where to type the code. The commands it names for the
// other messenger are written without their mark (« commande « lier » »),
// or as a Telegram link: the Matrix presenter writes « /lier » « !lier »,
// as typed on Matrix.

// messengerName is how a person calls the messenger of a chat.
func messengerName(chat ids.ChatID) string {
	if chat.OnMatrix() {
		return "Tchap/Element"
	}
	return "Telegram"
}

// linkAccounts answers /lier: a code to type on the other messenger, when
// Relais runs on both.
func (b *Bot) linkAccounts(ctx context.Context, u *store.User, ev event, _ []string) error {
	here := messengerName(ev.chatID)
	if u.Linked != 0 {
		b.reply(ctx, ev, "Votre compte Relais est déjà relié à Telegram et à Tchap/Element : écrivez au bot sur l'une ou l'autre, "+
			"les rappels arrivent sur la messagerie où vous avez écrit en dernier.")
		return nil
	}
	var where string
	switch {
	case ev.chatID.OnMatrix() && b.username != "":
		// A link, not « /start CODE »: the Matrix presenter writes the
		// commands it shows « !start », as typed on Matrix, not on Telegram.
		where = "Sur Telegram, ouvrez ce lien, qui ouvre la conversation avec le bot @" + b.username + " et lui donne le code : https://t.me/" + b.username + "?start=%[1]s"
	case !ev.chatID.OnMatrix() && b.matrixUserID != "":
		where = "Sur Tchap/Element, ouvrez une conversation privée avec le bot " + b.matrixUserID + " et écrivez-lui : !start %[1]s"
	default:
		b.reply(ctx, ev, "Relais ne fonctionne ici que sur "+here+" : il n'y a pas d'autre messagerie à relier.")
		return nil
	}
	code, err := b.store.CreateLinkCode(ctx, u.TelegramID, b.now())
	if err != nil {
		return fmt.Errorf("link code: %w", err)
	}
	b.reply(ctx, ev, "Pour utiliser Relais aussi sur votre autre messagerie, avec le même compte (rôle, territoire, fiches) :\n\n"+
		fmt.Sprintf(where, code)+"\n\n"+
		fmt.Sprintf("Ce code sert une fois et expire dans %d minutes. Ensuite, les rappels et le résumé du lundi arrivent sur la messagerie où vous avez écrit en dernier.",
			int(store.LinkCodeTTL/time.Minute)))
	return nil
}

// redeemLink tries code as a link code typed by the event's account (a
// stranger, or a registered person when user is set); false: no link code
// has it (it may be an invitation). Refusals count with the chat's refused
// invitation codes (startAllowed), so neither kind can be guessed.
func (b *Bot) redeemLink(ctx context.Context, ev event, code string, now time.Time, failuresKey string) bool {
	user, err := b.store.RedeemLinkCode(ctx, code, ev.userID, ev.chatID, now)
	if errors.Is(err, store.ErrLinkUnknown) {
		return false
	}
	here := messengerName(ev.chatID)
	if reason, refused := linkRefusals(err); refused {
		b.refuseCode(ctx, ev, code, reason, failuresKey, now)
	}
	switch {
	case errors.Is(err, store.ErrLinkExpired):
		b.reply(ctx, ev, fmt.Sprintf("Ce code de liaison a expiré (validité %d minutes). Demandez-en un autre sur votre autre messagerie (commande « lier »).",
			int(store.LinkCodeTTL/time.Minute)))
	case errors.Is(err, store.ErrLinkUsed):
		b.reply(ctx, ev, "Ce code de liaison a déjà servi. Chaque code ne sert qu'une fois : demandez-en un autre sur votre autre messagerie (commande « lier »).")
	case errors.Is(err, store.ErrLinkTaken):
		b.reply(ctx, ev, "Ce compte "+here+" est déjà inscrit sur Relais pour une autre personne : il ne peut pas être relié à un second compte. "+
			"Tapez ce code depuis un autre compte "+here+", ou demandez à l'administrateur.")
	case errors.Is(err, store.ErrLinkSelf):
		b.reply(ctx, ev, "Ce compte "+here+" est déjà relié à votre compte Relais : ce code se tape sur votre autre messagerie.")
	case errors.Is(err, store.ErrLinkDisabled):
		b.reply(ctx, ev, "Le compte Relais qui a demandé ce code est désactivé : il ne peut pas être relié à une autre messagerie. "+
			"Adressez-vous à votre coordinateur ou à l'administrateur.")
	case errors.Is(err, store.ErrLinkSameMessenger):
		b.reply(ctx, ev, "Ce code relie votre compte Relais à une autre messagerie que "+here+" : tapez-le sur votre autre messagerie.")
	case errors.Is(err, store.ErrLinkAlreadyLinked):
		b.reply(ctx, ev, "Votre compte Relais est déjà relié à un compte "+here+" : un seul compte par messagerie.")
	case err != nil:
		b.log.ErrorContext(ctx, "redeem link code", "err", err)
		b.reply(ctx, ev, msgTryAgain)
	default:
		b.log.InfoContext(ctx, "account linked", "role", user.Role)
		b.setChatMenu(ctx, ev.chatID, user.Role)
		b.reply(ctx, ev, "C'est fait : ce compte "+here+" est relié à votre compte Relais, avec le même rôle, le même territoire et les mêmes fiches. "+
			"Les rappels et le résumé du lundi arrivent désormais sur la messagerie où vous avez écrit en dernier.\n\nTapez /aide pour voir ce que vous pouvez faire.")
		// The account that asked for the code hears of it: a code read over
		// a shoulder and typed by someone else does not go unnoticed.
		b.send(ctx, ids.ChatID(user.TelegramID), "Votre compte Relais est maintenant relié à un compte "+here+
			". Si ce n'est pas vous, prévenez tout de suite votre coordinateur ou l'administrateur.", nil)
	}
	return true
}

// linkRefusals names, for the audit trail, why a link code was refused;
// refused is false for a link or a technical error.
func linkRefusals(err error) (reason string, refused bool) {
	for _, r := range []struct {
		err    error
		reason string
	}{
		{store.ErrLinkExpired, "link_expired"}, {store.ErrLinkUsed, "link_used"}, {store.ErrLinkTaken, "link_taken"},
		{store.ErrLinkSelf, "link_self"}, {store.ErrLinkDisabled, "link_disabled"}, {store.ErrLinkSameMessenger, "link_same_messenger"},
		{store.ErrLinkAlreadyLinked, "link_already_linked"},
	} {
		if errors.Is(err, r.err) {
			return r.reason, true
		}
	}
	return "", false
}

// accountsOf are the user's accounts: the one they registered with, and
// the one they linked, if any. A private chat is its account, so they are
// the user's chats too.
func accountsOf(u *store.User) []ids.TelegramID {
	if u.Linked != 0 {
		return []ids.TelegramID{u.TelegramID, u.Linked}
	}
	return []ids.TelegramID{u.TelegramID}
}
