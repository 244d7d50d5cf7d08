package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

var (
	mediatorOnly = []roles.Role{roles.Mediator}
	coordinators = []roles.Role{roles.Coordinator, roles.Admin}
	everyone     = []roles.Role{roles.Mediator, roles.Coordinator, roles.Admin}
)

// handler runs one entry of the registry. For a button, fields are the
// callback data's fields after the prefix, already counted against the
// entry; for a command, its argument as one field when there is one. An
// error is told to the user and logged by fail, once.
type handler func(ctx context.Context, u *store.User, ev event, fields []string) error

// greeting is an entry's place in the menu under a greeting (« Bonjour ! »):
// fewer actions than /aide, the most used first.
type greeting struct {
	rank  int          // place in the menu, from 1
	label string       // the button's words
	line  string       // what it does, after the label
	roles []roles.Role // who gets it in that menu (all of them may use the entry)
	when  func(u *store.User) bool
}

// route is one entry of the registry: a slash command ("/fiche") or a
// button prefix ("d"), who may use it, where it shows, and what runs it.
type route struct {
	entry string
	roles []roles.Role
	help  string    // its line in /aide and in Telegram's "/" menu; "": not listed
	greet *greeting // nil: not in the greeting's menu
	// min and max bound the fields a button's data carries after the prefix.
	min, max int
	run      func(b *Bot) handler // nil: read before routing (the words of a form in progress)
}

// registry is the bot's one route table, in the order /aide lists the
// commands. An entry missing here is refused to everyone (fail closed), so
// a new command or button cannot slip past the role check; /start is the
// only entry open to strangers. Territory rules (which figures, which
// people) are checked by the handlers on top of this, with
// indicators.Allowed, mayInvite and mayManage. A function, not a
// variable: handlers read the registry back.
func registry() []route {
	cmd := func(entry string, who []roles.Role, help string, run func(b *Bot) handler) route {
		return route{entry: entry, roles: who, help: help, run: run}
	}
	btn := func(entry string, who []roles.Role, min, max int, run func(b *Bot) handler) route {
		return route{entry: entry, roles: who, min: min, max: max, run: run}
	}
	greet := func(r route, g greeting) route {
		r.greet = &g
		return r
	}
	return []route{
		greet(cmd("/fiche", mediatorOnly, "remplir une fiche d'accompagnement", func(b *Bot) handler { return b.flow.starter("fiche") }),
			greeting{1, "Nouvelle fiche", "après un accompagnement", mediatorOnly, nil}),
		cmd("/mesfiches", mediatorOnly, "vos 10 dernières fiches", func(b *Bot) handler { return b.flow.list }),
		greet(cmd("/suivis", mediatorOnly, "vos demandes en cours à suivre", func(b *Bot) handler { return b.listFollowUps }),
			greeting{3, "Mes suivis", "vos demandes en cours", mediatorOnly, nil}),
		cmd("/rappels", mediatorOnly, "heure du rappel quotidien, relances", func(b *Bot) handler { return b.reminderSettings }),
		greet(cmd("/action", mediatorOnly, "enregistrer une action collective de prévention", func(b *Bot) handler { return b.flow.starter("action") }),
			greeting{2, "Action collective", "un atelier, une information collective", mediatorOnly, nil}),
		cmd("/partenaires", mediatorOnly, "vos partenaires, proposés dans /action et comptés dans le bilan", func(b *Bot) handler { return b.listPartners }),
		cmd("/bilan", mediatorOnly, "bilan annuel (à remplir en janvier)", func(b *Bot) handler { return b.flow.starter(reviewForm) }),
		cmd("/datebilan", coordinators, "date limite du bilan annuel des médiateurs santé", func(b *Bot) handler { return b.setReviewDeadline }),
		greet(cmd("/meschiffres", mediatorOnly, "mes chiffres : fiches, personnes, demandes", func(b *Bot) handler { return b.startFigures(flowOwn, "Mes chiffres") }),
			greeting{4, "Mes chiffres", "vos fiches, personnes et demandes", mediatorOnly, nil}),
		cmd("/monbilan", mediatorOnly, "", func(b *Bot) handler { return b.startFigures(flowOwn, "Mes chiffres") }), // former name of /meschiffres
		greet(cmd("/indicateurs", coordinators, "les indicateurs de votre territoire", func(b *Bot) handler { return b.startFigures(flowIndicators, "Indicateurs") }),
			greeting{1, "Indicateurs", "les chiffres de votre territoire", coordinators, nil}),
		greet(cmd("/export", coordinators, "fichier Excel des chiffres de votre territoire", func(b *Bot) handler { return b.startFigures(flowExport, "Export") }),
			greeting{2, "Export", "le fichier Excel des chiffres", coordinators, nil}),
		greet(cmd("/inviter", coordinators, "inviter un médiateur santé ou un coordinateur de votre territoire", func(b *Bot) handler { return b.startInvite }),
			greeting{6, "Inviter", "un médiateur santé ou un coordinateur", []roles.Role{roles.Admin}, nil}),
		greet(cmd("/equipe", coordinators, "les personnes de votre territoire : activité, désactiver, invitations", func(b *Bot) handler { return b.showTeam }),
			greeting{5, "Équipe", "les personnes, leurs invitations", []roles.Role{roles.Admin}, nil}),
		greet(cmd("/activite", coordinators, "activité par structure et par médiateur santé : dernière fiche, fiches du mois, bilan annuel", func(b *Bot) handler { return b.startActivity }),
			greeting{3, "Activité", "structures et médiateurs : dernière fiche, bilans", coordinators, nil}),
		// The region's annual report: regional coordinators (checked by the handler).
		greet(cmd("/rapport", coordinators, "rapport annuel de la région (Word, PDF) et Annexe 1 (coordinateurs régionaux)", func(b *Bot) handler { return b.startAnnual }),
			greeting{4, "Rapport annuel", "le rapport de la région (Word, PDF)", coordinators, regional}),
		cmd("/resume", everyone, "recevoir ou non le résumé du lundi (oui / non)", func(b *Bot) handler { return b.setDigest }),
		cmd("/digest", everyone, "", func(b *Bot) handler { return b.setDigest }), // former name of /resume
		cmd("/lier", everyone, "utiliser Relais aussi sur votre autre messagerie (Telegram, Tchap ou Element)", func(b *Bot) handler { return b.linkAccounts }),
		// The words of a form in progress, read by formFlow.handleText.
		cmd("/retour", mediatorOnly, "pendant une saisie : revenir à la question précédente", nil),
		cmd("/passer", mediatorOnly, "pendant une saisie : passer une question facultative", nil),
		cmd("/annuler", mediatorOnly, "pendant une saisie : abandonner la saisie", nil),
		cmd("/aide", everyone, "ce que vous pouvez faire", func(b *Bot) handler { return b.help }),

		btn("d", mediatorOnly, 1, 4, func(b *Bot) handler { return b.flow.press }),                                             // d:<act>[:<step>[:<arg>[:<arg>]]], the dialog engine's buttons
		btn("b", mediatorOnly, 1, 3, func(b *Bot) handler { return b.flow.action }),                                            // b:new:<form>, b:done, b:resume:<id>, b:drop:<id>:<form>, b:edit:<n>
		btn("r", mediatorOnly, 2, 3, func(b *Bot) handler { return b.pressFollowUp }),                                          // r:<request>:<act>[:<shown>], follow-up status
		btn("sp", mediatorOnly, 1, 1, func(b *Bot) handler { return b.pressFollowUpPage }),                                     // sp:<page>, /suivis pages (of the presser's own requests)
		btn("rp", mediatorOnly, 2, 2, func(b *Bot) handler { return b.pressSetting }),                                          // rp:h:<hour>, rp:n:<0|1>, /rappels settings
		btn("bl", mediatorOnly, 1, 1, func(b *Bot) handler { return b.pressReview }),                                           // bl:<year>, the annual review reminder
		btn(flowOwn, mediatorOnly, 1, 3, func(b *Bot) handler { return b.pressFigures(flowOwn) }),                              // m:<period>[:<scope tag>[:<format>]], /meschiffres
		btn(flowOwn+sectionsSuffix, mediatorOnly, 3, 3, func(b *Bot) handler { return b.pressSection(flowOwn) }),               // ms:<period>:<scope tag>:<section>
		btn(flowIndicators, coordinators, 1, 3, func(b *Bot) handler { return b.pressFigures(flowIndicators) }),                // i:…, /indicateurs
		btn(flowIndicators+sectionsSuffix, coordinators, 3, 3, func(b *Bot) handler { return b.pressSection(flowIndicators) }), // is:<period>:<scope tag>:<section>
		btn(flowActivity, coordinators, 1, 3, func(b *Bot) handler { return b.pressFigures(flowActivity) }),                    // a:<period>[:<scope tag>], /activite
		btn(flowExport, coordinators, 1, 3, func(b *Bot) handler { return b.pressFigures(flowExport) }),                        // e:…, /export files
		btn(flowInvite, coordinators, 1, 4, func(b *Bot) handler { return b.pressInvite }),                                     // inv:<m|c|a>[:…], /inviter choices
		btn("eq", coordinators, 1, 2, func(b *Bot) handler { return b.pressTeam }),                                             // eq:<act>[:<arg>], /equipe
		btn(flowAnnual, coordinators, 2, 2, func(b *Bot) handler { return b.pressAnnual }),                                     // ra:<year>:<docx|pdf|annexe|menu>, regional (checked by the handler)
		btn("q", everyone, 3, 3, func(b *Bot) handler { return b.pressQuestion }),                                              // q:<question key>:<period>:<scope tag>
		btn(flowGo, everyone, 1, 1, func(b *Bot) handler { return b.pressGo }),                                                 // go:<command>, the greeting's menu: checked again against the registry
	}
}

// routeOf is the registry's entry named entry.
func routeOf(entry string) (route, bool) {
	for _, r := range registry() {
		if r.entry == entry {
			return r, true
		}
	}
	return route{}, false
}

// mayUse says whether role may use an entry of the registry.
func mayUse(entry string, role roles.Role) bool {
	r, ok := routeOf(entry)
	return ok && slices.Contains(r.roles, role)
}

// routed is a registry entry with its handler bound to one Bot.
type routed struct {
	route
	handle handler
}

// routesOf binds the registry's handlers to b, once per Bot.
func routesOf(b *Bot) map[string]routed {
	out := map[string]routed{}
	for _, r := range registry() {
		var h handler
		if r.run != nil {
			h = r.run(b)
		}
		out[r.entry] = routed{route: r, handle: h}
	}
	return out
}

// CommandsFor is the French command menu of one role, as /aide lists it.
func CommandsFor(role roles.Role) []chat.Command {
	var out []chat.Command
	for _, r := range registry() {
		if r.help != "" && slices.Contains(r.roles, role) {
			out = append(out, chat.Command{Name: strings.TrimPrefix(r.entry, "/"), Description: r.help})
		}
	}
	return out
}

// menuAction is one line (and one button) of the menu under a greeting.
type menuAction struct {
	command string // what the button runs, "/fiche"
	label   string // the button's words
	line    string // what it does, after the label
}

// menuOf lists what u can do now, most used first, one line per action.
func menuOf(u *store.User) []menuAction {
	var gs []route
	for _, r := range registry() {
		if g := r.greet; g != nil && slices.Contains(g.roles, u.Role) && slices.Contains(r.roles, u.Role) && (g.when == nil || g.when(u)) {
			gs = append(gs, r)
		}
	}
	slices.SortStableFunc(gs, func(a, b route) int { return a.greet.rank - b.greet.rank })
	out := make([]menuAction, 0, len(gs))
	for _, r := range gs {
		out = append(out, menuAction{command: r.entry, label: r.greet.label, line: r.greet.line})
	}
	return out
}

// press is a button's callback data split on ':' into its route prefix and
// fields. Telegram passes on whatever data a client sends, so none of it is
// trusted to be one of ours.
type press struct {
	prefix string
	fields []string
}

// maxPressFields bounds the fields after the prefix (the engine's longest data has 4).
const maxPressFields = 6

// parsePress checks the shape of callback data: 1 to 64 bytes of printable
// UTF-8, a non-empty prefix, a bounded number of fields. It never panics.
func parsePress(data string) (press, bool) {
	if data == "" || len(data) > forms.MaxDataBytes || !utf8.ValidString(data) {
		return press{}, false
	}
	for _, r := range data {
		if r < 0x20 || r == 0x7f {
			return press{}, false
		}
	}
	parts := strings.Split(data, ":")
	if parts[0] == "" || len(parts)-1 > maxPressFields {
		return press{}, false
	}
	return press{prefix: parts[0], fields: parts[1:]}, true
}

const msgStaleButton = "Ce bouton n'est plus actif."

// handleCallback routes a button press after checking its shape, its
// prefix, the user's role and the number of fields; anything else is
// answered, refused and audited.
func (b *Bot) handleCallback(ctx context.Context, user *store.User, ev event) {
	p, ok := parsePress(ev.data)
	reason := ""
	r, known := b.routes[p.prefix]
	switch {
	case !ok:
		reason = "malformed"
	case !known || strings.HasPrefix(p.prefix, "/"):
		reason = "unknown prefix"
	case !slices.Contains(r.roles, user.Role):
		reason = "role"
	case r.handle == nil || len(p.fields) < r.min || len(p.fields) > r.max:
		reason = "fields"
	}
	if reason != "" {
		b.answer(ctx, ev, msgStaleButton)
		b.refusePress(ctx, user, ev, p.prefix, reason)
		return
	}
	b.fail(ctx, ev, p.prefix, r.handle(ctx, user, ev, p.fields))
}

// runCommand runs cmd of the registry if the role may use it, and says
// whose it is otherwise; false: no such command.
func (b *Bot) runCommand(ctx context.Context, u *store.User, ev event, cmd, arg string) bool {
	r, ok := b.routes[cmd]
	if !ok || r.handle == nil || !strings.HasPrefix(cmd, "/") {
		return false
	}
	if !slices.Contains(r.roles, u.Role) {
		b.reply(ctx, ev, reservedFor(cmd, r.roles))
		return true
	}
	var fields []string
	if arg != "" {
		fields = []string{arg}
	}
	b.fail(ctx, ev, cmd, r.handle(ctx, u, ev, fields))
	return true
}

// argOf is a command's argument from its handler's fields.
func argOf(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// failure is a handler's error answered otherwise than with msgTryAgain:
// a press's toast alone, nothing was changed and the message stays as it
// was ("" when the press was answered already).
type failure struct {
	toast string
	err   error
}

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

// fail is the one place a handler's error is logged and told: one log line
// naming the entry, and msgTryAgain (or the failure's toast). nil: nothing.
func (b *Bot) fail(ctx context.Context, ev event, entry string, err error) {
	if err == nil {
		return
	}
	b.log.ErrorContext(ctx, "handler failed", "entry", entry, "err", err)
	var f failure
	if errors.As(err, &f) {
		b.answer(ctx, ev, f.toast)
		return
	}
	b.answer(ctx, ev, msgTechnical) // a press not answered yet
	b.reply(ctx, ev, msgTryAgain)
}

// refusePress leaves a trace of a press no button of ours could have sent:
// the prefix and the reason, never the rest of the data (it may hold a
// beneficiary code).
func (b *Bot) refusePress(ctx context.Context, user *store.User, ev event, prefix, reason string) {
	if len(prefix) > 8 || !utf8.ValidString(prefix) {
		prefix = "?"
	}
	var role roles.Role
	if user != nil {
		role = user.Role
	}
	b.log.WarnContext(ctx, "button press refused", "prefix", prefix, "reason", reason) // update_id and role come with ctx
	actor := ev.userID
	if user != nil {
		actor = user.TelegramID // the person, whichever of their accounts pressed
	}
	b.audit(ctx, actor, store.AuditRefused, "button:"+prefix, map[string]any{"reason": reason, "role": role})
}

// The toasts of a press that failed: nothing was changed, the message stays.
const (
	msgTechnical      = "Problème technique, réessayez dans un instant."
	msgNothingSaved   = "Problème technique : rien n'est enregistré, réessayez dans un instant."
	msgNothingChanged = "Problème technique : rien n'a changé, réessayez dans un instant."
)

// CommandNames are every command's name without its « / » (« fiche »): a
// transport without a command menu takes them as plain words.
func CommandNames() []string {
	var out []string
	for _, r := range registry() {
		if name, ok := strings.CutPrefix(r.entry, "/"); ok {
			out = append(out, name)
		}
	}
	for _, c := range Commands() {
		if !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}
