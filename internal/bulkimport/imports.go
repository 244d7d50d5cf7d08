// Package bulkimport writes a tracking file's checked lines into the
// database all or nothing: the checks across lines and against what the
// database holds, the numbering of sheets, the report rollups, and the
// binary COPY into their tables. Like store and the indicators read model,
// it holds SQL: an ETL over the same tables, kept out of the aggregate
// store. trackingcsv reads the file; this package writes it.
package bulkimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database is what the import needs of the store: one transaction for the
// whole import, and the keyed fingerprint of a beneficiary code (to refuse
// the codes erased at the person's request).
type Database interface {
	InTx(ctx context.Context, fn func(pgx.Tx) error) error
	CodeFingerprint(code string) string
}

// Importer imports tracking files into the database behind db.
type Importer struct{ db Database }

// New returns an importer writing through db (a *store.Store).
func New(db Database) *Importer { return &Importer{db: db} }

// Row is one checked line of a tracking file: one request of a sheet,
// or a sheet without request when RequestKind is empty. Codes only.
type Row struct {
	Line             int // line in the file, for error messages
	SheetID          string
	Date             time.Time
	Mediator         string // mediators.identifier
	Departement      string
	Beneficiary      string // beneficiaries.code
	Sex              string
	Age              *int
	QPV              string
	Resources        string
	ContactMode      string
	Level            string
	SocialProtection string
	Obstacles        []string
	RequestKind      string
	RequestType      string
	Status           string
	FollowUp         *time.Time
}

// Problem is a line that prevents the import, with its reason in
// French. A row source yields one for a line it could not read; ImportRows
// adds those found across lines (a sheet whose lines disagree…).
type Problem struct {
	Line   int
	Reason string
}

func (p *Problem) Error() string { return fmt.Sprintf("ligne %d : %s", p.Line, p.Reason) }

// Summary says what an import created (or would create, in a dry run).
type Summary struct {
	Rows             int // lines read
	Sheets           int // sheets created
	Requests         int // requests created
	NewMediators     int
	NewBeneficiaries int
	SkippedSheets    int // sheets already there (same sheet_id): imported before
	// Problems are the first MaxProblems problems by line;
	// ProblemCount counts them all.
	Problems     []Problem
	ProblemCount int
}

// MaxProblems caps the problems kept for display.
const MaxProblems = 100

// ErrRejected means the file had problems: nothing was written.
var ErrRejected = errors.New("import rejected")

// Options tune ImportRows.
type Options struct {
	DryRun bool // check and count everything, then write nothing
	// Location is the zone of the file's dates, for the requests' status
	// timestamps (default Europe/Paris).
	Location *time.Location
}

var errDryRun = errors.New("dry run")

// newImportSteps returns a function logging, at debug level, the time
// since its last call: where a big import spends its time.
func newImportSteps(ctx context.Context) func(name string) {
	last := time.Now()
	return func(name string) {
		now := time.Now()
		slog.DebugContext(ctx, "import step", "step", name, "seconds", now.Sub(last).Seconds())
		last = now
		if importStepHook != nil {
			importStepHook(name)
		}
	}
}

// importStepHook, set by tests only, runs at the end of each step, inside
// the import's transaction.
var importStepHook func(step string)

// suspendForeignKeys drops, for the rest of the transaction, the foreign
// keys from requests to sheets and from sheets to beneficiaries, and returns
// the statements that put them back as they were (read from the catalog),
// each checked once over its whole table with a join. Checked row by row,
// they cost about 5 µs per line, 10 s for a million lines. The price: the
// import holds requests, sheets and beneficiaries exclusively until it
// commits (the bot's saves and lists of sheets wait; users and mediators
// stay free). The caller holds those tables exclusively.
func suspendForeignKeys(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		WHERE c.contype = 'f'
		  AND ((c.conrelid = 'requests'::regclass AND c.confrelid = 'sheets'::regclass)
		       OR (c.conrelid = 'sheets'::regclass AND c.confrelid = 'beneficiaries'::regclass))
		ORDER BY c.conname`)
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	type fk struct{ Table, Name, Def string }
	keys, err := pgx.CollectRows(rows, pgx.RowToStructByPos[fk])
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	var restore []string
	for _, k := range keys {
		name := pgx.Identifier{k.Name}.Sanitize()
		if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, k.Table, name)); err != nil {
			return nil, fmt.Errorf("suspend foreign key %s: %w", k.Name, err)
		}
		restore = append(restore, fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s %s`, k.Table, name, k.Def))
	}
	// The triggers stand aside too: the rollup triggers would copy every
	// imported row into their transition tables only to return at once
	// (relais.rollup is off), and the sheet-number trigger has nothing to
	// do (the import numbers the sheets). A superuser may also set aside
	// the internal triggers checking, row by row, that beneficiaries and
	// sheets name a mediator (3 µs a row, 4–5 s for a million lines):
	// every mediator id the import writes was just read or created, and
	// nobody can delete or renumber a mediator before it commits, since
	// that checks beneficiaries and sheets, which it holds exclusively
	// (TestImportRowsKeepsItsMediatorsWhileWriting). Disabling is
	// transactional: a failed import leaves them enabled.
	var super bool
	if err := tx.QueryRow(ctx, `SELECT current_setting('is_superuser') = 'on'`).Scan(&super); err != nil {
		return nil, fmt.Errorf("read role: %w", err)
	}
	which := "USER"
	if super {
		which = "ALL"
	}
	for _, table := range []string{"beneficiaries", "sheets", "requests"} {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s DISABLE TRIGGER %s`, table, which)); err != nil {
			return nil, fmt.Errorf("set %s triggers aside: %w", table, err)
		}
		restore = append(restore, fmt.Sprintf(`ALTER TABLE %s ENABLE TRIGGER %s`, table, which))
	}
	return restore, nil
}

// importRebuildMin is the number of staged sheets from which an import that
// brings more sheets than the table holds drops the secondary indexes of
// beneficiaries, sheets and requests and creates them again after its
// inserts: one sort per index instead of a million insertions into each
// (the tables are locked anyway). A smaller import, or a large one into a
// larger table, keeps them: recreating would cost more than it saves.
var importRebuildMin = 50_000

// suspendIndexes drops, when the import is large for the tables (see
// importRebuildMin), the indexes of beneficiaries, sheets and requests,
// primary keys and unique constraints included, and returns the statements
// that create them again, as the catalog defines them. Unique ones are
// checked again when created: a duplicate fails the import. The caller has
// set aside the foreign keys that use them (suspendForeignKeys) and has
// done its own lookups.
func suspendIndexes(ctx context.Context, tx pgx.Tx, staged int) ([]string, error) {
	var existing int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT FROM sheets LIMIT $1) s`, staged).Scan(&existing); err != nil {
		return nil, fmt.Errorf("count sheets: %w", err)
	}
	if staged < importRebuildMin || staged <= existing {
		return nil, nil
	}
	// Memory for the sorts of CREATE INDEX.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
		return nil, fmt.Errorf("set index memory: %w", err)
	}
	// Constraints first: they are created again first, and the
	// foreign keys put back after them need their unique indexes.
	rows, err := tx.Query(ctx, `
		SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
		       coalesce(c.conname, ''), coalesce(pg_get_constraintdef(c.oid), '')
		FROM pg_index i
		LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
		WHERE i.indrelid IN ('beneficiaries'::regclass, 'sheets'::regclass, 'requests'::regclass)
		  AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.conindid = i.indexrelid AND f.contype NOT IN ('p', 'u'))
		ORDER BY c.conname IS NULL, 2`)
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	type index struct{ Table, Name, Def, Constraint, ConstraintDef string }
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	var restore []string
	for _, ix := range indexes {
		drop, create := `DROP INDEX `+ix.Name, ix.Def
		if ix.Constraint != "" {
			name := pgx.Identifier{ix.Constraint}.Sanitize()
			drop = fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, ix.Table, name)
			create = fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s %s`, ix.Table, name, ix.ConstraintDef)
		}
		if _, err := tx.Exec(ctx, drop); err != nil {
			return nil, fmt.Errorf("set index %s aside: %w", ix.Name, err)
		}
		restore = append(restore, create)
	}
	return restore, nil
}
