package store

import (
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
