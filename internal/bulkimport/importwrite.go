package bulkimport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"
	_ "time/tzdata" // the file's zone never silently falls back to UTC

	"github.com/jackc/pgx/v5"
)

// ImportRows writes a tracking file all or nothing, in one transaction.
// rows yields each line, or an *Problem for a line that could not be
// read (any other error aborts). The file is held in memory (about 740
// bytes of live heap a line): the checks across lines, the numbering and
// the report rollups are computed in Go, and the rows go into their tables
// with a binary COPY.
// Missing mediators (by identifier, with their département) and
// beneficiaries (by code, owned by the mediator of their first sheet) are
// created; sheets already there (by id) are skipped, so importing a file twice
// creates nothing the second time. When any line has a problem nothing is
// written and the error is ErrRejected, with the problems in the summary.
// Once the file is read and checked, the import holds beneficiaries, sheets
// and requests exclusively until it commits (see suspendForeignKeys); a
// large import also rebuilds all their indexes (see suspendIndexes).
// Each step's duration is logged at debug level ("import step").
func (im *Importer) ImportRows(ctx context.Context, rows iter.Seq2[Row, error], opt Options) (Summary, error) {
	// The rollups' days are Paris days; the file's zone is Paris unless
	// told otherwise.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return Summary{}, fmt.Errorf("import rows: %w", err)
	}
	loc := cmp.Or(opt.Location, paris)
	step := newImportSteps(ctx)
	f, err := readImportFile(rows)
	if err != nil {
		return Summary{}, fmt.Errorf("import rows: %w", err)
	}
	step("read")
	fileChecks := f.checks()
	step("check lines")
	var sum Summary
	err = im.db.InTx(ctx, func(tx pgx.Tx) error {
		sum = Summary{Rows: int(f.n) + f.problemCount}
		// The rollup triggers stand aside (and are disabled below): the
		// import writes the rollups of its keys itself. JIT compiling
		// would cost more than it saves here.
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'; SET LOCAL relais.rollup = 'off'; SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("set import options: %w", err)
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE beneficiaries, sheets, requests IN ACCESS EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock imported tables: %w", err)
		}
		db, err := readImportKnown(ctx, tx, f, im.db.CodeFingerprint)
		if err != nil {
			return err
		}
		step("read the database")
		// In the order the checks were written in SQL, for problems on
		// the same line.
		dbChecks := db.checks(f)
		problems, count := f.problems, f.problemCount
		for _, c := range []fileCheck{fileChecks[0], fileChecks[1], dbChecks[0], fileChecks[2], fileChecks[3], dbChecks[1], dbChecks[2], dbChecks[3]} {
			problems, count = append(problems, c.problems...), count+c.count
		}
		if count > 0 {
			slices.SortStableFunc(problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
			sum.Problems, sum.ProblemCount = problems[:min(len(problems), MaxProblems)], count
			return ErrRejected
		}
		plan := planImport(f, db)
		sum.Sheets, sum.SkippedSheets, sum.Requests = len(plan.order), plan.skipped, len(plan.requests)
		sum.NewMediators, sum.NewBeneficiaries = len(plan.newMediators), len(plan.newPeople)
		if opt.DryRun {
			return errDryRun
		}
		if err := writeImport(ctx, tx, f, db, plan, loc, paris, step); err != nil {
			return err
		}
		sum.NewMediators = len(plan.newMediators) // without any created meanwhile by someone else
		return nil
	})
	switch {
	case errors.Is(err, errDryRun):
		return sum, nil
	case errors.Is(err, ErrRejected):
		return sum, ErrRejected
	case err != nil:
		return Summary{}, fmt.Errorf("import rows: %w", err)
	}
	return sum, nil
}

// importKnown is what the database holds of the file's mediators, people
// and sheets, read under the import's locks.
type importKnown struct {
	mediators map[string]knownMediator // by identifier
	people    map[int32]knownPerson    // by person of the file
	sheets    map[int32]knownSheetInDB // by sheet of the file
	forgotten map[int32]bool           // the file's people whose code was erased at their request
}

type knownMediator struct {
	id          int64
	departement string
	top         int64 // its last mediator_number
}

type knownPerson struct {
	id       int64
	mediator string // its mediator's identifier
}

type knownSheetInDB struct {
	mediator string
	date     int32 // days since 1970-01-01
}

// readImportKnown reads the mediators, people and sheets of the file that
// the database holds: the keys go as arrays and are joined, so a million
// codes are one statement each.
func readImportKnown(ctx context.Context, tx pgx.Tx, f *importFile, fingerprint func(code string) string) (*importKnown, error) {
	db := &importKnown{mediators: map[string]knownMediator{}, people: map[int32]knownPerson{}, sheets: map[int32]knownSheetInDB{}, forgotten: map[int32]bool{}}
	if err := db.readForgotten(ctx, tx, f, fingerprint); err != nil {
		return nil, err
	}
	// Each mediator's last number, read while sheets_mediator_number may
	// answer it (the tables are locked: it cannot change).
	var ident string
	var m knownMediator
	if err := eachRow(ctx, tx, "read mediators", []any{&ident, &m.id, &m.departement, &m.top}, func() { db.mediators[ident] = m }, `
		SELECT m.identifier, m.id, m.departement,
		       coalesce((SELECT max(x.mediator_number) FROM sheets x WHERE x.mediator_id = m.id), 0)
		FROM mediators m WHERE m.identifier = ANY($1)`, f.mediators.all()); err != nil {
		return nil, err
	}
	// An empty table (a first import) is not asked about a million keys.
	var anyPerson, anySheet bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM beneficiaries), EXISTS (SELECT FROM sheets)`).Scan(&anyPerson, &anySheet); err != nil {
		return nil, fmt.Errorf("read beneficiaries: %w", err)
	}
	var codes []string
	if anyPerson {
		// Every line's code, not only each sheet's first line's: a line
		// disagreeing with its sheet is checked against the database too.
		codes = f.codes.all()
	}
	var p knownPerson
	if err := eachRow(ctx, tx, "read beneficiaries", []any{&ident, &p.id, &p.mediator}, func() { db.people[f.codes.find(ident)] = p }, `
		SELECT b.code, b.id, m.identifier
		FROM unnest($1::text[]) AS k(code) JOIN beneficiaries b ON b.code = k.code JOIN mediators m ON m.id = b.mediator_id`,
		codes); err != nil {
		return nil, err
	}
	var ids []string
	if anySheet {
		ids = f.sheetIDs.all()
	}
	var ks knownSheetInDB
	var date time.Time
	if err := eachRow(ctx, tx, "read sheets", []any{&ident, &ks.mediator, &date}, func() {
		ks.date = dayOf(date)
		db.sheets[f.sheetIDs.find(ident)] = ks
	}, `
		SELECT s.id, m.identifier, s.date
		FROM unnest($1::text[]) AS k(id) JOIN sheets s ON s.id = k.id JOIN mediators m ON m.id = s.mediator_id`, ids); err != nil {
		return nil, err
	}
	return db, nil
}

// readForgotten finds the file's codes erased at the person's request (by
// their keyed fingerprint): re-importing an old file must not bring them
// back. No erasure yet, no fingerprint computed.
func (db *importKnown) readForgotten(ctx context.Context, tx pgx.Tx, f *importFile, fingerprint func(code string) string) error {
	var some bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM forgotten_codes)`).Scan(&some); err != nil {
		return fmt.Errorf("read forgotten codes: %w", err)
	}
	if !some {
		return nil
	}
	prints := make([]string, f.codes.len()) // by person ("p1" and "P1" share one)
	for i := range prints {
		prints[i] = fingerprint(f.codes.name(int32(i)))
	}
	erased := map[string]bool{}
	var fp string
	if err := eachRow(ctx, tx, "read forgotten codes", []any{&fp}, func() { erased[fp] = true },
		`SELECT fingerprint FROM forgotten_codes WHERE fingerprint = ANY($1)`, prints); err != nil {
		return err
	}
	for person, fp := range prints {
		if erased[fp] {
			db.forgotten[int32(person)] = true
		}
	}
	return nil
}

// eachRow runs sql, scans each row into dest and calls each: the import's
// reads of many keys; its errors say what was read.
func eachRow(ctx context.Context, tx pgx.Tx, what string, dest []any, each func(), sql string, args ...any) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err == nil {
		_, err = pgx.ForEachRow(rows, dest, func() error { each(); return nil })
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// checks find the lines that clash with what the database holds: a
// mediator known in another département ("known mediator"), a code owned by
// another mediator ("known beneficiary"), a sheet id used by another
// mediator or on another date ("known sheet"). Each is one problem per
// group, at its smallest line; at most MaxProblems of each, all
// counted.
func (db *importKnown) checks(f *importFile) []fileCheck {
	type group struct{ a, b, c int32 }
	check := func(name string, known int, match func(r *fileRow) (group, bool), msg func(g group) string) fileCheck {
		c := fileCheck{name: name}
		if known == 0 {
			return c
		}
		first := map[group]int32{}
		for i := range f.n {
			r := f.at(i)
			if g, ok := match(r); ok {
				if _, seen := first[g]; !seen {
					first[g] = r.line
				}
			}
		}
		found := make([]Problem, 0, len(first))
		for g, line := range first {
			found = append(found, Problem{Line: int(line), Reason: msg(g)})
		}
		slices.SortFunc(found, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
		c.problems, c.count = found[:min(len(found), MaxProblems)], len(found)
		return c
	}
	// The mediators of the file as the database knows them.
	meds := f.mediators.all()
	knownDep := make([]string, len(meds))
	isKnown := make([]bool, len(meds))
	for m, ident := range meds {
		k, ok := db.mediators[ident]
		knownDep[m], isKnown[m] = k.departement, ok
	}
	return []fileCheck{
		check("known mediator", len(db.mediators), func(r *fileRow) (group, bool) {
			return group{a: r.mediator, b: int32(r.departement)}, isKnown[r.mediator] && knownDep[r.mediator] != f.words.word(r.departement)
		}, func(g group) string {
			return knownMediatorProblem(meds[g.a], f.words.word(uint16(g.b)), knownDep[g.a])
		}),
		check("known beneficiary", len(db.people), func(r *fileRow) (group, bool) {
			p, ok := db.people[r.person]
			return group{a: r.person, b: r.mediator}, ok && p.mediator != meds[r.mediator]
		}, func(g group) string {
			return knownBeneficiaryProblem(f.codes.name(g.a), db.people[g.a].mediator, meds[g.b])
		}),
		check("known sheet", len(db.sheets), func(r *fileRow) (group, bool) {
			s, ok := db.sheets[r.sheet]
			if !ok || s.mediator == meds[r.mediator] && s.date == r.day {
				return group{}, false
			}
			return group{r.sheet, r.mediator, r.day}, true
		}, func(g group) string { return knownSheetProblem(f.sheetIDs.name(g.a)) }),
		check("forgotten beneficiary", len(db.forgotten), func(r *fileRow) (group, bool) {
			return group{a: r.person}, db.forgotten[r.person]
		}, func(g group) string { return forgottenBeneficiaryProblem(f.codes.name(g.a)) }),
	}
}

func forgottenBeneficiaryProblem(code string) string {
	return fmt.Sprintf("le code bénéficiaire « %s » a été effacé à la demande de la personne : retirez ses lignes du fichier", code)
}

func knownMediatorProblem(med, dep, known string) string {
	return fmt.Sprintf("le médiateur « %s » est déjà enregistré dans le département %s, pas %s", med, known, dep)
}

func knownBeneficiaryProblem(code, owner, med string) string {
	return fmt.Sprintf("le code bénéficiaire « %s » appartient déjà au médiateur « %s », pas à « %s »", code, owner, med)
}

func knownSheetProblem(id string) string {
	return fmt.Sprintf("une autre fiche « %s » (autre médiateur ou autre date) est déjà enregistrée : les identifiants de fiche doivent être uniques", id)
}

// importPlan is what the import will create, decided in Go once the file
// and the database agree.
type importPlan struct {
	newMediators []newMediator // by identifier
	// latest is each person's latest sheet in the file (by date, then last
	// line), whose line gives a new person's attributes; lastDay its day.
	latest  []int32
	lastDay []int32
	// personID is each person's beneficiaries.id, known ones' already.
	personID  []int64
	newPeople []int32 // the people to create, in order of first line
	order     []int32 // the new sheets in (date, line) order: their numbers' order
	skipped   int     // sheets already there
	requests  []int32 // the rows of the new sheets' requests, in line order
}

type newMediator struct{ identifier, departement string }

// planImport decides what is created: the mediators and people missing
// (a person takes the attributes of their latest sheet in the file), the
// sheets not already there, in the order they are numbered.
func planImport(f *importFile, db *importKnown) *importPlan {
	people := f.codes.len()
	p := &importPlan{latest: make([]int32, people), lastDay: make([]int32, people), personID: make([]int64, people)}
	for m, med := range f.mediators.all() {
		if _, ok := db.mediators[med]; !ok {
			p.newMediators = append(p.newMediators, newMediator{med, f.words.word(f.mediatorDep[m])})
		}
	}
	slices.SortFunc(p.newMediators, func(a, b newMediator) int { return cmp.Compare(a.identifier, b.identifier) })
	for i := range p.latest {
		p.latest[i] = -1
	}
	for i := range f.sheets {
		sh := &f.sheets[i]
		person, day := f.at(sh.first).person, f.at(sh.first).day
		if l := p.latest[person]; l < 0 || day > p.lastDay[person] || day == p.lastDay[person] && f.sheets[l].lastLine < sh.lastLine {
			p.latest[person], p.lastDay[person] = int32(i), day
		}
		if len(db.sheets) > 0 {
			if _, ok := db.sheets[int32(i)]; ok {
				sh.known = true
				p.skipped++
				continue
			}
		}
		p.order = append(p.order, int32(i))
	}
	for person := range p.latest {
		known, ok := db.people[int32(person)]
		if ok {
			p.personID[person] = known.id
		} else {
			p.newPeople = append(p.newPeople, int32(person))
		}
	}
	for i := range f.n {
		if r := f.at(i); r.kind != 0 && !f.sheets[r.sheet].known { // word 0 is ""
			p.requests = append(p.requests, int32(i))
		}
	}
	// Sorted on one integer (day, then line), read once per sheet.
	keyed := make([]struct {
		key int64
		i   int32
	}, len(p.order))
	for j, i := range p.order {
		r := f.at(f.sheets[i].first)
		keyed[j].key, keyed[j].i = int64(r.day)<<32|int64(r.line), i
	}
	slices.SortFunc(keyed, func(a, b struct {
		key int64
		i   int32
	}) int {
		return cmp.Compare(a.key, b.key)
	})
	for j := range keyed {
		p.order[j] = keyed[j].i
	}
	return p
}

// writeImport creates what plan says, with COPY, and the rollups of the
// new sheets. The foreign keys inside the imported tables and the
// triggers are set aside meanwhile (see suspendForeignKeys), and a large
// import rebuilds the secondary indexes (see suspendIndexes).
func writeImport(ctx context.Context, tx pgx.Tx, f *importFile, db *importKnown, plan *importPlan, loc, paris *time.Location, step func(string)) error {
	restoreKeys, err := suspendForeignKeys(ctx, tx)
	if err != nil {
		return err
	}
	step("keys aside")
	if err := createMediators(ctx, tx, db, plan); err != nil {
		return err
	}
	step("mediators")
	medIDs := make([]int64, f.mediators.len()) // by mediator of the file
	for m, ident := range f.mediators.all() {
		medIDs[m] = db.mediators[ident].id
	}
	for i := range f.sheets {
		sh := &f.sheets[i]
		sh.mediatorID = medIDs[f.at(sh.first).mediator]
	}
	fresh, err := freshDays(ctx, tx, f, plan)
	if err != nil {
		return err
	}
	step("fresh days")
	restoreIndexes, err := suspendIndexes(ctx, tx, len(plan.order))
	if err != nil {
		return err
	}
	step("mediators, days, indexes set aside")
	if err := writePeople(ctx, tx, f, db, plan, medIDs); err != nil {
		return err
	}
	step("beneficiaries")
	// Every sheet now has its ids: the rollups are computed in Go while
	// PostgreSQL writes the sheets and requests (one core each).
	computed := make(chan importRollups, 1)
	go func() { computed <- computeImportRollups(f, fresh, loc, paris) }()
	if err := writeSheets(ctx, tx, f, db, plan); err != nil {
		return err
	}
	step("sheets")
	if err := writeRequests(ctx, tx, f, plan, loc); err != nil {
		return err
	}
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
	return refreshRollups(ctx, tx, f, plan, fresh, <-computed, step)
}

// createMediators inserts the missing mediators and records their ids.
// No row lock is needed on the file's mediators, nor the bot's numbering
// lock: deleting a mediator, or saving a sheet, waits for the tables the
// import holds exclusively.
func createMediators(ctx context.Context, tx pgx.Tx, db *importKnown, plan *importPlan) error {
	if len(plan.newMediators) > 0 {
		idents, deps := make([]string, len(plan.newMediators)), make([]string, len(plan.newMediators))
		for i, m := range plan.newMediators {
			idents[i], deps[i] = m.identifier, m.departement
		}
		created := map[string]bool{}
		var ident string
		var m knownMediator
		isNew := true
		dest, each := []any{&ident, &m.id, &m.departement}, func() { db.mediators[ident], created[ident] = m, isNew }
		if err := eachRow(ctx, tx, "create mediators", dest, each, `
			INSERT INTO mediators (identifier, departement) SELECT * FROM unnest($1::text[], $2::text[])
			ON CONFLICT (identifier) DO NOTHING RETURNING identifier, id, departement`, idents, deps); err != nil {
			return err
		}
		// One created by someone else since readImportKnown (mediators
		// are not locked) is left out by ON CONFLICT: its id is read (by a
		// statement of its own, which sees it), or its rows would name
		// mediator 0, and it is not counted as new.
		var missing []string
		for _, m := range plan.newMediators {
			if !created[m.identifier] {
				missing = append(missing, m.identifier)
			}
		}
		if len(missing) > 0 {
			isNew = false
			if err := eachRow(ctx, tx, "create mediators", dest, each,
				`SELECT identifier, id, departement FROM mediators WHERE identifier = ANY($1)`, missing); err != nil {
				return err
			}
		}
		plan.newMediators = slices.DeleteFunc(plan.newMediators, func(m newMediator) bool { return !created[m.identifier] })
	}
	return nil
}

// freshDays returns the (mediator, day) keys of the new sheets that had no
// sheet before: their rollups are computed from the file alone.
func freshDays(ctx context.Context, tx pgx.Tx, f *importFile, plan *importPlan) (map[importDayKey]bool, error) {
	fresh := map[importDayKey]bool{}
	for _, i := range plan.order {
		sh := &f.sheets[i]
		fresh[importDayKey{sh.mediatorID, f.at(sh.first).day}] = true
	}
	meds, days := make([]int64, 0, len(fresh)), make([]time.Time, 0, len(fresh))
	for k := range fresh {
		meds, days = append(meds, k.mediatorID), append(days, dayTime(k.day))
	}
	var med int64
	var day time.Time
	if err := eachRow(ctx, tx, "find the import's days", []any{&med, &day}, func() { fresh[importDayKey{med, dayOf(day)}] = false }, `
		SELECT DISTINCT s.mediator_id, s.date
		FROM unnest($1::bigint[], $2::date[]) AS k(m, d) JOIN sheets s ON s.mediator_id = k.m AND s.date = k.d`, meds, days); err != nil {
		return nil, err
	}
	return fresh, nil
}

// writePeople moves the known people's last visit forward and creates the
// new ones, with ids taken from the table's sequence in one step (the
// table is locked: no one else takes one meanwhile).
func writePeople(ctx context.Context, tx pgx.Tx, f *importFile, db *importKnown, plan *importPlan, medIDs []int64) error {
	isNew := make([]bool, f.codes.len())
	for _, person := range plan.newPeople {
		isNew[person] = true
	}
	if len(db.people) > 0 {
		var ids []int64
		var seen []int32
		for person, id := range plan.personID {
			if !isNew[person] {
				ids, seen = append(ids, id), append(seen, plan.lastDay[person])
			}
		}
		days := make([]time.Time, len(seen))
		for i, d := range seen {
			days[i] = dayTime(d)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE beneficiaries b SET last_seen = x.d FROM unnest($1::bigint[], $2::date[]) AS x(id, d)
			WHERE b.id = x.id AND (b.last_seen IS NULL OR b.last_seen < x.d)`, ids, days); err != nil {
			return fmt.Errorf("update beneficiaries: %w", err)
		}
	}
	if n := len(plan.newPeople); n > 0 {
		first, err := reserveIDs(ctx, tx, "beneficiaries", "id", n)
		if err != nil {
			return err
		}
		for i, person := range plan.newPeople {
			plan.personID[person] = first + int64(i)
		}
		if _, err := copyBinary(ctx, tx, "beneficiaries",
			[]string{"id", "code", "mediator_id", "sex", "age", "age_on", "qpv", "resources", "last_seen"},
			n, func(c *copyRow, i int) {
				person := plan.newPeople[i]
				r := f.at(f.sheets[plan.latest[person]].first)
				c.begin(9)
				c.int8(plan.personID[person])
				c.bytes(f.codes.bytesOf(r.person))
				c.int8(medIDs[r.mediator])
				c.text(f.words.word(r.sex))
				c.age(r.age)
				c.unixDay(r.day)
				c.text(f.words.word(r.qpv))
				c.text(f.words.word(r.resources))
				c.unixDay(r.day)
			}); err != nil {
			return fmt.Errorf("create beneficiaries: %w", err)
		}
	}
	for i := range f.sheets {
		sh := &f.sheets[i]
		person := f.at(sh.first).person
		sh.beneficiaryID, sh.newPerson = plan.personID[person], isNew[person]
	}
	return nil
}

// reserveIDs takes n values of the identity column's sequence in one step
// and returns the first (the table is locked: no one else takes one
// meanwhile). Given in COPY, they spare a nextval per row.
func reserveIDs(ctx context.Context, tx pgx.Tx, table, column string, n int) (int64, error) {
	var last int64
	if err := tx.QueryRow(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), nextval(pg_get_serial_sequence($1, $2)) + $3 - 1)`,
		table, column, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("number %s: %w", table, err)
	}
	return last - int64(n) + 1, nil
}

// writeSheets creates the new sheets in (date, line) order, each numbered
// after its mediator's last number as the bot's trigger would one by one.
func writeSheets(ctx context.Context, tx pgx.Tx, f *importFile, db *importKnown, plan *importPlan) error {
	if len(plan.order) == 0 {
		return nil
	}
	next := map[int64]int64{}
	for _, m := range db.mediators {
		next[m.id] = m.top
	}
	number, err := reserveIDs(ctx, tx, "sheets", "number", len(plan.order))
	if err != nil {
		return err
	}
	if _, err := copyBinary(ctx, tx, "sheets",
		[]string{"number", "id", "mediator_id", "beneficiary_id", "date", "sex", "age", "qpv", "resources", "contact_mode",
			"level", "social_protection", "obstacles", "source", "mediator_number"},
		len(plan.order), func(c *copyRow, i int) {
			sh := &f.sheets[plan.order[i]]
			r := f.at(sh.first)
			next[sh.mediatorID]++
			w := func(id uint16) { c.text(f.words.word(id)) }
			c.begin(15)
			c.int8(number + int64(i))
			c.bytes(f.sheetIDs.bytesOf(r.sheet))
			c.int8(sh.mediatorID)
			c.int8(sh.beneficiaryID)
			c.unixDay(r.day)
			w(r.sex)
			c.age(r.age)
			w(r.qpv)
			w(r.resources)
			w(r.contactMode)
			w(r.level)
			w(r.socialProtection)
			c.wordArray(&f.words, f.obstacleLists[r.obstacles])
			c.text("import")
			c.int8(next[sh.mediatorID])
		}); err != nil {
		return fmt.Errorf("create sheets: %w", err)
	}
	return nil
}

// writeRequests creates the requests of the new sheets, numbered from 1 in
// their sheet in line order. A request changed status on its line's day,
// at midnight in the file's zone.
func writeRequests(ctx context.Context, tx pgx.Tx, f *importFile, plan *importPlan, loc *time.Location) error {
	idx := plan.requests
	if len(idx) == 0 {
		return nil
	}
	id, err := reserveIDs(ctx, tx, "requests", "id", len(idx))
	if err != nil {
		return err
	}
	position := make([]int32, len(f.sheets))
	resolved := f.word("resolue")
	midnights := map[int32]time.Time{} // a line's day: its midnight in loc
	midnight := func(day int32) time.Time {
		at, ok := midnights[day]
		if !ok {
			d := dayTime(day)
			at = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
			midnights[day] = at
		}
		return at
	}
	if _, err := copyBinary(ctx, tx, "requests",
		[]string{"id", "sheet_id", "position", "kind", "type", "status", "follow_up", "status_changed_at", "resolved_at"},
		len(idx), func(c *copyRow, i int) {
			r := f.at(idx[i])
			s := r.sheet
			position[s]++
			at := midnight(r.day)
			c.begin(9)
			c.int8(id + int64(i))
			c.bytes(f.sheetIDs.bytesOf(s))
			c.int4(position[s])
			c.text(f.words.word(r.kind))
			c.text(f.words.word(r.typ))
			c.text(f.words.word(r.status))
			if r.followUp == noFollowUp {
				c.null()
			} else {
				c.unixDay(r.followUp)
			}
			c.timestamptz(at)
			if r.status == resolved {
				c.timestamptz(at)
			} else {
				c.null()
			}
		}); err != nil {
		return fmt.Errorf("create requests: %w", err)
	}
	return nil
}

// refreshRollups writes the report rollups (migration 00014) of the new
// sheets: those computed from the file for the fresh (mediator, day) keys
// and the people the import created (computeImportRollups), then rollup_refresh
// recomputes the other keys, the months and the people known before; the
// months of the fresh days are summed from their day rows, then their years.
func refreshRollups(ctx context.Context, tx pgx.Tx, f *importFile, plan *importPlan, fresh map[importDayKey]bool, computed importRollups, step func(string)) error {
	if err := computed.write(ctx, tx, step); err != nil {
		return err
	}
	step("rollups: new people's days")
	var meds, freshMeds []int64
	var days, freshDays []time.Time
	for k, isFresh := range fresh {
		if isFresh {
			freshMeds, freshDays = append(freshMeds, k.mediatorID), append(freshDays, dayTime(k.day))
		} else {
			meds, days = append(meds, k.mediatorID), append(days, dayTime(k.day))
		}
	}
	known := map[int64]bool{}
	for _, i := range plan.order {
		if sh := &f.sheets[i]; !sh.newPerson {
			known[sh.beneficiaryID] = true
		}
	}
	bens := make([]int64, 0, len(known))
	for id := range known {
		bens = append(bens, id)
	}
	if _, err := tx.Exec(ctx, `SELECT rollup_refresh($1, $2, $3)`, meds, days, bens); err != nil {
		return fmt.Errorf("refresh report rollups: %w", err)
	}
	// The months of the fresh days, from their day rows (as rollup_refresh).
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_months ON COMMIT DROP AS
		SELECT DISTINCT m AS mediator_id, date_trunc('month', d::timestamp)::date AS month FROM unnest($1::bigint[], $2::date[]) AS k(m, d)`,
		freshMeds, freshDays); err != nil {
		return fmt.Errorf("report rollups of the fresh months: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		DELETE FROM report_counts c USING import_months k
		WHERE c.grain = 'm' AND c.day = k.month AND c.mediator_id = k.mediator_id`); err != nil {
		return fmt.Errorf("report rollups of the fresh months: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
		SELECT 'm', k.month, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
		FROM import_months k
		JOIN report_counts c ON c.grain = 'd' AND c.mediator_id = k.mediator_id
		     AND c.day >= k.month AND c.day < (k.month + INTERVAL '1 month')::date
		GROUP BY k.month, c.mediator_id, c.dim, c.code`); err != nil {
		return fmt.Errorf("report rollups of the fresh months: %w", err)
	}
	// Their years (migration 00100), once their months are summed:
	// rollup_refresh did the others' years.
	if _, err := tx.Exec(ctx, `
		SELECT rollup_years(coalesce(array_agg(k.mediator_id), '{}'), coalesce(array_agg(k.start), '{}'))
		FROM (SELECT DISTINCT mediator_id, date_trunc('year', month::timestamp)::date AS start FROM import_months) k`); err != nil {
		return fmt.Errorf("report rollups of the fresh years: %w", err)
	}
	step("rollups: other days, months, known people")
	return nil
}
