// Package annual builds the regional annual report ("Bilan régional") as a
// document: the report's sections with their tables, charts, the reviews'
// open answers grouped by theme and Annexe 1, written as DOCX (the version
// coordinators edit) or PDF (the version they send). Pure Go: no office
// suite and no network at run time. Every table is one of the report's
// indicators.Table, so its numbers are those of `relais report --format json`.
package annual

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/frtext"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
)

// Document is the report as sections of blocks, rendered by PDF and DOCX.
type Document struct {
	Title    string
	Subtitle string
	// Provisional is « provisoire, au JJ/MM/AAAA » when the period was not
	// over on the day the report was made (the title page and every
	// footer say it), empty for a closed period.
	Provisional string
	// Running is the footer's text: « Bilan régional 2024 ».
	Running string
	// KeyFigures open the report, after the table of contents, as the
	// published regional report does.
	KeyFigures []KeyFigure
	// Context is the coordinator's own text, in the DOCX only: one
	// section at the start rather than a placeholder in every section.
	Context  Section
	Sections []Section
	// SectionPages is the first page of each section in the last PDF
	// written.
	SectionPages []int
}

// KeyFigure is one figure of the key-figures page: « 4 175 » « fiches
// d'accompagnement », with a detail line under it.
type KeyFigure struct {
	Value, Label, Detail string
}

// Section is one chapter: it starts on a new page.
type Section struct {
	Title  string
	Blocks []Block
	// Notes are the definitions the section's figures follow (footnotes).
	Notes []string
}

// Block is a Paragraph, a Heading, a Table or an Image.
type Block interface{ block() }

// Paragraph is body text; Edit marks a place for the coordinator's own
// text (shown in italics): only the DOCX, the version edited, prints it.
type Paragraph struct {
	Text string
	Edit bool
}

// Heading is a sub-heading inside a section.
type Heading struct{ Text string }

// Table is one of the report's tables.
type Table struct{ indicators.Table }

// Image is a chart as PNG, drawn for a printed width of WidthMM so its
// type prints at the size it was drawn (8 pt and more).
type Image struct {
	PNG     []byte
	Caption string
	WidthMM float64
}

func (Paragraph) block() {}
func (Heading) block()   {}
func (Table) block()     {}
func (Image) block()     {}

// Build computes the report of period p for s, a region or the national
// scope (the rollups when p is a calendar year), and lays it out in the
// regional report's order: its title names the territory, its Annexe 1
// has the region's columns (the served regions', national).
func Build(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, now time.Time) (*Document, error) {
	return build(ctx, db, p, s, now, true)
}

// BuildFigures is Build without the reviews' open answers (free text): its
// section 8 says they stay on the server. It is the document that may be
// sent through a chat.
func BuildFigures(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, now time.Time) (*Document, error) {
	return build(ctx, db, p, s, now, false)
}

func build(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, now time.Time, withAnswers bool) (*Document, error) {
	if _, _, ok := indicators.AnnexeScopes(s); !ok {
		return nil, fmt.Errorf("annual report: a region or the national scope, not %q", s.Key())
	}
	r, err := indicators.Compute(ctx, db, p, s, indicators.AsOf(now))
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	annexe, err := indicators.ComputeAnnexe(ctx, db, p, s, indicators.AsOf(now))
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	posts, err := indicators.PostsByDepartement(ctx, db, p, s)
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	answerBlocks := []Block{Paragraph{Text: AnswersOnServer}}
	if withAnswers {
		answers, err := indicators.OpenAnswers(ctx, db, p, s)
		if err != nil {
			return nil, fmt.Errorf("annual report: %w", err)
		}
		answerBlocks = openAnswerBlocks(answers)
	}
	return layout(r, annexe, posts, answerBlocks, now)
}

// AnswersOnServer stands in the figures-only document for the open answers.
const AnswersOnServer = "Les réponses libres des bilans ne figurent pas dans cette version du rapport, envoyée par la messagerie : elles restent sur le serveur. " +
	"L'administrateur produit la version qui les contient avec « relais report --format docx » (ou pdf)."

// ContextTitle is the DOCX's one section for the coordinator's own text.
const ContextTitle = "Contexte et faits marquants"

// paris is the region's time zone: a period is over when its last day is
// over in France.
func paris() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// Provisional is « provisoire, au JJ/MM/AAAA » when period p is not over
// at now (its last day included), else "".
func Provisional(p indicators.Period, now time.Time) string {
	today := indicators.Day(now.In(paris()))
	if today.After(indicators.Day(p.To)) {
		return ""
	}
	return "provisoire, au " + today.Format("02/01/2006")
}

// liveRow is the summary's row counted on the day the report is made
// (follow-ups overdue « à ce jour »): a closed period's report leaves it out.
const liveRow = "Suivis en retard à ce jour"

func layout(r *indicators.Report, annexe *indicators.Annexe, posts []indicators.PostCount, answerBlocks []Block, now time.Time) (*Document, error) {
	tables := map[string]indicators.Table{}
	for _, t := range r.Tables() {
		tables[t.Name] = t
	}
	defs := map[string]string{}
	for _, d := range r.Definitions {
		defs[d.Code] = d.Text
	}
	tbl := func(name string) Block { return Table{tables[name]} }
	year := indicators.Day(r.Period.From).Year()
	kind := "Bilan régional"
	if r.Scope.Kind == indicators.KindNational {
		kind = "Bilan national"
	}
	title := kind + " " + strconv.Itoa(year)
	if indicators.Day(r.Period.To).Year() != year || indicators.Day(r.Period.From).YearDay() != 1 {
		title = kind + " – " + r.Period.Label()
	}
	d := &Document{
		Title:       "Les médiateurs santé en quartiers politique de la ville – " + title + " – " + r.Label,
		Subtitle:    "Produit par Relais le " + now.In(paris()).Format("02/01/2006") + " à partir des fiches, actions et bilans saisis. Période : " + r.Period.Label() + ".",
		Provisional: Provisional(r.Period, now),
		Running:     title,
	}
	if d.Provisional != "" {
		d.Subtitle += " La période n'est pas terminée : chiffres provisoires, arrêtés au " + indicators.Day(now.In(paris())).Format("02/01/2006") + "."
	} else {
		summary := tables["Synthèse"]
		summary.Rows = slices.DeleteFunc(slices.Clone(summary.Rows), func(row []any) bool {
			label, _ := row[0].(string)
			return strings.HasPrefix(label, liveRow)
		})
		tables["Synthèse"] = summary
	}

	postTable := indicators.Table{Name: "Postes", Title: "Postes actifs pendant la période, par département",
		Header: []string{"Département", "Postes", "dont ruraux", "dont QPV", "Médiateurs actifs (au moins une fiche)"}}
	var sum indicators.PostCount
	for _, c := range posts {
		active := 0
		if b := r.ByDepartement[c.Departement]; b != nil {
			active = b.Mediators
		}
		postTable.Rows = append(postTable.Rows, []any{codes.DepartementLabel(c.Departement), c.Posts, c.Rural, c.Posts - c.Rural, active})
		sum.Posts += c.Posts
		sum.Rural += c.Rural
	}
	postTable.Rows = append(postTable.Rows, []any{r.Label, sum.Posts, sum.Rural, sum.Posts - sum.Rural, r.Mediators})
	// The day the statuses are read: the period's end, or today.
	asOf := indicators.Day(r.Period.To).Format("02/01/2006")
	resolved := "étaient résolues à la fin de la période"
	if d.Provisional != "" {
		asOf = indicators.Day(now.In(paris())).Format("02/01/2006")
		resolved = "sont résolues au " + asOf
	}
	d.KeyFigures = keyFigures(r, sum.Rural, asOf)
	d.Context = Section{Title: ContextTitle, Blocks: []Block{
		Paragraph{Text: "[À compléter par la coordination : le contexte de l'année, les faits marquants, les évolutions par territoire. " +
			"Cette section ne figure que dans la version Word.]", Edit: true}}}

	// Section 1: reviews filled, exploitable, and whether they declare
	// counts: the declared means are only printed when some do.
	declared := r.Review.Total.Declared.DistinctPeople.N > 0
	reviews := fmt.Sprintf("%s, dont %s", frtext.Plural(r.Review.Total.Reviews, "bilan annuel rempli", "bilans annuels remplis"),
		frtext.Plural(r.Review.Total.Exploitable, "exploitable", "exploitables"))
	switch {
	case r.Review.Total.Exploitable > 0 && !declared:
		reviews += " ; aucun ne déclare de nombre de personnes accompagnées, d'où l'absence de moyennes déclarées."
	default:
		reviews += "."
	}
	means := annexeRows(annexe, "Personnes", "dont habitant")
	means.Title = "Moyennes par médiateur et par territoire : déclarées (bilans) et calculées (fiches)"
	if !declared {
		means.Title = "Moyennes par médiateur et par territoire, calculées à partir des fiches"
		means.Rows = slices.DeleteFunc(means.Rows, func(row []any) bool {
			label, _ := row[0].(string)
			return strings.Contains(label, "déclaré")
		})
	}
	mission := []Block{
		Paragraph{Text: fmt.Sprintf("%s, %s.", frtext.Plural(r.Sheets, "fiche d'accompagnement", "fiches d'accompagnement"),
			frtext.Plural(r.People, "personne accompagnée", "personnes différentes accompagnées"))},
		Table{tables["Synthèse"]}, Table{shareTable(tables["Niveau"])}, Table{means},
	}
	missionNotes := []string{defs["derived"], defs["resolution"]}
	if declared {
		missionNotes = []string{defs["declared"], defs["derived"], defs["resolution"]}
	}

	charts, err := sectionCharts(r)
	if err != nil {
		return nil, err
	}
	d.Sections = []Section{
		{Title: "1. Les médiateurs santé : qui sont-ils et où ?", Blocks: []Block{
			Paragraph{Text: fmt.Sprintf("%s pendant la période, dont %s en milieu rural ; %s au moins une fiche ; %s",
				frtext.Plural(r.Posts, "poste de médiateur santé actif", "postes de médiateurs santé actifs"), frtext.Number(sum.Rural),
				frtext.Plural(r.Mediators, "médiateur a saisi", "médiateurs ont saisi"), reviews)},
			Table{postTable},
		}, Notes: []string{defs["posts"], defs["active"], defs["exploitable"]}},
		{Title: "2. Les missions en chiffres", Blocks: mission, Notes: missionNotes},
		{Title: "3. Les actions collectives de prévention", Blocks: slices.Concat(
			actionBlocks(tables["Actions"]),
			charts.themes,
			nonEmpty(tables["Thèmes des actions"], "Aucun thème n'est renseigné pour les actions de la période."),
			nonEmpty(tables["Partenaires des actions"], "Aucun partenaire de co-animation n'est renseigné pour les actions de la période."),
		)},
		{Title: "4. Les partenaires", Blocks: slices.Concat(partnerBlocks(r, tables), charts.publics)},
		{Title: "5. Les besoins de la population et les freins", Blocks: slices.Concat(
			[]Block{Heading{"Dans les bilans annuels (% des bilans)"}}, charts.needs, charts.obstacles,
			[]Block{Heading{"Dans les fiches (% des fiches)"}}, nonEmpty(tables["Freins"], "Aucun frein n'est renseigné dans les fiches de la période."),
		)},
		{Title: "6. Les personnes accompagnées", Blocks: []Block{
			tbl("Sexe"), tbl("QPV"), tbl("Âge"), Table{shareTable(tables["Ressources"])}, Table{shareTable(tables["Mode de contact"])},
		}, Notes: []string{territoryNote, defs["pct"]}},
		{Title: "7. L'accès aux droits et aux soins", Blocks: slices.Concat([]Block{
			Paragraph{Text: fmt.Sprintf("%d %% des demandes d'accès aux droits et %d %% des demandes d'accès aux soins %s.",
				r.Rights.ResolvedPct(), r.Care.ResolvedPct(), resolved)}},
			charts.requests, []Block{tbl("Droits"), tbl("Soins"), tbl("Demandes par département")},
		), Notes: []string{territoryNote, defs["resolution"]}},
		{Title: "8. Ce que disent les médiateurs (réponses libres des bilans)", Blocks: answerBlocks},
		{Title: "Annexe 1 – Données par territoire", Blocks: annexeBlocks(annexe), Notes: []string{defs["declared"], defs["derived"], defs["exploitable"], defs["resolution"], undefinedNote}},
		{Title: "Définitions", Blocks: definitionBlocks(r.Definitions)},
	}
	return d, nil
}

// territoryNote explains the figure after a département's name.
const territoryNote = "Entre parenthèses après un territoire : le nombre de ses médiateurs actifs (au moins une fiche dans la période)."

// undefinedNote explains the dash of a mean or share without any answer.
const undefinedNote = "– : aucun bilan (exploitable, pour les moyennes déclarées) ne donne ce nombre pour ce territoire."

// annexeBlocks is Annexe 1 in its published rows, a review question's
// share printed « – » for a territory where no review answered it (0 %
// of nothing is no figure), the obstacles « – » where no review was filled.
func annexeBlocks(a *indicators.Annexe) []Block {
	tables := a.Tables()
	main, obstacles := tables[0], tables[1]
	main.Rows = slices.Clone(main.Rows)
	for k, row := range main.Rows {
		for _, q := range indicators.ReviewQuestions {
			if row[0] != q.Label+" (% des bilans)" {
				continue
			}
			row = slices.Clone(row)
			for j, r := range a.Reports {
				if r.Review.Total.Answered[q.Code] == 0 {
					row[j+1] = ""
				}
			}
			main.Rows[k] = row
		}
	}
	obstacles.Rows = slices.Clone(obstacles.Rows)
	for k, row := range obstacles.Rows {
		row = slices.Clone(row)
		for j, r := range a.Reports {
			if r.Review.Total.Reviews == 0 {
				row[j+1] = ""
			}
		}
		obstacles.Rows[k] = row
	}
	return []Block{Table{main}, Table{obstacles}}
}

// keyFigures are the figures the report opens with; asOf is the day its
// statuses are read (the period's end, or today for a period not over).
func keyFigures(r *indicators.Report, rural int, asOf string) []KeyFigure {
	qpv := 0
	if r.Total != nil {
		qpv = indicators.Pct(r.Total.QPV["oui"], r.Total.Sheets)
	}
	// The label after the figure: 0 and 1 take the singular in French.
	label := func(n int, one, many string) string {
		return strings.TrimPrefix(frtext.Plural(n, one, many), frtext.Number(n)+" ")
	}
	reviews := fmt.Sprintf("dont %s", frtext.Plural(r.Review.Total.Exploitable, "exploitable", "exploitables"))
	if r.Review.Total.Reviews == 0 {
		reviews = "le bilan d'une année se remplit à sa fin"
	}
	return []KeyFigure{
		{frtext.Number(r.Posts), label(r.Posts, "poste de médiateur santé", "postes de médiateurs santé"), fmt.Sprintf("dont %s en milieu rural", frtext.Number(rural))},
		{frtext.Number(r.Mediators), label(r.Mediators, "médiateur actif", "médiateurs actifs"), "au moins une fiche dans la période"},
		{frtext.Number(r.Sheets), label(r.Sheets, "fiche d'accompagnement", "fiches d'accompagnement"), fmt.Sprintf("%d %% pour des habitants d'un QPV", qpv)},
		{frtext.Number(r.People), label(r.People, "personne accompagnée", "personnes différentes accompagnées"), ""},
		{frtext.Number(r.Rights.Total), label(r.Rights.Total, "demande d'accès aux droits", "demandes d'accès aux droits"), fmt.Sprintf("%d %% résolues au %s", r.Rights.ResolvedPct(), asOf)},
		{frtext.Number(r.Care.Total), label(r.Care.Total, "demande d'accès aux soins", "demandes d'accès aux soins"), fmt.Sprintf("%d %% résolues au %s", r.Care.ResolvedPct(), asOf)},
		{frtext.Number(r.Actions.Total.Actions), label(r.Actions.Total.Actions, "action collective de prévention", "actions collectives de prévention"), ""},
		{frtext.Number(r.Review.Total.Reviews), label(r.Review.Total.Reviews, "bilan annuel rempli", "bilans annuels remplis"), reviews},
	}
}

// actionBlocks is the actions' table without a participants row of zeros
// beside actions counted: a 0 that means « not recorded ».
func actionBlocks(t indicators.Table) []Block {
	zero := false
	t.Rows = slices.DeleteFunc(slices.Clone(t.Rows), func(row []any) bool {
		if row[0] != "Participants" {
			return false
		}
		for _, c := range row[1:] {
			if n, ok := c.(int); !ok || n != 0 {
				return false
			}
		}
		zero = true
		return true
	})
	out := []Block{Table{t}}
	if zero {
		out = append(out, Paragraph{Text: "Le nombre de participants aux actions n'est pas renseigné pour la période."})
	}
	return out
}

// nonEmpty is the table, or a sentence saying it has nothing to show.
func nonEmpty(t indicators.Table, none string) []Block {
	if len(t.Rows) == 0 {
		return []Block{Paragraph{Text: none}}
	}
	return []Block{Table{t}}
}

// partnerBlocks is section 4: one definition for each partner count. The
// directory's counts (partners registered in Relais) only when someone
// registered one, the reviews' declared means only where a review gave
// one: a 0 that means « not recorded » beside a declared 9,1 would be two
// answers to one question.
func partnerBlocks(r *indicators.Report, tables map[string]indicators.Table) []Block {
	registered := 0
	for _, n := range r.Partners.Total.ByCategory {
		registered += n
	}
	var out []Block
	if registered > 0 {
		out = append(out, Table{tables["Partenaires"]})
	}
	// A question's share where no review of the group answered it is
	// « – », a row without any figure is left out.
	review := tables["Bilan annuel"]
	groups := []indicators.ReviewGroup{r.Review.Total, r.Review.Rural, r.Review.QPVPosts}
	rows := slices.Clone(review.Rows)
	for k, row := range rows {
		for _, q := range indicators.ReviewQuestions {
			if row[0] != q.Label+" (%)" {
				continue
			}
			row = slices.Clone(row)
			for j, g := range groups {
				if j+1 < len(row) && g.Answered[q.Code] == 0 {
					row[j+1] = ""
				}
			}
			rows[k] = row
		}
	}
	declared := 0
	review.Rows = slices.DeleteFunc(rows, func(row []any) bool {
		for _, c := range row[1:] {
			if s, ok := c.(string); !ok || s != "" {
				if label, _ := row[0].(string); strings.HasSuffix(label, "déclarés (moyenne)") {
					declared++
				}
				return false
			}
		}
		return true
	})
	switch {
	case registered == 0 && declared == 0:
		out = append(out, Paragraph{Text: "Ni le répertoire des partenaires de Relais ni les bilans annuels ne donnent de nombre de partenaires pour la période."})
	case registered == 0:
		out = append(out, Paragraph{Text: "Le répertoire des partenaires de Relais est vide pour la période : les nombres de partenaires ci-dessous sont ceux que les médiateurs déclarent dans leur bilan annuel."})
	case declared == 0:
		out = append(out, Paragraph{Text: "Les bilans annuels de la période ne déclarent pas de nombre de partenaires : les nombres ci-dessus sont ceux du répertoire de Relais."})
	default:
		out = append(out, Paragraph{Text: "Deux sources, à ne pas additionner : le répertoire des partenaires de Relais (tableau ci-dessus) et les nombres déclarés dans les bilans annuels (ci-dessous)."})
	}
	if r.Review.Total.Reviews == 0 {
		return append(out, Paragraph{Text: "Aucun bilan annuel n'est rempli pour la période : le bilan d'une année se remplit à sa fin."})
	}
	return append(out, Table{review})
}

// shareTable writes a table of « nombre » and « % » columns by territory
// with one column per territory, « 148 (33 %) »: half the columns, so no
// territory's name is ever cut on a portrait page.
func shareTable(t indicators.Table) indicators.Table {
	out := indicators.Table{Name: t.Name, Title: t.Title, Header: []string{t.Header[0]}}
	const count, share = " – nombre", " – %"
	for i := 1; i+1 < len(t.Header); i += 2 {
		if !strings.HasSuffix(t.Header[i], count) || !strings.HasSuffix(t.Header[i+1], share) {
			return t
		}
		out.Header = append(out.Header, strings.TrimSuffix(t.Header[i], count))
	}
	for _, row := range t.Rows {
		cells := []any{row[0]}
		for i := 1; i+1 < len(row); i += 2 {
			cells = append(cells, FrenchCell(row[i])+" ("+FrenchCell(row[i+1])+" %)")
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}

// annexeRows is the Annexe 1 table cut to the rows whose label starts with
// one of prefixes (the people averages, declared beside derived).
func annexeRows(a *indicators.Annexe, prefixes ...string) indicators.Table {
	t := a.Tables()[0]
	out := indicators.Table{Name: t.Name, Title: "Moyennes par médiateur, par territoire", Header: t.Header}
	for _, row := range t.Rows {
		label, _ := row[0].(string)
		for _, p := range prefixes {
			if strings.HasPrefix(label, p) {
				out.Rows = append(out.Rows, row)
				break
			}
		}
	}
	return out
}

func definitionBlocks(defs []indicators.Definition) []Block {
	var out []Block
	for _, d := range defs {
		out = append(out, Paragraph{Text: d.Text})
	}
	return out
}

// themes group the open answers for the person who writes the synthesis:
// an answer goes under the first theme one of whose words it contains.
var themes = []struct {
	name  string
	words []string
}{
	{"Partenariats et réseau", []string{"partenaire", "partenariat", "cpam", "caf", "cls", "asv", "réseau", "coordinat"}},
	{"Rendez-vous, délais et offre de soins", []string{"rendez-vous", "rdv", "délai", "attente", "médecin", "spécialiste", "désert"}},
	{"Locaux, moyens et mobilité", []string{"local", "locaux", "bureau", "véhicule", "voiture", "moyens", "matériel", "transport", "mobilité"}},
	{"Formation et reconnaissance du métier", []string{"formation", "reconnaissance", "statut", "métier", "supervision"}},
	{"Langue et numérique", []string{"langue", "tradu", "interprète", "numérique", "internet", "dématérialis", "ordinateur"}},
}

const otherTheme = "Autres"

// Theme is the theme of an open answer (otherTheme when none matches).
func Theme(answer string) string {
	low := strings.ToLower(answer)
	for _, t := range themes {
		for _, w := range t.words {
			if strings.Contains(low, w) {
				return t.name
			}
		}
	}
	return otherTheme
}

// openAnswerBlocks groups the answers by question, then by theme, each
// answer signed with its département only: a post's identifier names its
// mediator. The same words from one département are quoted once, with the
// number of reviews that wrote them.
func openAnswerBlocks(answers []indicators.OpenAnswer) []Block {
	out := []Block{Paragraph{Text: "Réponses classées automatiquement par mots-clés : à relire, regrouper et résumer avant diffusion.", Edit: true}}
	for _, q := range []struct {
		title string
		get   func(indicators.OpenAnswer) string
	}{
		{"Ce qui a facilité le travail", func(a indicators.OpenAnswer) string { return a.Helped }},
		{"Ce qui a freiné le travail", func(a indicators.OpenAnswer) string { return a.Hindered }},
		{"Ce qu'il faudrait améliorer", func(a indicators.OpenAnswer) string { return a.Improve }},
	} {
		out = append(out, Heading{q.title})
		type quote struct{ text, departement string }
		byTheme := map[string][]quote{}
		times := map[quote]int{}
		total := map[string]int{}
		for _, a := range answers {
			text := strings.TrimSpace(q.get(a))
			if text == "" {
				continue
			}
			th := Theme(text)
			k := quote{text, codes.DepartementLabel(a.Departement)}
			if times[k] == 0 {
				byTheme[th] = append(byTheme[th], k)
			}
			times[k]++
			total[th]++
		}
		if len(byTheme) == 0 {
			out = append(out, Paragraph{Text: "Aucune réponse."})
			continue
		}
		names := []string{}
		for _, t := range themes {
			names = append(names, t.name)
		}
		for _, name := range append(names, otherTheme) {
			if len(byTheme[name]) == 0 {
				continue
			}
			out = append(out, Paragraph{Text: fmt.Sprintf("%s (%d) :", name, total[name])})
			for _, k := range byTheme[name] {
				sign := k.departement
				if n := times[k]; n > 1 {
					sign += fmt.Sprintf(", %d bilans", n)
				}
				out = append(out, Paragraph{Text: fmt.Sprintf("– « %s » (%s)", k.text, sign)})
			}
		}
	}
	return out
}
