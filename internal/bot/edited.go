package bot

import (
	"context"

	"github.com/relais-sante/relais/internal/dialog"
)

// msgEdited answers every edited message. Relais reads a message once,
// when it comes: an edit changes nothing saved, and a user who corrected a
// note in the chat must not believe the record followed.
const msgEdited = "Les messages modifiés ne sont pas pris en compte : rien n'a changé. Renvoyez le texte corrigé si besoin."

// handleEdited answers an edited message, whoever sent it. An edit that
// identifies a person (a number, an e-mail, a name added to a harmless
// note) is deleted like a refused note: Telegram keeps it on the user's
// phone and its servers otherwise. Nothing else changes.
func (b *Bot) handleEdited(ctx context.Context, ev event) {
	rule, identifies := dialog.Identifying(ev.text)
	if !identifies {
		b.reply(ctx, ev, msgEdited)
		return
	}
	text := rule + " : rien qui permette de reconnaître la personne. "
	if err := b.out.Delete(ctx, int64(ev.chatID), ev.typedID); err != nil {
		// Over 48 hours, a network cut: the user can still delete it.
		b.log.WarnContext(ctx, "delete identifying edited message", "chat_id", ev.chatID, "message_id", ev.typedID, "err", err)
		text += "Effacez vous-même ce message modifié (appui long, Supprimer)."
	} else {
		text += "Votre message modifié a été effacé de la conversation."
	}
	b.reply(ctx, ev, text+"\n\n"+msgEdited)
}
