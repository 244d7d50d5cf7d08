package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/relais-sante/relais/internal/store"
)

// setDigest answers "/resume oui|non" (or on|off; /digest is its former
// name): the Monday summary can be turned off.
func (b *Bot) setDigest(ctx context.Context, u *store.User, ev event, fields []string) error {
	arg := argOf(fields)
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
		b.reply(ctx, ev, "Le résumé du lundi est "+state+". Écrivez /resume oui pour le recevoir, /resume non pour ne plus le recevoir (ou simplement oui, non).")
		b.ask(ctx, ev, promptDigest) // « non » typed next is the answer (prompts.go)
		return nil
	default:
		b.reply(ctx, ev, "Je n'ai pas compris « "+arg+" ». Écrivez /resume oui pour recevoir le résumé du lundi, /resume non pour ne plus le recevoir. Rien n'a changé.")
		return nil
	}
	if err := b.store.SetDigest(ctx, u.TelegramID, on); err != nil {
		return fmt.Errorf("set digest: %w", err)
	}
	if on {
		b.reply(ctx, ev, "C'est noté : vous recevrez le résumé de la semaine chaque lundi à 8 h.")
	} else {
		b.reply(ctx, ev, "C'est noté : vous ne recevrez plus le résumé du lundi. /resume oui pour le rétablir.")
	}
	return nil
}
