package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
)

// runReport is `relais report --from … --to … [--departement 59|picardie]
// [--format text|json|csv|xlsx|codes] [--out FILE]`.
func runReport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var ra export.ReportArgs
	fs.StringVar(&ra.From, "from", "", "first day, 2024-01-01")
	fs.StringVar(&ra.To, "to", "", "last day, 2024-12-31")
	fs.StringVar(&ra.Departement, "departement", "", "a served département (59), a grouping (picardie), a region's name or national (default: the region, or every served region)")
	fs.StringVar(&ra.Format, "format", "text", "text, json, csv, xlsx, codes (the tracking CSV that relais import reads), docx or pdf (the regional annual report)")
	fs.BoolVar(&ra.Annexe, "annexe", false, "Annexe 1: the region's territories side by side (Hauts-de-France: Région, Picardie, Nord, Pas-de-Calais, rural and QPV posts; national: one column per region)")
	out := fs.String("out", "", "output file (default: standard output)")
	if err := parseFlags(fs, args, "relais report --from 2024-01-01 --to 2024-12-31 [--departement 59|picardie] [--format text|json|csv|xlsx|codes|docx|pdf] [--annexe] [--out FICHIER]"); err != nil {
		return err
	}
	for _, binary := range []string{"xlsx", export.FormatDOCX, export.FormatPDF} {
		if *out == "" && strings.EqualFold(ra.Format, binary) {
			return fmt.Errorf("report : précisez le fichier %s avec --out rapport.%s", strings.ToUpper(binary), binary)
		}
	}
	st, cfg, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ra.Today = time.Now().In(cfg.Location)
	ra.Served = cfg.Regions
	if err := auditReport(ctx, st, ra, *out); err != nil {
		return err
	}
	ra.Out = stdout
	if *out == "" {
		return export.RunReport(ctx, st.Reports(), ra)
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("report : %w", err)
	}
	ra.Out = f
	if err := export.RunReport(ctx, st.Reports(), ra); err != nil {
		// the half-written file goes; say so if it cannot
		return errors.Join(err, f.Close(), os.Remove(*out))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report : %w", err)
	}
	fmt.Fprintf(stdout, "Rapport écrit dans %s\n", *out)
	return nil
}

// auditReport writes the audit line of a report before it is produced, so no
// file leaves Relais unaudited (the XLSX holds the raw rows and the open
// answers of the reviews). Arguments RunReport would refuse write nothing.
func auditReport(ctx context.Context, st *store.Store, ra export.ReportArgs, out string) error {
	if ra.From == "" || ra.To == "" {
		return nil
	}
	p, err := indicators.ParsePeriod(ra.From, ra.To, ra.Today)
	if err != nil {
		return nil
	}
	s, err := export.ScopeOf(ra.Departement, ra.Served)
	if _, _, annexe := indicators.AnnexeScopes(s); err != nil || ra.Annexe && !annexe {
		return nil
	}
	format := strings.ToLower(ra.Format)
	switch format {
	case "", "text":
		format = "text"
	case "json", "csv", "xlsx", export.FormatCodes, export.FormatDOCX, export.FormatPDF: // the tracking CSV holds the raw rows, the documents the open answers
	default:
		return nil
	}
	detail := map[string]any{"from": indicators.Day(p.From).Format("2006-01-02"), "to": indicators.Day(p.To).Format("2006-01-02"),
		"format": format, "source": "cli"}
	if out != "" {
		detail["file"] = out
	}
	if ra.Annexe {
		detail["annexe"] = true
	}
	if err := st.Audit(ctx, store.AuditEntry{Action: store.AuditExport, Target: s.Key(), Detail: detail}); err != nil {
		return fmt.Errorf("report : %w", err)
	}
	return nil
}
