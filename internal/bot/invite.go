package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/frtext"
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
// store.Coordinator.Covers, as for /equipe): an admin invites anyone; a
// national coordinator anyone but admins; a regional coordinator anyone
// of their region but admins and national coordinators; a départemental
// coordinator mediators and coordinators of their département (département
// or structure scope); a structure coordinator mediators and coordinators
// of their structure. Mediators invite nobody. A regional invitation
// names its region (inv.Region), the others their département.
func mayInvite(u *store.User, inv store.Invitation) bool {
	if u.Role == roles.Admin {
		return true
	}
	if u.Role != roles.Coordinator || u.Coordinator == nil || inv.Role == roles.Admin {
		return false
	}
	c := u.Coordinator
	switch c.Level {
	case territory.LevelNational:
		return true
	case territory.LevelRegion:
		if inv.Level == territory.LevelNational {
			return false
		}
		if inv.Departement == "" {
			return inv.Region == coordinatorRegion(c)
		}
		return c.Covers(inv.Departement, inv.Structure)
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

// inviteDepartements are the départements u may invite into, inside region
// (an INSEE code; empty: every region u may invite into).
func (b *Bot) inviteDepartements(u *store.User, region string) []string {
	var regions territory.Served
	switch {
	case national(u):
		regions = b.served
	case u.Coordinator != nil && u.Coordinator.Level == territory.LevelRegion:
		if r, ok := b.served.Region(coordinatorRegion(u.Coordinator)); ok {
			regions = territory.Served{r}
		}
	case u.Coordinator != nil && u.Coordinator.Departement != "":
		if _, ok := b.served.Departement(u.Coordinator.Departement); ok &&
			(region == "" || coordinatorRegion(u.Coordinator) == region) {
			return []string{u.Coordinator.Departement}
		}
		return nil
	}
	var out []string
	for _, d := range regions.Departements() {
		if region == "" || d.Region == region {
			out = append(out, d.Code)
		}
	}
	return out
}

// askRegion says whether /inviter asks u which region first: u sees every
// region and the deployment serves several.
func (b *Bot) askRegion(u *store.User) bool { return national(u) && len(b.served) > 1 }

// structureTag fingerprints a structure for callback data (names can be long).
func structureTag(dep, name string) string {
	h := sha256.Sum256([]byte(dep + "/" + name))
	return hex.EncodeToString(h[:5])
}

// knownStructures lists the structures of dep that u may invite into.
func (b *Bot) knownStructures(ctx context.Context, u *store.User, dep string) ([]string, error) {
	scopes, err := indicators.StructureScopes(ctx, b.store.Reports(), b.served, indicators.Viewer{Role: roles.Admin})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range scopes {
		if s.Departement == dep && mayInvite(u, store.Invitation{Role: roles.Mediator, Departement: dep, Structure: s.Structure}) {
			out = append(out, s.Structure)
		}
	}
	if u.Coordinator != nil && u.Coordinator.Level == "structure" && len(out) == 0 {
		out = append(out, u.Coordinator.Structure) // their structure, before its first mediator
	}
	return out, nil
}

// inviteUsage shows typed invitations with one of the served
// départements: the Hauts-de-France's own examples where it is served
// first, else the first served département's code.
func (b *Bot) inviteUsage() string {
	deps := b.served[0].Departements()
	if b.served[0].Code == store.DefaultRegion || len(deps) == 0 {
		return inviteUsage
	}
	d := deps[0].Code
	return "Pour une structure qui n'est pas dans la liste, écrivez par exemple :\n" +
		"/inviter médiateur " + d + " Centre social du centre-ville\n/inviter médiateur rural " + d + " Maison de santé du canton\n" +
		"/inviter coordinateur " + d + " Centre social du centre-ville (coordinateur de structure)"
}

const inviteUsage = "Pour une structure qui n'est pas dans la liste, écrivez par exemple :\n" +
	"/inviter médiateur 59 CCAS Roubaix\n/inviter médiateur rural 80 Maison de santé d'Abbeville\n" +
	"/inviter coordinateur 59 CCAS Roubaix (coordinateur de structure)"

// startInvite answers /inviter: with words, the whole invitation at once;
// without, the first question.
func (b *Bot) startInvite(ctx context.Context, u *store.User, ev event, fields []string) error {
	arg := argOf(fields)
	if arg != "" {
		return b.inviteTyped(ctx, u, ev, arg)
	}
	rows := [][]chat.Button{
		keyRow(button("Médiateur santé", flowInvite+":m"), button("Coordinateur", flowInvite+":c")),
	}
	if u.Role == roles.Admin {
		rows = append(rows, keyRow(button("Administrateur", flowInvite+":a")))
	}
	b.send(ctx, ev.chatID, "Inviter qui ? Vous recevrez un lien d'inscription à transférer à la personne, valable 7 jours et une seule fois.", keyboard(rows...))
	return nil
}

// flowInvite is the prefix of /inviter's buttons, "inv:<choices so far>".
const flowInvite = "inv"

// inviteStep is one place of the /inviter wizard: the choices so far it
// answers, field by field ("*" any value, "d|s" one of those), and what it
// does: ask the next question, or create the invitation.
type inviteStep struct {
	fields []string
	run    func(w inviteWizard, f []string) error
}

// inviteSteps are tried in order, the first whose fields match runs; data
// no step matches is refused. A function, not a variable: steps run the
// table again when a question has one answer only.
func inviteSteps() []inviteStep {
	return []inviteStep{
		{[]string{"a"}, func(w inviteWizard, _ []string) error {
			return w.create(store.Invitation{Role: roles.Admin})
		}},
		{[]string{"m"}, func(w inviteWizard, f []string) error {
			if w.b.askRegion(w.u) {
				w.ask("Médiateur santé de quelle région ?", w.regionRows(flowInvite+":m")...)
				return nil
			}
			if deps := w.b.inviteDepartements(w.u, ""); len(deps) == 1 {
				return w.next(append(f, deps[0])) // one département: no question
			}
			w.ask("Médiateur santé de quel département ?", w.depRows(flowInvite+":m", "")...)
			return nil
		}},
		{[]string{"m", regionField}, func(w inviteWizard, f []string) error {
			region, ok := w.region(f[1])
			if !ok {
				w.refuse()
				return nil
			}
			w.ask("Médiateur santé de quel département ? ("+region.Name+")", w.depRows(flowInvite+":m", region.Code)...)
			return nil
		}},
		{[]string{"m", "*"}, func(w inviteWizard, f []string) error {
			if !w.validDep(f[1]) {
				w.refuse()
				return nil
			}
			rows, err := w.structureRows(flowInvite+":m:"+f[1], f[1])
			if err != nil {
				return err
			}
			w.ask("Quelle structure emploie la personne ? ("+depName(f[1])+")", rows...)
			return nil
		}},
		{[]string{"m", "*", "autre"}, func(w inviteWizard, f []string) error {
			w.askName("m", f[1])
			return nil
		}},
		{[]string{"m", "*", "*"}, func(w inviteWizard, f []string) error {
			name, ok := w.structureNamed(f[1], f[2])
			if !w.validDep(f[1]) || !ok {
				w.refuse()
				return nil
			}
			p := flowInvite + ":m:" + f[1] + ":" + f[2]
			w.ask("Le poste de la personne ("+name+") est-il rural ?",
				keyRow(button("Non, en QPV", p+":0"), button("Oui, rural", p+":1")))
			return nil
		}},
		{[]string{"m", "*", "*", "0|1"}, func(w inviteWizard, f []string) error {
			name, ok := w.structureNamed(f[1], f[2])
			if !w.validDep(f[1]) || !ok {
				w.refuse()
				return nil
			}
			if err := w.create(store.Invitation{Role: roles.Mediator, Departement: f[1], Structure: name, Rural: f[3] == "1"}); err != nil {
				return err
			}
			w.b.clearPrompt(w.ctx, w.ev) // the rural question of a typed structure is answered
			return nil
		}},
		{[]string{"c"}, func(w inviteWizard, _ []string) error {
			var rows [][]chat.Button
			if w.b.askRegion(w.u) && mayInvite(w.u, store.Invitation{Role: roles.Coordinator, Level: territory.LevelNational}) {
				rows = append(rows, keyRow(button("National (toutes les régions)", flowInvite+":c:n")))
			}
			if w.u.Coordinator == nil || w.u.Coordinator.Level == territory.LevelNational || w.u.Coordinator.Level == territory.LevelRegion {
				rows = append(rows, keyRow(button("Régional", flowInvite+":c:r")))
			}
			if w.u.Coordinator == nil || w.u.Coordinator.Level != territory.LevelStructure {
				rows = append(rows, keyRow(button("Départemental", flowInvite+":c:d")))
			}
			rows = append(rows, keyRow(button("D'une structure", flowInvite+":c:s")))
			w.ask("Coordinateur de quel niveau ?", rows...)
			return nil
		}},
		{[]string{"c", "n"}, func(w inviteWizard, _ []string) error {
			if !w.b.askRegion(w.u) {
				w.refuse() // one region served: its regional coordinator sees it all
				return nil
			}
			return w.create(store.Invitation{Role: roles.Coordinator, Level: territory.LevelNational})
		}},
		{[]string{"c", "r"}, func(w inviteWizard, f []string) error {
			if w.b.askRegion(w.u) {
				w.ask("Coordinateur régional de quelle région ?", w.regionRows(flowInvite+":c:r")...)
				return nil
			}
			region, ok := w.b.userRegion(w.u)
			if !ok {
				w.refuse()
				return nil
			}
			return w.next(append(f, regionToken(region.Code)))
		}},
		{[]string{"c", "r", regionField}, func(w inviteWizard, f []string) error {
			region, ok := w.region(f[2])
			if !ok {
				w.refuse()
				return nil
			}
			return w.create(store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion, Region: region.Code})
		}},
		{[]string{"c", "d|s"}, func(w inviteWizard, f []string) error {
			if w.b.askRegion(w.u) {
				w.ask("Coordinateur de quelle région ?", w.regionRows(flowInvite+":c:"+f[1])...)
				return nil
			}
			return w.askDepartement(f, "")
		}},
		{[]string{"c", "d|s", regionField}, func(w inviteWizard, f []string) error {
			region, ok := w.region(f[2])
			if !ok {
				w.refuse()
				return nil
			}
			return w.askDepartement(f[:2], region.Code)
		}},
		{[]string{"c", "d|s", "*"}, func(w inviteWizard, f []string) error {
			if !w.validDep(f[2]) {
				w.refuse()
				return nil
			}
			if f[1] == "d" {
				return w.create(store.Invitation{Role: roles.Coordinator, Level: territory.LevelDepartement, Departement: f[2]})
			}
			rows, err := w.structureRows(flowInvite+":c:s:"+f[2], f[2])
			if err != nil {
				return err
			}
			w.ask("De quelle structure ? ("+depName(f[2])+")", rows...)
			return nil
		}},
		{[]string{"c", "s", "*", "autre"}, func(w inviteWizard, f []string) error {
			w.askName("c", f[2])
			return nil
		}},
		{[]string{"c", "s", "*", "*"}, func(w inviteWizard, f []string) error {
			name, ok := w.structureNamed(f[2], f[3])
			if !w.validDep(f[2]) || !ok {
				w.refuse()
				return nil
			}
			return w.create(store.Invitation{Role: roles.Coordinator, Level: territory.LevelStructure, Departement: f[2], Structure: name})
		}},
	}
}

// regionField, in a step's fields, is a region chosen: « r76 »
// (regionToken). A département code never starts with r, so the steps
// naming a region come before those naming a département ("*").
const regionField = "r…"

// matches says whether the choices f are those a step answers.
func (s inviteStep) matches(f []string) bool {
	if len(f) != len(s.fields) {
		return false
	}
	for i, want := range s.fields {
		switch {
		case want == regionField:
			if len(f[i]) < 2 || f[i][0] != 'r' {
				return false
			}
		case want != "*" && !slices.Contains(strings.Split(want, "|"), f[i]):
			return false
		}
	}
	return true
}

// pressInvite handles "inv:…" presses, one question per press.
func (b *Bot) pressInvite(ctx context.Context, u *store.User, ev event, fields []string) error {
	return inviteWizard{b: b, ctx: ctx, u: u, ev: ev}.next(fields)
}

// inviteWizard is one press of /inviter's buttons: who presses, on which message.
type inviteWizard struct {
	b   *Bot
	ctx context.Context
	u   *store.User
	ev  event
}

// next runs the step answering the choices f.
func (w inviteWizard) next(f []string) error {
	for _, s := range inviteSteps() {
		if s.matches(f) {
			return s.run(w, f)
		}
	}
	w.refuse()
	return nil
}

// ask puts the next question in place of the pressed one.
func (w inviteWizard) ask(text string, rows ...[]chat.Button) {
	w.b.answer(w.ctx, w.ev, "")
	w.b.edit(w.ctx, w.ev.chatID, w.ev.messageID, text, keyboard(rows...))
}

func (w inviteWizard) create(inv store.Invitation) error {
	return w.b.createInvitation(w.ctx, w.u, w.ev, inv)
}

// refuse answers data no button of ours offers this person.
func (w inviteWizard) refuse() {
	w.b.answer(w.ctx, w.ev, msgStaleButton)
	w.b.refusePress(w.ctx, w.u, w.ev, flowInvite, "territory")
}

func (w inviteWizard) validDep(d string) bool {
	return slices.Contains(w.b.inviteDepartements(w.u, ""), d)
}

// region is the served region a « r76 » field names, if the presser may
// invite into it.
func (w inviteWizard) region(field string) (territory.Region, bool) {
	r, ok := w.b.served.Region(strings.TrimPrefix(field, "r"))
	if !ok || len(w.b.inviteDepartements(w.u, r.Code)) == 0 {
		return territory.Region{}, false
	}
	return r, true
}

// regionRows offers the served regions, by name.
func (w inviteWizard) regionRows(prefix string) [][]chat.Button {
	var rows [][]chat.Button
	for _, r := range w.b.served {
		rows = append(rows, keyRow(button(r.Name, prefix+":"+regionToken(r.Code))))
	}
	return rows
}

// askDepartement asks a coordinator's département (f: "c", "d|s") among
// region's (empty: every one the presser may invite into), or goes on
// when there is only one.
func (w inviteWizard) askDepartement(f []string, region string) error {
	switch deps := w.b.inviteDepartements(w.u, region); len(deps) {
	case 0:
		w.refuse()
		return nil
	case 1:
		return w.next(append(f, deps[0])) // one département: no question
	}
	text := "De quel département ?"
	if r, ok := w.b.served.Region(region); ok {
		text = "De quel département ? (" + r.Name + ")"
	}
	w.ask(text, w.depRows(flowInvite+":c:"+f[1], region)...)
	return nil
}

// depRows offers the départements of region (empty: all) the presser may
// invite into.
func (w inviteWizard) depRows(prefix, region string) [][]chat.Button {
	var rows [][]chat.Button
	for _, d := range w.b.inviteDepartements(w.u, region) {
		rows = append(rows, keyRow(button(depName(d), prefix+":"+d)))
	}
	return rows
}

// structureRows offers dep's known structures, and one not listed yet.
func (w inviteWizard) structureRows(prefix, dep string) ([][]chat.Button, error) {
	names, err := w.b.knownStructures(w.ctx, w.u, dep)
	if err != nil {
		return nil, failure{msgTechnical, fmt.Errorf("list structures: %w", err)}
	}
	var rows [][]chat.Button
	for _, n := range names {
		rows = append(rows, keyRow(button(n, prefix+":"+structureTag(dep, n))))
	}
	return append(rows, keyRow(button("Autre structure…", prefix+":autre"))), nil
}

// structureNamed is the structure of dep whose tag the data carries: a
// known one, or a new one typed after « Autre structure… ».
func (w inviteWizard) structureNamed(dep, tag string) (string, bool) {
	names, err := w.b.knownStructures(w.ctx, w.u, dep)
	if err != nil {
		w.b.log.ErrorContext(w.ctx, "list structures", "err", err) // the press is refused
		return "", false
	}
	for _, n := range names {
		if structureTag(dep, n) == tag {
			return n, true
		}
	}
	return w.b.typedStructure(w.ctx, w.ev, dep, tag)
}

// askName asks for the name of a structure not listed, typed next.
func (w inviteWizard) askName(role, dep string) {
	if !w.validDep(dep) {
		w.refuse()
		return
	}
	w.b.answer(w.ctx, w.ev, "")
	w.b.edit(w.ctx, w.ev.chatID, w.ev.messageID, "Écrivez le nom de la structure ("+depName(dep)+"), par exemple : Centre social Fives", nil)
	w.b.ask(w.ctx, w.ev, promptStructure, role, dep) // the name typed next (prompts.go)
}

// inviteTyped reads "/inviter médiateur [rural] 59 Nom de la structure" or
// "/inviter coordinateur 59 Nom de la structure" (structure coordinator).
func (b *Bot) inviteTyped(ctx context.Context, u *store.User, ev event, arg string) error {
	words := strings.Fields(arg)
	var inv store.Invitation
	switch strings.NewReplacer("é", "e", "É", "e").Replace(strings.ToLower(words[0])) {
	case "mediateur", "mediatrice", "mediateur·rice":
		inv.Role = roles.Mediator
	case "coordinateur", "coordinatrice", "coordinateur·rice":
		inv.Role, inv.Level = roles.Coordinator, territory.LevelStructure
	default:
		b.reply(ctx, ev, "Je n'ai pas compris qui inviter. Tapez /inviter sans rien d'autre pour choisir avec des boutons.\n\n"+b.inviteUsage())
		return nil
	}
	words = words[1:]
	if inv.Role == roles.Mediator && len(words) > 0 && strings.EqualFold(words[0], "rural") {
		inv.Rural, words = true, words[1:]
	}
	if _, served := b.served.Departement(firstWord(words)); len(words) < 2 || !served {
		var deps []string
		for _, d := range b.served.Departements() {
			deps = append(deps, d.Code)
		}
		b.reply(ctx, ev, "Écrivez le numéro du département ("+frtext.OrList(deps)+") puis le nom de la structure.\n\n"+b.inviteUsage())
		return nil
	}
	inv.Departement, inv.Structure = words[0], strings.Join(words[1:], " ")
	if err := orgname.Check(inv.Structure); err != nil {
		b.reply(ctx, ev, err.Error()+" Aucune invitation n'a été créée.")
		return nil
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
		b.reply(ctx, ev, "Vous ne pouvez inviter que dans votre territoire ("+b.ownTerritory(u)+"). Aucune invitation n'a été créée.")
		return nil
	}
	return b.createInvitation(ctx, u, ev, inv)
}

// ownTerritory names the territory a coordinator (or an admin: the
// regions served) invites into and manages.
func (b *Bot) ownTerritory(u *store.User) string {
	if u.Coordinator != nil {
		return b.territoryName(u.Coordinator)
	}
	if len(b.served) == 1 {
		return "région " + b.served[0].Name
	}
	return "régions " + b.servedNames()
}

// createInvitation stores the invitation after a last territory check and
// gives the inviter the link to forward, in a message of its own.
func (b *Bot) createInvitation(ctx context.Context, u *store.User, ev event, inv store.Invitation) error {
	if inv.Departement != "" {
		// The département names the region; one not served is refused below.
		inv.Region = ""
		if d, ok := b.served.Departement(inv.Departement); ok {
			inv.Region = d.Region
		}
	}
	if !mayInvite(u, inv) || (inv.Departement != "" && inv.Region == "") {
		if ev.callback != "" {
			b.answer(ctx, ev, msgStaleButton)
		}
		b.refusePress(ctx, u, ev, flowInvite, "territory")
		return nil
	}
	inv.ExpiresAt = b.now().Add(invitationTTL)
	inv.CreatedBy = &u.TelegramID // audited with the invitation
	code, err := b.store.CreateInvitation(ctx, inv)
	if err != nil {
		return fmt.Errorf("create invitation (%s): %w", inv.Role, err)
	}
	b.answer(ctx, ev, "Invitation créée.")
	summary := "Invitation créée : " + b.invitationLabel(inv) + ". Valable jusqu'au " + inv.ExpiresAt.In(b.loc).Format("02/01/2006") +
		", une seule fois. Transférez le message suivant à la personne invitée, et à elle seule."
	if ev.callback != "" {
		b.edit(ctx, ev.chatID, ev.messageID, summary, nil)
	} else {
		b.reply(ctx, ev, summary)
	}
	link := "https://t.me/" + b.username + "?start=" + code
	b.reply(ctx, ev, "Bonjour ! Voici votre invitation sur Relais, l'outil des médiateurs santé "+b.invitationOf(inv)+". "+
		"Pour vous inscrire, ouvrez ce lien dans Telegram : "+link+"\n(ou envoyez au bot /start "+code+")")
	return nil
}

// invitationOf names, after « de », the region an invitation is for, or
// the regions served for an admin or a national coordinator: « des
// Hauts-de-France », « d'Occitanie ».
func (b *Bot) invitationOf(inv store.Invitation) string {
	if inv.Role == roles.Admin || inv.Level == territory.LevelNational {
		return b.servedOf()
	}
	if r, ok := regionOfCode(inv.Region); ok {
		return r.Of()
	}
	return b.servedOf()
}

// invitationLabel says in French who an invitation is for; a regional
// coordinator's names the region when the deployment serves several.
func (b *Bot) invitationLabel(inv store.Invitation) string {
	switch inv.Role {
	case roles.Mediator:
		post := "poste en QPV"
		if inv.Rural {
			post = "poste rural"
		}
		return fmt.Sprintf("médiateur santé, %s, %s (%s)", depName(inv.Departement), inv.Structure, post)
	case roles.Coordinator:
		switch inv.Level {
		case territory.LevelNational:
			return "coordinateur national (" + b.servedNames() + ")"
		case territory.LevelRegion:
			if r, ok := regionOfCode(inv.Region); ok && len(b.served) > 1 {
				return "coordinateur régional, " + r.Name
			}
			return "coordinateur régional"
		case territory.LevelDepartement:
			return "coordinateur départemental, " + depName(inv.Departement)
		}
		return "coordinateur de structure, " + inv.Structure + ", " + depName(inv.Departement)
	}
	return "administrateur"
}

// firstWord is words[0], or "" for no word.
func firstWord(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return words[0]
}
