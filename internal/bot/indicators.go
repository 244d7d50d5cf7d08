package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/callbackdata"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// Figures flows (/indicateurs, /monbilan, /export) are stateless: each button
// carries the choices made so far in its callback data, "<flow>:<period>[:<scope tag>[:<format>]]",
// and every press re-checks what the user may see. The scope tag names the
// territory itself (scopeTag), not its place in the list: the list of
// structures changes as mediators register, and an old button must still
// give the territory written on it.
const (
	flowIndicators = callbackdata.FlowIndicators
	flowOwn        = callbackdata.FlowOwn
	flowExport     = callbackdata.FlowExport
	flowActivity   = callbackdata.FlowActivity
)

// viewer is who asks for figures, with their role and territory. A
// national coordinator sees the figures an admin sees (every served
// region, and the national scope side by side): indicators.Viewer has no
// national level of its own.
func viewer(u *store.User) indicators.Viewer {
	v := indicators.Viewer{Role: u.Role}
	if u.Coordinator != nil && u.Coordinator.Level == territory.LevelNational {
		return indicators.Viewer{Role: roles.Admin}
	}
	if u.Coordinator != nil {
		v.Level, v.Departement, v.Structure = u.Coordinator.Level, u.Coordinator.Departement, u.Coordinator.Structure
		if v.Level == territory.LevelRegion {
			v.Region = u.Coordinator.Region
		}
	}
	if u.Mediator != nil {
		v.MediatorID = u.Mediator.ID
		v.Departement = u.Mediator.Departement
	}
	return v
}

// scopes lists the territories the user may choose, in a stable order; a
// button names one by its scopeTag, looked up in this list when pressed.
func (b *Bot) scopes(ctx context.Context, u *store.User) ([]indicators.Scope, error) {
	v := viewer(u)
	out := indicators.Scopes(b.served, v)
	if u.Role != roles.Mediator {
		more, err := indicators.StructureScopes(ctx, b.store.Reports(), b.served, v)
		if err != nil {
			return nil, err
		}
		for _, s := range more {
			if s.Kind != "structure" || len(out) == 0 || out[0].Kind != "structure" {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// scopeTag is a short fingerprint of a territory for callback data (a
// structure's name can be too long for Telegram's 64 bytes). A press is
// matched against the user's current territories, so a forged tag can only
// name one of those.
func scopeTag(s indicators.Scope) string { return callbackdata.ScopeTag(s.Key()) }

// periodButtons offers the periods. With a scope tag (a result's "Autre
// période"), each button keeps that territory.
func periodButtons(flow, tag string) [][]chat.Button {
	d := func(code string) string { return withTag(flow+":"+code, tag) }
	return keyboard(
		keyRow(button("Cette semaine", d("w")), button("Ce mois", d("m"))),
		keyRow(button("Cette année", d("y")), button("L'année dernière", d("ly"))),
		keyRow(button("Un autre mois…", d("pm")), button("Une année passée…", d("py"))),
		keyRow(button("Autres dates…", flow+":custom")),
	)
}

func withTag(data, tag string) string {
	if tag == "" {
		return data
	}
	return data + ":" + tag
}

// pastYears is how many years before this one "Une année passée…" offers.
const pastYears = 6

// monthButtons offers the last twelve months, this one first; yearButtons
// the past years, last year first.
func monthButtons(flow, tag string, today time.Time) [][]chat.Button {
	var rows [][]chat.Button
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := range 12 {
		m := first.AddDate(0, -i, 0)
		btn := button(monthLabel(m), withTag(flow+":m"+m.Format("200601"), tag))
		if i%3 == 0 {
			rows = append(rows, keyRow(btn))
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], btn)
		}
	}
	return keyboard(rows...)
}

func yearButtons(flow, tag string, today time.Time) [][]chat.Button {
	var rows [][]chat.Button
	for i := range pastYears {
		y := today.Year() - 1 - i
		btn := button(strconv.Itoa(y), withTag(flow+":y"+strconv.Itoa(y), tag))
		if i%3 == 0 {
			rows = append(rows, keyRow(btn))
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], btn)
		}
	}
	return keyboard(rows...)
}

var monthNames = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func monthLabel(m time.Time) string { return monthNames[m.Month()-1] + " " + strconv.Itoa(m.Year()) }

// period resolves a period code: w, m, y, ly, yYYYY (a past year), mYYYYMM
// (a month) or YYYYMMDD-YYYYMMDD.
func period(code string, today time.Time) (indicators.Period, bool) {
	if y, ok := strings.CutPrefix(code, "y"); ok && len(y) == 4 {
		n, err := strconv.Atoi(y)
		return indicators.Year(n), err == nil && n >= today.Year()-pastYears && n <= today.Year()
	}
	if ym, ok := strings.CutPrefix(code, "m"); ok && len(ym) == 6 {
		m, err := time.Parse("200601", ym)
		return indicators.Month(m), err == nil && !m.After(today)
	}
	switch code {
	case "w":
		return indicators.Days(indicators.Week(today).From, today), true
	case "m":
		return indicators.Days(indicators.Month(today).From, today), true
	case "y":
		return indicators.YearToDate(today), true
	case "ly":
		return indicators.Year(today.Year() - 1), true
	}
	from, to, ok := strings.Cut(code, "-")
	if !ok {
		return indicators.Period{}, false
	}
	f, err1 := time.Parse("20060102", from)
	t, err2 := time.Parse("20060102", to)
	p := indicators.Days(f, t)
	return p, err1 == nil && err2 == nil && p.CheckBounds(today) == nil && p.Validate() == nil
}

func periodCode(p indicators.Period) string {
	return callbackdata.PeriodCode(p.From, p.To)
}

// startFigures answers /indicateurs, /monbilan and /export: typed dates
// ("/indicateurs 01/01/2024 31/12/2024") skip the period buttons.
func (b *Bot) startFigures(flow, what string) handler {
	return func(ctx context.Context, u *store.User, ev event, fields []string) error {
		arg := argOf(fields)
		if arg == "" {
			b.send(ctx, ev.chatID, what+" : quelle période ?", periodButtons(flow, ""))
			return nil
		}
		f := strings.Fields(arg)
		if len(f) != 2 {
			b.reply(ctx, ev, "Écrivez deux dates, par exemple : /"+commandOf(flow)+" 01/01/2024 31/12/2024")
			return nil
		}
		p, err := indicators.ParsePeriod(f[0], f[1], b.Now())
		var bounds *indicators.OutOfBoundsError
		if errors.As(err, &bounds) {
			b.reply(ctx, ev, bounds.Error()+".")
			return nil
		}
		if err != nil {
			b.reply(ctx, ev, "Période incorrecte : "+err.Error()+".")
			return nil
		}
		return b.chooseScope(ctx, u, ev, flow, periodCode(p), 0)
	}
}

func commandOf(flow string) string {
	switch flow {
	case flowOwn:
		return "meschiffres"
	case flowActivity:
		return "activite"
	case flowExport:
		return "export"
	}
	return "indicateurs"
}

// pressFigures handles every button of the figures flow flow ("i", "m", "e", "a").
func (b *Bot) pressFigures(flow string) handler {
	return func(ctx context.Context, u *store.User, ev event, fields []string) error {
		if (flow == flowOwn) != (u.Role == roles.Mediator) {
			b.answer(ctx, ev, "Ce bouton n'est pas pour vous.")
			return nil
		}
		if len(fields) == 1 && fields[0] == "custom" {
			b.answer(ctx, ev, "")
			b.edit(ctx, ev.chatID, ev.messageID, periodPrompt(), nil)
			b.ask(ctx, ev, promptPeriod, flow) // the dates typed next are the period (prompts.go)
			return nil
		}
		if len(fields) < 1 {
			b.answer(ctx, ev, msgStaleButton)
			return nil
		}
		tag := ""
		if len(fields) == 2 {
			tag = fields[1]
		}
		switch fields[0] {
		case "p": // a result's "Autre période": the same territory, a new message
			if tag == "" {
				b.answer(ctx, ev, msgStaleButton)
				return nil
			}
			b.answer(ctx, ev, "")
			b.send(ctx, ev.chatID, flowTitle(flow)+" : quelle période ?", periodButtons(flow, tag))
			return nil
		case "pm", "py": // the period chooser turns into a list of months or years
			b.answer(ctx, ev, "")
			if fields[0] == "pm" {
				b.edit(ctx, ev.chatID, ev.messageID, flowTitle(flow)+" : quel mois ?", monthButtons(flow, tag, b.Now()))
			} else {
				b.edit(ctx, ev.chatID, ev.messageID, flowTitle(flow)+" : quelle année ?", yearButtons(flow, tag, b.Now()))
			}
			return nil
		case "t": // a result's "Autre territoire": the same period, a new message
			if _, ok := period(tag, b.Now()); !ok {
				b.answer(ctx, ev, msgStaleButton)
				return nil
			}
			b.answer(ctx, ev, "")
			return b.chooseScope(ctx, u, ev, flow, tag, 0)
		}
		if _, ok := period(fields[0], b.Now()); !ok {
			b.answer(ctx, ev, msgStaleButton)
			return nil
		}
		b.answer(ctx, ev, "")
		if len(fields) == 1 {
			return b.chooseScope(ctx, u, ev, flow, fields[0], ev.messageID)
		}
		format, editID := "xlsx", ev.messageID
		if len(fields) == 3 {
			// A button under a result (a file, figures): keep that message.
			format, editID = fields[2], 0
		}
		return b.deliverFigures(ctx, u, ev, flow, fields[0], fields[1], format, editID)
	}
}

// flowTitle names a figures flow in its questions.
func flowTitle(flow string) string {
	switch flow {
	case flowOwn:
		return "Mes chiffres"
	case flowExport:
		return "Export"
	case flowActivity:
		return "Activité"
	}
	return "Indicateurs"
}

// resultButtons go under every result: another period or territory for
// the same question, and for coordinators the export and the other view
// of the same territory and period. Dates are written out, so a press on
// another day gives the same period.
func (b *Bot) resultButtons(ctx context.Context, u *store.User, flow string, p indicators.Period, scope indicators.Scope) [][]chat.Button {
	pcode, tag := periodCode(p), scopeTag(scope)
	first := []chat.Button{button("Autre période", flow+":p:"+tag)}
	if scopes, err := b.scopes(ctx, u); err != nil {
		b.log.WarnContext(ctx, "list scopes for the result's buttons", "err", err) // the button is left out, nothing else
	} else if len(scopes) > 1 {
		first = append(first, button("Autre territoire", flow+":t:"+pcode))
	}
	rows := [][]chat.Button{first}
	if flow == flowOwn || flow == flowExport {
		return keyboard(rows...)
	}
	second := []chat.Button{button("Exporter (Excel)", flowExport+":"+pcode+":"+tag+":xlsx")}
	if flow == flowActivity {
		second = append(second, button("Indicateurs", flowIndicators+":"+pcode+":"+tag+":v"))
	} else {
		second = append(second, button("Activité des médiateurs santé", flowActivity+":"+pcode+":"+tag+":v"))
	}
	rows = append(rows, second)
	if flow == flowIndicators && scope.Kind == indicators.KindRegion && regional(u) {
		// The region's figures lead to its annual report: the year shown,
		// or last year's for a shorter period.
		year := b.Now().In(b.loc).Year() - 1
		if from, to := indicators.Day(p.From), indicators.Day(p.To); from.YearDay() == 1 && to.Year() == from.Year() && from.Year() < year+1 {
			year = from.Year()
		}
		rows = append(rows, []chat.Button{button("Rapport annuel "+strconv.Itoa(year), flowAnnual+":"+strconv.Itoa(year)+":menu")})
	}
	return keyboard(rows...)
}

// chooseScope asks for the territory when the user has more than one.
func (b *Bot) chooseScope(ctx context.Context, u *store.User, ev event, flow, pcode string, editID int) error {
	scopes, err := b.scopes(ctx, u)
	if err != nil {
		return fmt.Errorf("list scopes: %w", err)
	}
	if len(scopes) == 0 {
		b.reply(ctx, ev, "Aucun territoire ne vous est attribué : demandez à l'administrateur.")
		return nil
	}
	if len(scopes) == 1 {
		if editID > 0 {
			p, _ := period(pcode, b.Now())
			b.edit(ctx, ev.chatID, editID, "Période : "+p.Label(), nil)
		}
		return b.deliverFigures(ctx, u, ev, flow, pcode, scopeTag(scopes[0]), "xlsx", 0)
	}
	var rows [][]chat.Button
	for _, s := range scopes {
		btn := button(s.Label(), flow+":"+pcode+":"+scopeTag(s))
		if n := len(rows); n > 0 && len(rows[n-1]) == 1 && len(s.Label()) < 16 && len(rows[n-1][0].Text) < 16 {
			rows[n-1] = append(rows[n-1], btn)
			continue
		}
		rows = append(rows, keyRow(btn))
	}
	p, _ := period(pcode, b.Now())
	text := "Période : " + p.Label() + ". Quel territoire ?"
	if editID > 0 {
		b.edit(ctx, ev.chatID, editID, text, keyboard(rows...))
		return nil
	}
	b.send(ctx, ev.chatID, text, keyboard(rows...))
	return nil
}

// territories lists every territory a button tag may name: the region,
// Picardie, each département with its rural and QPV posts, every
// structure, and the asker's own post. A tag is looked up here and then
// indicators.Allowed alone decides whether this user may see it: a forged
// tag naming another territory is found, and refused.
func (b *Bot) territories(ctx context.Context, u *store.User) ([]indicators.Scope, error) {
	all := indicators.Scopes(b.served, indicators.Viewer{Role: roles.Admin})
	for _, d := range b.served.Departements() {
		all = append(all, indicators.Departement(d.Code),
			indicators.Scope{Kind: indicators.KindRural, Departement: d.Code},
			indicators.Scope{Kind: indicators.KindQPVPosts, Departement: d.Code})
	}
	structures, err := indicators.StructureScopes(ctx, b.store.Reports(), b.served, indicators.Viewer{Role: roles.Admin})
	if err != nil {
		return nil, err
	}
	all = append(all, structures...)
	if u.Mediator != nil {
		own := indicators.Mediator(u.Mediator.ID)
		own.Name = u.DisplayName // what coordinators see too; never the post identifier
		all = append(all, own)
	}
	return all, nil
}

// deliverFigures computes and sends the figures (or the export file).
func (b *Bot) deliverFigures(ctx context.Context, u *store.User, ev event, flow, pcode, tag string, format string, editID int) error {
	p, scope, ok, err := b.figuresTerritory(ctx, u, ev, flow, pcode, tag)
	if err != nil || !ok {
		return err
	}
	if editID > 0 {
		b.edit(ctx, ev.chatID, editID, "Période : "+p.Label()+"\nTerritoire : "+scope.Label(), nil)
	}
	if flow == flowExport {
		return b.sendExport(ctx, u, ev, scope, p, format)
	}
	if flow == flowActivity {
		// The annual review of a year is filled the next January: the
		// review owed is last year's.
		a, err := indicators.ComputeActivity(ctx, b.store.Reports(), p, scope, b.Now().Year()-1)
		if err != nil {
			return fmt.Errorf("compute activity: %w", err)
		}
		b.send(ctx, ev.chatID, a.Text(), b.resultButtons(ctx, u, flow, p, scope))
		return nil
	}
	r, err := b.computeFigures(ctx, flow, p, scope, indicators.WithHistory())
	if err != nil {
		return fmt.Errorf("compute indicators: %w", err)
	}
	// The key figures alone, short enough for a phone; each section (and
	// its chart) comes on its button.
	buttons := append(sectionButtons(flow, periodCode(p), scopeTag(scope), ""), b.resultButtons(ctx, u, flow, p, scope)...)
	b.send(ctx, ev.chatID, r.Summary(), buttons)
	return nil
}

// figuresTerritory resolves a figures button's period and territory tag,
// and checks the user may see that territory; when not, it says so (and
// audits a territory that exists) and returns false.
func (b *Bot) figuresTerritory(ctx context.Context, u *store.User, ev event, flow, pcode, tag string) (indicators.Period, indicators.Scope, bool, error) {
	all, err := b.territories(ctx, u)
	if err != nil {
		return indicators.Period{}, indicators.Scope{}, false, fmt.Errorf("list territories: %w", err)
	}
	p, ok := period(pcode, b.Now())
	var scope indicators.Scope
	found := false
	for _, s := range all {
		if scopeTag(s) == tag {
			scope, found = s, true
			break
		}
	}
	if !ok || !found || !indicators.Allowed(b.served, viewer(u), scope) {
		if found {
			b.audit(ctx, u.TelegramID, store.AuditRefused, scope.Key(), map[string]any{"reason": "territory", "flow": flow})
		}
		b.reply(ctx, ev, "Ce territoire ne fait pas partie de ceux que vous pouvez consulter.")
		return indicators.Period{}, indicators.Scope{}, false, nil
	}
	return p, scope, true, nil
}

func (b *Bot) sendExport(ctx context.Context, u *store.User, ev event, scope indicators.Scope, p indicators.Period, format string) error {
	if !b.lines && (format == export.FormatCSV || format == export.FormatCodes) {
		// An older button, or one pressed where RELAIS_CHAT_FILES was lines.
		b.reply(ctx, ev, msgLinesOnServer)
		return nil
	}
	var buf bytes.Buffer
	var err error
	switch {
	case !b.lines:
		format = export.FormatXLSX
		err = export.WriteFiguresXLSX(ctx, b.store.Reports(), p, scope, &buf)
	case format == export.FormatCSV:
		err = export.WriteCSV(ctx, b.store.Reports(), p, scope, &buf)
	case format == export.FormatCodes:
		err = export.WriteTrackingCSV(ctx, b.store.Reports(), p, scope, &buf)
	default:
		format = export.FormatXLSX
		err = export.WriteXLSX(ctx, b.store.Reports(), p, scope, &buf)
	}
	if err == nil {
		err = b.store.RecordExport(ctx, store.Export{UserID: u.TelegramID, Scope: scope.Key(), From: p.From, To: p.To, Format: format})
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", format, err)
	}
	name := export.Filename(scope, p, format)
	if format == export.FormatCodes {
		name = strings.TrimSuffix(export.Filename(scope, p, "csv"), ".csv") + "_codes.csv"
	}
	// The format buttons name the dates, not "this week": pressed on
	// another day they must give the same rows as the file above them.
	kb := b.resultButtons(ctx, u, flowExport, p, scope)
	var formats []chat.Button
	if b.lines { // figures only: the workbook is the one format, no other to offer
		for _, f := range []struct{ format, text string }{
			{export.FormatXLSX, "Excel"}, {export.FormatCSV, "CSV pour tableur"}, {export.FormatCodes, "CSV à codes (réimport)"},
		} {
			if f.format != format {
				formats = append(formats, button(f.text, flowExport+":"+periodCode(p)+":"+scopeTag(scope)+":"+f.format))
			}
		}
	}
	caption := exportCaption(format, scope, p)
	if !b.lines {
		caption = figuresCaption(scope, p)
	}
	if len(formats) > 0 {
		kb = append(keyboard(formats), kb...)
	}
	doc := chat.Message{ChatID: int64(ev.chatID), Text: caption, Buttons: kb,
		File: &chat.File{Name: name, Data: buf.Bytes()}}
	if _, err := b.out.Post(ctx, doc); err != nil {
		b.log.ErrorContext(ctx, "send export", "chat_id", ev.chatID, "err", err)
	}
	return nil
}

// startActivity answers /activite: the territory's structures and
// mediators, this month by default; typed dates choose another period.
func (b *Bot) startActivity(ctx context.Context, u *store.User, ev event, fields []string) error {
	arg := argOf(fields)
	if arg == "" {
		return b.chooseScope(ctx, u, ev, flowActivity, "m", 0)
	}
	return b.startFigures(flowActivity, "Activité")(ctx, u, ev, fields)
}

// msgLinesOnServer answers a line-level file asked in the chat when
// RELAIS_CHAT_FILES is aggregates.
const msgLinesOnServer = "Les fichiers ligne par ligne (CSV, une ligne par demande avec le code de la personne) ne sont pas envoyés dans la discussion : " +
	"Telegram n'est pas un hébergeur de données de santé. Demandez-les à l'administrateur, qui les produit sur le serveur avec « relais report ». " +
	"Tapez /export pour les tableaux de chiffres (Excel)."

// figuresCaption says what the figures-only workbook holds and where the
// lines are.
func figuresCaption(scope indicators.Scope, p indicators.Period) string {
	return "Export Excel — " + scope.Label() + ", " + p.Label() + ".\n" +
		"Contenu : les tableaux d'indicateurs (synthèse, sexe, QPV, âge, ressources, mode de contact, niveau, demandes d'accès aux droits et aux soins, freins, actions collectives, partenaires, bilans annuels), des chiffres seulement : " +
		"aucune ligne par demande, aucun code de personne, aucun identifiant de poste, aucune réponse libre. " +
		"Les fichiers ligne par ligne se demandent à l'administrateur, qui les produit sur le serveur (relais report)."
}

// exportCaption says what the file holds, free text included, so a
// coordinator knows what they pass on when they forward it.
func exportCaption(format string, scope indicators.Scope, p indicators.Period) string {
	head := scope.Label() + ", " + p.Label() + ".\n"
	switch format {
	case export.FormatCSV:
		return "Export CSV pour tableur — " + head +
			"Contenu : une ligne par demande, en clair (date, médiateur, personne par son code, sexe, âge, QPV, ressources, mode de contact, niveau, demande, statut, date de suivi, freins). " +
			"Séparateur « ; », UTF-8 : s'ouvre dans Excel. Aucun texte libre (ni notes des fiches, ni réponses des bilans)."
	case export.FormatCodes:
		return "Export CSV à codes — " + head +
			"Contenu : les mêmes lignes au format de suivi (codes, séparateur « , »), que « relais import » relit : pour transférer des données, pas pour les lire. Aucun texte libre."
	}
	return "Export Excel — " + head +
		"Contenu : les tableaux d'indicateurs (synthèse, sexe, QPV, âge, ressources, mode de contact, niveau, demandes d'accès aux droits et aux soins, freins, actions collectives, partenaires, bilans annuels) ; " +
		"la feuille « Données », une ligne par demande, en clair ; et les réponses libres des bilans annuels : texte écrit par les médiateurs, à ne diffuser qu'avec précaution. " +
		"Les notes des fiches ne sont jamais exportées."
}
