package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// BadURLError: the database URL cannot be read.
type BadURLError struct{ Err error }

func (e *BadURLError) Error() string { return "database url: " + e.Err.Error() }

// CreateDatabaseIfMissing creates the database url names when the server
// lacks it, asking the server's "postgres" database. An unreachable
// server, or one without "postgres", is left for Open to report (naming
// the URL); a database created meanwhile by another process is fine.
func CreateDatabaseIfMissing(ctx context.Context, url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return &BadURLError{err}
	}
	name := cfg.Database
	if name == "" || name == "postgres" {
		return nil
	}
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	if err != nil {
		return fmt.Errorf("la base « %s » n'existe pas et n'a pas pu être créée : %w", name, err)
	}
	return nil
}
