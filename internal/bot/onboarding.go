package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

const msgStranger = "Bonjour ! Relais est réservé aux médiateurs santé et à leurs coordinateurs. " +
	"Pour vous inscrire, demandez une invitation à votre coordinateur ou à l'administrateur, " +
	"puis ouvrez le lien reçu (ou envoyez /start suivi du code)."

// A chat gets startFailuresAllowed refused invitation codes per
// startFailureWindow: enough for typos, far too few to guess a code.
const (
	startFailuresAllowed = 5
	startFailureWindow   = time.Hour
	msgTooManyCodes      = "Trop de codes d'invitation refusés dans cette conversation : réessayez dans une heure, " +
		"ou demandez un nouveau lien à la personne qui vous invite."
)

// startRefusals names, for the audit trail, why an invitation code was
// refused; refused is false for a registration or a technical error.
func startRefusals(err error) (reason string, refused bool) {
	for _, r := range []struct {
		err    error
		reason string
	}{
		{store.ErrInvitationUnknown, "unknown"}, {store.ErrInvitationUsed, "used"}, {store.ErrInvitationExpired, "expired"},
		{store.ErrInvitationRevoked, "revoked"}, {store.ErrInvitationCreatorDisabled, "creator_disabled"},
		{store.ErrAlreadyRegistered, "already_registered"},
	} {
		if errors.Is(err, r.err) {
			return r.reason, true
		}
	}
	return "", false
}

// startAllowed says whether the chat may try one more code of « /start
// CODE », an invitation or a link code, registered or not: a chat gets
// startFailuresAllowed refused codes per startFailureWindow, so that
// neither kind can be guessed. When not, the person is told. failuresKey
// counts the chat's refusals (refuseCode, countRefusal).
func (b *Bot) startAllowed(ctx context.Context, ev event, now time.Time) (failuresKey string, ok bool) {
	failuresKey = "start:" + strconv.FormatInt(int64(ev.chatID), 10)
	if n, err := b.drafts.Failures(ctx, failuresKey, now.Add(-startFailureWindow)); err != nil {
		// Redis down: the code is still checked, one by one, by PostgreSQL.
		b.log.ErrorContext(ctx, "count refused start codes", "err", err)
	} else if n >= startFailuresAllowed {
		b.log.InfoContext(ctx, "start code not tried: too many refused in this chat")
		b.reply(ctx, ev, msgTooManyCodes)
		return "", false
	}
	return failuresKey, true
}

// refuseCode records a refused code: in the audit trail, without the code
// itself (a short fingerprint tells attempts apart, so guessing shows),
// and against the chat's allowance.
func (b *Bot) refuseCode(ctx context.Context, ev event, code, reason, failuresKey string, now time.Time) {
	h := sha256.Sum256([]byte(code))
	b.audit(ctx, ev.userID, store.AuditStartRefused, "chat:"+strconv.FormatInt(int64(ev.chatID), 10),
		map[string]any{"reason": reason, "code": hex.EncodeToString(h[:4])})
	b.countRefusal(ctx, failuresKey, now)
}

// countRefusal counts a refused code against the chat's allowance
// (startAllowed).
func (b *Bot) countRefusal(ctx context.Context, failuresKey string, now time.Time) {
	if err := b.drafts.AddFailure(ctx, failuresKey, now, startFailureWindow); err != nil {
		b.log.ErrorContext(ctx, "record a refused start code", "err", err)
	}
}

// handleStranger answers someone not registered. Nothing about them is
// stored unless a valid invitation registers them.
func (b *Bot) handleStranger(ctx context.Context, ev event) {
	if ev.callback != "" {
		b.answer(ctx, ev, "Vous n'avez pas de compte sur Relais.")
		return
	}
	cmd, arg := splitCommand(ev.text)
	if cmd != "/start" || arg == "" {
		b.reply(ctx, ev, msgStranger)
		return
	}
	now := b.now()
	failuresKey, ok := b.startAllowed(ctx, ev, now)
	if !ok {
		return
	}
	code := strings.ToUpper(arg)
	if b.redeemLink(ctx, ev, code, now, failuresKey) {
		return
	}
	user, err := b.store.RedeemInvitation(ctx, code, ev.userID, ev.chatID, ev.firstName, now)
	if reason, refused := startRefusals(err); refused {
		b.refuseCode(ctx, ev, code, reason, failuresKey, now)
	}
	switch {
	case errors.Is(err, store.ErrInvitationUnknown):
		b.reply(ctx, ev, "Ce code d'invitation est inconnu. Vérifiez-le ou demandez une nouvelle invitation.")
	case errors.Is(err, store.ErrInvitationUsed):
		b.reply(ctx, ev, "Ce code d'invitation a déjà été utilisé. Chaque code ne sert qu'une fois : demandez une nouvelle invitation.")
	case errors.Is(err, store.ErrInvitationExpired):
		b.reply(ctx, ev, "Ce code d'invitation a expiré (validité 7 jours). Demandez une nouvelle invitation.")
	case errors.Is(err, store.ErrInvitationRevoked):
		b.reply(ctx, ev, "Cette invitation a été annulée par la personne qui l'avait envoyée. Demandez une nouvelle invitation.")
	case errors.Is(err, store.ErrInvitationCreatorDisabled):
		b.reply(ctx, ev, "La personne qui vous a invité n'a plus accès à Relais : son invitation ne fonctionne plus. Demandez une nouvelle invitation.")
	case err != nil:
		b.log.ErrorContext(ctx, "redeem invitation", "err", err)
		b.reply(ctx, ev, msgTryAgain)
	default:
		b.log.InfoContext(ctx, "user registered", "role", user.Role)
		b.setChatMenu(ctx, ev.chatID, user.Role)
		b.reply(ctx, ev, b.welcome(user))
	}
}

// setChatMenu gives this chat the command menu of the user's role, so the
// "/" list matches /aide (the default menu, set at start, only has /start
// and /aide). It comes before the answer, so the menu is there when the
// user reads it.
func (b *Bot) setChatMenu(ctx context.Context, chatID ids.ChatID, role roles.Role) {
	if err := b.out.SetCommands(ctx, int64(chatID), CommandsFor(role)); err != nil {
		b.log.WarnContext(ctx, "set chat commands", "chat_id", chatID, "err", err)
	}
}

func (b *Bot) welcome(u *store.User) string {
	switch u.Role {
	case roles.Mediator:
		return "Bienvenue sur Relais ! Votre compte de médiateur santé est ouvert (" +
			depName(u.Mediator.Departement) + ").\n\n" +
			"Après chaque accompagnement, tapez /fiche pour remplir la fiche en une minute. " +
			"Tapez /aide pour tout voir.\n\n" + b.questionsHint(u)
	case roles.Coordinator:
		return "Bienvenue sur Relais ! Votre compte de coordinateur est ouvert (" + b.territoryName(u.Coordinator) + ").\n\n" +
			"Tapez /indicateurs pour les chiffres de votre territoire. Tapez /aide pour tout voir.\n\n" + b.questionsHint(u)
	default:
		return "Bienvenue sur Relais ! Votre compte d'administrateur est ouvert. Tapez /aide pour tout voir.\n\n" + b.questionsHint(u)
	}
}

func (b *Bot) helpText(u *store.User) string {
	var sb strings.Builder
	sb.WriteString("Ce que vous pouvez faire :\n")
	for _, c := range CommandsFor(u.Role) {
		sb.WriteString("/" + c.Name + " — " + c.Description + "\n")
	}
	sb.WriteString("\n" + b.questionsHint(u) + "\n")
	if u.Role == roles.Mediator {
		sb.WriteString("\nPendant une saisie (fiche, action, bilan), écrivez à tout moment « retour » (question précédente), « passer » (question facultative), « annuler » (abandonner) ou « aide », avec ou sans barre oblique.")
	}
	return strings.TrimSpace(sb.String())
}

// Commands is the default French command menu, set with setMyCommands at
// start: what anyone may type before registering. Each registered chat gets
// its role's menu (CommandsFor) at /start and /aide.
func Commands() []chat.Command {
	return []chat.Command{
		{Name: "start", Description: "vous inscrire avec votre code d'invitation"},
		{Name: "aide", Description: "ce que vous pouvez faire"},
	}
}
