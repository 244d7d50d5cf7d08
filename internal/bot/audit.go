package bot

import "context"

// audit records who did what, for the data-protection officer: the actor's
// Telegram id, an action, its target and a short detail, never the
// contents of a message.
func (b *Bot) audit(ctx context.Context, actor int64, action, target, detail string) {
	b.log.Info("audit", "actor", actor, "action", action, "target", target, "detail", detail)
}
