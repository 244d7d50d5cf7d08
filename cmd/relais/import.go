package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/frtext"
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
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	// Standard input has no size to ask: it is cut at the limit instead
	// (the import is all or nothing, so a cut file writes nothing).
	stdin := &limitedReader{r: os.Stdin, left: cfg.ImportMaxBytes}
	var in io.Reader = stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("import : fichier illisible : %w", err)
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return fmt.Errorf("import : fichier illisible : %w", err)
		}
		if info.Size() > cfg.ImportMaxBytes {
			return fmt.Errorf("import : le fichier fait %s octets, plus que la limite de %s octets (RELAIS_IMPORT_MAX_BYTES) ; rien n'a été importé",
				frtext.Number(int(info.Size())), frtext.Number(int(cfg.ImportMaxBytes)))
		}
		in = f
	}
	st, err := openDatabase(ctx, cfg.DatabaseVar(), cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	err = trackingcsv.RunImport(ctx, bulkimport.New(st), in, cfg.Regions, *dryRun, stdout)
	if stdin.over { // whatever the parser made of the cut line
		return fmt.Errorf("import : l'entrée standard dépasse la limite de %s octets (RELAIS_IMPORT_MAX_BYTES) ; rien n'a été importé",
			frtext.Number(int(cfg.ImportMaxBytes)))
	}
	if err != nil || *dryRun {
		return err
	}
	// The rows came in: the trail says which file and who brought it.
	if err := st.Audit(ctx, store.AuditEntry{Action: store.AuditImport, Target: "file:" + filepath.Base(*file)}); err != nil {
		return fmt.Errorf("import : fait, mais sa ligne d'audit manque : %w", err)
	}
	return nil
}

var errInputTooBig = errors.New("input over RELAIS_IMPORT_MAX_BYTES")

// limitedReader reads at most left bytes of r; one byte more is
// errInputTooBig, and over tells so afterwards (the CSV reader reports it as
// a bad line).
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		l.over = true
		return 0, errInputTooBig
	}
	l.left -= int64(n)
	return n, err
}
