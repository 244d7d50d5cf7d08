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
	Sections []Section
	// SectionPages is the first page of each section in the last PDF
	// written.
	SectionPages []int
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
// text (shown in italics).
type Paragraph struct {
	Text string
	Edit bool
}

// Heading is a sub-heading inside a section.
type Heading struct{ Text string }

// Table is one of the report's tables.
type Table struct{ indicators.Table }

// Image is a chart as PNG.
type Image struct {
	PNG     []byte
	Caption string
}

func (Paragraph) block() {}
func (Heading) block()   {}
func (Table) block()     {}
func (Image) block()     {}

// Build computes the regional report of period p (the rollups when p is a
// calendar year) and lays it out in the regional report's order.
func Build(ctx context.Context, db indicators.Querier, p indicators.Period, now time.Time) (*Document, error) {
	return build(ctx, db, p, now, true)
}

// BuildFigures is Build without the reviews' open answers (free text, each
// signed with a post identifier): its section 8 says they stay on the
// server. It is the document that may be sent through a chat.
func BuildFigures(ctx context.Context, db indicators.Querier, p indicators.Period, now time.Time) (*Document, error) {
	return build(ctx, db, p, now, false)
}

func build(ctx context.Context, db indicators.Querier, p indicators.Period, now time.Time, withAnswers bool) (*Document, error) {
	r, err := indicators.Compute(ctx, db, p, indicators.Region(), indicators.AsOf(now))
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	annexe, err := indicators.ComputeAnnexe(ctx, db, p, indicators.AsOf(now))
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	posts, err := indicators.PostsByDepartement(ctx, db, p)
	if err != nil {
		return nil, fmt.Errorf("annual report: %w", err)
	}
	answerBlocks := []Block{Paragraph{Text: AnswersOnServer}}
	if withAnswers {
		answers, err := indicators.OpenAnswers(ctx, db, p, indicators.Region())
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
	title := "Bilan régional " + strconv.Itoa(year)
	if indicators.Day(r.Period.To).Year() != year || indicators.Day(r.Period.From).YearDay() != 1 {
		title = "Bilan régional – " + r.Period.Label()
	}
	d := &Document{
		Title:    "Les médiateurs santé en quartiers politique de la ville – " + title + " – Hauts-de-France",
		Subtitle: "Produit par Relais le " + now.Format("02/01/2006") + " à partir des fiches, actions et bilans saisis. Période : " + r.Period.Label() + ".",
	}

	requests, err := indicators.Chart(r)
	if err != nil {
		return nil, err
	}
	themes, err := indicators.RankChart("Thèmes des actions collectives (% des actions)", r.Actions.Themes, 12)
	if err != nil {
		return nil, err
	}
	needs, err := indicators.RankChart("Besoins de santé constatés (% des bilans)", r.Review.HealthNeeds, 12)
	if err != nil {
		return nil, err
	}
	obstacles, err := indicators.RankChart("Freins à l'accès à la santé (% des bilans)", r.Review.Obstacles, 12)
	if err != nil {
		return nil, err
	}
	publics, err := indicators.RankChart("Types de partenaires et publics (% des bilans)", r.Review.Publics, 27)
	if err != nil {
		return nil, err
	}

	postTable := indicators.Table{Name: "Postes", Title: "Postes actifs pendant la période, par département",
		Header: []string{"Département", "Postes", "dont ruraux", "dont QPV", "Médiateurs actifs (au moins une fiche)"}}
	var sum indicators.PostCount
	for _, c := range posts {
		active := 0
		if b := r.ByDepartement[c.Departement]; b != nil {
			active = b.Mediators
		}
		postTable.Rows = append(postTable.Rows, []any{codes.Departements.Label(c.Departement), c.Posts, c.Rural, c.Posts - c.Rural, active})
		sum.Posts += c.Posts
		sum.Rural += c.Rural
	}
	postTable.Rows = append(postTable.Rows, []any{"Hauts-de-France", sum.Posts, sum.Rural, sum.Posts - sum.Rural, r.Mediators})

	edit := Paragraph{Text: "[À compléter par la coordination : contexte, faits marquants de l'année.]", Edit: true}
	d.Sections = []Section{
		{Title: "1. Les médiateurs santé : qui sont-ils et où ?", Blocks: []Block{
			Paragraph{Text: fmt.Sprintf("%s postes de médiateurs santé actifs pendant la période, dont %s en milieu rural ; %s médiateurs ont saisi au moins une fiche ; %s bilans annuels remplis, dont %s exploitables.",
				frtext.Number(r.Posts), frtext.Number(sum.Rural), frtext.Number(r.Mediators),
				frtext.Number(r.Review.Total.Reviews), frtext.Number(r.Review.Total.Exploitable))},
			edit, Table{postTable},
		}, Notes: []string{defs["posts"], defs["active"], defs["exploitable"]}},
		{Title: "2. Les missions en chiffres", Blocks: []Block{
			Paragraph{Text: fmt.Sprintf("%s fiches d'accompagnement, %s personnes différentes accompagnées.", frtext.Number(r.Sheets), frtext.Number(r.People))},
			edit, tbl("Synthèse"), Heading{"Moyennes par médiateur : déclarées (bilans) et calculées (fiches)"}, Table{annexeRows(annexe, "Personnes", "dont habitant")},
			tbl("Niveau"),
		}, Notes: []string{defs["declared"], defs["derived"], defs["resolution"]}},
		{Title: "3. Les actions collectives de prévention", Blocks: []Block{
			edit, tbl("Actions"), Image{themes, "Thèmes des actions collectives"}, tbl("Thèmes des actions"), tbl("Partenaires des actions"),
		}},
		{Title: "4. Les partenaires", Blocks: []Block{
			edit, tbl("Partenaires"), tbl("Bilan annuel"), Image{publics, "Types de partenaires et publics cités dans les bilans"},
		}},
		{Title: "5. Les besoins de la population et les freins", Blocks: []Block{
			edit, Image{needs, "Besoins de santé constatés"}, Image{obstacles, "Freins à l'accès à la santé cités dans les bilans"},
			tbl("Freins"),
		}},
		{Title: "6. Les personnes accompagnées", Blocks: []Block{
			edit, tbl("Sexe"), tbl("QPV"), tbl("Âge"), tbl("Ressources"), tbl("Mode de contact"),
		}, Notes: []string{defs["pct"]}},
		{Title: "7. L'accès aux droits et aux soins", Blocks: []Block{
			Paragraph{Text: fmt.Sprintf("%d %% des demandes d'accès aux droits et %d %% des demandes d'accès aux soins étaient résolues à la fin de la période.",
				r.Rights.ResolvedPct(), r.Care.ResolvedPct())},
			edit, Image{requests, "Demandes par type"}, tbl("Droits"), tbl("Soins"), tbl("Demandes par département"),
		}, Notes: []string{defs["resolution"]}},
		{Title: "8. Ce que disent les médiateurs (réponses libres des bilans)", Blocks: answerBlocks},
		{Title: "Annexe 1 – Données par territoire", Blocks: []Block{
			Table{annexe.Tables()[0]}, Table{annexe.Tables()[1]},
		}, Notes: []string{defs["declared"], defs["derived"], defs["exploitable"], defs["resolution"]}},
		{Title: "Définitions", Blocks: definitionBlocks(r.Definitions)},
	}
	return d, nil
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
// answer with its département and post (never a person's name: the form
// forbids it), for a human to reread and summarise.
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
		byTheme := map[string][]string{}
		for _, a := range answers {
			text := strings.TrimSpace(q.get(a))
			if text == "" {
				continue
			}
			th := Theme(text)
			byTheme[th] = append(byTheme[th], fmt.Sprintf("« %s » (%s, %s)", text, codes.Departements.Label(a.Departement), a.Mediator))
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
			out = append(out, Paragraph{Text: fmt.Sprintf("%s (%d) :", name, len(byTheme[name]))})
			for _, line := range byTheme[name] {
				out = append(out, Paragraph{Text: "– " + line})
			}
		}
	}
	return out
}
