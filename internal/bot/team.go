package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// /equipe: a coordinator sees the people of their territory with their last
// activity, and disables (or enables back) one, with confirmation: a
// mediator who leaves loses access the same day. Pending invitations are
// listed and can be revoked. Buttons carry "eq:<act>[:<arg>]" and every
// press checks again who the target is and whether the coordinator may
// manage them (mayManage).

// teamPage is the number of people per /equipe message (one button each).
const teamPage = 8

// teamScope is the territory whose people u manages: an admin's is every
// region served.
func teamScope(u *store.User) (store.Coordinator, bool) {
	switch {
	case u.Role == roles.Admin:
		return store.Coordinator{Level: territory.LevelNational}, true
	case u.Role == roles.Coordinator && u.Coordinator != nil:
		return *u.Coordinator, true
	}
	return store.Coordinator{}, false
}

// mayManage is the rule of /equipe: nobody manages themselves; an admin
// manages everyone else; a coordinator manages the mediators of their
// territory and the coordinators of a narrower one (a national
// coordinator every regional and narrower one, a regional coordinator
// every coordinator of their region, a départemental one the structure
// coordinators of their département); admins are managed by admins only.
func mayManage(actor *store.User, target *store.User) bool {
	if actor.TelegramID == target.TelegramID {
		return false
	}
	if actor.Role == roles.Admin {
		return true
	}
	if actor.Role != roles.Coordinator || actor.Coordinator == nil {
		return false
	}
	c := actor.Coordinator
	switch {
	case target.Mediator != nil:
		return c.Covers(target.Mediator.Departement, target.Mediator.Structure)
	case target.Coordinator != nil:
		t := target.Coordinator
		switch c.Level {
		case territory.LevelNational:
			return t.Level != territory.LevelNational
		case territory.LevelRegion:
			return t.Level != territory.LevelNational && coordinatorRegion(t) == coordinatorRegion(c)
		case "departement":
			return t.Level == "structure" && t.Departement == c.Departement
		}
	}
	return false
}

// showTeam answers /equipe, and /equipe poste … (setPostDates).
func (b *Bot) showTeam(ctx context.Context, u *store.User, ev event, fields []string) error {
	arg := argOf(fields)
	if rest, ok := strings.CutPrefix(strings.TrimSpace(arg), "poste"); ok {
		return b.setPostDates(ctx, u, ev, strings.Fields(rest))
	}
	text, kb, err := b.teamPage(ctx, u, 0)
	if err != nil {
		return err
	}
	b.send(ctx, ev.chatID, text, kb)
	return nil
}

// teamPage renders page p of the people u manages.
func (b *Bot) teamPage(ctx context.Context, u *store.User, p int) (string, [][]chat.Button, error) {
	shown, err := b.teamMembers(ctx, u)
	if err != nil {
		return "", nil, fmt.Errorf("list team: %w", err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Votre équipe (%s) : %s.", b.ownTerritory(u), frtext.Plural(len(shown), "personne", "personnes"))
	if len(shown) == 0 {
		sb.WriteString("\n\nInvitez quelqu'un avec /inviter.")
	}
	pages := (len(shown) + teamPage - 1) / teamPage
	p = min(max(p, 0), max(pages-1, 0))
	var rows [][]chat.Button
	from := p * teamPage
	for i, m := range shown[from:min(from+teamPage, len(shown))] {
		fmt.Fprintf(&sb, "\n\n%d. %s", from+i+1, b.memberLine(m))
		if m.DisabledAt != nil {
			rows = append(rows, keyRow(button(fmt.Sprintf("Réactiver n° %d", from+i+1), "eq:e:"+strconv.FormatInt(int64(m.TelegramID), 10))))
		} else {
			rows = append(rows, keyRow(button(fmt.Sprintf("Désactiver n° %d", from+i+1), "eq:d:"+strconv.FormatInt(int64(m.TelegramID), 10))))
		}
	}
	var nav []chat.Button
	if p > 0 {
		nav = append(nav, button("◀ Précédents", "eq:p:"+strconv.Itoa(p-1)))
	}
	if p < pages-1 {
		nav = append(nav, button("Suivants ▶", "eq:p:"+strconv.Itoa(p+1)))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, keyRow(button("Invitations en attente", "eq:i")))
	return sb.String(), keyboard(rows...), nil
}

// teamMembers are the people u manages as /equipe numbers them (u left out).
func (b *Bot) teamMembers(ctx context.Context, u *store.User) ([]store.Member, error) {
	scope, _ := teamScope(u)
	members, err := b.store.ListUsers(ctx, scope)
	if err != nil {
		return nil, err
	}
	var shown []store.Member
	for _, m := range members {
		if m.TelegramID != u.TelegramID {
			shown = append(shown, m)
		}
	}
	return shown, nil
}

// memberLine describes one person without anything about beneficiaries,
// nor the post's identifier: a coordinator knows people by their name.
func (b *Bot) memberLine(m store.Member) string {
	loc := b.loc
	var who string
	switch m.Role {
	case roles.Mediator:
		who = fmt.Sprintf("%s — médiateur santé, %s, %s", m.DisplayName, m.Structure, depName(m.Departement))
	case roles.Coordinator:
		who = m.DisplayName + " — coordinateur, " + b.territoryName(&store.Coordinator{Level: m.Level, Region: m.Region, Departement: m.Departement, Structure: m.Structure})
	default:
		who = m.DisplayName + " — administrateur"
	}
	switch {
	case m.DisabledAt != nil:
		who += "\n    compte désactivé le " + m.DisabledAt.In(loc).Format("02/01/2006")
	case m.LastActivity != nil:
		who += "\n    dernière activité le " + m.LastActivity.In(loc).Format("02/01/2006")
	default:
		who += "\n    aucune activité"
	}
	return who
}

// pressTeam handles "eq:…": p:<page>, d|e:<id> (ask), D|E:<id> (do), i
// (invitations), r:<invitation id> (revoke), x (back to the list).
func (b *Bot) pressTeam(ctx context.Context, u *store.User, ev event, fields []string) error {
	act, arg := fields[0], ""
	if len(fields) > 1 {
		arg = fields[1]
	}
	switch {
	case act == "p" || act == "x":
		page, err := strconv.Atoi(arg)
		if err != nil {
			page = 0 // "eq:x" and a bad page show the first
		}
		text, kb, err := b.teamPage(ctx, u, page)
		if err != nil {
			return failure{msgTechnical, err}
		}
		b.answer(ctx, ev, "")
		b.edit(ctx, ev.chatID, ev.messageID, text, kb)
	case (act == "d" || act == "e" || act == "D" || act == "E") && arg != "":
		return b.pressMember(ctx, u, ev, act, arg)
	case act == "i":
		b.answer(ctx, ev, "")
		text, kb := b.invitationsPage(ctx, u)
		b.edit(ctx, ev.chatID, ev.messageID, text, kb)
	case act == "r" && arg != "":
		return b.revokeInvitation(ctx, u, ev, arg)
	default:
		b.answer(ctx, ev, msgStaleButton)
		b.refusePress(ctx, u, ev, "eq", "fields")
	}
	return nil
}

func (b *Bot) pressMember(ctx context.Context, u *store.User, ev event, act, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	var target *store.User
	if err == nil {
		target, err = b.store.UserByTelegramID(ctx, ids.TelegramID(id))
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return failure{msgTechnical, fmt.Errorf("load team member: %w", err)}
	}
	if err != nil || !mayManage(u, target) {
		b.answer(ctx, ev, msgStaleButton)
		b.refusePress(ctx, u, ev, "eq", "territory")
		return nil
	}
	name := target.DisplayName
	switch act {
	case "d":
		b.answer(ctx, ev, "")
		b.edit(ctx, ev.chatID, ev.messageID, "Désactiver "+name+" ? Dès maintenant, cette personne ne pourra plus utiliser Relais "+
			"(ni commande, ni rappel, ni résumé du lundi). Ses fiches restent enregistrées et comptées ; vous pourrez la réactiver.",
			keyboard(keyRow(button("Oui, désactiver", "eq:D:"+arg), button("Annuler", "eq:x"))))
		return nil
	case "e":
		b.answer(ctx, ev, "")
		b.edit(ctx, ev.chatID, ev.messageID, "Réactiver "+name+" ? Cette personne retrouvera l'accès à Relais avec son rôle et son territoire.",
			keyboard(keyRow(button("Oui, réactiver", "eq:E:"+arg), button("Annuler", "eq:x"))))
		return nil
	}
	disable := act == "D"
	if err := b.store.SetUserDisabled(ctx, target.TelegramID, disable, &u.TelegramID); err != nil {
		return failure{msgNothingChanged, fmt.Errorf("set user disabled: %w", err)}
	}
	done := "Compte de " + name + " désactivé : plus aucun accès à Relais."
	if !disable {
		done = "Compte de " + name + " réactivé."
	}
	b.answer(ctx, ev, done)
	if disable {
		// The departed mediator's half-filled forms go too, on each messenger.
		for _, account := range accountsOf(target) {
			if err := b.drafts.Delete(ctx, ids.ChatID(account), account); err != nil {
				b.log.ErrorContext(ctx, "drop a disabled user's draft", "err", err)
			}
		}
	}
	text, kb, err := b.teamPage(ctx, u, 0)
	if err != nil {
		return failure{"", err} // answered already: the message stays
	}
	b.edit(ctx, ev.chatID, ev.messageID, done+"\n\n"+text, kb)
	return nil
}

// invitationsPage lists the pending invitations of u's territory.
func (b *Bot) invitationsPage(ctx context.Context, u *store.User) (string, [][]chat.Button) {
	back := keyRow(button("◀ Équipe", "eq:x"))
	pending, err := b.store.ListInvitations(ctx, b.now())
	if err != nil {
		b.log.ErrorContext(ctx, "list invitations", "err", err)
		return msgTryAgain, keyboard(back)
	}
	var sb strings.Builder
	var rows [][]chat.Button
	n := 0
	for _, p := range pending {
		inv := store.Invitation{Role: p.Role, Departement: p.Departement, Structure: p.Structure, Level: p.Level, Region: p.Region, Rural: p.Rural}
		if !mayInvite(u, inv) || n == 20 {
			continue
		}
		n++
		fmt.Fprintf(&sb, "\n\n%d. %s\n    valable jusqu'au %s", n, b.invitationLabel(inv), p.ExpiresAt.In(b.loc).Format("02/01/2006"))
		rows = append(rows, keyRow(button(fmt.Sprintf("Annuler l'invitation n° %d", n), "eq:r:"+strconv.FormatInt(p.ID, 10))))
	}
	head := "Invitations en attente : " + frtext.Plural(n, "invitation", "invitations") + "."
	if n == 0 {
		head = "Aucune invitation en attente dans votre territoire."
	}
	return head + sb.String(), keyboard(append(rows, back)...)
}

func (b *Bot) revokeInvitation(ctx context.Context, u *store.User, ev event, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	allowedInv := false
	if err == nil {
		pending, lerr := b.store.ListInvitations(ctx, b.now())
		if lerr != nil {
			return failure{msgTechnical, fmt.Errorf("list invitations: %w", lerr)}
		}
		for _, p := range pending {
			if p.ID == id {
				allowedInv = mayInvite(u, store.Invitation{Role: p.Role, Departement: p.Departement, Structure: p.Structure, Level: p.Level, Region: p.Region, Rural: p.Rural})
			}
		}
	}
	if !allowedInv {
		b.answer(ctx, ev, "Cette invitation n'est plus en attente.")
		b.refusePress(ctx, u, ev, "eq", "invitation")
		return nil
	}
	if err := b.store.RevokeInvitation(ctx, id, &u.TelegramID); err != nil {
		if errors.Is(err, store.ErrInvitationUsed) || errors.Is(err, store.ErrInvitationRevoked) {
			b.answer(ctx, ev, "Cette invitation n'est plus en attente.")
			return nil
		}
		return failure{msgNothingChanged, fmt.Errorf("revoke invitation: %w", err)}
	}
	b.answer(ctx, ev, "Invitation annulée : le lien ne fonctionne plus.")
	text, kb := b.invitationsPage(ctx, u)
	b.edit(ctx, ev.chatID, ev.messageID, "Invitation annulée : le lien ne fonctionne plus.\n\n"+text, kb)
	return nil
}

const postDatesUsage = "Pour les dates d'un poste : /equipe poste N° DÉBUT [FIN], N° étant le numéro du médiateur santé dans /equipe, par exemple " +
	"/equipe poste 3 01/10/2024 30/06/2025 (« - » pour aucune date). Le rapport compte un poste " +
	"pour une période s'il a été actif pendant celle-ci."

// postByNumber is the post of the mediator numbered n in u's /equipe list,
// the name shown there, and whether n names a mediator.
func (b *Bot) postByNumber(ctx context.Context, u *store.User, n string) (store.Post, string, bool, error) {
	i, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(n, "n°"), "°"))
	if err != nil {
		return store.Post{}, "", false, nil
	}
	shown, err := b.teamMembers(ctx, u)
	if err != nil || i < 1 || i > len(shown) || shown[i-1].MediatorID == 0 {
		return store.Post{}, "", false, err
	}
	m := shown[i-1]
	return store.Post{Identifier: m.Identifier, Departement: m.Departement, Structure: m.Structure}, m.DisplayName, true, nil
}

// setPostDates answers /equipe poste N° DÉBUT [FIN]: the post of the
// mediator numbered N° in /equipe gets its start and end dates (the
// report's "postes actifs pendant la période" and "bilans exploitables").
// The post identifier is still taken (the server's tools print it), but
// never shown: the reply names the mediator.
func (b *Bot) setPostDates(ctx context.Context, u *store.User, ev event, args []string) error {
	if len(args) < 2 || len(args) > 3 {
		b.reply(ctx, ev, postDatesUsage)
		return nil
	}
	date := func(s string) (*time.Time, bool) {
		if s == "-" {
			return nil, true
		}
		d, err := frtext.ParseDate(s)
		if err != nil {
			return nil, false
		}
		return &d, true
	}
	start, ok1 := date(args[1])
	end, ok2 := (*time.Time)(nil), true
	if len(args) == 3 {
		end, ok2 = date(args[2])
	}
	if !ok1 || !ok2 {
		b.reply(ctx, ev, "Date non reconnue : écrivez-la comme 01/10/2024 (ou « - » pour aucune). Rien n'a été modifié.\n"+postDatesUsage)
		return nil
	}
	post, name, found, err := b.postByNumber(ctx, u, args[0])
	if err == nil && !found {
		post, err = b.store.PostByIdentifier(ctx, args[0], 0)
		name = cmp.Or(post.Name, "poste sans compte")
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("load post: %w", err)
	}
	scope, managed := teamScope(u)
	if err != nil || !(u.Role == roles.Admin || managed && scope.Covers(post.Departement, post.Structure)) {
		if err == nil {
			b.audit(ctx, u.TelegramID, store.AuditRefused, "post:"+post.Identifier, map[string]any{"reason": "territory"})
		}
		b.reply(ctx, ev, fmt.Sprintf("Aucun médiateur santé n° %s dans votre équipe (les numéros figurent dans /equipe). Rien n'a été modifié.", args[0]))
		return nil
	}
	err = b.store.SetPostDates(ctx, post.Identifier, start, end, &u.TelegramID)
	if errors.Is(err, store.ErrPostDates) {
		b.reply(ctx, ev, "La date de fin est avant la date de début : rien n'a été modifié.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("set post dates: %w", err)
	}
	show := func(d *time.Time, none string) string {
		if d == nil {
			return none
		}
		return d.Format("02/01/2006")
	}
	b.reply(ctx, ev, fmt.Sprintf("Poste de médiation santé — %s (%s, %s) : début %s, fin %s. Le rapport le compte pour les périodes où il a été actif.",
		name, post.Structure, depName(post.Departement), show(start, "non précisé"), show(end, "aucune (poste en cours)")))
	return nil
}
