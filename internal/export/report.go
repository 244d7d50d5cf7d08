package export

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/annual"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// ReportArgs are the options of `relais report`.
type ReportArgs struct {
	From, To string // 2024-01-01 (or 01/01/2024)
	// Departement is the territory: "" or "region" for the served region
	// (every served region side by side when there are several), a served
	// region's name or code, a grouping ("picardie"), "national", or a
	// département's code or name: "59".
	Departement string
	Format      string // text (default), json, csv, xlsx, codes (the tracking CSV, for `relais import`)
	// Annexe asks for Annexe 1: the region's territories side by side (or
	// the served regions', national).
	Annexe bool
	Out    io.Writer
	// Today is the day the period's bounds count from (indicators.LastDay),
	// in the server's zone; zero: now.
	Today time.Time
	// Served is the regions the deployment serves (RELAIS_REGIONS); nil:
	// DefaultServed, the Hauts-de-France.
	Served territory.Served
}

// DefaultServed is the deployment without RELAIS_REGIONS: the
// Hauts-de-France (INSEE 32).
func DefaultServed() territory.Served {
	s, err := territory.Serve([]string{"32"})
	if err != nil {
		panic(fmt.Sprintf("export: the default region is not in the reference: %v", err))
	}
	return s
}

// ScopeOf reads the --departement option for a deployment serving served:
// "" or "region" (the served region, or all of them side by side), a
// served region's name or code, "national", a grouping's name
// ("picardie"), or a served département's code or name ("59", "2" for 02,
// "nord"). Errors are French.
func ScopeOf(dep string, served territory.Served) (indicators.Scope, error) {
	d := strings.ToLower(strings.TrimSpace(dep))
	switch d {
	case "", "region", "région":
		// What an admin sees widest: the region, or the regions side by side.
		if s, ok := indicators.Widest(served, indicators.Viewer{Role: roles.Admin}); ok {
			return s, nil
		}
	case "national", "france":
		return indicators.National(served), nil
	}
	var names []string
	for _, r := range served {
		if strings.EqualFold(r.Name, d) {
			return indicators.Region(r.Code), nil
		}
	}
	if len(d) == 1 {
		d = "0" + d
	}
	for _, c := range codes.DepartementsOf(served) {
		if strings.EqualFold(c.Code, d) || strings.EqualFold(c.Label, d) {
			return indicators.Departement(c.Code), nil
		}
		names = append(names, c.Code)
	}
	for _, r := range served {
		for i, g := range r.Annexe() {
			if len(g.Departements) > 1 {
				if strings.EqualFold(g.Name, d) {
					return indicators.Group(r.Code, i), nil
				}
				names = append(names, strings.ToLower(g.Name))
			}
		}
	}
	return indicators.Scope{}, fmt.Errorf("département « %s » inconnu (%s ou %s)", dep, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
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
	served := args.Served
	if len(served) == 0 {
		served = DefaultServed()
	}
	s, err := ScopeOf(args.Departement, served)
	if err != nil {
		return err
	}
	format := strings.ToLower(args.Format)
	switch format {
	case "", "text", "json", "csv", "xlsx":
	case FormatDOCX, FormatPDF:
		if s.Kind != indicators.KindRegion && s.Kind != indicators.KindNational || args.Annexe {
			return fmt.Errorf("le rapport annuel (--format %s) couvre la région, Annexe 1 comprise : retirez --departement et --annexe", format)
		}
		return WriteAnnual(ctx, db, p, s, format, time.Now(), args.Out)
	case FormatCodes:
		return WriteTrackingCSV(ctx, db, p, s, args.Out)
	default:
		return fmt.Errorf("format « %s » inconnu (text, json, csv, xlsx, codes, docx ou pdf)", args.Format)
	}
	if args.Annexe {
		return runAnnexe(ctx, db, p, s, served, args, format)
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

// WriteAnnual writes the annual report of period p for s (a region, or
// the national scope) as a DOCX (to edit) or a PDF (to send); now dates it
// and counts overdue follow-ups.
func WriteAnnual(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, format string, now time.Time, w io.Writer) error {
	d, err := annual.Build(ctx, db, p, s, now)
	if err != nil {
		return err
	}
	return writeAnnual(d, format, w)
}

// WriteAnnualFigures is WriteAnnual without the reviews' open answers (their
// section says where they are): the version that may travel through a chat.
func WriteAnnualFigures(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, format string, now time.Time, w io.Writer) error {
	d, err := annual.BuildFigures(ctx, db, p, s, now)
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

// runAnnexe is `relais report --annexe`: Annexe 1 of the region's report
// (or the national one's: one column per served region).
func runAnnexe(ctx context.Context, db indicators.Querier, p indicators.Period, s indicators.Scope, served territory.Served, args ReportArgs, format string) error {
	if _, _, ok := indicators.AnnexeScopes(s); !ok {
		region := indicators.Region(s.RegionCode())
		if s.RegionCode() == "" {
			region = indicators.Region(served[0].Code)
		}
		_, columns, _ := indicators.AnnexeScopes(region)
		return fmt.Errorf("--annexe couvre la région (colonnes : %s) : retirez --departement", annexeColumns(columns))
	}
	a, err := indicators.ComputeAnnexe(ctx, db, p, s)
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

// annexeColumns names Annexe 1's columns in a sentence: « Région,
// Picardie, Nord, Pas-de-Calais, ruraux, QPV ».
func annexeColumns(columns []string) string {
	short := slices.Clone(columns)
	for i, c := range short {
		short[i] = strings.TrimPrefix(strings.TrimPrefix(c, "Médiateurs "), "médiateurs ")
	}
	return strings.Join(short, ", ")
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
