package bulkimport

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The messages of the checks across lines, shared by the SQL checks
// (crossLineProblems in imports.go) and the in-memory ones below.

func sheetLinesMsg(id, first, cols string) string {
	return fmt.Sprintf("la fiche « %s » ne concorde pas avec sa ligne %s (colonnes différentes : %s) ; les lignes d'une même fiche doivent avoir les mêmes valeurs hors demande", id, first, cols)
}

func mediatorDepartementMsg(med, dep, first string) string {
	return fmt.Sprintf("le médiateur « %s » est dans le département %s plus haut dans le fichier, pas %s", med, first, dep)
}

func beneficiaryOwnerMsg(code, med, owner string) string {
	return fmt.Sprintf("le code bénéficiaire « %s » est aussi utilisé par le médiateur « %s » : un code désigne une seule personne, suivie par un seul médiateur (préfixez les codes, par exemple %s-%s)", code, owner, med, code)
}

func personOnOneDayMsg(code, sex, first string) string {
	return fmt.Sprintf("la personne « %s » a le sexe %s ici mais %s le même jour plus haut dans le fichier : vérifiez le code bénéficiaire", code, sex, first)
}

// readImportFile pulls every row into memory, compactly (importFile). A
// row yielding an *Problem is a line problem, set aside; any other error
// aborts. Rows are kept in line order: a source yielding its lines out of
// order is sorted (stably), so that "first" always means the smallest
// line, as the SQL checks read it.
func readImportFile(rows iter.Seq2[Row, error]) (*importFile, error) {
	f := &importFile{}
	sorted := true
	lastLine := 0
	for row, err := range rows {
		var p *Problem
		switch {
		case errors.As(err, &p):
			f.problemCount++
			if len(f.problems) < MaxProblems {
				f.problems = append(f.problems, *p)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("read rows: %w", err)
		}
		if f.n > 0 && row.Line < lastLine {
			sorted = false
		}
		lastLine = row.Line
		f.add(row)
	}
	if f.words.full {
		return nil, errors.New("read rows: more than 65 536 distinct codes")
	}
	if !sorted {
		rows := make([]fileRow, 0, f.n)
		for _, c := range f.chunks {
			rows = append(rows, c...)
		}
		slices.SortStableFunc(rows, func(a, b fileRow) int { return cmp.Compare(a.line, b.line) })
		f.chunks, f.n = nil, 0
		for _, r := range rows {
			f.push(r)
		}
		f.renumber()
	}
	f.index()
	return f, nil
}

// index makes the sheets from the rows, whose sheets are numbered in order
// of first line.
func (f *importFile) index() {
	rights, care := f.word("droits"), f.word("soins")
	f.sheets = make([]importSheet, 0, f.sheetIDs.len())
	for i := range f.n {
		r := f.at(i)
		if int(r.sheet) == len(f.sheets) {
			f.sheets = append(f.sheets, importSheet{first: int32(i)})
		}
		sh := &f.sheets[r.sheet]
		sh.lastLine = r.line // rows are in line order
		sh.rights = sh.rights || r.kind == rights
		sh.care = sh.care || r.kind == care
	}
}

// word is code s's number in the file, or noWord when no line has it.
func (f *importFile) word(s string) uint16 {
	if w, ok := f.words.find(s); ok {
		return w
	}
	return noWord
}

// noWord is the number of a code no line has.
const noWord = math.MaxUint16

// renumber numbers the sheets, people and mediators again in order of
// first line, once rows read out of order are sorted.
func (f *importFile) renumber() {
	var sheets, codes, mediators names
	for i := range f.n {
		r := f.at(i)
		r.sheet = sheets.id(f.sheetIDs.name(r.sheet))
		r.person = codes.id(f.codes.name(r.person))
		r.mediator = mediators.id(f.mediators.name(r.mediator))
	}
	f.sheetIDs, f.codes, f.mediators = sheets, codes, mediators
}

// fileCheck is what one check found: its first MaxProblems problems
// by line (its SQL's ORDER BY line LIMIT) and the count of them all.
type fileCheck struct {
	name     string // the SQL check's name
	problems []Problem
	count    int
}

// found counts a problem and says whether to keep it: the checks find them
// in line order, so the first ones kept are the smallest lines.
func (c *fileCheck) found() bool {
	c.count++
	return len(c.problems) < MaxProblems
}

func (c *fileCheck) add(line int, reason string) {
	c.problems = append(c.problems, Problem{Line: line, Reason: reason})
}

// checks runs the file's checks, in the SQL's order: "sheet lines",
// "mediator departement", "beneficiary owner", "person on one day" (the SQL
// runs "known mediator" between the second and the third).
func (f *importFile) checks() []fileCheck {
	// The checks only read the file: two of them run beside the others.
	var sheetLines fileCheck
	var mediators mediatorCheck
	done := make(chan struct{})
	go func() {
		defer close(done)
		sheetLines, mediators = f.sheetLines(), f.mediatorDepartements()
	}()
	owners := f.beneficiaries()
	owner, sameDay := f.beneficiaryOwners(owners), f.personOnOneDay()
	<-done
	f.mediatorDep = mediators.firstDep
	return []fileCheck{sheetLines, mediators.fileCheck, owner, sameDay}
}

// dayOf is t's calendar day (in its own location: pgx writes a time's
// calendar day as PostgreSQL's DATE), in days since 1970-01-01.
func dayOf(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// sheetLines finds the lines that differ from their sheet's first line
// outside the request; obstacles compare as sets (the SQL's @> and <@).
func (f *importFile) sheetLines() fileCheck {
	c := fileCheck{name: "sheet lines"}
	var cols []string
	for i := range f.n {
		r := f.at(i)
		first := f.at(f.sheets[r.sheet].first)
		if r.line == first.line {
			continue
		}
		cols = cols[:0]
		for _, d := range []struct {
			differs bool
			name    string
		}{
			{r.day != first.day, "date"},
			{r.mediator != first.mediator, "mediator"},
			{r.departement != first.departement, "departement"},
			{r.person != first.person, "beneficiary"},
			{r.sex != first.sex, "sex"},
			{r.age != first.age, "age"},
			{r.qpv != first.qpv, "qpv"},
			{r.resources != first.resources, "resources"},
			{r.contactMode != first.contactMode, "contact_mode"},
			{r.level != first.level, "level"},
			{r.socialProtection != first.socialProtection, "social_protection"},
			{r.obstacles != first.obstacles && !sameSet(f.obstacleLists[r.obstacles], f.obstacleLists[first.obstacles]), "obstacles"},
		} {
			if d.differs {
				cols = append(cols, d.name)
			}
		}
		if len(cols) > 0 && c.found() {
			c.add(int(r.line), sheetLinesMsg(f.sheetIDs.name(r.sheet), strconv.Itoa(int(first.line)), strings.Join(cols, ", ")))
		}
	}
	return c
}

// sameSet is a @> b AND a <@ b: order and duplicates do not matter.
func sameSet(a, b []uint16) bool {
	return containsAll(a, b) && containsAll(b, a)
}

func containsAll(a, b []uint16) bool {
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// mediatorCheck is the "mediator departement" check and, found on the way,
// each mediator's département of its first line.
type mediatorCheck struct {
	fileCheck
	firstDep []uint16 // by mediator
}

// mediatorDepartements finds the (mediator, département) groups other than
// the mediator's first one, at their first line. The first group is the
// one of the mediator's first line, so each is decided when first seen.
func (f *importFile) mediatorDepartements() mediatorCheck {
	c := fileCheck{name: "mediator departement"}
	firstDep := make([]uint16, f.mediators.len())
	seen := make([]bool, f.mediators.len())
	reported := make(map[[2]int32]bool)
	for i := range f.n {
		r := f.at(i)
		if !seen[r.mediator] {
			seen[r.mediator], firstDep[r.mediator] = true, r.departement
		}
		dep := firstDep[r.mediator]
		if r.departement == dep {
			continue
		}
		key := [2]int32{r.mediator, int32(r.departement)}
		if reported[key] {
			continue
		}
		reported[key] = true
		if c.found() {
			c.add(int(r.line), mediatorDepartementMsg(f.mediators.name(r.mediator), f.words.word(r.departement), f.words.word(dep)))
		}
	}
	return mediatorCheck{c, firstDep}
}

// beneficiaries finds each person's owner: the row of their smallest
// (date, line).
func (f *importFile) beneficiaries() (owners []int32) {
	owners = make([]int32, f.codes.len())
	for i := range owners {
		owners[i] = -1
	}
	for i := range f.n {
		r := f.at(i)
		// Strictly earlier: on the same day the smaller line, seen first, stays.
		if o := owners[r.person]; o < 0 || r.day < f.at(o).day {
			owners[r.person] = int32(i)
		}
	}
	return owners
}

// beneficiaryOwners finds the codes used by a mediator other than their
// owner's, once per (code, mediator), at its first line.
func (f *importFile) beneficiaryOwners(owners []int32) fileCheck {
	c := fileCheck{name: "beneficiary owner"}
	reported := make(map[uint64]bool)
	for i := range f.n {
		r := f.at(i)
		owner := f.at(owners[r.person]).mediator
		if r.mediator == owner {
			continue
		}
		key := uint64(uint32(r.person))<<32 | uint64(uint32(r.mediator))
		if reported[key] {
			continue
		}
		reported[key] = true
		if c.found() {
			c.add(int(r.line), beneficiaryOwnerMsg(f.codes.name(r.person), f.mediators.name(r.mediator), f.mediators.name(owner)))
		}
	}
	return c
}

// personOnOneDay finds, per (code, day), the lines of another sheet than
// the first line's giving another sex, once per (code, day, sex), at its
// first line. Within one sheet "sheet lines" says it.
func (f *importFile) personOnOneDay() fileCheck {
	c := fileCheck{name: "person on one day"}
	firsts := make(map[uint64]int32) // (code, day): its first row
	type daySex struct {
		key uint64
		sex uint16
	}
	reported := make(map[daySex]bool)
	for i := range f.n {
		r := f.at(i)
		key := uint64(uint32(r.person))<<32 | uint64(uint32(r.day))
		fi, ok := firsts[key]
		if !ok {
			firsts[key] = int32(i)
			continue
		}
		first := f.at(fi)
		if r.sex == first.sex || r.sheet == first.sheet {
			continue
		}
		if reported[daySex{key, r.sex}] {
			continue
		}
		reported[daySex{key, r.sex}] = true
		if c.found() {
			c.add(int(r.line), personOnOneDayMsg(f.codes.name(r.person), f.words.word(r.sex), f.words.word(first.sex)))
		}
	}
	return c
}
