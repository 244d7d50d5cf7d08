// Package store keeps Relais' records in PostgreSQL with plain SQL, one file
// per aggregate.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/relais-sante/relais/migrations"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// Store is the PostgreSQL-backed record store. Its pool is unexported: every
// statement that writes lives in this package, one file per aggregate, so a
// change of schema is a change of store (the miniflux internal/storage way).
type Store struct {
	db *pgxpool.Pool
	// auditKey keys the fingerprints of beneficiary codes (audit trail,
	// forgotten codes): RELAIS_AUDIT_KEY, or the database's own.
	auditKey []byte
}

// Open connects to PostgreSQL and checks the connection once, so a bad
// DATABASE_URL fails at start rather than at the first visit logged.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := parsePoolConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	o := options{pool: cfg}
	for _, opt := range opts {
		opt(&o)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	key := o.auditKey
	if key == nil {
		if key, err = databaseAuditKey(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	st := &Store{db: pool, auditKey: key}
	if err := st.checkForgottenKey(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return st, nil
}

// Option tunes what Open makes.
type Option func(*options)

type options struct {
	pool     *pgxpool.Config
	auditKey []byte
}

// OnQueryError calls f with every failed statement's error (not "no
// rows"): the PostgreSQL errors metric.
func OnQueryError(f func(error)) Option {
	return func(o *options) { o.pool.ConnConfig.Tracer = errorTracer(f) }
}

// WithAuditKey keys the fingerprints of beneficiary codes with key
// (RELAIS_AUDIT_KEY) instead of the key generated into the database: a
// secret kept apart from the database and its backups.
func WithAuditKey(key string) Option {
	return func(o *options) {
		if key != "" {
			o.auditKey = []byte(key)
		}
	}
}

type errorTracer func(error)

func (errorTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (f errorTracer) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	if d.Err != nil && !errors.Is(d.Err, pgx.ErrNoRows) && !errors.Is(d.Err, context.Canceled) {
		f(d.Err)
	}
}

// Close releases the connections.
func (s *Store) Close() { s.db.Close() }

// Ping tells whether PostgreSQL answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Migrate applies the embedded migrations. A PostgreSQL advisory lock makes
// two processes starting at once apply them one after the other.
func Migrate(ctx context.Context, url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	return migrateDB(ctx, db)
}

func migrateDB(ctx context.Context, db *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Out of order: migrations written on branches merged later take
	// numbers below one already applied (00018 after 00020); each is
	// applied once all the same.
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker),
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Reader is the read side of the database: what the report read models
// (indicators, export, annual) query with their own SQL. It offers only
// queries, but it is the pool itself: a writing statement passed to Query
// would run, so its users keep to SELECT. What Reports returns also starts
// transactions: indicators.Compute reads one snapshot in a read-only one.
type Reader interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Reports gives the report read models their way in: the figures of the
// annual report are counted by PostgreSQL in queries that belong with the
// indicators they define, not here.
func (s *Store) Reports() Reader { return s.db }

// inTx runs fn in a transaction, committed when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, fn)
}

// InTx gives the bulk import (internal/bulkimport) its transaction: it
// locks the imported tables, writes them with COPY and refreshes the
// rollups in one step, all or nothing. Every other write lives here.
func (s *Store) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.inTx(ctx, fn)
}

// errDryRun rolls back a transaction that only counted what it would do
// (a purge's --dry-run).
var errDryRun = errors.New("dry run")

// textArray is s for a NOT NULL text[] column: pgx writes a nil slice as
// NULL, an empty one as '{}'.
func textArray(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
