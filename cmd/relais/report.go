package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/relais-sante/relais/internal/export"
)

// runReport is `relais report --from … --to … [--departement 59|picardie]
// [--format text|json|csv|xlsx] [--out FILE]`.
func runReport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var ra export.ReportArgs
	fs.StringVar(&ra.From, "from", "", "first day, 2024-01-01")
	fs.StringVar(&ra.To, "to", "", "last day, 2024-12-31")
	fs.StringVar(&ra.Departement, "departement", "", "02, 59, 60, 62, 80 or picardie (default: the region)")
	fs.StringVar(&ra.Format, "format", "text", "text, json, csv or xlsx")
	out := fs.String("out", "", "output file (default: standard output)")
	if err := parseFlags(fs, args, "relais report --from 2024-01-01 --to 2024-12-31 [--departement 59|picardie] [--format text|json|csv|xlsx] [--out FICHIER]"); err != nil {
		return err
	}
	if *out == "" && strings.EqualFold(ra.Format, "xlsx") {
		return fmt.Errorf("report : précisez le fichier XLSX avec --out rapport.xlsx")
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ra.Out = stdout
	if *out == "" {
		return export.RunReport(ctx, st.Pool, ra)
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("report : %w", err)
	}
	ra.Out = f
	if err := export.RunReport(ctx, st.Pool, ra); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report : %w", err)
	}
	fmt.Fprintf(stdout, "Rapport écrit dans %s\n", *out)
	return nil
}
