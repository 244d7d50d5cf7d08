package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// runImport is `relais import --file suivi.csv [--dry-run]`.
func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("file", "", "tracking CSV file (- for standard input)")
	dryRun := fs.Bool("dry-run", false, "check and count, write nothing")
	if err := parseFlags(fs, args, "relais import --file suivi.csv [--dry-run]"); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("import : précisez le fichier avec --file suivi.csv")
	}
	var in io.Reader = os.Stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("import : fichier illisible : %w", err)
		}
		defer f.Close()
		in = f
	}
	st, _, err := openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := trackingcsv.RunImport(ctx, st, in, *dryRun, stdout); err != nil || *dryRun {
		return err
	}
	// The rows came in: the trail says which file and who brought it.
	if err := st.Audit(ctx, store.AuditEntry{Action: store.AuditImport, Target: "file:" + filepath.Base(*file)}); err != nil {
		return fmt.Errorf("import : fait, mais sa ligne d'audit manque : %w", err)
	}
	return nil
}
