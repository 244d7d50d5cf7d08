package bot

import (
	"context"
	"strings"

	"github.com/relais-sante/relais/internal/store"
)

// setDigest answers "/digest oui|non" (or on|off): the Monday summary can be turned off.
func (b *Bot) setDigest(ctx context.Context, u *store.User, ev event, arg string) {
	var on bool
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "on", "oui":
		on = true
	case "off", "non":
		on = false
	case "":
		state := "désactivé"
		if u.Digest {
			state = "activé"
		}
		b.reply(ctx, ev, "Le bilan du lundi est "+state+". Écrivez /digest oui pour le recevoir, /digest non pour ne plus le recevoir.")
		return
	default:
		b.reply(ctx, ev, "Je n'ai pas compris « "+arg+" ». Écrivez /digest oui pour recevoir le bilan du lundi, /digest non pour ne plus le recevoir. Rien n'a changé.")
		return
	}
	if err := b.store.SetDigest(ctx, u.TelegramID, on); err != nil {
		b.log.Error("set digest", "err", err)
		b.reply(ctx, ev, msgTryAgain)
		return
	}
	if on {
		b.reply(ctx, ev, "C'est noté : vous recevrez le bilan de la semaine chaque lundi à 8 h.")
	} else {
		b.reply(ctx, ev, "C'est noté : vous ne recevrez plus le bilan du lundi. /digest oui pour le rétablir.")
	}
}
