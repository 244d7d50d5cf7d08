package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

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
	return trackingcsv.RunImport(ctx, st, in, *dryRun, stdout)
}
