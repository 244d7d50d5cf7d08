package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
)

// TEMPORARY stubs until the helpers' work is merged.
func readImportFile(rows iter.Seq2[ImportRow, error]) (*importFile, error) {
	f := &importFile{}
	by := map[string]int32{}
	for r, err := range rows {
		var p *ImportProblem
		switch {
		case errors.As(err, &p):
			f.problemCount++
			if len(f.problems) < MaxImportProblems {
				f.problems = append(f.problems, *p)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("read rows: %w", err)
		}
		s, ok := by[r.SheetID]
		if !ok {
			s = int32(len(f.sheets))
			by[r.SheetID] = s
			f.sheets = append(f.sheets, importSheet{first: int32(len(f.rows))})
		}
		sh := &f.sheets[s]
		sh.lastLine = r.Line
		sh.rights = sh.rights || r.RequestKind == "droits"
		sh.care = sh.care || r.RequestKind == "soins"
		f.rows = append(f.rows, r)
		f.sheetOf = append(f.sheetOf, s)
	}
	return f, nil
}

func (f *importFile) crossLineProblems() ([]ImportProblem, int) { return nil, 0 }

func writeImportRollups(ctx context.Context, tx pgx.Tx, f *importFile, fresh map[importDayKey]bool, zone *time.Location) error {
	return nil
}
