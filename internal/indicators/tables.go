package indicators

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/codes"
)

// Table is one table of the report, as the XLSX export, the CSV report and
// the command line print it. Cells are string, int or float64.
type Table struct {
	Name   string // short name, usable as a spreadsheet sheet name (≤ 31 characters)
	Title  string
	Header []string
	Rows   [][]any
}

// Tables returns the report's tables: summary, by département (sex, QPV,
// age, resources, contact mode, level), rights and care requests by type,
// obstacles.
func (r *Report) Tables() []Table {
	// One row per département, then the scope's total when it adds
	// something (several départements, or none with data).
	rows := r.Departements()
	if len(rows) != 1 {
		rows = append(rows, r.Total)
	}
	out := []Table{r.summaryTable()}

	sex := Table{Name: "Sexe", Title: "Fiches par sexe et par département",
		Header: []string{"Département", "Femme", "Homme", "Non binaire", "Total", "% Femme", "% Homme", "% Non binaire"}}
	qpv := Table{Name: "QPV", Title: "Fiches selon la résidence en QPV, par département",
		Header: []string{"Département", "Non", "Oui", "Total", "% non", "% oui"}}
	age := Table{Name: "Âge", Title: "Âge moyen par département",
		Header: []string{"Département", "Fiches", "Âge renseigné", "Âge moyen"}}
	// « Ne sait pas » is non renseigné: its column only when some sheet has
	// it, the regional report's table otherwise.
	unknown := false
	for _, d := range rows {
		unknown = unknown || d.QPVUnknown() > 0
	}
	if unknown {
		qpv.Header = []string{"Département", "Non", "Oui", "Non renseigné", "Total", "% non", "% oui", "% non renseigné"}
	}
	for _, d := range rows {
		sex.Rows = append(sex.Rows, []any{d.Label, d.Sex["F"], d.Sex["M"], d.Sex["X"], d.Sheets,
			Pct(d.Sex["F"], d.Sheets), Pct(d.Sex["M"], d.Sheets), Pct(d.Sex["X"], d.Sheets)})
		if unknown {
			qpv.Rows = append(qpv.Rows, []any{d.Label, d.QPV["non"], d.QPV["oui"], d.QPVUnknown(), d.Sheets,
				Pct(d.QPV["non"], d.Sheets), Pct(d.QPV["oui"], d.Sheets), Pct(d.QPVUnknown(), d.Sheets)})
		} else {
			qpv.Rows = append(qpv.Rows, []any{d.Label, d.QPV["non"], d.QPV["oui"], d.Sheets,
				Pct(d.QPV["non"], d.Sheets), Pct(d.QPV["oui"], d.Sheets)})
		}
		var mean any = ""
		if d.AgeKnown > 0 {
			mean = d.Age.Tenths()
		}
		age.Rows = append(age.Rows, []any{d.Label, d.Sheets, d.AgeKnown, mean})
	}
	out = append(out, sex, qpv, age,
		shareTable("Ressources", "Ressources principales (nombre et % des fiches)", "Ressource", codes.Resources, rows,
			func(d *Breakdown) map[string]int { return d.Resources }),
		shareTable("Mode de contact", "Mode de contact (nombre et % des fiches)", "Mode de contact", codes.ContactModes, rows,
			func(d *Breakdown) map[string]int { return d.ContactMode }),
		shareTable("Niveau", "Niveau d'accompagnement (nombre et % des fiches)", "Niveau", codes.Levels, rows,
			func(d *Breakdown) map[string]int { return d.Level }),
		requestTable("Droits", "Demandes d'accès aux droits par type", r.Rights),
		requestTable("Soins", "Demandes d'accès aux soins par type", r.Care),
		requestsByDepartement(rows),
		r.obstacleTable(),
	)
	return append(out, r.activityTables()...)
}

func (r *Report) summaryTable() Table {
	pm := r.PerMediator
	return Table{Name: "Synthèse", Title: fmt.Sprintf("Synthèse – %s, %s", r.Label, r.Period.Label()),
		Header: []string{"Indicateur", "Valeur"},
		Rows: [][]any{
			{"Fiches", r.Sheets},
			{"Médiateurs actifs", r.Mediators},
			{"Postes", r.Posts},
			{"Personnes distinctes", r.People},
			{"Personnes distinctes par médiateur (moyenne)", meanCell(pm.DistinctPeople)},
			{"dont vivant en QPV", meanCell(pm.DistinctPeopleQPV)},
			{"Personnes pour l'accès aux droits par médiateur", meanCell(pm.RightsPeople)},
			{"Personnes pour l'accès aux soins par médiateur", meanCell(pm.CarePeople)},
			{"Personnes orientées vers la protection sociale par médiateur", meanCell(pm.SocialProtection)},
			{"Demandes d'accès aux droits", r.Rights.Total},
			{"dont résolues", r.Rights.Resolved},
			{"dont résolues (%)", r.Rights.ResolvedPct()},
			{"Demandes d'accès aux soins", r.Care.Total},
			{"dont résolues", r.Care.Resolved},
			{"dont résolues (%)", r.Care.ResolvedPct()},
			{"Demandes résolues sur la période", r.FollowUps.Resolved},
			{"Suivis en retard à ce jour (" + frAsOf(r.FollowUps.AsOf) + "), toutes dates de fiche confondues", r.FollowUps.Overdue},
		}}
}

// shareTable has one row per code and two columns per département: the
// number of the département's sheets with that code and its share.
func shareTable(name, title, first string, list codes.List, rows []*Breakdown, counts func(*Breakdown) map[string]int) Table {
	t := Table{Name: name, Title: title, Header: []string{first}}
	for _, d := range rows {
		t.Header = append(t.Header, d.Label+" – nombre", d.Label+" – %")
	}
	for _, c := range list {
		row := []any{c.Label}
		for _, d := range rows {
			row = append(row, counts(d)[c.Code], Pct(counts(d)[c.Code], d.Sheets))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func requestTable(name, title string, q Requests) Table {
	t := Table{Name: name, Title: title, Header: []string{"Type", "Nombre", "%", "Résolues", "% résolues"}}
	for _, c := range q.Types() {
		t.Rows = append(t.Rows, []any{c.Label, c.Count, Pct(c.Count, q.Total), c.Resolved, Pct(c.Resolved, c.Count)})
	}
	t.Rows = append(t.Rows, []any{"Total", q.Total, Pct(q.Total, q.Total), q.Resolved, q.ResolvedPct()})
	return t
}

// requestsByDepartement is each département's requests and how many are
// resolved, counts beside shares.
func requestsByDepartement(rows []*Breakdown) Table {
	t := Table{Name: "Demandes par département", Title: "Demandes et résolution par département",
		Header: []string{"Département", "Accès aux droits", "dont résolues", "% résolues", "Accès aux soins", "dont résolues", "% résolues"}}
	for _, d := range rows {
		t.Rows = append(t.Rows, []any{d.Label, d.RightsRequests, d.RightsResolved, Pct(d.RightsResolved, d.RightsRequests),
			d.CareRequests, d.CareResolved, Pct(d.CareResolved, d.CareRequests)})
	}
	return t
}

func (r *Report) obstacleTable() Table {
	t := Table{Name: "Freins", Title: "Freins rencontrés",
		Header: []string{"Frein", "Mentions", "% des mentions", "% des fiches"}}
	total := 0
	for _, n := range r.Total.Obstacles {
		total += n
	}
	for _, c := range codes.Obstacles {
		n := r.Total.Obstacles[c.Code]
		t.Rows = append(t.Rows, []any{c.Label, n, Pct(n, total), Pct(n, r.Sheets)})
	}
	return t
}

// WriteText prints every table aligned in columns, for a terminal.
func WriteText(w io.Writer, tables []Table) error {
	var b strings.Builder
	for i, t := range tables {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(t.Title + "\n")
		cells := [][]string{t.Header}
		for _, row := range t.Rows {
			var line []string
			for _, c := range row {
				line = append(line, frenchCell(c))
			}
			cells = append(cells, line)
		}
		widths := make([]int, len(t.Header))
		for _, line := range cells {
			for j, c := range line {
				widths[j] = max(widths[j], utf8.RuneCountInString(c))
			}
		}
		for _, line := range cells {
			for j, c := range line {
				pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
				if j == 0 {
					b.WriteString(c + pad)
				} else {
					b.WriteString("  " + pad + c)
				}
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Cell writes one table cell as text for machines (CSV): one decimal with a
// point for float means.
func Cell(c any) string {
	switch v := c.(type) {
	case string:
		return v
	case int:
		return fmt.Sprint(v)
	case float64:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	}
	return fmt.Sprint(c)
}

// frenchCell is Cell for people: a decimal comma (8,8).
func frenchCell(c any) string {
	switch v := c.(type) {
	case float64:
		return strings.Replace(Cell(c), ".", ",", 1)
	case string:
		if v == "" {
			return "–" // undefined, e.g. a mean over no mediator
		}
	}
	return Cell(c)
}

// frAsOf turns the ISO day of FollowUps.AsOf into 23/11/2026.
func frAsOf(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return frDate(t)
}
