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
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
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
	failuresKey := "start:" + strconv.FormatInt(int64(ev.chatID), 10)
	if n, err := b.drafts.Failures(ctx, failuresKey, now.Add(-startFailureWindow)); err != nil {
		// Redis down: the code is still checked, one by one, by PostgreSQL.
		b.log.ErrorContext(ctx, "count refused invitation codes", "err", err)
	} else if n >= startFailuresAllowed {
		b.log.InfoContext(ctx, "invitation code not tried: too many refused in this chat")
		b.reply(ctx, ev, msgTooManyCodes)
		return
	}
	code := strings.ToUpper(arg)
	user, err := b.store.RedeemInvitation(ctx, code, ev.userID, ev.chatID, ev.firstName, now)
	if reason, refused := startRefusals(err); refused {
		// Guessing codes shows in the trail, without the code itself (a
		// short fingerprint tells attempts apart).
		h := sha256.Sum256([]byte(code))
		b.audit(ctx, ev.userID, store.AuditStartRefused, "chat:"+strconv.FormatInt(int64(ev.chatID), 10),
			map[string]any{"reason": reason, "code": hex.EncodeToString(h[:4])})
		if err := b.drafts.AddFailure(ctx, failuresKey, now, startFailureWindow); err != nil {
			b.log.ErrorContext(ctx, "record a refused invitation code", "err", err)
		}
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
		b.reply(ctx, ev, welcome(user))
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

func welcome(u *store.User) string {
	switch u.Role {
	case roles.Mediator:
		return "Bienvenue sur Relais ! Votre compte de médiateur santé est ouvert (" +
			codes.Departements.Label(u.Mediator.Departement) + ").\n\n" +
			"Après chaque accompagnement, tapez /fiche pour remplir la fiche en une minute. " +
			"Tapez /aide pour tout voir.\n\n" + questionsHint(u)
	case roles.Coordinator:
		return "Bienvenue sur Relais ! Votre compte de coordinateur est ouvert (" + territoryName(u.Coordinator) + ").\n\n" +
			"Tapez /indicateurs pour les chiffres de votre territoire. Tapez /aide pour tout voir.\n\n" + questionsHint(u)
	default:
		return "Bienvenue sur Relais ! Votre compte d'administrateur est ouvert. Tapez /aide pour tout voir.\n\n" + questionsHint(u)
	}
}

func territoryName(c *store.Coordinator) string {
	switch c.Level {
	case territory.LevelRegion:
		return "région Hauts-de-France"
	case territory.LevelDepartement:
		return codes.Departements.Label(c.Departement)
	default:
		return c.Structure + ", " + codes.Departements.Label(c.Departement)
	}
}

func helpText(u *store.User) string {
	var sb strings.Builder
	sb.WriteString("Ce que vous pouvez faire :\n")
	for _, c := range menu {
		if c.name == "aide" || mayUse("/"+c.name, u.Role) {
			sb.WriteString("/" + c.name + " — " + c.help + "\n")
		}
	}
	sb.WriteString("\n" + questionsHint(u) + "\n")
	if u.Role == roles.Mediator {
		sb.WriteString("\nPendant une saisie (fiche, action, bilan), écrivez à tout moment « retour » (question précédente), « passer » (question facultative), « annuler » (abandonner) ou « aide », avec ou sans barre oblique.")
	}
	return strings.TrimSpace(sb.String())
}

// menuEntry is a command shown in Telegram's menu and in /aide; who sees it
// is the access table's business.
type menuEntry struct {
	name string
	help string
}

// menu lists the commands that exist, in the order shown to users.
var menu = []menuEntry{
	{"fiche", "remplir une fiche d'accompagnement"},
	{"mesfiches", "vos 10 dernières fiches"},
	{"suivis", "vos demandes en cours à suivre"},
	{"rappels", "heure du rappel quotidien, relances"},
	{"action", "enregistrer une action collective de prévention"},
	{"partenaires", "vos partenaires, proposés dans /action et comptés dans le bilan"},
	{"bilan", "bilan annuel (à remplir en janvier)"},
	{"datebilan", "date limite du bilan annuel des médiateurs santé"},
	{"meschiffres", "mes chiffres : fiches, personnes, demandes"},
	{"indicateurs", "les indicateurs de votre territoire"},
	{"export", "fichier Excel des chiffres de votre territoire"},
	{"inviter", "inviter un médiateur santé ou un coordinateur de votre territoire"},
	{"equipe", "les personnes de votre territoire : activité, désactiver, invitations"},
	{"activite", "activité par structure et par médiateur santé : dernière fiche, fiches du mois, bilan annuel"},
	{"rapport", "rapport annuel de la région (Word, PDF) et Annexe 1 (coordinateurs régionaux)"},
	{"resume", "recevoir ou non le résumé du lundi (oui / non)"},
	{"retour", "pendant une saisie : revenir à la question précédente"},
	{"passer", "pendant une saisie : passer une question facultative"},
	{"annuler", "pendant une saisie : abandonner la saisie"},
	{"aide", "ce que vous pouvez faire"},
}

// CommandsFor is the French command menu of one role, as /aide lists it.
func CommandsFor(role roles.Role) []chat.Command {
	var out []chat.Command
	for _, c := range menu {
		if c.name == "aide" || mayUse("/"+c.name, role) {
			out = append(out, chat.Command{Name: c.name, Description: c.help})
		}
	}
	return out
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

// commandRoutes maps slash commands to their handlers (besides /start and
// /aide); who may use each is in the access table.
func (b *Bot) commandRoutes() map[string]func(ctx context.Context, u *store.User, ev event, arg string) {
	return map[string]func(ctx context.Context, u *store.User, ev event, arg string){
		"/fiche":       b.flow.start,
		"/mesfiches":   b.flow.list,
		"/meschiffres": b.startFigures(flowOwn, "Mes chiffres"),
		"/monbilan":    b.startFigures(flowOwn, "Mes chiffres"), // former name of /meschiffres
		"/activite":    b.startActivity,
		"/indicateurs": b.startFigures(flowIndicators, "Indicateurs"),
		"/export":      b.startFigures(flowExport, "Export"),
		"/resume":      b.setDigest,
		"/digest":      b.setDigest, // former name of /resume
		"/suivis":      b.listFollowUps,
		"/rappels":     b.reminderSettings,
		"/action":      b.flow.start,
		"/partenaires": b.listPartners,
		"/bilan":       b.flow.start,
		"/datebilan":   b.setReviewDeadline,
		"/inviter":     b.startInvite,
		"/equipe":      b.showTeam,
		"/rapport":     b.startAnnual,
	}
}
