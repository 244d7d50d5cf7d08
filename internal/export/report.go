package export

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
)

// ReportArgs are the options of `relais report`.
type ReportArgs struct {
	From, To    string // 2024-01-01 (or 01/01/2024)
	Departement string // "" or "region" for the region, "picardie", or a code: "59"
	Format      string // text (default), json, csv, xlsx, codes (the tracking CSV, for `relais import`)
	// Annexe asks for Annexe 1: six territories side by side (region only).
	Annexe bool
	Out    io.Writer
	// Today is the day the period's bounds count from (indicators.LastDay),
	// in the server's zone; zero: now.
	Today time.Time
}

// ScopeOf reads the --departement option: "" or "region", "picardie", or
// a département code ("59", "2" for 02). Errors are French.
func ScopeOf(dep string) (indicators.Scope, error) {
	d := strings.ToLower(strings.TrimSpace(dep))
	switch d {
	case "", "region", "région", "hauts-de-france":
		return indicators.Region(), nil
	case "picardie":
		return indicators.Picardie(), nil
	}
	if len(d) == 1 {
		d = "0" + d
	}
	if codes.Departements.Has(d) {
		return indicators.Departement(d), nil
	}
	for _, c := range codes.Departements {
		if strings.EqualFold(c.Label, d) {
			return indicators.Departement(c.Code), nil
		}
	}
	return indicators.Scope{}, fmt.Errorf("département « %s » inconnu (02, 59, 60, 62, 80 ou picardie)", dep)
}

// RunReport is `relais report`: the report's tables for a period and a
// territory, as aligned text, JSON (documented in docs/operator.md), CSV (the
// tables one after the other) or an XLSX workbook (as /export).
func RunReport(ctx context.Context, db indicators.Querier, args ReportArgs) error {
	if args.From == "" || args.To == "" {
		return fmt.Errorf("précisez la période : --from AAAA-MM-JJ --to AAAA-MM-JJ")
	}
	today := args.Today
	if today.IsZero() {
		today = time.Now()
	}
	p, err := indicators.ParsePeriod(args.From, args.To, today)
	if err != nil {
		return err
	}
	s, err := ScopeOf(args.Departement)
	if err != nil {
		return err
	}
	format := strings.ToLower(args.Format)
	switch format {
	case "", "text", "json", "csv", "xlsx":
	case FormatDOCX, FormatPDF:
		if s.Kind != indicators.KindRegion || args.Annexe {
			return fmt.Errorf("le rapport annuel (--format %s) couvre la région, Annexe 1 comprise : retirez --departement et --annexe", format)
		}
		return WriteAnnual(ctx, db, p, format, time.Now(), args.Out)
	case FormatCodes:
		return WriteTrackingCSV(ctx, db, p, s, args.Out)
	default:
		return fmt.Errorf("format « %s » inconnu (text, json, csv, xlsx, codes, docx ou pdf)", args.Format)
	}
	if args.Annexe {
		return runAnnexe(ctx, db, p, s, args, format)
	}
	r, err := indicators.Compute(ctx, db, p, s)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		b, err := r.JSON()
		if err != nil {
			return err
		}
		_, err = args.Out.Write(append(b, '\n'))
		return err
	case "csv":
		return writeTablesCSV(args.Out, r.Tables())
	case "xlsx":
		return writeWorkbook(ctx, db, r, true, args.Out)
	}
	if err := indicators.WriteText(args.Out, r.Tables()); err != nil {
		return err
	}
	return writeFootnotes(args.Out, r.Definitions)
}

// Formats of the annual report document.
const (
	FormatDOCX = "docx"
	FormatPDF  = "pdf"
)

// WriteAnnual writes the regional annual report of period p as a DOCX (to
// edit) or a PDF (to send); now dates it and counts overdue follow-ups.
func WriteAnnual(ctx context.Context, db indicators.Querier, p indicators.Period, format string, now time.Time, w io.Writer) error {
	d, err := annual.Build(ctx, db, p, now)
	if err != nil {
		return err
	}
	return writeAnnual(d, format, w)
}

// WriteAnnualFigures is WriteAnnual without the reviews' open answers (their
// section says where they are): the version that may travel through a chat.
func WriteAnnualFigures(ctx context.Context, db indicators.Querier, p indicators.Period, format string, now time.Time, w io.Writer) error {
	d, err := annual.BuildFigures(ctx, db, p, now)
	if err != nil {
		return err
	}
	return writeAnnual(d, format, w)
}

func writeAnnual(d *annual.Document, format string, w io.Writer) error {
	if format == FormatPDF {
		return d.PDF(w)
	}
	return d.DOCX(w)
}

// writeFootnotes prints the definitions under the text tables.
func writeFootnotes(w io.Writer, defs []indicators.Definition) error {
	var b strings.Builder
	b.WriteString("\n")
	for _, d := range defs {
		b.WriteString("* " + d.Text + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// runAnnexe is `relais report --annexe`: Annexe 1 of the regional report.
func runAnnexe(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, args ReportArgs, format string) error {
	if s.Kind != indicators.KindRegion {
		return fmt.Errorf("--annexe couvre la région (six colonnes : Région, Picardie, Nord, Pas-de-Calais, ruraux, QPV) : retirez --departement")
	}
	a, err := indicators.ComputeAnnexe(ctx, db, p)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		b, err := a.JSON()
		if err != nil {
			return err
		}
		_, err = args.Out.Write(append(b, '\n'))
		return err
	case "csv":
		return writeTablesCSV(args.Out, a.Tables())
	case "xlsx":
		return WriteAnnexeXLSX(a, args.Out)
	}
	return indicators.WriteText(args.Out, a.Tables())
}

// writeTablesCSV writes each table as a title line, a header and its rows,
// a blank line between tables, for French Excel: BOM, ';', decimal comma.
func writeTablesCSV(w io.Writer, tables []indicators.Table) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write report CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	// csv.Writer keeps its first write error; cw.Error() reports it below.
	write := func(rec []string) bool { return cw.Write(rec) == nil }
	for i, t := range tables {
		if i > 0 && !write([]string{}) || !write([]string{t.Title}) || !write(t.Header) {
			break
		}
		for _, row := range t.Rows {
			line := make([]string, len(row))
			for j, c := range row {
				line[j] = indicators.Cell(c)
				if _, ok := c.(float64); ok {
					line[j] = strings.Replace(line[j], ".", ",", 1)
				}
			}
			if !write(line) {
				break
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report CSV: %w", err)
	}
	return nil
}
