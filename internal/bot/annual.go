package bot

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/territory"
)

// The regional annual report (/rapport, buttons "ra:<year>:<docx|pdf|annexe|menu>"):
// the whole document to edit (Word) or send (PDF), and Annexe 1 in chat.
// It covers the region, so only regional coordinators and admins get it.

const flowAnnual = "ra"

const msgAnnualRegionOnly = "Le rapport annuel couvre toute la région : seuls les coordinateurs régionaux peuvent le produire. " +
	"Tapez /indicateurs pour les chiffres de votre territoire."

// msgAnnualFigures says, with RELAIS_CHAT_FILES=aggregates, that the
// document sent in the chat leaves the reviews' free text out.
const msgAnnualFigures = "Les réponses libres des bilans n'y figurent pas (Telegram n'est pas un hébergeur de données de santé) : " +
	"l'administrateur produit sur le serveur la version qui les contient (relais report --format docx)."

// regional says whether u sees a whole region (or every served region:
// admins and national coordinators).
func regional(u *store.User) bool {
	return national(u) || (u.Coordinator != nil && u.Coordinator.Level == territory.LevelRegion)
}

// annualButtons offers the report of year as Word, PDF and Annexe 1.
func annualButtons(year int) [][]chat.Button {
	y := strconv.Itoa(year)
	return keyboard(
		keyRow(button("Rapport annuel "+y+" (Word)", flowAnnual+":"+y+":"+export.FormatDOCX)),
		keyRow(button("Rapport annuel "+y+" (PDF)", flowAnnual+":"+y+":"+export.FormatPDF)),
		keyRow(button("Annexe 1 "+y+" (par territoire)", flowAnnual+":"+y+":annexe")),
	)
}

// annualYear reads the year of /rapport or of a button: last year by
// default, at most pastYears back, never a future year.
func (b *Bot) annualYear(arg string) (int, bool) {
	now := b.Now().In(b.loc)
	if arg == "" {
		return now.Year() - 1, true
	}
	y, err := strconv.Atoi(strings.TrimSpace(arg))
	return y, err == nil && y >= now.Year()-pastYears && y <= now.Year()
}

// startAnnual answers /rapport [année].
func (b *Bot) startAnnual(ctx context.Context, u *store.User, ev event, fields []string) error {
	arg := argOf(fields)
	if !regional(u) {
		b.reply(ctx, ev, msgAnnualRegionOnly)
		return nil
	}
	year, ok := b.annualYear(arg)
	if !ok {
		b.reply(ctx, ev, fmt.Sprintf("Année « %s » non reconnue : tapez /rapport, ou /rapport suivi d'une année de %d à %d.",
			arg, b.Now().In(b.loc).Year()-pastYears, b.Now().In(b.loc).Year()))
		return nil
	}
	content := "Il contient les réponses libres des bilans : à ne transmettre qu'aux destinataires du rapport."
	if !b.lines {
		content = msgAnnualFigures
	}
	of := "de la région"
	if s := b.annualScope(u); s.Kind == indicators.KindNational {
		of = "des régions " + s.Label()
	}
	b.send(ctx, ev.chatID, fmt.Sprintf("Rapport annuel %d %s : le document Word est la version à compléter (votre texte dans sa section « Contexte et faits marquants »), "+
		"le PDF celle à envoyer. %s%s", year, of, content, provisional(year, b.Now().In(b.loc))), annualButtons(year))
	return nil
}

// provisional warns that the report of the current year is provisional.
func provisional(year int, now time.Time) string {
	if year < now.Year() {
		return ""
	}
	return fmt.Sprintf(" L'année %d n'est pas terminée : le rapport est provisoire, au %s.", year, now.Format("02/01/2006"))
}

// annualScope is the territory of u's annual report: their region, or
// every served region side by side for an admin of several.
func (b *Bot) annualScope(u *store.User) indicators.Scope {
	s, _ := indicators.Widest(b.served, viewer(u))
	return s
}

// pressAnnual handles "ra:<year>:<docx|pdf|annexe>".
func (b *Bot) pressAnnual(ctx context.Context, u *store.User, ev event, fields []string) error {
	b.answer(ctx, ev, "")
	if !regional(u) {
		b.audit(ctx, u.TelegramID, store.AuditRefused, b.annualScope(u).Key(), map[string]any{"reason": "territory", "flow": flowAnnual})
		b.reply(ctx, ev, msgAnnualRegionOnly)
		return nil
	}
	year, ok := b.annualYear(fields[0])
	format := fields[1]
	if !ok || (format != export.FormatDOCX && format != export.FormatPDF && format != "annexe" && format != "menu") {
		b.reply(ctx, ev, msgStaleButton)
		return nil
	}
	if format == "menu" {
		return b.startAnnual(ctx, u, ev, fields[:1])
	}
	p := indicators.Year(year)
	if format == "annexe" {
		a, err := indicators.ComputeAnnexe(ctx, b.store.Reports(), p, b.annualScope(u), indicators.InZone(b.loc), indicators.AsOf(b.Now()))
		if err != nil {
			return fmt.Errorf("annexe: %w", err)
		}
		b.send(ctx, ev.chatID, annexeText(a, b.annualScope(u)), annualButtons(year))
		return nil
	}
	var buf bytes.Buffer
	write, content := export.WriteAnnual, "Contient les réponses libres des bilans."
	if !b.lines {
		write, content = export.WriteAnnualFigures, "Chiffres seulement : "+msgAnnualFigures
	}
	err := write(ctx, b.store.Reports(), p, b.annualScope(u), format, b.Now().In(b.loc), &buf)
	if err == nil {
		err = b.store.RecordExport(ctx, store.Export{UserID: u.TelegramID, Scope: b.annualScope(u).Key(), From: p.From, To: p.To, Format: format})
	}
	if err != nil {
		return fmt.Errorf("annual report %s: %w", format, err)
	}
	doc := chat.Message{ChatID: int64(ev.chatID),
		Text:    fmt.Sprintf("Rapport annuel %d – %s (%s). %s", year, b.annualScope(u).Label(), strings.ToUpper(format), content),
		Buttons: annualButtons(year),
		File:    &chat.File{Name: fmt.Sprintf("rapport_annuel_%d.%s", year, format), Data: buf.Bytes()}}
	if _, err := b.out.Post(ctx, doc); err != nil {
		b.log.ErrorContext(ctx, "send annual report", "chat_id", ev.chatID, "err", err)
	}
	return nil
}

// annexeColumns names Annexe 1's columns in chat: each in full for the
// line that lists them, and short enough for a phone line before each
// figure (a grouping's Short: « P.-de-C. »). A region's are the region,
// its groupings (one per département without any), its rural and QPV
// posts; the national scope's, its regions.
func annexeColumns(a *indicators.Annexe, s indicators.Scope) (long, short []string) {
	r, ok := territory.FindRegion(s.Region)
	if s.Kind != indicators.KindRegion || !ok || len(r.Annexe())+3 != len(a.Columns) {
		return a.Columns, a.Columns
	}
	long, short = []string{"Région"}, []string{"Région"}
	for _, g := range r.Annexe() {
		long, short = append(long, g.Name), append(short, g.Short)
	}
	return append(long, "médiateurs ruraux", "médiateurs QPV"), append(short, "ruraux", "QPV")
}

// annexeText is Annexe 1 of s in chat: the columns, one line per
// indicator with its figure in each column, then the definitions.
func annexeText(a *indicators.Annexe, s indicators.Scope) string {
	long, short := annexeColumns(a, s)
	t := a.Tables()[0]
	var b strings.Builder
	b.WriteString(t.Title + "\nColonnes : " + strings.Join(long, " · ") + "\n")
	for _, row := range t.Rows {
		b.WriteString("\n" + fmt.Sprint(row[0]) + " :\n")
		var cells []string
		for i, c := range row[1:] {
			cells = append(cells, short[i]+" "+annual.FrenchCell(c))
		}
		b.WriteString(strings.Join(cells, " · ") + "\n")
	}
	b.WriteString("\n")
	for _, d := range a.Reports[0].Definitions {
		if d.Code == "declared" || d.Code == "derived" || d.Code == "exploitable" || d.Code == "resolution" {
			b.WriteString("* " + d.Text + "\n")
		}
	}
	return b.String()
}
