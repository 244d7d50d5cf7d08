package bulkimport

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SetImportRebuildMin lowers the import size from which indexes are
// recreated, so a test can cross it with a few lines. The threshold is the
// package's: a test that sets it must not be parallel.
func SetImportRebuildMin(t interface{ Cleanup(func()) }, n int) {
	prev := importRebuildMin
	importRebuildMin = n
	t.Cleanup(func() { importRebuildMin = prev })
}

// ImportSheetIDs is what the import's writer sets on a sheet of its file
// before the rollups run.
type ImportSheetIDs struct {
	Known                     bool
	MediatorID, BeneficiaryID int64
	NewPerson                 bool
}

// ImportDayKey is a (mediator, day) key of an import's rollups.
type ImportDayKey struct {
	MediatorID int64
	Day        time.Time
}

// WriteImportRollups runs writeImportRollups on the file of rows, its
// sheets given ids[SheetID].
func WriteImportRollups(ctx context.Context, tx pgx.Tx, rows []Row, ids map[string]ImportSheetIDs,
	fresh map[ImportDayKey]bool, zone *time.Location) error {
	keys := make(map[importDayKey]bool, len(fresh))
	for k, v := range fresh {
		keys[importDayKey{k.MediatorID, dayOf(k.Day)}] = v
	}
	return writeImportRollups(ctx, tx, importFileOf(rows, ids), keys, zone, func(string) {})
}

// importFileOf reads rows as the import does (readImportFile), then gives
// its sheets ids[SheetID], as the writer would before the rollups run.
func importFileOf(rows []Row, ids map[string]ImportSheetIDs) *importFile {
	f, err := readImportFile(func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	})
	if err != nil {
		panic(err) // rows yield no read error
	}
	for i := range f.sheets {
		sh := &f.sheets[i]
		id := ids[f.row(sh.first).SheetID]
		sh.known, sh.mediatorID, sh.beneficiaryID, sh.newPerson = id.Known, id.MediatorID, id.BeneficiaryID, id.NewPerson
	}
	return f
}

// CreateImportMediators runs createMediators for the file's mediators
// that readImportKnown did not find (identifier → département), and
// returns the mediator ids the import then knows, by identifier, and how
// many it counts as created.
func CreateImportMediators(ctx context.Context, tx pgx.Tx, missing [][2]string) (map[string]int64, int, error) {
	db := &importKnown{mediators: map[string]knownMediator{}}
	plan := &importPlan{}
	for _, m := range missing {
		plan.newMediators = append(plan.newMediators, newMediator{m[0], m[1]})
	}
	if err := createMediators(ctx, tx, db, plan); err != nil {
		return nil, 0, err
	}
	ids := map[string]int64{}
	for ident, m := range db.mediators {
		ids[ident] = m.id
	}
	return ids, len(plan.newMediators), nil
}

// writeImportRollups writes the rollups of an import that the base tables'
// triggers would have written (they are off): for the (mediator, day) keys
// fresh[key] marks (no sheet before the import, so all their sheets are in
// f), report_counts' day rows, report_follow_ups and their sums; for the
// people the sheets' newPerson marks, report_people and report_people_days.
// It is freshDayRollups and the new-people part of refreshRollups computed
// in Go from f instead of SQL over staged lines. zone is the file's dates'
// zone: a resolved request was resolved at its line's midnight there. Known
// sheets are left out. Call it once per transaction (its temp tables).
func writeImportRollups(ctx context.Context, tx pgx.Tx, f *importFile, fresh map[importDayKey]bool, zone *time.Location, step func(string)) error {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return fmt.Errorf("report rollups of the import: %w", err)
	}
	r := computeImportRollups(f, fresh, zone, paris)
	step("rollups: computed")
	return r.write(ctx, tx, step)
}

// SetImportStepHook runs f at the end of each import step, inside its
// transaction, until the test ends. The hook is the package's: a test that
// sets it must not be parallel.
func SetImportStepHook(t interface{ Cleanup(func()) }, f func(step string)) {
	importStepHook = f
	t.Cleanup(func() { importStepHook = nil })
}
