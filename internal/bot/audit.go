package bot

import (
	"context"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
)

// audit records who did what in the audit trail the data-protection officer
// reads (`relais audit`): the actor's Telegram id, an action, its target and
// short parameters, never the contents of a message. A failure is logged:
// the user's action has already happened or been refused.
func (b *Bot) audit(ctx context.Context, actor ids.TelegramID, action, target string, detail map[string]any) {
	if err := b.store.Audit(context.WithoutCancel(ctx), store.AuditEntry{Actor: &actor, Action: action, Target: target, Detail: detail}); err != nil {
		b.log.ErrorContext(ctx, "write audit", "action", action, "err", err)
	}
}
