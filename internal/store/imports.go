package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// ImportRow is one checked line of a tracking file: one request of a sheet,
// or a sheet without request when RequestKind is empty. Codes only.
type ImportRow struct {
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

// ImportProblem is a line that prevents the import, with its reason in
// French. A row source yields one for a line it could not read; ImportRows
// adds those found across lines (a sheet whose lines disagree…).
type ImportProblem struct {
	Line   int
	Reason string
}

func (p *ImportProblem) Error() string { return fmt.Sprintf("ligne %d : %s", p.Line, p.Reason) }

// ImportSummary says what an import created (or would create, in a dry run).
type ImportSummary struct {
	Rows             int // lines read
	Sheets           int // sheets created
	Requests         int // requests created
	NewMediators     int
	NewBeneficiaries int
	SkippedSheets    int // sheets already there (same sheet_id): imported before
	// Problems are the first MaxImportProblems problems by line;
	// ProblemCount counts them all.
	Problems     []ImportProblem
	ProblemCount int
}

// MaxImportProblems caps the problems kept for display.
const MaxImportProblems = 100

// ErrImportRejected means the file had problems: nothing was written.
var ErrImportRejected = errors.New("import rejected")

// ImportOptions tune ImportRows.
type ImportOptions struct {
	DryRun bool // check and count everything, then write nothing
	// Location is the zone of the file's dates, for the requests' status
	// timestamps (default Europe/Paris).
	Location *time.Location
}

var errDryRun = errors.New("dry run")

// ImportRows writes a tracking file all or nothing, in one transaction.
// rows yields each line, or an *ImportProblem for a line that could not be
// read (any other error aborts). Lines are streamed into a temporary table
// with COPY and written with set-based SQL, so a million lines need little
// memory. Missing mediators (by identifier, with their département) and
// beneficiaries (by code, owned by the mediator of their first sheet) are
// created; sheets already there (by id) are skipped, so importing a file twice
// creates nothing the second time. When any line has a problem nothing is
// written and the error is ErrImportRejected, with the problems in the summary.
// Once the file is found good, the import holds beneficiaries, sheets and
// requests exclusively until it commits (see suspendForeignKeys); a large
// import also rebuilds their secondary indexes (see suspendIndexes). Each
// step's duration is logged at debug level ("import step").
func (s *Store) ImportRows(ctx context.Context, rows iter.Seq2[ImportRow, error], opt ImportOptions) (ImportSummary, error) {
	// Only PostgreSQL reads the zone, by its name: the default needs no Go
	// time zone database (without one it used to fall back to UTC).
	zone := "Europe/Paris"
	if opt.Location != nil {
		zone = opt.Location.String()
	}
	var sum ImportSummary
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		sum = ImportSummary{}
		step := newImportSteps(ctx)
		// The rollup triggers stand aside: refreshRollups recomputes the
		// new sheets' keys once, at the end. JIT compiling would cost
		// about half a second per statement, more than it saves here.
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'; SET LOCAL relais.rollup = 'off'; SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("set import options: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			CREATE TEMP TABLE import_rows (
				line INT NOT NULL, sheet_id TEXT NOT NULL, date DATE NOT NULL, mediator TEXT NOT NULL,
				departement TEXT NOT NULL, beneficiary TEXT NOT NULL, sex TEXT NOT NULL, age INT,
				qpv TEXT NOT NULL, resources TEXT NOT NULL, contact_mode TEXT NOT NULL, level TEXT NOT NULL,
				social_protection TEXT NOT NULL, obstacles TEXT[] NOT NULL, request_kind TEXT,
				request_type TEXT, status TEXT, follow_up DATE
			) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("create staging table: %w", err)
		}
		src := newImportSource(rows)
		defer src.stop()
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, importColumns, src)
		if src.err != nil {
			return src.err
		}
		if err != nil {
			return fmt.Errorf("copy rows: %w", err)
		}
		sum.Rows = int(n) + src.problemCount
		problems, count := src.problems, src.problemCount
		step("copy")
		if err := stageSheets(ctx, tx); err != nil {
			return err
		}
		step("stage sheets")
		more, moreCount, err := crossLineProblems(ctx, tx, step)
		if err != nil {
			return err
		}
		problems, count = append(problems, more...), count+moreCount
		if count > 0 {
			slices.SortStableFunc(problems, func(a, b ImportProblem) int { return cmp.Compare(a.Line, b.Line) })
			sum.Problems, sum.ProblemCount = problems[:min(len(problems), MaxImportProblems)], count
			return ErrImportRejected
		}
		if err := writeImport(ctx, tx, zone, &sum, step); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return refreshRollups(ctx, tx, zone, step)
	})
	switch {
	case errors.Is(err, errDryRun):
		return sum, nil
	case errors.Is(err, ErrImportRejected):
		return sum, ErrImportRejected
	case err != nil:
		return ImportSummary{}, fmt.Errorf("import rows: %w", err)
	}
	return sum, nil
}

// newImportSteps returns a function logging, at debug level, the time
// since its last call: where a big import spends its time.
func newImportSteps(ctx context.Context) func(name string) {
	last := time.Now()
	return func(name string) {
		now := time.Now()
		slog.DebugContext(ctx, "import step", "step", name, "seconds", now.Sub(last).Seconds())
		last = now
	}
}

// stageSheets sorts the staging lines once into import_sheets, one row per
// sheet (its first line, its last line number, whether it has a rights or a
// care request), and groups them into import_mediators, one row per
// mediator and département with its first line: the checks and writes that
// follow read these instead of sorting a million lines again.
func stageSheets(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `ANALYZE import_rows`); err != nil {
		return fmt.Errorf("analyze staging table: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_sheets ON COMMIT DROP AS
		SELECT DISTINCT ON (sheet_id COLLATE "C") sheet_id, line, max(line) OVER w AS last_line,
		       coalesce(bool_or(request_kind = 'droits') OVER w, FALSE) AS rights,
		       coalesce(bool_or(request_kind = 'soins') OVER w, FALSE) AS care,
		       date, mediator, departement, beneficiary, sex, age, qpv, resources, contact_mode, level,
		       social_protection, obstacles
		FROM import_rows
		WINDOW w AS (PARTITION BY sheet_id COLLATE "C")
		ORDER BY sheet_id COLLATE "C", line`); err != nil {
		return fmt.Errorf("stage sheets: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_mediators ON COMMIT DROP AS
		SELECT mediator, departement, min(line) AS line FROM import_rows GROUP BY mediator, departement`); err != nil {
		return fmt.Errorf("stage mediators: %w", err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE import_sheets, import_mediators`); err != nil {
		return fmt.Errorf("analyze staged sheets: %w", err)
	}
	return nil
}

var importColumns = []string{"line", "sheet_id", "date", "mediator", "departement", "beneficiary", "sex", "age",
	"qpv", "resources", "contact_mode", "level", "social_protection", "obstacles", "request_kind",
	"request_type", "status", "follow_up"}

// importSource feeds COPY from the row iterator, setting line problems aside.
type importSource struct {
	next         func() (ImportRow, error, bool)
	stop         func()
	row          ImportRow
	err          error
	problems     []ImportProblem
	problemCount int
}

func newImportSource(rows iter.Seq2[ImportRow, error]) *importSource {
	next, stop := iter.Pull2(rows)
	return &importSource{next: next, stop: stop}
}

func (s *importSource) Next() bool {
	for {
		row, err, ok := s.next()
		if !ok {
			return false
		}
		var p *ImportProblem
		switch {
		case errors.As(err, &p):
			s.problemCount++
			if len(s.problems) < MaxImportProblems {
				s.problems = append(s.problems, *p)
			}
			continue
		case err != nil:
			s.err = fmt.Errorf("read rows: %w", err)
			return false
		}
		s.row = row
		return true
	}
}

func (s *importSource) Values() ([]any, error) {
	r := s.row
	return []any{r.Line, r.SheetID, r.Date, r.Mediator, r.Departement, r.Beneficiary, r.Sex, r.Age,
		r.QPV, r.Resources, r.ContactMode, r.Level, r.SocialProtection, textArray(r.Obstacles), nullIfEmpty(r.RequestKind),
		nullIfEmpty(r.RequestType), nullIfEmpty(r.Status), r.FollowUp}, nil
}

func (s *importSource) Err() error { return s.err }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Sorts on the staging table's text keys use the "C" collation: byte order
// is enough to group equal values and twice as fast on a million lines.

// crossLineProblems finds what no single line shows: lines of one sheet that
// disagree, a mediator in two départements, a person code used by two
// mediators, ids that clash with what the database holds. The checks that
// sort a million lines run only when a cheap grouping says they may find
// something.
func crossLineProblems(ctx context.Context, tx pgx.Tx, step func(string)) ([]ImportProblem, int, error) {
	checks := []struct {
		name string
		// gate, when set, tells whether the check may find anything. It
		// reads import_sheets and is only asked while no check has found
		// anything: then every sheet agrees with itself, and its first line
		// stands for all of its lines.
		gate string
		sql  string
		msg  func(a, b, c string) string
	}{
		{"sheet lines", "", `
			SELECT r.line, r.sheet_id, f.line::text, array_to_string(array_remove(ARRAY[
			         CASE WHEN r.date <> f.date THEN 'date' END,
			         CASE WHEN r.mediator <> f.mediator THEN 'mediator' END,
			         CASE WHEN r.departement <> f.departement THEN 'departement' END,
			         CASE WHEN r.beneficiary <> f.beneficiary THEN 'beneficiary' END,
			         CASE WHEN r.sex <> f.sex THEN 'sex' END,
			         CASE WHEN r.age IS DISTINCT FROM f.age THEN 'age' END,
			         CASE WHEN r.qpv <> f.qpv THEN 'qpv' END,
			         CASE WHEN r.resources <> f.resources THEN 'resources' END,
			         CASE WHEN r.contact_mode <> f.contact_mode THEN 'contact_mode' END,
			         CASE WHEN r.level <> f.level THEN 'level' END,
			         CASE WHEN r.social_protection <> f.social_protection THEN 'social_protection' END,
			         CASE WHEN NOT (r.obstacles @> f.obstacles AND r.obstacles <@ f.obstacles) THEN 'obstacles' END], NULL), ', '),
			       count(*) OVER ()
			FROM import_rows r JOIN import_sheets f USING (sheet_id)
			WHERE r.line <> f.line
			  AND ((r.date, r.mediator, r.departement, r.beneficiary, r.sex, r.age, r.qpv, r.resources,
			        r.contact_mode, r.level, r.social_protection)
			       IS DISTINCT FROM
			       (f.date, f.mediator, f.departement, f.beneficiary, f.sex, f.age, f.qpv, f.resources,
			        f.contact_mode, f.level, f.social_protection)
			       OR NOT (r.obstacles @> f.obstacles AND r.obstacles <@ f.obstacles))
			ORDER BY r.line LIMIT $1`,
			sheetLinesMsg},
		{"mediator departement", "", `
			WITH firsts AS (SELECT DISTINCT ON (mediator COLLATE "C") mediator, departement FROM import_mediators ORDER BY mediator COLLATE "C", line)
			SELECT g.line, g.mediator, g.departement, f.departement, count(*) OVER ()
			FROM import_mediators g JOIN firsts f USING (mediator)
			WHERE g.departement <> f.departement
			ORDER BY 1 LIMIT $1`,
			mediatorDepartementMsg},
		{"known mediator", "", `
			SELECT g.line, g.mediator, g.departement, m.departement, count(*) OVER ()
			FROM import_mediators g JOIN mediators m ON m.identifier = g.mediator
			WHERE m.departement <> g.departement
			ORDER BY 1 LIMIT $1`,
			func(med, dep, known string) string {
				return fmt.Sprintf("le médiateur « %s » est déjà enregistré dans le département %s, pas %s", med, known, dep)
			}},
		{"beneficiary owner", `
			SELECT EXISTS (SELECT FROM import_sheets GROUP BY beneficiary HAVING min(mediator) <> max(mediator))`, `
			WITH firsts AS (SELECT DISTINCT ON (beneficiary COLLATE "C") beneficiary, mediator FROM import_rows ORDER BY beneficiary COLLATE "C", date, line)
			SELECT min(r.line), r.beneficiary, r.mediator, f.mediator, count(*) OVER ()
			FROM import_rows r JOIN firsts f USING (beneficiary)
			WHERE r.mediator <> f.mediator
			GROUP BY r.beneficiary, r.mediator, f.mediator
			ORDER BY 1 LIMIT $1`,
			beneficiaryOwnerMsg},
		{"person on one day", `
			SELECT EXISTS (SELECT FROM import_sheets GROUP BY beneficiary, date HAVING min(sex) <> max(sex))`, `
			WITH firsts AS (SELECT DISTINCT ON (beneficiary COLLATE "C", date) beneficiary, date, sex, sheet_id FROM import_rows ORDER BY beneficiary COLLATE "C", date, line)
			SELECT min(r.line), r.beneficiary, r.sex, f.sex, count(*) OVER ()
			FROM import_rows r JOIN firsts f USING (beneficiary, date)
			WHERE r.sex <> f.sex AND r.sheet_id <> f.sheet_id -- within one sheet: "sheet lines" says it
			GROUP BY r.beneficiary, r.date, r.sex, f.sex
			ORDER BY 1 LIMIT $1`,
			personOnOneDayMsg},
		{"known beneficiary", "", `
			SELECT min(r.line), r.beneficiary, r.mediator, m.identifier, count(*) OVER ()
			FROM import_rows r JOIN beneficiaries b ON b.code = r.beneficiary JOIN mediators m ON m.id = b.mediator_id
			WHERE m.identifier <> r.mediator
			GROUP BY r.beneficiary, r.mediator, m.identifier
			ORDER BY 1 LIMIT $1`,
			func(code, med, owner string) string {
				return fmt.Sprintf("le code bénéficiaire « %s » appartient déjà au médiateur « %s », pas à « %s »", code, owner, med)
			}},
		{"known sheet", "", `
			SELECT min(r.line), r.sheet_id, r.mediator, r.date::text, count(*) OVER ()
			FROM import_rows r JOIN sheets s ON s.id = r.sheet_id JOIN mediators m ON m.id = s.mediator_id
			WHERE m.identifier <> r.mediator OR s.date <> r.date
			GROUP BY r.sheet_id, r.mediator, r.date
			ORDER BY 1 LIMIT $1`,
			func(id, _, _ string) string {
				return fmt.Sprintf("une autre fiche « %s » (autre médiateur ou autre date) est déjà enregistrée : les identifiants de fiche doivent être uniques", id)
			}},
	}
	var out []ImportProblem
	total := 0
	for _, c := range checks {
		if c.gate != "" && total == 0 { // total == 0: every sheet agrees with itself
			var maybe bool
			if err := tx.QueryRow(ctx, c.gate).Scan(&maybe); err != nil {
				return nil, 0, fmt.Errorf("check %s: %w", c.name, err)
			}
			if !maybe {
				step("check " + c.name)
				continue
			}
		}
		n, err := runCheck(ctx, tx, c.sql, func(line int, a, b, d string) {
			out = append(out, ImportProblem{Line: line, Reason: c.msg(a, b, d)})
		})
		if err != nil {
			return nil, 0, fmt.Errorf("check %s: %w", c.name, err)
		}
		total += n
		step("check " + c.name)
	}
	return out, total, nil
}

// runCheck runs one check query (line, three texts for the message, the
// count of every match before the LIMIT) and returns that count.
func runCheck(ctx context.Context, tx pgx.Tx, sql string, found func(line int, a, b, c string)) (int, error) {
	rows, err := tx.Query(ctx, sql, MaxImportProblems)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var line, n int
		var a, b, c string
		if err := rows.Scan(&line, &a, &b, &c, &n); err != nil {
			return 0, err
		}
		total = n // count(*) OVER (): the same on every row
		found(line, a, b, c)
	}
	return total, rows.Err()
}

// writeImport creates mediators, beneficiaries, sheets and requests from
// the staged tables, counting what it created. Each sheet gets the next
// numbers of its mediator (mediator_number) in date then line order, as the
// bot's trigger would give them one by one.
func writeImport(ctx context.Context, tx pgx.Tx, zone string, sum *ImportSummary, step func(string)) error {
	restoreKeys, err := suspendForeignKeys(ctx, tx)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO mediators (identifier, departement)
		SELECT DISTINCT ON (mediator COLLATE "C") mediator, departement FROM import_mediators ORDER BY mediator COLLATE "C", line
		ON CONFLICT (identifier) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("create mediators: %w", err)
	}
	sum.NewMediators = int(tag.RowsAffected())
	if err := lockMediators(ctx, tx); err != nil {
		return err
	}
	// Each mediator's last number, read while sheets_mediator_number may
	// still answer it (the tables are locked: it cannot change).
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_numbers ON COMMIT DROP AS
		SELECT m.id, m.identifier, coalesce((SELECT max(x.mediator_number) FROM sheets x WHERE x.mediator_id = m.id), 0) AS top
		FROM mediators m WHERE m.identifier IN (SELECT mediator FROM import_mediators)`); err != nil {
		return fmt.Errorf("read mediator numbers: %w", err)
	}
	// The (mediator, day) keys of the file, fresh when no sheet is there
	// yet: their rollups are computed from the staged lines (see
	// freshDayRollups). Known sheets are still staged here: their keys
	// are not fresh.
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_keys ON COMMIT DROP AS
		SELECT m.id AS mediator_id, m.identifier AS mediator, k.date,
		       NOT EXISTS (SELECT FROM sheets s WHERE s.mediator_id = m.id AND s.date = k.date) AS fresh
		FROM (SELECT DISTINCT mediator, date FROM import_sheets) k JOIN mediators m ON m.identifier = k.mediator`); err != nil {
		return fmt.Errorf("find the import's days: %w", err)
	}
	restoreIndexes, err := suspendIndexes(ctx, tx)
	if err != nil {
		return err
	}
	step("mediators, indexes set aside")

	// Known people first (the new ones get their last visit below): every
	// line of a code is its mediator's and its sheets agree with
	// themselves, so the staged sheets stand for the lines.
	if _, err := tx.Exec(ctx, `
		UPDATE beneficiaries b SET last_seen = x.last_seen
		FROM (SELECT beneficiary, max(date) AS last_seen FROM import_sheets GROUP BY beneficiary) x
		WHERE b.code = x.beneficiary AND (b.last_seen IS NULL OR b.last_seen < x.last_seen)`); err != nil {
		return fmt.Errorf("update beneficiaries: %w", err)
	}
	// import_people keeps the people this import creates: their rollups
	// are written from the staged lines, with nothing to take away. The
	// table is locked: no one else creates a code meanwhile.
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_people (id BIGINT NOT NULL, code TEXT NOT NULL) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("create beneficiaries: %w", err)
	}
	tag, err = tx.Exec(ctx, `
		WITH created AS (
			INSERT INTO beneficiaries (code, mediator_id, sex, age, age_on, qpv, resources, last_seen)
			SELECT l.beneficiary, m.id, l.sex, l.age, l.date, l.qpv, l.resources, l.date
			FROM (SELECT DISTINCT ON (beneficiary COLLATE "C") beneficiary, mediator, sex, age, date, qpv, resources
			      FROM import_sheets ORDER BY beneficiary COLLATE "C", date DESC, last_line DESC) l
			JOIN mediators m ON m.identifier = l.mediator
			WHERE NOT EXISTS (SELECT FROM beneficiaries k WHERE k.code = l.beneficiary)
			RETURNING id, code
		)
		INSERT INTO import_people (id, code) SELECT id, code FROM created`)
	if err != nil {
		return fmt.Errorf("create beneficiaries: %w", err)
	}
	sum.NewBeneficiaries = int(tag.RowsAffected())
	step("beneficiaries")

	// From here import_sheets holds the new sheets only.
	var distinct int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM import_sheets`).Scan(&distinct); err != nil {
		return fmt.Errorf("count sheets: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM import_sheets f USING sheets s WHERE s.id = f.sheet_id`); err != nil {
		return fmt.Errorf("find new sheets: %w", err)
	}
	// The bot's trigger numbers a mediator's sheets under this lock; held
	// to the commit, it keeps a save from taking a number given here.
	if _, err := tx.Exec(ctx, `
		SELECT pg_advisory_xact_lock(hashtext('sheets_mediator_number'), m.id::int)
		FROM mediators m WHERE m.identifier IN (SELECT mediator FROM import_mediators) ORDER BY m.id`); err != nil {
		return fmt.Errorf("lock mediator numbers: %w", err)
	}
	// Sorted on one bigint (day, then line), the sorts compare a single
	// value; on (date, line) most comparisons would fall on the second key.
	// No ON CONFLICT: the table is locked and known sheets left out.
	tag, err = tx.Exec(ctx, `
		INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode,
		                    level, social_protection, obstacles, source, mediator_number)
		SELECT x.sheet_id, x.mediator_id, x.beneficiary_id, x.date, x.sex, x.age, x.qpv, x.resources, x.contact_mode,
		       x.level, x.social_protection, x.obstacles, 'import',
		       x.top + row_number() OVER (PARTITION BY x.mediator_id ORDER BY x.k)
		FROM (
			SELECT (f.date - DATE '2000-01-01')::bigint * 4294967296 + f.line AS k, m.id AS mediator_id, m.top,
			       f.sheet_id, b.id AS beneficiary_id, f.date, f.sex, f.age, f.qpv, f.resources, f.contact_mode,
			       f.level, f.social_protection, f.obstacles
			FROM import_sheets f
			JOIN import_numbers m ON m.identifier = f.mediator
			JOIN beneficiaries b ON b.code = f.beneficiary
		) x
		ORDER BY x.k`)
	if err != nil {
		return fmt.Errorf("create sheets: %w", err)
	}
	sum.Sheets = int(tag.RowsAffected())
	sum.SkippedSheets = distinct - sum.Sheets
	step("sheets")

	tag, err = tx.Exec(ctx, `
		INSERT INTO requests (sheet_id, position, kind, type, status, follow_up, status_changed_at, resolved_at)
		SELECT r.sheet_id, row_number() OVER (PARTITION BY r.sheet_id COLLATE "C" ORDER BY r.line),
		       r.request_kind, r.request_type, r.status, r.follow_up,
		       r.date::timestamp AT TIME ZONE $1,
		       CASE WHEN r.status = 'resolue' THEN r.date::timestamp AT TIME ZONE $1 END
		FROM import_rows r JOIN import_sheets n ON n.sheet_id = r.sheet_id
		WHERE r.request_kind IS NOT NULL`, zone)
	if err != nil {
		return fmt.Errorf("create requests: %w", err)
	}
	sum.Requests = int(tag.RowsAffected())
	step("requests")
	for _, q := range restoreIndexes {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("recreate index: %w", err)
		}
	}
	if len(restoreIndexes) > 0 {
		step("indexes recreated")
	}
	for _, q := range restoreKeys {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
	}
	step("foreign keys")
	return nil
}

// suspendForeignKeys drops, for the rest of the transaction, the foreign
// keys from requests to sheets and from sheets to beneficiaries, and returns
// the statements that put them back as they were (read from the catalog),
// each checked once over its whole table with a join. Checked row by row,
// they cost about 5 µs per line, 10 s for a million lines. The price: the
// import holds requests, sheets and beneficiaries exclusively until it
// commits (the bot's saves and lists of sheets wait; users and mediators
// stay free, and their foreign keys are kept).
func suspendForeignKeys(ctx context.Context, tx pgx.Tx) ([]string, error) {
	if _, err := tx.Exec(ctx, `LOCK TABLE beneficiaries, sheets, requests IN ACCESS EXCLUSIVE MODE`); err != nil {
		return nil, fmt.Errorf("lock imported tables: %w", err)
	}
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
	// sheets name a mediator (3 µs a row, 4–5 s for a million lines); the
	// import then locks its mediators' rows as those checks would (see
	// lockMediators), and every mediator id it writes comes from them.
	// Disabling is transactional: a failed import leaves them enabled.
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

// lockMediators locks the rows of the import's mediators against deletion
// and key changes until the commit, as the foreign-key checks of its rows
// would (FOR KEY SHARE), once per mediator.
func lockMediators(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `
		SELECT FROM mediators WHERE identifier IN (SELECT mediator FROM import_mediators) ORDER BY id FOR KEY SHARE`); err != nil {
		return fmt.Errorf("lock mediators: %w", err)
	}
	return nil
}

// refreshRollups recomputes the report rollups (migration 00014) of the
// imported sheets: the (mediator, day) keys that had no sheet before are
// computed from the staged lines (freshDayRollups), rollup_refresh
// recomputes the other keys, the months and the people known before the
// import; the people the import created have
// no rollup rows yet, so theirs are computed from the staged lines in one
// pass, as rollup_refresh would (TestRollupsGiveTheBaseTablesFigures
// compares both with the base tables). A created person's sheets are all
// in the file, with one mediator (the "beneficiary owner" check): never
// shared.
func refreshRollups(ctx context.Context, tx pgx.Tx, zone string, step func(string)) error {
	// Fresh days first: rollup_refresh's months then count them too.
	if err := freshDayRollups(ctx, tx, zone, step); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		SELECT rollup_refresh(coalesce(array_agg(k.mediator_id), '{}'), coalesce(array_agg(k.date), '{}'),
		       coalesce((SELECT array_agg(DISTINCT b.id) FROM import_sheets f JOIN beneficiaries b ON b.code = f.beneficiary
		                 WHERE NOT EXISTS (SELECT FROM import_people p WHERE p.id = b.id)), '{}'))
		FROM (SELECT DISTINCT m.id AS mediator_id, f.date FROM import_sheets f JOIN mediators m ON m.identifier = f.mediator
		      WHERE NOT EXISTS (SELECT FROM import_keys k WHERE k.fresh AND k.mediator_id = m.id AND k.date = f.date)) k`); err != nil {
		return fmt.Errorf("refresh report rollups: %w", err)
	}
	// The months of the fresh days, from their day rows (as rollup_refresh).
	if _, err := tx.Exec(ctx, `
		DELETE FROM report_counts c
		USING (SELECT DISTINCT mediator_id, date_trunc('month', date::timestamp)::date AS month FROM import_keys WHERE fresh) k
		WHERE c.grain = 'm' AND c.day = k.month AND c.mediator_id = k.mediator_id`); err != nil {
		return fmt.Errorf("report rollups of the fresh months: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
		SELECT 'm', k.month, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
		FROM (SELECT DISTINCT mediator_id, date_trunc('month', date::timestamp)::date AS month FROM import_keys WHERE fresh) k
		JOIN report_counts c ON c.grain = 'd' AND c.mediator_id = k.mediator_id
		     AND c.day >= k.month AND c.day < (k.month + INTERVAL '1 month')::date
		GROUP BY k.month, c.mediator_id, c.dim, c.code`); err != nil {
		return fmt.Errorf("report rollups of the fresh months: %w", err)
	}
	step("rollups: other days, months, known people")
	// Grouped by sorting, person first, the spans come out in person
	// order: written so, report_people's index on beneficiary_id only grows
	// at its end, with no second sort (hashing then sorting: 1.3 s more).
	var hashagg string
	if err := tx.QueryRow(ctx, `SELECT current_setting('enable_hashagg'), set_config('enable_hashagg', 'off', true)`).Scan(&hashagg, new(string)); err != nil {
		return fmt.Errorf("report rollups of the new people: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_people_spans ON COMMIT DROP AS
		WITH v AS (
			SELECT p.id AS beneficiary_id, m.id AS mediator_id, f.date, f.qpv = 'oui' AS qpv, f.social_protection = 'oui' AS sp,
			       f.rights, f.care
			FROM import_sheets f
			JOIN import_people p ON p.code = f.beneficiary
			JOIN mediators m ON m.identifier = f.mediator
		), spans AS (
			SELECT 'y' AS span, date_trunc('year', v.date::timestamp)::date AS start, v.* FROM v
			UNION ALL
			SELECT 'm', date_trunc('month', v.date::timestamp)::date, v.* FROM v
		)
		SELECT span, start, mediator_id, beneficiary_id, min(date) AS first_visit,
		       min(date) FILTER (WHERE qpv) AS first_qpv, min(date) FILTER (WHERE sp) AS first_sp,
		       min(date) FILTER (WHERE rights) AS first_rights, min(date) FILTER (WHERE care) AS first_care
		FROM spans
		GROUP BY beneficiary_id, span, start, mediator_id`); err != nil {
		return fmt.Errorf("report rollups of the new people: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('enable_hashagg', $1, true)`, hashagg); err != nil {
		return fmt.Errorf("report rollups of the new people: %w", err)
	}
	step("rollups: new people spans")
	// In the table's order: the persons'.
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_people (span, start, mediator_id, beneficiary_id, first_visit, first_qpv, first_sp,
		                           first_rights, first_care, shared)
		SELECT span, start, mediator_id, beneficiary_id, first_visit, first_qpv, first_sp, first_rights, first_care, FALSE
		FROM import_people_spans`); err != nil {
		return fmt.Errorf("report rollups of the new people: %w", err)
	}
	step("rollups: new people rows")
	// Counted by first day, one column at a time (alone = visit: never shared).
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_people_days AS h (span, start, mediator_id, day, visit, alone, qpv, sp, rights, care)
		SELECT span, start, mediator_id, day, sum(visit), sum(visit), sum(qpv), sum(sp), sum(rights), sum(care)
		FROM (
			SELECT span, start, mediator_id, first_visit AS day, count(*) AS visit, 0 AS qpv, 0 AS sp, 0 AS rights, 0 AS care
			FROM import_people_spans GROUP BY 1, 2, 3, 4
			UNION ALL
			SELECT span, start, mediator_id, first_qpv, 0, count(*), 0, 0, 0
			FROM import_people_spans WHERE first_qpv IS NOT NULL GROUP BY 1, 2, 3, 4
			UNION ALL
			SELECT span, start, mediator_id, first_sp, 0, 0, count(*), 0, 0
			FROM import_people_spans WHERE first_sp IS NOT NULL GROUP BY 1, 2, 3, 4
			UNION ALL
			SELECT span, start, mediator_id, first_rights, 0, 0, 0, count(*), 0
			FROM import_people_spans WHERE first_rights IS NOT NULL GROUP BY 1, 2, 3, 4
			UNION ALL
			SELECT span, start, mediator_id, first_care, 0, 0, 0, 0, count(*)
			FROM import_people_spans WHERE first_care IS NOT NULL GROUP BY 1, 2, 3, 4
		) x
		GROUP BY span, start, mediator_id, day
		ON CONFLICT (span, start, mediator_id, day) DO UPDATE
		SET visit = h.visit + EXCLUDED.visit, alone = h.alone + EXCLUDED.alone, qpv = h.qpv + EXCLUDED.qpv,
		    sp = h.sp + EXCLUDED.sp, rights = h.rights + EXCLUDED.rights, care = h.care + EXCLUDED.care`); err != nil {
		return fmt.Errorf("report rollups of the new people: %w", err)
	}
	step("rollups: new people counts")
	return nil
}

// importRebuildMin is the number of staged sheets from which an import that
// brings more sheets than the table holds drops the secondary indexes of
// beneficiaries, sheets and requests and creates them again after its
// inserts: one sort per index instead of a million insertions into each
// (the tables are locked anyway). A smaller import, or a large one into a
// larger table, keeps them: recreating would cost more than it saves.
var importRebuildMin = 50_000

// suspendIndexes drops, when the import is large for the tables (see
// importRebuildMin), the indexes of beneficiaries, sheets and requests that
// no constraint uses, and returns the statements that create them again, as
// the catalog defines them. The unique ones among them (the sheets'
// numbers) are checked again when created: a duplicate fails the import.
// The primary keys and unique constraints stay: the import's own lookups
// and the foreign keys need them.
func suspendIndexes(ctx context.Context, tx pgx.Tx) ([]string, error) {
	var staged, existing int
	if err := tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM import_sheets),
		       (SELECT count(*) FROM (SELECT FROM sheets LIMIT (SELECT count(*) FROM import_sheets)) s)`).Scan(&staged, &existing); err != nil {
		return nil, fmt.Errorf("count sheets: %w", err)
	}
	if staged < importRebuildMin || staged <= existing {
		return nil, nil
	}
	// Memory for the sorts of CREATE INDEX.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
		return nil, fmt.Errorf("set index memory: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid IN ('beneficiaries'::regclass, 'sheets'::regclass, 'requests'::regclass)
		  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	type index struct{ Name, Def string }
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return nil, fmt.Errorf("read indexes: %w", err)
	}
	var restore []string
	for _, ix := range indexes {
		if _, err := tx.Exec(ctx, `DROP INDEX `+ix.Name); err != nil {
			return nil, fmt.Errorf("set index %s aside: %w", ix.Name, err)
		}
		restore = append(restore, ix.Def)
	}
	return restore, nil
}

// freshDayRollups writes the day rollups (report_counts, report_follow_ups
// and their sums) of the import's fresh (mediator, day) keys, those without
// a sheet before the import, from the staged lines: every sheet of such a
// day is new and staged, so nothing is to be taken away, and the staged
// lines already carry each request's mediator and day. It is
// rollup_refresh's SQL (migration 00014) read from import_sheets and
// import_rows instead of sheets and requests, 2–3 times faster on a
// million lines; TestImportRollupsEqualARebuild pins each column to
// rollup_rebuild. No advisory lock: sheets and requests are locked, no
// other refresh can run for these keys.
func freshDayRollups(ctx context.Context, tx pgx.Tx, zone string, step func(string)) error {
	if _, err := tx.Exec(ctx, `
		DELETE FROM report_counts c USING import_keys k
		WHERE k.fresh AND c.grain = 'd' AND c.day = k.date AND c.mediator_id = k.mediator_id`); err != nil {
		return fmt.Errorf("report rollups of the fresh days: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
		WITH s AS MATERIALIZED (
			SELECT f.date, k.mediator_id, f.sex, f.age, f.qpv, f.resources, f.contact_mode, f.level, f.obstacles
			FROM import_sheets f JOIN import_keys k ON k.fresh AND k.mediator = f.mediator AND k.date = f.date
		), fixed AS (
			SELECT s.date, s.mediator_id, count(*) AS sheets,
			       count(*) FILTER (WHERE s.sex = 'F') AS f, count(*) FILTER (WHERE s.sex = 'M') AS m,
			       count(*) FILTER (WHERE s.sex = 'X') AS x,
			       count(*) FILTER (WHERE s.qpv = 'oui') AS qpv, count(*) FILTER (WHERE s.qpv = 'non') AS not_qpv,
			       count(s.age) AS age_known, coalesce(sum(s.age), 0) AS age_sum,
			       count(*) FILTER (WHERE s.obstacles <> '{}') AS obstacle_sheets
			FROM s GROUP BY s.date, s.mediator_id
		)
		SELECT 'd', f.date, f.mediator_id, d.dim, d.code, d.n, 0, 0
		FROM fixed f CROSS JOIN LATERAL (VALUES
			('sheets', '', f.sheets), ('sex', 'F', f.f), ('sex', 'M', f.m), ('sex', 'X', f.x),
			('qpv', 'oui', f.qpv), ('qpv', 'non', f.not_qpv), ('age_known', '', f.age_known),
			('age_sum', '', f.age_sum), ('obstacle_sheets', '', f.obstacle_sheets)
		) AS d(dim, code, n)
		WHERE d.n <> 0
		UNION ALL
		SELECT 'd', s.date, s.mediator_id,
		       CASE WHEN GROUPING(s.resources) = 0 THEN 'resources'
		            WHEN GROUPING(s.contact_mode) = 0 THEN 'contact_mode' ELSE 'level' END,
		       coalesce(s.resources, s.contact_mode, s.level), count(*), 0, 0
		FROM s
		GROUP BY GROUPING SETS ((s.date, s.mediator_id, s.resources), (s.date, s.mediator_id, s.contact_mode),
		                        (s.date, s.mediator_id, s.level))
		UNION ALL
		SELECT 'd', s.date, s.mediator_id, 'obstacle', o.code, count(*), 0, 0
		FROM s CROSS JOIN LATERAL unnest(s.obstacles) AS o(code)
		GROUP BY s.date, s.mediator_id, o.code
		UNION ALL
		SELECT 'd', r.date, k.mediator_id, r.request_kind, r.request_type, count(*),
		       count(*) FILTER (WHERE r.status = 'resolue'), count(*) FILTER (WHERE r.status = 'en_cours')
		FROM import_rows r JOIN import_keys k ON k.fresh AND k.mediator = r.mediator AND k.date = r.date
		WHERE r.request_kind IS NOT NULL
		GROUP BY r.date, k.mediator_id, r.request_kind, r.request_type`); err != nil {
		return fmt.Errorf("report rollups of the fresh days: %w", err)
	}
	step("rollups: fresh days' counts")
	// A resolved request's day is its resolved_at (the line's day at
	// midnight in zone, see writeImport) in Europe/Paris, as the rollups say.
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_follow_ups (mediator_id, sheet_day, what, day, n)
		SELECT k.mediator_id, r.date, f.what, f.day, count(*)
		FROM import_rows r JOIN import_keys k ON k.fresh AND k.mediator = r.mediator AND k.date = r.date
		CROSS JOIN LATERAL (VALUES
			(CASE WHEN r.status = 'resolue' THEN 'r' WHEN r.status = 'en_cours' THEN 'o' END,
			 CASE WHEN r.status = 'resolue' THEN ((r.date::timestamp AT TIME ZONE $1) AT TIME ZONE 'Europe/Paris')::date
			      WHEN r.status = 'en_cours' THEN r.follow_up END)
		) AS f(what, day)
		WHERE r.request_kind IS NOT NULL AND f.day IS NOT NULL
		GROUP BY k.mediator_id, r.date, f.what, f.day`, zone); err != nil {
		return fmt.Errorf("follow-up rollups of the fresh days: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_follow_up_days AS d (what, day, mediator_id, n)
		SELECT f.what, f.day, f.mediator_id, sum(f.n)
		FROM import_keys k JOIN report_follow_ups f ON f.mediator_id = k.mediator_id AND f.sheet_day = k.date
		WHERE k.fresh
		GROUP BY f.what, f.day, f.mediator_id
		ON CONFLICT (what, day, mediator_id) DO UPDATE SET n = d.n + EXCLUDED.n`); err != nil {
		return fmt.Errorf("follow-up rollups of the fresh days: %w", err)
	}
	step("rollups: fresh days' follow-ups")
	return nil
}
