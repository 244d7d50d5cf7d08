package store

import (
	"cmp"
	"iter"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DBOf lets store's own tests arrange and check rows with SQL; it exists
// only while they are compiled, so the pool stays unexported everywhere else.
func DBOf(s *Store) *pgxpool.Pool { return s.db }

// SetImportRebuildMin lowers the import size from which indexes are
// recreated, so a test can cross it with a few lines.
func SetImportRebuildMin(t interface{ Cleanup(func()) }, n int) {
	prev := importRebuildMin
	importRebuildMin = n
	t.Cleanup(func() { importRebuildMin = prev })
}

// FileProblems reads rows into memory and runs the file's checks, then
// sorts and caps the problems as ImportRows does: what the in-memory import
// will report for a file when the database knows none of its mediators,
// people or sheets. It lets the SQL checks be compared with the Go ones.
func FileProblems(rows iter.Seq2[ImportRow, error]) ([]ImportProblem, int, error) {
	f, err := readImportFile(rows)
	if err != nil {
		return nil, 0, err
	}
	more, n := f.crossLineProblems()
	problems := append(f.problems, more...)
	slices.SortStableFunc(problems, func(a, b ImportProblem) int { return cmp.Compare(a.Line, b.Line) })
	return problems[:min(len(problems), MaxImportProblems)], f.problemCount + n, nil
}
