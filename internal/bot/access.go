package bot

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

var (
	mediatorOnly = []roles.Role{roles.Mediator}
	coordinators = []roles.Role{roles.Coordinator, roles.Admin}
	everyone     = []roles.Role{roles.Mediator, roles.Coordinator, roles.Admin}
)

// access is the one authorisation table of the bot: every slash command
// ("/fiche") and every button prefix ("d") with the roles that may use it.
// Routes missing here are refused to everyone (fail closed), so a new
// command or button cannot slip past the role check; /start and /aide are
// the only entries open to every registered user outside it. Territory
// rules (which figures, which people) are checked by the handlers on top of
// this, with indicators.Allowed and coordinatorCovers.
var access = map[string][]roles.Role{
	"/fiche":       mediatorOnly,
	"/mesfiches":   mediatorOnly,
	"/suivis":      mediatorOnly,
	"/rappels":     mediatorOnly,
	"/action":      mediatorOnly,
	"/partenaires": mediatorOnly,
	"/bilan":       mediatorOnly,
	"/meschiffres": mediatorOnly,
	"/monbilan":    mediatorOnly, // former name of /meschiffres
	"/activite":    coordinators,
	"/datebilan":   coordinators,
	"/indicateurs": coordinators,
	"/export":      coordinators,
	"/resume":      everyone,
	"/digest":      everyone, // former name of /resume
	"/inviter":     coordinators,
	"/equipe":      coordinators,
	"/rapport":     coordinators, // the region's annual report: regional coordinators (checked by the handler)
	"/retour":      mediatorOnly, // words of a form in progress (forms.go handleText)
	"/passer":      mediatorOnly,
	"/annuler":     mediatorOnly,

	"d":   mediatorOnly, // dialog engine buttons (forms)
	"b":   mediatorOnly, // buttons around forms: new, done, resume, drop, edit (correct a saved sheet)
	"r":   mediatorOnly, // follow-up status buttons
	"sp":  mediatorOnly, // /suivis pages (of the presser's own requests)
	"rp":  mediatorOnly, // /rappels settings
	"bl":  mediatorOnly, // annual review reminder
	"m":   mediatorOnly, // /meschiffres figures
	"ms":  mediatorOnly, // /meschiffres: a section of the figures
	"i":   coordinators, // /indicateurs figures
	"is":  coordinators, // /indicateurs: a section of the figures
	"a":   coordinators, // /activite: a territory's structures and mediators
	"e":   coordinators, // /export files
	"inv": coordinators, // /inviter choices
	"eq":  coordinators, // /equipe: pages, disable, enable, invitations
	"ra":  coordinators, // /rapport: annual report documents, Annexe 1 (regional, checked by the handler)
	"q":   everyone,     // plain-French questions: other period or territory
	"go":  everyone,     // the menu under a greeting: runs a command, checked again against this table
}

// mayUse says whether role may use an entry of the access table.
func mayUse(entry string, role roles.Role) bool {
	return allowed(access[entry], role)
}

// route is a button prefix's handler with the number of ':'-separated
// fields its data may carry after the prefix.
type route struct {
	min, max int
	run      func(ctx context.Context, u *store.User, ev event)
}

// buttonRoutes are built once per Bot.
func (b *Bot) buttonRoutes() map[string]route {
	return map[string]route{
		"d":   {1, 4, b.flow.press},        // d:<act>[:<step>[:<arg>[:<arg>]]]
		"b":   {1, 3, b.flow.action},       // b:new:<form>, b:done, b:resume:<id>, b:drop:<id>:<form>, b:edit:<n>
		"r":   {2, 3, b.pressFollowUp},     // r:<request>:<act>[:<shown>]
		"sp":  {1, 1, b.pressFollowUpPage}, // sp:<page>
		"rp":  {2, 2, b.pressSetting},      // rp:h:<hour>, rp:n:<0|1>
		"bl":  {1, 1, b.pressReview},       // bl:<year>
		"i":   {1, 3, b.pressFigures},      // i:<period>[:<scope tag>[:<format>]]
		"m":   {1, 3, b.pressFigures},
		"is":  {3, 3, b.pressSection}, // is:<period>:<scope tag>:<section>
		"ms":  {3, 3, b.pressSection},
		"e":   {1, 3, b.pressFigures},
		"a":   {1, 3, b.pressFigures},  // a:<period>[:<scope tag>]
		"inv": {1, 4, b.pressInvite},   // inv:<m|c|a>[:<level or dep>[:<dep or structure>[:<structure or rural>]]]
		"eq":  {1, 2, b.pressTeam},     // eq:<act>[:<arg>]
		"ra":  {2, 2, b.pressAnnual},   // ra:<year>:<docx|pdf|annexe>
		"q":   {3, 3, b.pressQuestion}, // q:<question key>:<period>:<scope tag>
		"go":  {1, 1, b.pressGo},       // go:<command>
	}
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
	var r route
	switch {
	case !ok:
		reason = "malformed"
	case access[p.prefix] == nil:
		reason = "unknown prefix"
	case !mayUse(p.prefix, user.Role):
		reason = "role"
	default:
		var known bool
		r, known = b.buttons[p.prefix]
		if !known || len(p.fields) < r.min || len(p.fields) > r.max {
			reason = "fields"
		}
	}
	if reason != "" {
		b.answer(ctx, ev, msgStaleButton)
		b.refusePress(ctx, user, ev, p.prefix, reason)
		return
	}
	r.run(ctx, user, ev)
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
	b.audit(ctx, ev.userID, store.AuditRefused, "button:"+prefix, map[string]any{"reason": reason, "role": role})
}
