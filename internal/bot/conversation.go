package bot

import (
	"context"
	"strings"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/intent"
	"github.com/relais-sante/relais/internal/store"
)

// Free text outside a form is a conversation: a greeting gets a
// greeting and what this person can do now; « nouvelle fiche », « mes
// suivis », « rapport annuel 2024 »… start what their command starts, with
// its role check; only what looks like a question about figures goes to
// the question parser; anything else says so and offers the menu. The
// reading itself is internal/intent's (a pure function, table-tested).

// flowGo is the prefix of the menu's buttons, "go:<command without slash>".
const flowGo = "go"

// menuMessage is head followed by the menu's lines, with one button per line.
func menuMessage(u *store.User, head string) (string, [][]chat.Button) {
	var sb strings.Builder
	sb.WriteString(head)
	var rows [][]chat.Button
	for _, a := range menuOf(u) {
		sb.WriteString("\n• " + a.label + " : " + a.line)
		rows = append(rows, keyRow(button(a.label, flowGo+":"+strings.TrimPrefix(a.command, "/"))))
	}
	sb.WriteString("\n\nTapez /aide pour tout voir.")
	return sb.String(), keyboard(rows...)
}

// converse answers a typed text that is neither a known command nor an
// answer to a form or to a question of the bot.
func (b *Bot) converse(ctx context.Context, u *store.User, ev event) {
	in := intent.Read(ev.text, u.Role)
	slash := strings.HasPrefix(ev.text, "/")
	switch {
	case in.Kind == intent.Command:
		b.runIntent(ctx, u, ev, in.Command, in.Arg)
		return
	case slash:
		b.reply(ctx, ev, "Commande inconnue. Tapez /aide pour la liste des commandes.")
		return
	}
	switch in.Kind {
	case intent.Greeting:
		hello := "Bonjour"
		if strings.Contains(" "+strings.Join(intent.Tokens(ev.text), " ")+" ", " bonsoir ") {
			hello = "Bonsoir"
		}
		if ev.firstName != "" {
			hello += " " + ev.firstName
		}
		text, kb := menuMessage(u, hello+" ! Que voulez-vous faire ?")
		b.send(ctx, ev.chatID, text, kb)
	case intent.Thanks:
		text, kb := menuMessage(u, "Avec plaisir ! Autre chose ?")
		b.send(ctx, ev.chatID, text, kb)
	case intent.Question:
		b.fail(ctx, ev, "question", b.askQuestion(ctx, u, ev))
	default:
		text, kb := menuMessage(u, "Je n'ai pas compris votre message. Vous pouvez poser une question sur les chiffres "+
			"(par exemple « combien de fiches ce mois-ci ? ») ou choisir :")
		b.send(ctx, ev.chatID, text, kb)
	}
}

// runIntent does exactly what the command cmd does, with its role check.
func (b *Bot) runIntent(ctx context.Context, u *store.User, ev event, cmd, arg string) {
	b.log.InfoContext(ctx, "free text read as a command", "command", cmd)
	ev.text = strings.TrimSpace(cmd + " " + arg) // handlers read their command from the text (forms)
	if !b.runCommand(ctx, u, ev, cmd, arg) {
		b.log.ErrorContext(ctx, "intent without a command", "command", cmd)
		b.reply(ctx, ev, "Commande inconnue. Tapez /aide pour la liste des commandes.")
	}
}

// pressGo runs the command of a menu button, "go:<command>".
func (b *Bot) pressGo(ctx context.Context, u *store.User, ev event, fields []string) error {
	cmd := "/" + fields[0]
	if r, ok := b.routes[cmd]; !ok || r.handle == nil || !mayUse(cmd, u.Role) {
		b.answer(ctx, ev, msgStaleButton)
		b.refusePress(ctx, u, ev, flowGo, "command")
		return nil
	}
	b.answer(ctx, ev, "")
	// The command's own message comes below the menu, as if typed.
	typed := event{updateID: ev.updateID, userID: ev.userID, chatID: ev.chatID, firstName: ev.firstName}
	b.runIntent(ctx, u, typed, cmd, "")
	return nil
}
