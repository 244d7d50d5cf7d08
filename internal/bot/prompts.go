package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/intent"
	"github.com/relais-sante/relais/internal/orgname"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
)

// A question of the bot that asks for typed text (the hour after /rappels,
// two dates after « Autres dates… », a structure's name after « Autre
// structure… ») waits for that text: a state.Prompt per chat in Redis,
// for state.PromptTTL. The next typed text is its answer; a command or
// another button forgets it; « annuler » drops it. A text that is not an
// answer but names something else to do (an intent, a greeting) forgets
// it too; anything else is told what the question expects.

// Kinds of prompts, and what their Args hold.
const (
	promptHour      = "hour"      // [id of the /rappels message]
	promptPeriod    = "period"    // [figures flow]
	promptStructure = "structure" // [m|c, département]
	promptRural     = "rural"     // [département, structure]: the question after a typed structure
	promptDigest    = "digest"    // none: « oui » or « non » after /resume
	promptDeadline  = "deadline"  // none: the review's deadline after /datebilan
)

// ask records that the bot now waits for a typed answer to kind.
func (b *Bot) ask(ctx context.Context, ev event, kind string, args ...string) {
	p := state.Prompt{Kind: kind, Args: args, At: b.now()}
	if err := b.drafts.SetPrompt(ctx, ev.chatID, ev.userID, p); err != nil {
		// The buttons and the typed command still work; only the bare answer is lost.
		b.log.ErrorContext(ctx, "record a question waiting for text", "kind", kind, "err", err)
	}
}

func (b *Bot) clearPrompt(ctx context.Context, ev event) {
	if err := b.drafts.ClearPrompt(ctx, ev.chatID, ev.userID); err != nil {
		b.log.ErrorContext(ctx, "forget a question waiting for text", "err", err)
	}
}

// dropPrompt forgets the waiting question when a button is pressed,
// except the buttons of that very question (the rural question after a
// typed structure offers « Oui, rural » / « Non, en QPV »).
func (b *Bot) dropPrompt(ctx context.Context, ev event) {
	p, ok, err := b.drafts.Prompt(ctx, ev.chatID, ev.userID)
	if err != nil {
		b.log.ErrorContext(ctx, "load a question waiting for text", "err", err)
		return
	}
	if !ok || (p.Kind == promptRural && strings.HasPrefix(ev.data, flowInvite+":")) {
		return
	}
	b.clearPrompt(ctx, ev)
}

// takePrompt gives a typed text to the question waiting for it, if any,
// and says whether it was taken.
func (b *Bot) takePrompt(ctx context.Context, u *store.User, ev event, cmd string) bool {
	if ev.text == "" {
		return false
	}
	p, ok, err := b.drafts.Prompt(ctx, ev.chatID, ev.userID)
	if err != nil {
		b.log.ErrorContext(ctx, "load a question waiting for text", "err", err)
		return false
	}
	if !ok {
		return false
	}
	if cmd != "" || b.now().Sub(p.At) > state.PromptTTL {
		b.clearPrompt(ctx, ev)
		return false
	}
	if w, isWord := dialog.Keyword(ev.text); isWord {
		b.clearPrompt(ctx, ev)
		if w == "annuler" {
			b.reply(ctx, ev, "D'accord : rien n'a changé.")
			return true
		}
		return false
	}
	var hint string
	var done bool
	switch p.Kind {
	case promptHour:
		hint, done = b.answerHour(ctx, u, ev, p)
	case promptPeriod:
		hint, done = b.answerPeriod(ctx, u, ev, p)
	case promptStructure:
		hint, done = b.answerStructure(ctx, u, ev, p)
	case promptRural:
		hint, done = b.answerRural(ctx, u, ev, p)
	case promptDigest:
		hint, done = b.answerDigest(ctx, u, ev)
	case promptDeadline:
		hint, done = b.answerDeadline(ctx, u, ev)
	default:
		b.clearPrompt(ctx, ev)
		return false
	}
	if done {
		return true
	}
	if k := intent.Read(ev.text, u.Role).Kind; k == intent.Command || k == intent.Greeting || k == intent.Thanks {
		b.clearPrompt(ctx, ev) // the person moved on
		return false
	}
	b.reply(ctx, ev, hint)
	return true
}

// hourPattern reads « 7h », « 7 h », « 07h00 », « 7:00 », « à 19 heures », « 7 ».
var hourPattern = regexp.MustCompile(`^(?:a |à )?(\d{1,2}) ?(?:h|h00|:00|heures?)?$`)

const msgHourUnknown = "Heure non reconnue : écrivez une heure pile de 0 à 23, par exemple 7h. Rien n'a changé."

// answerHour sets the reminder hour typed after /rappels.
func (b *Bot) answerHour(ctx context.Context, u *store.User, ev event, p state.Prompt) (string, bool) {
	m := hourPattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(ev.text)))
	if m == nil {
		return msgHourUnknown, false
	}
	h, err := strconv.Atoi(m[1])
	if err != nil || h > 23 {
		return msgHourUnknown, false
	}
	if err := b.store.SetUserPreferences(ctx, u.TelegramID, h, u.Nudges, u.Digest); err != nil {
		b.log.ErrorContext(ctx, "set preferences", "err", err)
		b.reply(ctx, ev, "Problème technique : rien n'est enregistré, réessayez dans un instant.")
		return "", true
	}
	b.clearPrompt(ctx, ev)
	u.ReminderHour = h
	if len(p.Args) == 1 {
		if id, err := strconv.Atoi(p.Args[0]); err == nil && id > 0 {
			text, kb := settingsMessage(u)
			b.edit(ctx, ev.chatID, id, text, kb)
		}
	}
	b.reply(ctx, ev, fmt.Sprintf("Rappel à %d h enregistré.", h))
	return "", true
}

// datePattern finds the dates in « du 01/01/2025 au 30/06/2025 ».
var datePattern = regexp.MustCompile(`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}`)

// answerPeriod takes the two dates typed after « Autres dates… ».
func (b *Bot) answerPeriod(ctx context.Context, u *store.User, ev event, p state.Prompt) (string, bool) {
	if len(p.Args) != 1 {
		b.clearPrompt(ctx, ev)
		return "", false
	}
	flow := p.Args[0]
	example := "Écrivez deux dates, par exemple : 01/01/2025 30/06/2025. Rien n'a été produit."
	dates := datePattern.FindAllString(ev.text, -1)
	if len(dates) != 2 {
		return example, false
	}
	for i, d := range dates {
		if !strings.Contains(d, "-") || len(d) != 10 || d[4] != '-' {
			dates[i] = strings.NewReplacer(".", "/", "-", "/").Replace(d)
		}
	}
	if (flow == flowOwn) != (u.Role == roles.Mediator) || !mayUse("/"+commandOf(flow), u.Role) {
		b.clearPrompt(ctx, ev)
		return "", false
	}
	period, err := indicators.ParsePeriod(dates[0], dates[1], b.Now())
	var bounds *indicators.OutOfBoundsError
	if errors.As(err, &bounds) {
		return bounds.Error() + ". Écrivez deux autres dates.", false
	}
	if err != nil {
		return "Période incorrecte : " + err.Error() + ". " + example, false
	}
	b.clearPrompt(ctx, ev)
	b.fail(ctx, ev, "/"+commandOf(flow), b.chooseScope(ctx, u, ev, flow, periodCode(period), 0))
	return "", true
}

// answerStructure takes the structure's name typed after « Autre structure… ».
func (b *Bot) answerStructure(ctx context.Context, u *store.User, ev event, p state.Prompt) (string, bool) {
	if len(p.Args) != 2 {
		b.clearPrompt(ctx, ev)
		return "", false
	}
	if k := intent.Read(ev.text, u.Role).Kind; k == intent.Command || k == intent.Greeting || k == intent.Thanks {
		return "", false
	}
	role, dep := p.Args[0], p.Args[1]
	name := strings.Join(strings.Fields(ev.text), " ")
	if err := orgname.Check(name); err != nil {
		return err.Error() + " Aucune invitation n'a été créée : écrivez le nom de la structure.", false
	}
	if known, err := b.knownStructures(ctx, u, dep); err == nil {
		for _, k := range known {
			if sameStructure(k, name) {
				name = k
			}
		}
	} else {
		b.log.ErrorContext(ctx, "list structures", "err", err)
	}
	inv := store.Invitation{Role: roles.Mediator, Departement: dep, Structure: name}
	if role == "c" {
		inv = store.Invitation{Role: roles.Coordinator, Level: "structure", Departement: dep, Structure: name}
	}
	if !mayInvite(u, inv) {
		b.clearPrompt(ctx, ev)
		b.audit(ctx, u.TelegramID, store.AuditRefused, "invitation", map[string]any{"reason": "territory", "role": inv.Role, "departement": inv.Departement})
		b.reply(ctx, ev, "Vous ne pouvez inviter que dans votre territoire ("+b.ownTerritory(u)+"). Aucune invitation n'a été créée.")
		return "", true
	}
	if role == "c" {
		b.clearPrompt(ctx, ev)
		b.fail(ctx, ev, "/inviter", b.createInvitation(ctx, u, ev, inv))
		return "", true
	}
	b.ask(ctx, ev, promptRural, dep, name)
	data := "inv:m:" + dep + ":" + structureTag(dep, name)
	b.send(ctx, ev.chatID, "Le poste de la personne ("+name+", "+depName(dep)+") est-il rural ?",
		keyboard(keyRow(button("Non, en QPV", data+":0"), button("Oui, rural", data+":1"))))
	return "", true
}

// answerRural takes « oui » or « non » typed to the rural question.
func (b *Bot) answerRural(ctx context.Context, u *store.User, ev event, p state.Prompt) (string, bool) {
	if len(p.Args) != 2 {
		b.clearPrompt(ctx, ev)
		return "", false
	}
	var rural bool
	switch t := strings.Join(intent.Tokens(ev.text), " "); {
	case yesNo(t) == "oui" || t == "rural" || t == "oui rural":
		rural = true
	case yesNo(t) == "non" || t == "qpv" || t == "non qpv" || t == "non en qpv":
	default:
		return "Répondez « oui » (poste rural) ou « non » (poste en QPV), ou appuyez sur un bouton.", false
	}
	b.clearPrompt(ctx, ev)
	b.fail(ctx, ev, "/inviter", b.createInvitation(ctx, u, ev, store.Invitation{Role: roles.Mediator, Departement: p.Args[0], Structure: p.Args[1], Rural: rural}))
	return "", true
}

// typedStructure is the structure typed after « Autre structure… » whose
// rural question is open, when tag names it.
func (b *Bot) typedStructure(ctx context.Context, ev event, dep, tag string) (string, bool) {
	p, ok, err := b.drafts.Prompt(ctx, ev.chatID, ev.userID)
	if err != nil {
		b.log.ErrorContext(ctx, "load a question waiting for text", "err", err)
		return "", false
	}
	if !ok || p.Kind != promptRural || len(p.Args) != 2 || p.Args[0] != dep || structureTag(dep, p.Args[1]) != tag {
		return "", false
	}
	return p.Args[1], true
}

// periodPrompt is the text that asks for typed dates.
func periodPrompt() string {
	return "Écrivez les deux dates de la période, par exemple : 01/01/2025 30/06/2025"
}

// yesNo reads a typed « oui » or « non » (« ouii », « nn », « ok »…) as
// "oui" or "non", "" for anything else.
func yesNo(text string) string {
	switch strings.Join(intent.Tokens(text), " ") {
	case "oui", "ouii", "ouai", "ouais", "o", "ok", "on", "yes":
		return "oui"
	case "non", "nn", "n", "off", "no":
		return "non"
	}
	return ""
}

// answerDigest takes « oui » or « non » typed after /resume.
func (b *Bot) answerDigest(ctx context.Context, u *store.User, ev event) (string, bool) {
	a := yesNo(ev.text)
	if a == "" {
		return "Répondez oui pour recevoir le résumé du lundi, non pour ne plus le recevoir. Rien n'a changé.", false
	}
	b.clearPrompt(ctx, ev)
	b.runCommand(ctx, u, ev, "/resume", a)
	return "", true
}

// answerDeadline takes the review's deadline typed after /datebilan
// (« 15/02/2027 », or « 2026 15/02/2027 » for another year).
func (b *Bot) answerDeadline(ctx context.Context, u *store.User, ev event) (string, bool) {
	if !datePattern.MatchString(ev.text) {
		return "Écrivez la nouvelle date limite, par exemple 15/02/2027. Rien n'a changé.", false
	}
	b.clearPrompt(ctx, ev)
	b.runCommand(ctx, u, ev, "/datebilan", strings.Join(strings.Fields(ev.text), " "))
	return "", true
}
