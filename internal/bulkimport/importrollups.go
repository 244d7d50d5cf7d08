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
	// countRow is a report_counts row of a dim counted by code (the fixed
	// dims are importRollups.fixed): no pointer, 24 bytes.
	countRow struct {
		key            int32  // in importRollups.freshKeys
		dim            uint16 // see dimName
		code           uint16 // a word of the file
		n              int64
		resolved, open int32
	}
	followUpRow struct {
		key  rollupKey // mediator and sheet_day
		what byte      // 'r' or 'o'
		day  rollupDay
		n    int64
	}
	followUpDayRow struct {
		what       byte
		day        rollupDay
		mediatorID int64
		n          int64
	}
	// personSpan is a report_people row (shared is always false: a person
	// the import creates has one mediator, see "beneficiary owner").
	personSpan struct {
		span          byte // 'y' or 'm'
		start         rollupDay
		mediatorID    int64
		beneficiaryID int64
		first         [firstCount]rollupDay // by firstVisit…firstCare, noDay when none
	}
	peopleDayRow struct {
		span       byte
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
	fixed        []fixedCounts
	counts       []countRow // report_counts, grain 'd', but the fixed dims
	words        *vocabulary
	followUps    []followUpRow
	followUpDays []followUpDayRow // to add to report_follow_up_days
	people       []personSpan     // in beneficiary_id order
	peopleDays   []peopleDayRow   // to add to report_people_days
}

// fixedCounts are the counts of report_counts' fixed dims of a key (see
// fixedDims).
type fixedCounts [len(fixedDims)]int32

// fixedDims are report_counts' dims counted for every key (rollup_refresh's
// "fixed"), in fixedCounts' order.
var fixedDims = [...]struct{ dim, code string }{
	{"sheets", ""}, {"sex", "F"}, {"sex", "M"}, {"sex", "X"}, {"qpv", "oui"}, {"qpv", "non"},
	{"age_known", ""}, {"age_sum", ""}, {"obstacle_sheets", ""},
}

const (
	fixedSheets = iota
	fixedF
	fixedM
	fixedX
	fixedQPV
	fixedNotQPV
	fixedAgeKnown
	fixedAgeSum
	fixedObstacleSheets
)

// The dims counted by code: below dimKinds, these; from dimKinds on, the
// requests of the kind whose word is dim - dimKinds.
const (
	dimResources = iota
	dimContactMode
	dimLevel
	dimObstacle
	dimKinds
)

// dimName is the report_counts dim of a countRow.
func (r *importRollups) dimName(dim uint16) string {
	if dim >= dimKinds {
		return r.words.word(dim - dimKinds)
	}
	return [...]string{"resources", "contact_mode", "level", "obstacle"}[dim]
}

// eachCount calls fn with every report_counts row of the fresh keys, fixed
// dims first: as they are written, without holding them all as strings.
func (r *importRollups) eachCount(fn func(key rollupKey, dim, code string, n, resolved, open int64)) {
	for k, c := range r.fixed {
		for d, n := range c {
			if n != 0 {
				fn(r.freshKeys[k], fixedDims[d].dim, fixedDims[d].code, int64(n), 0, 0)
			}
		}
	}
	for i := range r.counts {
		c := &r.counts[i]
		fn(r.freshKeys[c.key], r.dimName(c.dim), r.words.word(c.code), c.n, int64(c.resolved), int64(c.open))
	}
}

// computeImportRollups aggregates f key by key: the sheets of each fresh
// key, then their requests, with the key's few codes in a short list; the
// rows come out in key order, people by beneficiary.
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

	out.words = &f.words
	out.fixed = make([]fixedCounts, len(out.freshKeys))
	female, male, other, yes, no := f.word("F"), f.word("M"), f.word("X"), f.word("oui"), f.word("non")
	resolue, enCours := f.word("resolue"), f.word("en_cours")

	// The new sheets by fresh key (a counting sort), and the new people's.
	sheetKey := make([]int32, len(f.sheets))
	keyStart := make([]int32, len(out.freshKeys)+1)
	var newPeople []int32
	for si := range f.sheets {
		s := &f.sheets[si]
		sheetKey[si] = -1
		if s.known {
			continue
		}
		if s.newPerson {
			newPeople = append(newPeople, int32(si))
		}
		if k, ok := keyIndex[rollupKey{s.mediatorID, rollupDay(f.at(s.first).day)}]; ok {
			sheetKey[si] = k
			keyStart[k+1]++
		}
	}
	for k := range out.freshKeys {
		keyStart[k+1] += keyStart[k]
	}
	byKey := make([]int32, keyStart[len(out.freshKeys)])
	next := slices.Clone(keyStart[:len(out.freshKeys)])
	for si, k := range sheetKey {
		if k >= 0 {
			byKey[next[k]] = int32(si)
			next[k]++
		}
	}
	// The requests of those sheets, by sheet, in line order.
	reqStart := make([]int32, len(f.sheets)+1)
	for i := range f.n {
		if r := f.at(i); r.kind != 0 && sheetKey[r.sheet] >= 0 { // word 0 is ""
			reqStart[r.sheet+1]++
		}
	}
	for s := range f.sheets {
		reqStart[s+1] += reqStart[s]
	}
	reqRows := make([]int32, reqStart[len(f.sheets)])
	next = slices.Clone(reqStart[:len(f.sheets)])
	for i := range f.n {
		if r := f.at(i); r.kind != 0 && sheetKey[r.sheet] >= 0 {
			reqRows[next[r.sheet]] = int32(i)
			next[r.sheet]++
		}
	}
	next = nil

	resolvedDays := make(map[rollupDay]rollupDay) // a line's day → its resolved day in Paris
	type followUp struct {
		what byte
		day  rollupDay
	}
	var follows []followUp // the key's, in order of first sight
	var followNs []int64
	for k := range out.freshKeys {
		c := &out.fixed[k]
		start := len(out.counts) // the key's codes, few: a linear scan finds them
		addCode := func(dim, code uint16) *countRow {
			for j := start; j < len(out.counts); j++ {
				if cr := &out.counts[j]; cr.dim == dim && cr.code == code {
					return cr
				}
			}
			out.counts = append(out.counts, countRow{key: int32(k), dim: dim, code: code})
			return &out.counts[len(out.counts)-1]
		}
		follows, followNs = follows[:0], followNs[:0]
		for _, si := range byKey[keyStart[k]:keyStart[k+1]] {
			r := f.at(f.sheets[si].first)
			c[fixedSheets]++
			switch r.sex {
			case female:
				c[fixedF]++
			case male:
				c[fixedM]++
			case other:
				c[fixedX]++
			}
			switch r.qpv {
			case yes:
				c[fixedQPV]++
			case no:
				c[fixedNotQPV]++
			}
			if r.age != noAge {
				c[fixedAgeKnown]++
				c[fixedAgeSum] += r.age
			}
			obstacles := f.obstacleLists[r.obstacles]
			if len(obstacles) > 0 {
				c[fixedObstacleSheets]++
			}
			addCode(dimResources, r.resources).n++
			addCode(dimContactMode, r.contactMode).n++
			addCode(dimLevel, r.level).n++
			for _, o := range obstacles { // each mention, duplicates too (unnest)
				addCode(dimObstacle, o).n++
			}
			for _, i := range reqRows[reqStart[si]:reqStart[si+1]] {
				q := f.at(i)
				cr := addCode(dimKinds+q.kind, q.typ)
				cr.n++
				var fu followUp
				switch q.status {
				case resolue:
					cr.resolved++
					sheetDay := out.freshKeys[k].day
					d, ok := resolvedDays[sheetDay]
					if !ok {
						// resolved_at is the line's midnight in zone (see
						// writeImport); the rollups count its day in Paris.
						y, m, dd := dayTime(q.day).Date()
						d = rollupDay(dayOf(sameDateUTC(time.Date(y, m, dd, 0, 0, 0, 0, zone).In(paris))))
						resolvedDays[sheetDay] = d
					}
					fu = followUp{'r', d}
				case enCours:
					cr.open++
					if q.followUp == noFollowUp {
						continue
					}
					fu = followUp{'o', rollupDay(q.followUp)}
				default:
					continue
				}
				j := slices.Index(follows, fu)
				if j < 0 {
					j = len(follows)
					follows, followNs = append(follows, fu), append(followNs, 0)
				}
				followNs[j]++
			}
		}
		for j, fu := range follows {
			out.followUps = append(out.followUps, followUpRow{key: out.freshKeys[k], what: fu.what, day: fu.day, n: followNs[j]})
		}
	}

	type dayKey struct {
		what       byte
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
		span       byte
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
	out := make([]personSpan, 0, 2*len(sheets)) // at most a year and a month a sheet
	var spans []personSpan
	for i := 0; i < len(sheets); {
		ben := f.sheets[sheets[i]].beneficiaryID
		spans = spans[:0]
		for ; i < len(sheets) && f.sheets[sheets[i]].beneficiaryID == ben; i++ {
			s := &f.sheets[sheets[i]]
			r := f.at(s.first)
			day, date := rollupDay(r.day), dayTime(r.day)
			yearStart := day - rollupDay(date.YearDay()-1)
			monthStart := day - rollupDay(date.Day()-1)
			for _, sp := range [...]struct {
				span  byte
				start rollupDay
			}{{'y', yearStart}, {'m', monthStart}} {
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
	if _, err := copyStream(ctx, tx, "report_counts",
		[]string{"grain", "day", "mediator_id", "dim", "code", "n", "resolved", "open"},
		func(w *copyRow) {
			r.eachCount(func(key rollupKey, dim, code string, n, resolved, open int64) {
				w.begin(8)
				w.text("d")
				w.unixDay(int32(key.day))
				w.int8(key.mediatorID)
				w.text(dim)
				w.text(code)
				w.int8(n)
				w.int8(resolved)
				w.int8(open)
				w.end()
			})
		}); err != nil {
		return fmt.Errorf("report rollups of the fresh days: %w", err)
	}
	step("rollups: fresh days' counts")
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"report_follow_ups"},
		[]string{"mediator_id", "sheet_day", "what", "day", "n"},
		pgx.CopyFromSlice(len(r.followUps), func(i int) ([]any, error) {
			f := &r.followUps[i]
			return []any{f.key.mediatorID, f.key.day.time(), string(f.what), f.day.time(), f.n}, nil
		})); err != nil {
		return fmt.Errorf("follow-up rollups of the fresh days: %w", err)
	}
	if len(r.followUpDays) > 0 {
		if err := addRows(ctx, tx, "report_follow_up_days", []string{"what", "day", "mediator_id", "n"},
			pgx.CopyFromSlice(len(r.followUpDays), func(i int) ([]any, error) {
				d := &r.followUpDays[i]
				return []any{string(d.what), d.day.time(), d.mediatorID, d.n}, nil
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
			w.text(string(p.span))
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
				return []any{string(d.span), d.start.time(), d.mediatorID, d.day.time(), d.n[firstVisit], d.n[firstVisit],
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
