package store

import "github.com/jackc/pgx/v5/pgxpool"

// DBOf lets store's own tests arrange and check rows with SQL; it exists
// only while they are compiled, so the pool stays unexported everywhere else.
func DBOf(s *Store) *pgxpool.Pool { return s.db }
