package export

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/territory"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// HumanHeader is the header of the lines meant for people (the XLSX sheet
// "Données" and the CSV for a spreadsheet): the words of the sheet form,
// one column per column of the tracking format, in the same order.
var HumanHeader = []string{"Fiche", "Date", "Médiateur", "Département", "Personne (code)", "Sexe", "Âge",
	"Habite en QPV", "Ressources", "Mode de contact", "Niveau", "Orientation protection sociale",
	"Type de demande", "Demande", "Statut", "Date de suivi", "Freins"}

// humanLists gives, for each column of the tracking format, the catalogue
// that turns its code into the label mediators tap (nil: not a code).
var humanLists = func() []codes.List {
	byColumn := map[string]codes.List{
		"departement": codes.DepartementsOf(territory.Regions()), "sex": codes.Sex, "qpv": codes.QPV, "resources": codes.Resources,
		"contact_mode": codes.ContactModes, "level": codes.Levels, "social_protection": codes.YesNo,
		"request_kind": codes.RequestKinds, "status": codes.Statuses,
	}
	out := make([]codes.List, len(trackingcsv.Header))
	for i, h := range trackingcsv.Header {
		out[i] = byColumn[h]
	}
	return out
}()

// column indexes of the tracking format that humanCells treats apart.
var (
	colDate        = columnOf("date")
	colAge         = columnOf("age")
	colRequestKind = columnOf("request_kind")
	colRequestType = columnOf("request_type")
	colFollowUp    = columnOf("follow_up")
	colObstacles   = columnOf("obstacles")
)

func columnOf(name string) int {
	for i, h := range trackingcsv.Header {
		if h == name {
			return i
		}
	}
	panic("export: no column " + name + " in the tracking format")
}

// humanCells turns one line of the tracking format into what people read:
// labels instead of codes, French dates (time.Time, for a spreadsheet to
// sort), the age as a number, obstacles as labels separated by " ; ".
func humanCells(row []string) []any {
	out := make([]any, len(row))
	for i, v := range row {
		switch {
		case v == "":
			out[i] = ""
		case i == colDate || i == colFollowUp:
			if d, err := time.Parse(time.DateOnly, v); err == nil {
				out[i] = d
			} else {
				out[i] = v
			}
		case i == colAge:
			out[i] = v
			var n int
			if _, err := fmt.Sscan(v, &n); err == nil {
				out[i] = n
			}
		case i == colRequestType:
			out[i] = codes.RequestTypes(row[colRequestKind]).Label(v)
		case i == colObstacles:
			var labels []string
			for _, code := range strings.Split(v, ";") {
				labels = append(labels, codes.Obstacles.Label(code))
			}
			out[i] = strings.Join(labels, " ; ")
		case humanLists[i] != nil:
			out[i] = humanLists[i].Label(v)
		default:
			out[i] = v
		}
	}
	return out
}

// bom is the UTF-8 byte order mark: French Excel reads a CSV as UTF-8 only
// when the file starts with it.
const bom = "\ufeff"

// WriteCSV writes the scope's lines over the period for a spreadsheet, as
// French Excel opens it by a double click: UTF-8 with a BOM, ';' between
// columns, French headers and labels, dates as JJ/MM/AAAA. It is for
// reading; the file `relais import` reads back is WriteTrackingCSV's.
func WriteCSV(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, w io.Writer) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true // what Excel writes and expects
	if err := cw.Write(HumanHeader); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	line := make([]string, len(HumanHeader))
	err := trackingcsv.EachRow(ctx, db, p, s, func(row []string) error {
		for i, c := range humanCells(row) {
			switch v := c.(type) {
			case time.Time:
				line[i] = v.Format("02/01/2006")
			case string:
				line[i] = textCell(v)
			default:
				line[i] = fmt.Sprint(v)
			}
		}
		return cw.Write(line)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// textCell keeps a spreadsheet from reading a text cell as a formula.
func textCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteTrackingCSV writes the scope's lines in the tracking CSV format
// (codes, ISO dates, comma; documented in docs/bot.md), the file `relais
// import` reads back unchanged: for moving data, not for reading.
func WriteTrackingCSV(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, w io.Writer) error {
	return trackingcsv.WriteCSV(ctx, db, p, s, w)
}
