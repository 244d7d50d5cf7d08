package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/followup"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/question"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// Questions in plain French: a message that is neither a command
// nor an answer to an open form is read as a question about the figures
// by internal/question, answered with the figure computed by
// indicators.Compute (the code of /indicateurs), within the asker's role
// and territory. Its buttons carry the query itself,
// "q:<indicator|code|breakdown>:<period code>:<scope tag>", and every press
// re-checks the territory like the figures flows do.
const flowQuestion = "q"

// askQuestion answers a typed question, or explains how to ask one.
func (b *Bot) askQuestion(ctx context.Context, u *store.User, ev event) error {
	if ev.text == "" {
		b.reply(ctx, ev, "Je n'ai pas compris. Tapez /aide pour voir ce que vous pouvez faire.")
		return nil
	}
	// Every structure is recognised, so a question about one outside the
	// asker's territory is refused by name rather than misunderstood.
	all, err := indicators.StructureScopes(ctx, b.store.Reports(), b.served, indicators.Viewer{Role: roles.Admin})
	if err != nil {
		return fmt.Errorf("list structures for a question: %w", err)
	}
	var structures []question.Structure
	if u.Role != roles.Mediator {
		for _, s := range all {
			structures = append(structures, question.Structure{Departement: s.Departement, Name: s.Structure})
		}
	}
	q := question.NewParser(b.served, structures).Parse(ev.text, b.Now())
	if last, ok := b.lastQuestion(ctx, ev.chatID); ok {
		if fq, ok := question.FollowUp(q, last); ok {
			q = fq
		}
	}
	if q.PeriodSaid {
		if err := q.Period.CheckBounds(b.Now()); err != nil {
			b.reply(ctx, ev, err.Error()+".")
			return nil
		}
	}
	if len(q.Foreign) > 0 {
		b.reply(ctx, ev, question.ForeignPlaces(b.served, q, viewer(u), b.exampleStructure(u, all)))
		return nil
	}
	if !q.Understood() {
		b.send(ctx, ev.chatID, question.NotUnderstood(q), b.suggestionButtons(ctx, u, q))
		return nil
	}
	scope, refusal := question.Scope(b.served, q, viewer(u))
	if refusal != "" {
		b.reply(ctx, ev, refusal)
		return nil
	}
	return b.answerQuestion(ctx, u, ev, q, scope)
}

// pressQuestion handles the buttons under an answer or a suggestion.
func (b *Bot) pressQuestion(ctx context.Context, u *store.User, ev event, fields []string) error {
	q, ok := question.ParseKey(fields[0])
	p, pok := period(fields[1], b.Now())
	if !ok || !pok {
		b.answer(ctx, ev, "Ce bouton n'est plus actif.")
		return nil
	}
	scopes, err := b.scopes(ctx, u)
	if err != nil {
		return failure{msgTechnical, fmt.Errorf("list scopes: %w", err)}
	}
	for _, s := range scopes {
		if scopeTag(s) == fields[2] && indicators.Allowed(b.served, viewer(u), s) {
			b.answer(ctx, ev, "")
			q.Period, q.PeriodSaid = p, true
			return b.answerQuestion(ctx, u, ev, q, s)
		}
	}
	b.answer(ctx, ev, "Ce territoire ne fait pas partie de ceux que vous pouvez consulter.")
	return nil
}

// answerQuestion computes and sends the figure of q for scope, with its
// breakdown and buttons to change the period or territory.
func (b *Bot) answerQuestion(ctx context.Context, u *store.User, ev event, q question.Query, scope indicators.Scope) error {
	opts := []indicators.Option{indicators.InZone(b.loc), indicators.AsOf(b.Now())}
	if u.Role == roles.Mediator {
		opts = append(opts, indicators.ForTheMediator())
	}
	r, err := indicators.Compute(ctx, b.store.Reports(), q.Period, scope, opts...)
	if err != nil {
		return fmt.Errorf("compute indicators for a question: %w", err)
	}
	var rows []question.Row
	switch q.Breakdown {
	case question.ByDepartement:
		for _, d := range question.Departements(scope) {
			if !indicators.Allowed(b.served, viewer(u), d) {
				continue
			}
			dr, err := indicators.Compute(ctx, b.store.Reports(), q.Period, d, opts...)
			if err != nil {
				return fmt.Errorf("compute indicators for a question: %w", err)
			}
			rows = append(rows, question.Row{Label: d.Label(), Figure: question.FigureOf(q, dr)})
		}
	case question.ByMonth:
		for _, m := range question.Months(q.Period) {
			mr, err := indicators.Compute(ctx, b.store.Reports(), m, scope, opts...)
			if err != nil {
				return fmt.Errorf("compute indicators for a question: %w", err)
			}
			rows = append(rows, question.Row{Label: question.MonthLabel(m), Figure: question.FigureOf(q, mr)})
		}
	}
	text := question.Text(q, scope, r.Label, r.Period, question.FigureOf(q, r), rows)
	// kept before it is sent: the next question may come as soon as it is read
	b.rememberQuestion(ctx, ev.chatID, q, scope)
	b.send(ctx, ev.chatID, text, b.answerButtons(ctx, u, q, scope, r.Period))
	if q.Indicator == question.Overdue && u.Mediator != nil && scope.Kind == indicators.KindMediator {
		return b.sendLateFollowUps(ctx, u, ev)
	}
	return nil
}

// sendLateFollowUps lists a mediator's late requests under the count they
// asked for, with the status buttons of /suivis: the list, not only a number.
func (b *Bot) sendLateFollowUps(ctx context.Context, u *store.User, ev event) error {
	open, err := b.store.OpenRequests(ctx, u.Mediator.ID)
	if err != nil {
		return fmt.Errorf("open requests for a question: %w", err)
	}
	today := b.Now()
	late := followup.Late(open, today)
	if len(late) == 0 {
		return nil
	}
	shown := late[:min(len(late), followup.PageSize)]
	text, kb := followup.Render("Vos demandes en retard :", 1, followup.Lines(shown), followup.MoreFooter(len(late)-len(shown)), today)
	b.send(ctx, ev.chatID, text, kb)
	return nil
}

// rememberQuestion keeps the question answered in the chat for a
// follow-up; the territory kept is the one answered (none for a
// mediator's own figures). A failure only loses the follow-up.
func (b *Bot) rememberQuestion(ctx context.Context, chatID ids.ChatID, q question.Query, scope indicators.Scope) {
	var t question.Territory
	if scope.Kind != indicators.KindMediator {
		t = question.Territory{Kind: scope.Kind, Departement: scope.Departement, Structure: scope.Structure}
	}
	data, err := json.Marshal(question.Remember(q, t, b.Now()))
	if err != nil {
		b.log.ErrorContext(ctx, "encode the last question", "err", err)
		return
	}
	if err := b.drafts.SaveLastQuestion(ctx, chatID, data); err != nil {
		b.log.WarnContext(ctx, "keep the last question", "err", err)
	}
}

// lastQuestion is the chat's last question answered, if it was answered
// less than state.LastQuestionTTL ago by the bot's clock.
func (b *Bot) lastQuestion(ctx context.Context, chatID ids.ChatID) (question.Query, bool) {
	data, ok, err := b.drafts.LastQuestion(ctx, chatID)
	if err != nil {
		b.log.WarnContext(ctx, "read the last question", "err", err)
		return question.Query{}, false
	}
	if !ok {
		return question.Query{}, false
	}
	var m question.Memory
	if err := json.Unmarshal(data, &m); err != nil {
		b.log.WarnContext(ctx, "decode the last question", "err", err)
		return question.Query{}, false
	}
	if age := b.Now().Sub(m.At); age < 0 || age > state.LastQuestionTTL {
		return question.Query{}, false
	}
	return m.Query(b.Now())
}

// exampleStructure is the name of a structure the asker may ask about, to
// show how a structure is named in a question; "" for none.
func (b *Bot) exampleStructure(u *store.User, all []indicators.Scope) string {
	if u.Role == roles.Mediator {
		return ""
	}
	for _, s := range all {
		if indicators.Allowed(b.served, viewer(u), s) {
			return s.Structure
		}
	}
	return ""
}

// questionData is a button's data, or "" when it would not fit in
// Telegram's 64 bytes.
func questionData(q question.Query, pcode string, s indicators.Scope) string {
	d := flowQuestion + ":" + q.Key() + ":" + pcode + ":" + scopeTag(s)
	if len(d) > 64 {
		return ""
	}
	return d
}

// answerButtons offer the same question for another period or territory,
// and the whole report.
func (b *Bot) answerButtons(ctx context.Context, u *store.User, q question.Query, scope indicators.Scope, p indicators.Period) [][]chat.Button {
	var rows [][]chat.Button
	var periods []chat.Button
	for _, pb := range []struct{ label, code string }{{"Ce mois", "m"}, {"Cette année", "y"}, {"L'an dernier", "ly"}} {
		if other, _ := period(pb.code, b.Now()); other == p {
			continue
		}
		if d := questionData(q, pb.code, scope); d != "" {
			periods = append(periods, button(pb.label, d))
		}
	}
	if len(periods) > 0 {
		rows = append(rows, periods)
	}
	scopes, err := b.scopes(ctx, u)
	if err != nil {
		b.log.ErrorContext(ctx, "list scopes", "err", err)
	}
	var current bool
	var others []chat.Button
	for _, s := range scopes {
		if scopeTag(s) == scopeTag(scope) {
			current = true
			continue
		}
		if s.Kind == indicators.KindStructure || len(others) == 4 {
			continue // structures are asked by name; four territories at most
		}
		if d := questionData(q, periodCode(p), s); d != "" {
			others = append(others, button(s.Label(), d))
		}
	}
	for i := 0; i < len(others); i += 2 {
		rows = append(rows, others[i:min(i+2, len(others))])
	}
	if current {
		flow := flowIndicators
		if u.Role == roles.Mediator {
			flow = flowOwn
		}
		// The fourth part keeps the answer above: the report comes below it.
		rows = append(rows, keyRow(button("Tout le rapport", flow+":"+periodCode(p)+":"+scopeTag(scope)+":r")))
	}
	if len(rows) == 0 {
		return nil
	}
	return keyboard(rows...)
}

// suggestionButtons offer close questions the asker may ask.
func (b *Bot) suggestionButtons(ctx context.Context, u *store.User, q question.Query) [][]chat.Button {
	var rows [][]chat.Button
	for _, sq := range question.Suggestions(q) {
		scope, refusal := question.Scope(b.served, sq, viewer(u))
		if refusal != "" {
			continue
		}
		pcode, when := "y", "cette année"
		if sq.PeriodSaid {
			pcode, when = periodCode(sq.Period), sq.Period.Label()
		}
		where := scope.Label()
		if u.Role == roles.Mediator {
			where = "vos chiffres"
		}
		if d := questionData(sq, pcode, scope); d != "" {
			rows = append(rows, keyRow(button(question.Title(sq)+" – "+where+" – "+when, d)))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return keyboard(rows...)
}

// questionExamples are two questions the user's role may type, shown by
// the welcome message and /aide: a mediator's name no territory (their
// own figures only), a regional coordinator's may name a département (the
// Pas-de-Calais in the Hauts-de-France; elsewhere the region itself).
func (b *Bot) questionExamples(u *store.User) []string {
	switch {
	case u.Role == roles.Mediator:
		return []string{"combien de fiches ce mois-ci ?", "combien de demandes de CSS en cours ?"}
	case u.Role == roles.Coordinator && u.Coordinator != nil &&
		u.Coordinator.Level != territory.LevelRegion && u.Coordinator.Level != territory.LevelNational:
		return []string{"combien de personnes en QPV cette année ?", "taux de résolution des demandes de soins l'an dernier"}
	}
	if r, ok := b.userRegion(u); !ok || r.Code != "32" {
		return []string{"combien de fiches dans la région cette année ?", "combien de personnes en QPV par département l'an dernier"}
	}
	return []string{"combien de demandes de CSS dans le Pas-de-Calais cette année ?", "combien de personnes en QPV par département l'an dernier"}
}

// questionsHint tells the user that questions can be typed, with their
// role's two examples.
func (b *Bot) questionsHint(u *store.User) string {
	ex := b.questionExamples(u)
	what := "une question sur les chiffres de votre territoire"
	if u.Role == roles.Mediator {
		what = "une question sur vos propres chiffres"
	}
	return "Vous pouvez aussi écrire " + what + ", en français, sans commande, par exemple : « " + ex[0] + " » ou « " + ex[1] + " »."
}
