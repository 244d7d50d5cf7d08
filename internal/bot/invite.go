package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/orgname"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// Invitations from Telegram: the people who invite in real life are
// coordinators, on their phone. /inviter walks them through buttons whose
// data carries the choices so far ("inv:<role>[:…]"); every press checks
// again that the invitation stays inside the inviter's territory
// (mayInvite), so a forged button cannot invite elsewhere.

// invitationTTL is how long an invitation link works.
const invitationTTL = 7 * 24 * time.Hour

// mayInvite is the territory rule of invitations (the place itself is
// store.Coordinator.Covers, as for /equipe): an admin invites anyone;
// a regional coordinator anyone but admins; a départemental coordinator
// mediators and coordinators of their département (département or
// structure scope); a structure coordinator mediators and coordinators of
// their structure. Mediators invite nobody.
func mayInvite(u *store.User, inv store.Invitation) bool {
	if u.Role == roles.Admin {
		return true
	}
	if u.Role != roles.Coordinator || u.Coordinator == nil || inv.Role == roles.Admin {
		return false
	}
	c := u.Coordinator
	switch c.Level {
	case territory.LevelRegion:
		return true
	case territory.LevelDepartement:
		return c.Covers(inv.Departement, inv.Structure) &&
			(inv.Role == roles.Mediator || inv.Level == territory.LevelDepartement || inv.Level == territory.LevelStructure)
	case territory.LevelStructure:
		return c.Covers(inv.Departement, inv.Structure) && (inv.Role == roles.Mediator || inv.Level == territory.LevelStructure)
	}
	return false
}

func sameStructure(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return norm(a) != "" && norm(a) == norm(b)
}

// inviteDepartements are the départements u may invite into.
func inviteDepartements(u *store.User) []string {
	if u.Role == roles.Admin || (u.Coordinator != nil && u.Coordinator.Level == territory.LevelRegion) {
		var out []string
		for _, d := range codes.Departements {
			out = append(out, d.Code)
		}
		return out
	}
	if u.Coordinator != nil && u.Coordinator.Departement != "" {
		return []string{u.Coordinator.Departement}
	}
	return nil
}

// structureTag fingerprints a structure for callback data (names can be long).
func structureTag(dep, name string) string {
	h := sha256.Sum256([]byte(dep + "/" + name))
	return hex.EncodeToString(h[:5])
}

// knownStructures lists the structures of dep that u may invite into.
func (b *Bot) knownStructures(ctx context.Context, u *store.User, dep string) ([]string, error) {
	scopes, err := indicators.StructureScopes(ctx, b.store.Reports(), indicators.Viewer{Role: roles.Admin})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range scopes {
		if s.Departement == dep && mayInvite(u, store.Invitation{Role: roles.Mediator, Departement: dep, Structure: s.Structure}) {
			out = append(out, s.Structure)
		}
	}
	if u.Coordinator != nil && u.Coordinator.Level == territory.LevelStructure && len(out) == 0 {
		out = append(out, u.Coordinator.Structure) // their structure, before its first mediator
	}
	return out, nil
}

const inviteUsage = "Pour une structure qui n'est pas dans la liste, écrivez par exemple :\n" +
	"/inviter médiateur 59 CCAS Roubaix\n/inviter médiateur rural 80 Maison de santé d'Abbeville\n" +
	"/inviter coordinateur 59 CCAS Roubaix (coordinateur de structure)"

// startInvite answers /inviter: with words, the whole invitation at once;
// without, the first question.
func (b *Bot) startInvite(ctx context.Context, u *store.User, ev event, arg string) {
	if arg != "" {
		b.inviteTyped(ctx, u, ev, arg)
		return
	}
	rows := [][]chat.Button{
		keyRow(button("Médiateur santé", "inv:m"), button("Coordinateur", "inv:c")),
	}
	if u.Role == roles.Admin {
		rows = append(rows, keyRow(button("Administrateur", "inv:a")))
	}
	b.send(ctx, ev.chatID, "Inviter qui ? Vous recevrez un lien d'inscription à transférer à la personne, valable 7 jours et une seule fois.", keyboard(rows...))
}

// pressInvite handles "inv:…" presses, one question per press.
func (b *Bot) pressInvite(ctx context.Context, u *store.User, ev event) {
	f := strings.Split(ev.data, ":")[1:]
	ask := func(text string, rows ...[]chat.Button) {
		b.answer(ctx, ev, "")
		b.edit(ctx, ev.chatID, ev.messageID, text, keyboard(rows...))
	}
	depRows := func(prefix string) [][]chat.Button {
		var rows [][]chat.Button
		for _, d := range inviteDepartements(u) {
			rows = append(rows, keyRow(button(codes.Departements.Label(d), prefix+":"+d)))
		}
		return rows
	}
	structureRows := func(prefix, dep string) ([][]chat.Button, bool) {
		names, err := b.knownStructures(ctx, u, dep)
		if err != nil {
			b.log.ErrorContext(ctx, "list structures", "err", err)
			b.answer(ctx, ev, "Problème technique, réessayez dans un instant.")
			return nil, false
		}
		var rows [][]chat.Button
		for _, n := range names {
			rows = append(rows, keyRow(button(n, prefix+":"+structureTag(dep, n))))
		}
		return append(rows, keyRow(button("Autre structure…", prefix+":autre"))), true
	}
	structureNamed := func(dep, tag string) (string, bool) {
		names, err := b.knownStructures(ctx, u, dep)
		if err != nil {
			b.log.ErrorContext(ctx, "list structures", "err", err)
			return "", false
		}
		for _, n := range names {
			if structureTag(dep, n) == tag {
				return n, true
			}
		}
		return b.typedStructure(ctx, ev, dep, tag) // a new one, typed after « Autre structure… »
	}
	refuse := func() {
		b.answer(ctx, ev, msgStaleButton)
		b.refusePress(ctx, u, ev, "inv", "territory")
	}
	validDep := func(d string) bool {
		for _, x := range inviteDepartements(u) {
			if x == d {
				return true
			}
		}
		return false
	}
	askName := func(role, dep string) {
		if !validDep(dep) {
			refuse()
			return
		}
		b.answer(ctx, ev, "")
		b.edit(ctx, ev.chatID, ev.messageID, "Écrivez le nom de la structure ("+codes.Departements.Label(dep)+"), par exemple : Centre social Fives", nil)
		b.ask(ctx, ev, promptStructure, role, dep) // the name typed next (prompts.go)
	}
	switch {
	case f[0] == "a" && len(f) == 1:
		b.createInvitation(ctx, u, ev, store.Invitation{Role: roles.Admin})
	case f[0] == "m" && len(f) == 1:
		if deps := inviteDepartements(u); len(deps) == 1 {
			f = append(f, deps[0])
		} else {
			ask("Médiateur santé de quel département ?", depRows("inv:m")...)
			return
		}
		fallthrough
	case f[0] == "m" && len(f) == 2:
		if !validDep(f[1]) {
			refuse()
			return
		}
		rows, ok := structureRows("inv:m:"+f[1], f[1])
		if ok {
			ask("Quelle structure emploie la personne ? ("+codes.Departements.Label(f[1])+")", rows...)
		}
	case f[0] == "m" && len(f) == 3 && f[2] == "autre":
		askName("m", f[1])
	case f[0] == "m" && len(f) == 3:
		name, ok := structureNamed(f[1], f[2])
		if !validDep(f[1]) || !ok {
			refuse()
			return
		}
		p := "inv:m:" + f[1] + ":" + f[2]
		ask("Le poste de la personne ("+name+") est-il rural ?",
			keyRow(button("Non, en QPV", p+":0"), button("Oui, rural", p+":1")))
	case f[0] == "m" && len(f) == 4 && (f[3] == "0" || f[3] == "1"):
		name, ok := structureNamed(f[1], f[2])
		if !validDep(f[1]) || !ok {
			refuse()
			return
		}
		b.createInvitation(ctx, u, ev, store.Invitation{Role: roles.Mediator, Departement: f[1], Structure: name, Rural: f[3] == "1"})
		b.clearPrompt(ctx, ev) // the rural question of a typed structure is answered
	case f[0] == "c" && len(f) == 1:
		var rows [][]chat.Button
		if mayInvite(u, store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion}) {
			rows = append(rows, keyRow(button("Régional", "inv:c:r")))
		}
		if u.Coordinator == nil || u.Coordinator.Level != territory.LevelStructure {
			rows = append(rows, keyRow(button("Départemental", "inv:c:d")))
		}
		rows = append(rows, keyRow(button("D'une structure", "inv:c:s")))
		ask("Coordinateur de quel niveau ?", rows...)
	case f[0] == "c" && len(f) == 2 && f[1] == "r":
		b.createInvitation(ctx, u, ev, store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion})
	case f[0] == "c" && len(f) == 2 && (f[1] == "d" || f[1] == "s"):
		if deps := inviteDepartements(u); len(deps) > 1 {
			ask("De quel département ?", depRows("inv:c:"+f[1])...)
			return
		} else if len(deps) == 1 {
			f = append(f, deps[0])
		}
		fallthrough
	case f[0] == "c" && len(f) == 3 && (f[1] == "d" || f[1] == "s"):
		if len(f) < 3 || !validDep(f[2]) {
			refuse()
			return
		}
		if f[1] == "d" {
			b.createInvitation(ctx, u, ev, store.Invitation{Role: roles.Coordinator, Level: territory.LevelDepartement, Departement: f[2]})
			return
		}
		rows, ok := structureRows("inv:c:s:"+f[2], f[2])
		if ok {
			ask("De quelle structure ? ("+codes.Departements.Label(f[2])+")", rows...)
		}
	case f[0] == "c" && len(f) == 4 && f[1] == "s" && f[3] == "autre":
		askName("c", f[2])
	case f[0] == "c" && len(f) == 4 && f[1] == "s":
		name, ok := structureNamed(f[2], f[3])
		if !validDep(f[2]) || !ok {
			refuse()
			return
		}
		b.createInvitation(ctx, u, ev, store.Invitation{Role: roles.Coordinator, Level: territory.LevelStructure, Departement: f[2], Structure: name})
	default:
		refuse()
	}
}

// inviteTyped reads "/inviter médiateur [rural] 59 Nom de la structure" or
// "/inviter coordinateur 59 Nom de la structure" (structure coordinator).
func (b *Bot) inviteTyped(ctx context.Context, u *store.User, ev event, arg string) {
	words := strings.Fields(arg)
	var inv store.Invitation
	switch strings.NewReplacer("é", "e", "É", "e").Replace(strings.ToLower(words[0])) {
	case "mediateur", "mediatrice", "mediateur·rice":
		inv.Role = roles.Mediator
	case "coordinateur", "coordinatrice", "coordinateur·rice":
		inv.Role, inv.Level = roles.Coordinator, territory.LevelStructure
	default:
		b.reply(ctx, ev, "Je n'ai pas compris qui inviter. Tapez /inviter sans rien d'autre pour choisir avec des boutons.\n\n"+inviteUsage)
		return
	}
	words = words[1:]
	if inv.Role == roles.Mediator && len(words) > 0 && strings.EqualFold(words[0], "rural") {
		inv.Rural, words = true, words[1:]
	}
	if len(words) < 2 || codes.Departements.Label(words[0]) == words[0] {
		b.reply(ctx, ev, "Écrivez le numéro du département (02, 59, 60, 62 ou 80) puis le nom de la structure.\n\n"+inviteUsage)
		return
	}
	inv.Departement, inv.Structure = words[0], strings.Join(words[1:], " ")
	if err := orgname.Check(inv.Structure); err != nil {
		b.reply(ctx, ev, err.Error()+" Aucune invitation n'a été créée.")
		return
	}
	// A typed name joins the spelling already known ("ccas roubaix" → "CCAS Roubaix").
	if known, err := b.knownStructures(ctx, u, inv.Departement); err == nil {
		for _, k := range known {
			if sameStructure(k, inv.Structure) {
				inv.Structure = k
			}
		}
	} else {
		b.log.ErrorContext(ctx, "list structures", "err", err)
	}
	if !mayInvite(u, inv) {
		b.audit(ctx, u.TelegramID, store.AuditRefused, "invitation", map[string]any{"reason": "territory", "role": inv.Role, "departement": inv.Departement})
		b.reply(ctx, ev, "Vous ne pouvez inviter que dans votre territoire ("+ownTerritory(u)+"). Aucune invitation n'a été créée.")
		return
	}
	b.createInvitation(ctx, u, ev, inv)
}

// ownTerritory names the territory a coordinator (or an admin: the region)
// invites into and manages.
func ownTerritory(u *store.User) string {
	if u.Coordinator != nil {
		return territoryName(u.Coordinator)
	}
	return "région Hauts-de-France"
}

// createInvitation stores the invitation after a last territory check and
// gives the inviter the link to forward, in a message of its own.
func (b *Bot) createInvitation(ctx context.Context, u *store.User, ev event, inv store.Invitation) {
	if !mayInvite(u, inv) {
		if ev.callback != "" {
			b.answer(ctx, ev, msgStaleButton)
		}
		b.refusePress(ctx, u, ev, "inv", "territory")
		return
	}
	inv.ExpiresAt = b.now().Add(invitationTTL)
	inv.CreatedBy = &u.TelegramID // audited with the invitation
	code, err := b.store.CreateInvitation(ctx, inv)
	if err != nil {
		b.log.ErrorContext(ctx, "create invitation", "role", inv.Role, "err", err)
		b.answer(ctx, ev, "Problème technique, réessayez dans un instant.")
		b.reply(ctx, ev, msgTryAgain)
		return
	}
	b.answer(ctx, ev, "Invitation créée.")
	summary := "Invitation créée : " + invitationLabel(inv) + ". Valable jusqu'au " + inv.ExpiresAt.In(b.loc).Format("02/01/2006") +
		", une seule fois. Transférez le message suivant à la personne invitée, et à elle seule."
	if ev.callback != "" {
		b.edit(ctx, ev.chatID, ev.messageID, summary, nil)
	} else {
		b.reply(ctx, ev, summary)
	}
	link := "https://t.me/" + b.username + "?start=" + code
	b.reply(ctx, ev, "Bonjour ! Voici votre invitation sur Relais, l'outil des médiateurs santé des Hauts-de-France. "+
		"Pour vous inscrire, ouvrez ce lien dans Telegram : "+link+"\n(ou envoyez au bot /start "+code+")")
}

// invitationLabel says in French who an invitation is for.
func invitationLabel(inv store.Invitation) string {
	switch inv.Role {
	case roles.Mediator:
		post := "poste en QPV"
		if inv.Rural {
			post = "poste rural"
		}
		return fmt.Sprintf("médiateur santé, %s, %s (%s)", codes.Departements.Label(inv.Departement), inv.Structure, post)
	case roles.Coordinator:
		switch inv.Level {
		case territory.LevelRegion:
			return "coordinateur régional"
		case territory.LevelDepartement:
			return "coordinateur départemental, " + codes.Departements.Label(inv.Departement)
		}
		return "coordinateur de structure, " + inv.Structure + ", " + codes.Departements.Label(inv.Departement)
	}
	return "administrateur"
}
