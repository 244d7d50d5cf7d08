package trackingcsv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/territory"
)

// ErrRejected means the file had bad lines and nothing was imported; the
// lines and their reasons were printed.
var ErrRejected = errors.New("import refusé : rien n'a été enregistré")

// Importer writes checked lines all or nothing: *bulkimport.Importer does,
// with its SQL; this package only reads and prints.
type Importer interface {
	ImportRows(ctx context.Context, rows iter.Seq2[bulkimport.Row, error], opt bulkimport.Options) (bulkimport.Summary, error)
}

// Import reads a tracking file and imports it all or nothing (see
// bulkimport.Importer.ImportRows). Bad lines come back in the summary with
// bulkimport.ErrRejected. served is the deployment's regions: a line of a
// département outside them is a bad line.
func Import(ctx context.Context, st Importer, r io.Reader, served territory.Served, dryRun bool) (bulkimport.Summary, error) {
	return st.ImportRows(ctx, Parse(r, served), bulkimport.Options{DryRun: dryRun})
}

// RunImport is `relais import`: it imports r and prints, in French, either
// every bad line with its reason (and returns ErrRejected), or what was
// created. With dryRun it checks and counts everything but writes nothing.
func RunImport(ctx context.Context, st Importer, r io.Reader, served territory.Served, dryRun bool, out io.Writer) error {
	sum, err := Import(ctx, st, r, served, dryRun)
	if errors.Is(err, bulkimport.ErrRejected) {
		fmt.Fprintf(out, "Import refusé : %s, rien n'a été enregistré.\n", frtext.Plural(sum.ProblemCount, "erreur", "erreurs"))
		for _, p := range sum.Problems {
			fmt.Fprintln(out, p.Error())
		}
		if more := sum.ProblemCount - len(sum.Problems); more > 0 {
			fmt.Fprintf(out, "… et %s.\n", frtext.Plural(more, "autre erreur", "autres erreurs"))
		}
		fmt.Fprintln(out, "Corrigez ces lignes puis relancez l'import.")
		return ErrRejected
	}
	if err != nil {
		return err
	}
	n := frtext.Number
	if dryRun {
		fmt.Fprintln(out, "Simulation (--dry-run) : le fichier est valide, rien n'a été enregistré.")
		fmt.Fprintf(out, "Lignes lues : %s\n", n(sum.Rows))
		fmt.Fprintf(out, "Fiches à importer : %s (déjà présentes, ignorées : %s)\n", n(sum.Sheets), n(sum.SkippedSheets))
		fmt.Fprintf(out, "Demandes à importer : %s\n", n(sum.Requests))
		fmt.Fprintf(out, "Médiateurs à créer : %s\n", n(sum.NewMediators))
		fmt.Fprintf(out, "Personnes à créer : %s\n", n(sum.NewBeneficiaries))
		return nil
	}
	fmt.Fprintln(out, "Import terminé.")
	fmt.Fprintf(out, "Lignes lues : %s\n", n(sum.Rows))
	fmt.Fprintf(out, "Fiches importées : %s (déjà présentes, ignorées : %s)\n", n(sum.Sheets), n(sum.SkippedSheets))
	fmt.Fprintf(out, "Demandes importées : %s\n", n(sum.Requests))
	fmt.Fprintf(out, "Nouveaux médiateurs : %s\n", n(sum.NewMediators))
	fmt.Fprintf(out, "Nouvelles personnes : %s\n", n(sum.NewBeneficiaries))
	if sum.NewMediators > 0 {
		fmt.Fprintln(out, "Les médiateurs créés n'ont ni structure ni compte Telegram : invitez-les avec `relais invite`.")
	}
	return nil
}
