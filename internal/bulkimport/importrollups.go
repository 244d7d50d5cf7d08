package bulkimport

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris must load wherever the binary runs

	"github.com/jackc/pgx/v5"
)

// rollupDay is a date as days since 1970-01-01 (its calendar day, see
// dayOf): the aggregation keys on it, cheaper to hash and compare than a
// time.Time.
type rollupDay int32

// noDay marks a first_* date that has none (NULL).
const noDay rollupDay = math.MaxInt32

func (d rollupDay) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// rollupKey is a (mediator, day) key of the rollups.
type rollupKey struct {
	mediatorID int64
	day        rollupDay
}

// The columns of the report rollups (migration 00014) an import writes.
type (
	countRow struct {
		key               rollupKey
		dim, code         string
		n, resolved, open int64
	}
	followUpRow struct {
		key  rollupKey // mediator and sheet_day
		what string    // "r" or "o"
		day  rollupDay
		n    int64
	}
	followUpDayRow struct {
		what       string
		day        rollupDay
		mediatorID int64
		n          int64
	}
	// personSpan is a report_people row (shared is always false: a person
	// the import creates has one mediator, see "beneficiary owner").
	personSpan struct {
		span          string // "y" or "m"
		start         rollupDay
		mediatorID    int64
		beneficiaryID int64
		first         [firstCount]rollupDay // by firstVisit…firstCare, noDay when none
	}
	peopleDayRow struct {
		span       string
		start      rollupDay
		mediatorID int64
		day        rollupDay
		n          [firstCount]int64 // people whose first_* is day; alone = visit
	}
)

// The first_* dates of a report_people row, in column order.
const (
	firstVisit = iota
	firstQPV
	firstSP
	firstRights
	firstCare
	firstCount
)

// importRollups is what an import adds to the rollups: the day rows of
// its fresh keys and the rows of the people it creates.
type importRollups struct {
	freshKeys    []rollupKey // their old 'd' rows of report_counts go first
	counts       []countRow  // report_counts, grain 'd'
	followUps    []followUpRow
	followUpDays []followUpDayRow // to add to report_follow_up_days
	people       []personSpan     // in beneficiary_id order
	peopleDays   []peopleDayRow   // to add to report_people_days
}

// computeImportRollups aggregates f in one pass over its sheets and one
// over its rows, with hash maps; the rows come out in a fixed order (their
// keys' first appearance), people by beneficiary.
func computeImportRollups(f *importFile, fresh map[importDayKey]bool, zone, paris *time.Location) importRollups {
	var out importRollups
	for k, ok := range fresh {
		if ok {
			out.freshKeys = append(out.freshKeys, rollupKey{k.mediatorID, rollupDay(k.day)})
		}
	}
	slices.SortFunc(out.freshKeys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.mediatorID, b.mediatorID))
	})
	out.freshKeys = slices.Compact(out.freshKeys)
	keyIndex := make(map[rollupKey]int32, len(out.freshKeys))
	for i, k := range out.freshKeys {
		keyIndex[k] = int32(i)
	}

	// The counts of fixed dims, per fresh key (report_counts' "fixed").
	type fixed struct{ sheets, f, m, x, qpv, notQPV, ageKnown, ageSum, obstacleSheets int64 }
	fixeds := make([]fixed, len(out.freshKeys))
	// The other dims count by code. A (dim, code) pair gets a small id from
	// a map that stays small (the file's vocabulary); each key keeps its
	// few pairs in a short slice: a linear scan there touches less memory
	// than one big map of every (key, dim, code): about 2× faster.
	type dimCode struct {
		dim  string
		code uint16 // a word of the file
	}
	type keyCode struct{ id, row int32 }
	pairs := make(map[dimCode]int32)
	keyCodes := make([][]keyCode, len(out.freshKeys))
	var codes []countRow
	addCode := func(k int32, dim string, code uint16) *countRow {
		id, ok := pairs[dimCode{dim, code}]
		if !ok {
			id = int32(len(pairs))
			pairs[dimCode{dim, code}] = id
		}
		for _, c := range keyCodes[k] {
			if c.id == id {
				return &codes[c.row]
			}
		}
		keyCodes[k] = append(keyCodes[k], keyCode{id, int32(len(codes))})
		codes = append(codes, countRow{key: out.freshKeys[k], dim: dim, code: f.words.word(code)})
		return &codes[len(codes)-1]
	}

	// Pass over the sheets: each new sheet's fresh key (-1 when none), its
	// fixed and code counts, and the sheets of the new people.
	female, male, other, yes, no := f.word("F"), f.word("M"), f.word("X"), f.word("oui"), f.word("non")
	resolue, enCours := f.word("resolue"), f.word("en_cours")
	sheetKey := make([]int32, len(f.sheets))
	var newPeople []int32
	for si := range f.sheets {
		s := &f.sheets[si]
		sheetKey[si] = -1
		if s.known {
			continue
		}
		r := &f.rows[s.first]
		if s.newPerson {
			newPeople = append(newPeople, int32(si))
		}
		k, ok := keyIndex[rollupKey{s.mediatorID, rollupDay(r.day)}]
		if !ok {
			continue
		}
		sheetKey[si] = k
		c := &fixeds[k]
		c.sheets++
		switch r.sex {
		case female:
			c.f++
		case male:
			c.m++
		case other:
			c.x++
		}
		switch r.qpv {
		case yes:
			c.qpv++
		case no:
			c.notQPV++
		}
		if r.age != noAge {
			c.ageKnown++
			c.ageSum += int64(r.age)
		}
		obstacles := f.obstacleLists[r.obstacles]
		if len(obstacles) > 0 {
			c.obstacleSheets++
		}
		addCode(k, "resources", r.resources).n++
		addCode(k, "contact_mode", r.contactMode).n++
		addCode(k, "level", r.level).n++
		for _, o := range obstacles { // each mention, duplicates too (unnest)
			addCode(k, "obstacle", o).n++
		}
	}

	// Pass over the rows: the requests of the fresh keys' sheets.
	type followKey struct {
		key  int32
		what byte
		day  rollupDay
	}
	followIndex := make(map[followKey]int32)
	resolvedDays := make(map[rollupDay]rollupDay) // a line's day → its resolved day in Paris
	for i := range f.rows {
		r := &f.rows[i]
		k := sheetKey[r.sheet]
		if r.kind == 0 || k < 0 { // word 0 is ""
			continue
		}
		c := addCode(k, f.words.word(r.kind), r.typ)
		c.n++
		var what string
		var day rollupDay
		switch r.status {
		case resolue:
			c.resolved++
			sheetDay := out.freshKeys[k].day
			d, ok := resolvedDays[sheetDay]
			if !ok {
				// resolved_at is the line's midnight in zone (see
				// writeImport); the rollups count its day in Paris.
				y, m, dd := dayTime(r.day).Date()
				d = rollupDay(dayOf(sameDateUTC(time.Date(y, m, dd, 0, 0, 0, 0, zone).In(paris))))
				resolvedDays[sheetDay] = d
			}
			what, day = "r", d
		case enCours:
			c.open++
			if r.followUp == noFollowUp {
				continue
			}
			what, day = "o", rollupDay(r.followUp)
		default:
			continue
		}
		fk := followKey{k, what[0], day}
		j, ok := followIndex[fk]
		if !ok {
			j = int32(len(out.followUps))
			followIndex[fk] = j
			out.followUps = append(out.followUps, followUpRow{key: out.freshKeys[k], what: what, day: day})
		}
		out.followUps[j].n++
	}

	out.counts = make([]countRow, 0, 9*len(fixeds)+len(codes))
	for k, c := range fixeds {
		key := out.freshKeys[k]
		for _, d := range [...]struct {
			dim, code string
			n         int64
		}{
			{"sheets", "", c.sheets}, {"sex", "F", c.f}, {"sex", "M", c.m}, {"sex", "X", c.x},
			{"qpv", "oui", c.qpv}, {"qpv", "non", c.notQPV}, {"age_known", "", c.ageKnown},
			{"age_sum", "", c.ageSum}, {"obstacle_sheets", "", c.obstacleSheets},
		} {
			if d.n != 0 {
				out.counts = append(out.counts, countRow{key: key, dim: d.dim, code: d.code, n: d.n})
			}
		}
	}
	out.counts = append(out.counts, codes...)

	type dayKey struct {
		what       string
		day        rollupDay
		mediatorID int64
	}
	dayIndex := make(map[dayKey]int32)
	for _, fu := range out.followUps {
		dk := dayKey{fu.what, fu.day, fu.key.mediatorID}
		j, ok := dayIndex[dk]
		if !ok {
			j = int32(len(out.followUpDays))
			dayIndex[dk] = j
			out.followUpDays = append(out.followUpDays, followUpDayRow{what: fu.what, day: fu.day, mediatorID: fu.key.mediatorID})
		}
		out.followUpDays[j].n += fu.n
	}

	out.people = peopleSpans(f, newPeople)
	type peopleKey struct {
		span       string
		start      rollupDay
		mediatorID int64
		day        rollupDay
	}
	peopleIndex := make(map[peopleKey]int32)
	for _, p := range out.people {
		for c, day := range p.first {
			if day == noDay {
				continue
			}
			pk := peopleKey{p.span, p.start, p.mediatorID, day}
			j, ok := peopleIndex[pk]
			if !ok {
				j = int32(len(out.peopleDays))
				peopleIndex[pk] = j
				out.peopleDays = append(out.peopleDays, peopleDayRow{span: p.span, start: p.start, mediatorID: p.mediatorID, day: day})
			}
			out.peopleDays[j].n[c]++
		}
	}
	return out
}

// sameDateUTC is t's date in its location, at midnight UTC.
func sameDateUTC(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// peopleSpans gives the report_people rows of the new people's sheets (by
// index in f.sheets): sorted by person, each person's spans gathered from
// their few sheets.
func peopleSpans(f *importFile, sheets []int32) []personSpan {
	slices.SortFunc(sheets, func(a, b int32) int {
		return cmp.Or(cmp.Compare(f.sheets[a].beneficiaryID, f.sheets[b].beneficiaryID), cmp.Compare(a, b))
	})
	yes := f.word("oui")
	var out, spans []personSpan
	for i := 0; i < len(sheets); {
		ben := f.sheets[sheets[i]].beneficiaryID
		spans = spans[:0]
		for ; i < len(sheets) && f.sheets[sheets[i]].beneficiaryID == ben; i++ {
			s := &f.sheets[sheets[i]]
			r := &f.rows[s.first]
			day, date := rollupDay(r.day), dayTime(r.day)
			yearStart := day - rollupDay(date.YearDay()-1)
			monthStart := day - rollupDay(date.Day()-1)
			for _, sp := range [...]struct {
				span  string
				start rollupDay
			}{{"y", yearStart}, {"m", monthStart}} {
				j := slices.IndexFunc(spans, func(p personSpan) bool {
					return p.span == sp.span && p.start == sp.start && p.mediatorID == s.mediatorID
				})
				if j < 0 {
					j = len(spans)
					spans = append(spans, personSpan{span: sp.span, start: sp.start, mediatorID: s.mediatorID, beneficiaryID: ben,
						first: [firstCount]rollupDay{noDay, noDay, noDay, noDay, noDay}})
				}
				p := &spans[j]
				p.first[firstVisit] = min(p.first[firstVisit], day)
				if r.qpv == yes {
					p.first[firstQPV] = min(p.first[firstQPV], day)
				}
				if r.socialProtection == yes {
					p.first[firstSP] = min(p.first[firstSP], day)
				}
				if s.rights {
					p.first[firstRights] = min(p.first[firstRights], day)
				}
				if s.care {
					p.first[firstCare] = min(p.first[firstCare], day)
				}
			}
		}
		slices.SortFunc(spans, func(a, b personSpan) int {
			return cmp.Or(cmp.Compare(a.span, b.span), cmp.Compare(a.start, b.start), cmp.Compare(a.mediatorID, b.mediatorID))
		})
		out = append(out, spans...)
	}
	return out
}

// write writes the rollups with COPY: straight into report_counts (once
// the fresh keys' old day rows are gone), report_follow_ups (a fresh key
// has none) and report_people (a new person has none); through temp tables
// into the two sums, whose rows may exist, adding to them.
func (r importRollups) write(ctx context.Context, tx pgx.Tx, step func(string)) error {
	if len(r.freshKeys) > 0 {
		meds := make([]int64, len(r.freshKeys))
		days := make([]time.Time, len(r.freshKeys))
		for i, k := range r.freshKeys {
			meds[i], days[i] = k.mediatorID, k.day.time()
		}
		if _, err := tx.Exec(ctx, `
			DELETE FROM report_counts c USING unnest($1::bigint[], $2::date[]) AS k(mediator_id, day)
			WHERE c.grain = 'd' AND c.day = k.day AND c.mediator_id = k.mediator_id`, meds, days); err != nil {
			return fmt.Errorf("report rollups of the fresh days: %w", err)
		}
	}
	if _, err := copyBinary(ctx, tx, "report_counts",
		[]string{"grain", "day", "mediator_id", "dim", "code", "n", "resolved", "open"},
		len(r.counts), func(w *copyRow, i int) {
			c := &r.counts[i]
			w.begin(8)
			w.text("d")
			w.unixDay(int32(c.key.day))
			w.int8(c.key.mediatorID)
			w.text(c.dim)
			w.text(c.code)
			w.int8(c.n)
			w.int8(c.resolved)
			w.int8(c.open)
		}); err != nil {
		return fmt.Errorf("report rollups of the fresh days: %w", err)
	}
	step("rollups: fresh days' counts")
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"report_follow_ups"},
		[]string{"mediator_id", "sheet_day", "what", "day", "n"},
		pgx.CopyFromSlice(len(r.followUps), func(i int) ([]any, error) {
			f := &r.followUps[i]
			return []any{f.key.mediatorID, f.key.day.time(), f.what, f.day.time(), f.n}, nil
		})); err != nil {
		return fmt.Errorf("follow-up rollups of the fresh days: %w", err)
	}
	if len(r.followUpDays) > 0 {
		if err := addRows(ctx, tx, "report_follow_up_days", []string{"what", "day", "mediator_id", "n"},
			pgx.CopyFromSlice(len(r.followUpDays), func(i int) ([]any, error) {
				d := &r.followUpDays[i]
				return []any{d.what, d.day.time(), d.mediatorID, d.n}, nil
			}), `ON CONFLICT (what, day, mediator_id) DO UPDATE SET n = t.n + EXCLUDED.n`); err != nil {
			return fmt.Errorf("follow-up rollups of the fresh days: %w", err)
		}
	}
	step("rollups: fresh days' follow-ups")
	optDay := func(w *copyRow, d rollupDay) {
		if d == noDay {
			w.null()
			return
		}
		w.unixDay(int32(d))
	}
	if _, err := copyBinary(ctx, tx, "report_people",
		[]string{"span", "start", "mediator_id", "beneficiary_id", "first_visit", "first_qpv", "first_sp",
			"first_rights", "first_care", "shared"},
		len(r.people), func(w *copyRow, i int) {
			p := &r.people[i]
			w.begin(10)
			w.text(p.span)
			w.unixDay(int32(p.start))
			w.int8(p.mediatorID)
			w.int8(p.beneficiaryID)
			w.unixDay(int32(p.first[firstVisit]))
			optDay(w, p.first[firstQPV])
			optDay(w, p.first[firstSP])
			optDay(w, p.first[firstRights])
			optDay(w, p.first[firstCare])
			w.boolean(false)
		}); err != nil {
		return fmt.Errorf("report rollups of the new people: %w", err)
	}
	step("rollups: new people")
	if len(r.peopleDays) > 0 {
		if err := addRows(ctx, tx, "report_people_days",
			[]string{"span", "start", "mediator_id", "day", "visit", "alone", "qpv", "sp", "rights", "care"},
			pgx.CopyFromSlice(len(r.peopleDays), func(i int) ([]any, error) {
				d := &r.peopleDays[i]
				// alone = visit: a new person is never shared.
				return []any{d.span, d.start.time(), d.mediatorID, d.day.time(), d.n[firstVisit], d.n[firstVisit],
					d.n[firstQPV], d.n[firstSP], d.n[firstRights], d.n[firstCare]}, nil
			}), `ON CONFLICT (span, start, mediator_id, day) DO UPDATE
			SET visit = t.visit + EXCLUDED.visit, alone = t.alone + EXCLUDED.alone, qpv = t.qpv + EXCLUDED.qpv,
			    sp = t.sp + EXCLUDED.sp, rights = t.rights + EXCLUDED.rights, care = t.care + EXCLUDED.care`); err != nil {
			return fmt.Errorf("report rollups of the new people: %w", err)
		}
	}
	return nil
}

// addRows copies rows into a temp table shaped like table, then inserts
// them into table aliased t with onConflict (adding to the rows there).
func addRows(ctx context.Context, tx pgx.Tx, table string, columns []string, rows pgx.CopyFromSource, onConflict string) error {
	tmp := "import_add_" + table
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE %s (LIKE %s) ON COMMIT DROP`, tmp, table)); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{tmp}, columns, rows); err != nil {
		return err
	}
	cols := strings.Join(columns, ", ")
	_, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s AS t (%s) SELECT %s FROM %s %s`, table, cols, cols, tmp, onConflict))
	return err
}
