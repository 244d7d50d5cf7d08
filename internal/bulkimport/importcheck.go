package bulkimport

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
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

// readImportFile pulls every row into memory. A row yielding an
// *Problem is a line problem, set aside as importSource does; any
// other error aborts. Rows are kept in line order: a source yielding its
// lines out of order is sorted (stably), so that "first" always means the
// smallest line, as the SQL checks read it.
func readImportFile(rows iter.Seq2[Row, error]) (*importFile, error) {
	f := &importFile{}
	sorted := true
	var unsorted []Row // only for a source yielding lines out of order
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
	if !sorted {
		for i := range f.n {
			unsorted = append(unsorted, *f.row(i))
		}
		slices.SortStableFunc(unsorted, func(a, b Row) int { return cmp.Compare(a.Line, b.Line) })
		f.chunks, f.n = nil, 0
		for _, r := range unsorted {
			f.add(r)
		}
	}
	f.sheetOf = make([]int32, int(f.n))
	index := make(map[string]int32, int(f.n))
	s := int32(-1)
	for i := range f.n {
		r := f.row(i)
		// A sheet's lines usually follow each other: no lookup for those.
		if s < 0 || r.SheetID != f.row(f.sheets[s].first).SheetID {
			var ok bool
			if s, ok = index[r.SheetID]; !ok {
				s = int32(len(f.sheets))
				index[r.SheetID] = s
				f.sheets = append(f.sheets, importSheet{first: int32(i)})
			}
		}
		f.sheetOf[i] = s
		sh := &f.sheets[s]
		sh.lastLine = r.Line // rows are in line order
		sh.rights = sh.rights || r.RequestKind == "droits"
		sh.care = sh.care || r.RequestKind == "soins"
	}
	return f, nil
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
	// The days as PostgreSQL's DATE holds them: pgx writes a time's
	// calendar day in its own location.
	days := make([]int32, int(f.n))
	for i := range f.n {
		days[i] = dayOf(f.row(i).Date)
	}
	// The checks only read the file: two of them run beside the others.
	var sheetLines fileCheck
	var mediators mediatorCheck
	done := make(chan struct{})
	go func() {
		defer close(done)
		sheetLines, mediators = f.sheetLines(days), f.mediatorDepartements()
	}()
	codeOf, owners := f.beneficiaries(days)
	owner, sameDay := f.beneficiaryOwners(codeOf, owners), f.personOnOneDay(days, codeOf)
	<-done
	f.personOf, f.people, f.mediators = codeOf, len(owners), mediators.firstDep
	return []fileCheck{sheetLines, mediators.fileCheck, owner, sameDay}
}

func dayOf(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// sheetLines finds the lines that differ from their sheet's first line
// outside the request; obstacles compare as sets (the SQL's @> and <@).
func (f *importFile) sheetLines(days []int32) fileCheck {
	c := fileCheck{name: "sheet lines"}
	var cols []string
	for i := range f.n {
		r := f.row(i)
		fi := f.sheets[f.sheetOf[i]].first
		first := f.row(fi)
		if r.Line == first.Line {
			continue
		}
		cols = cols[:0]
		for _, d := range []struct {
			differs bool
			name    string
		}{
			{days[i] != days[fi], "date"},
			{r.Mediator != first.Mediator, "mediator"},
			{r.Departement != first.Departement, "departement"},
			{r.Beneficiary != first.Beneficiary, "beneficiary"},
			{r.Sex != first.Sex, "sex"},
			{!sameAge(r.Age, first.Age), "age"},
			{r.QPV != first.QPV, "qpv"},
			{r.Resources != first.Resources, "resources"},
			{r.ContactMode != first.ContactMode, "contact_mode"},
			{r.Level != first.Level, "level"},
			{r.SocialProtection != first.SocialProtection, "social_protection"},
			{!sameSet(r.Obstacles, first.Obstacles), "obstacles"},
		} {
			if d.differs {
				cols = append(cols, d.name)
			}
		}
		if len(cols) > 0 && c.found() {
			c.add(r.Line, sheetLinesMsg(r.SheetID, strconv.Itoa(first.Line), strings.Join(cols, ", ")))
		}
	}
	return c
}

// sameAge is NOT (a IS DISTINCT FROM b).
func sameAge(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// sameSet is a @> b AND a <@ b: order and duplicates do not matter.
func sameSet(a, b []string) bool {
	return containsAll(a, b) && containsAll(b, a)
}

func containsAll(a, b []string) bool {
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// mediatorDepartements finds the (mediator, département) groups other than
// the mediator's first one, at their first line. The first group is the
// one of the mediator's first line, so each is decided when first seen.
// mediatorCheck is the "mediator departement" check and, found on the way,
// each mediator's département of its first line.
type mediatorCheck struct {
	fileCheck
	firstDep map[string]string
}

func (f *importFile) mediatorDepartements() mediatorCheck {
	c := fileCheck{name: "mediator departement"}
	firstDep := make(map[string]string) // mediator: département of its first line
	reported := make(map[[2]string]bool)
	prev, dep := int32(-1), "" // the previous row and its mediator's first département
	for i := range f.n {
		r := f.row(i)
		if prev < 0 || r.Mediator != f.row(prev).Mediator {
			var ok bool
			if dep, ok = firstDep[r.Mediator]; !ok {
				dep = r.Departement
				firstDep[r.Mediator] = dep
			}
		}
		prev = i
		if r.Departement == dep {
			continue
		}
		key := [2]string{r.Mediator, r.Departement}
		if reported[key] {
			continue
		}
		reported[key] = true
		if c.found() {
			c.add(r.Line, mediatorDepartementMsg(r.Mediator, r.Departement, dep))
		}
	}
	return mediatorCheck{c, firstDep}
}

// beneficiaries numbers the person codes (codeOf[i] is rows[i]'s) and
// finds each code's owner: the row of its smallest (date, line).
func (f *importFile) beneficiaries(days []int32) (codeOf, owners []int32) {
	codeOf = make([]int32, int(f.n))
	index := make(map[string]int32, int(f.n))
	code := int32(-1)
	for i := range f.n {
		r := f.row(i)
		if code < 0 || r.Beneficiary != f.row(owners[code]).Beneficiary {
			var ok bool
			if code, ok = index[r.Beneficiary]; !ok {
				code = int32(len(owners))
				index[r.Beneficiary] = code
				owners = append(owners, int32(i))
			}
		}
		codeOf[i] = code
		// Strictly earlier: on the same day the smaller line, seen first, stays.
		if days[i] < days[owners[code]] {
			owners[code] = int32(i)
		}
	}
	return codeOf, owners
}

// beneficiaryOwners finds the codes used by a mediator other than their
// owner's, once per (code, mediator), at its first line.
func (f *importFile) beneficiaryOwners(codeOf, owners []int32) fileCheck {
	c := fileCheck{name: "beneficiary owner"}
	type codeMediator struct {
		code     int32
		mediator string
	}
	reported := make(map[codeMediator]bool)
	for i := range f.n {
		r := f.row(i)
		owner := f.row(owners[codeOf[i]]).Mediator
		if r.Mediator == owner {
			continue
		}
		key := codeMediator{codeOf[i], r.Mediator}
		if reported[key] {
			continue
		}
		reported[key] = true
		if c.found() {
			c.add(r.Line, beneficiaryOwnerMsg(r.Beneficiary, r.Mediator, owner))
		}
	}
	return c
}

// personOnOneDay finds, per (code, day), the lines of another sheet than
// the first line's giving another sex, once per (code, day, sex), at its
// first line. Within one sheet "sheet lines" says it.
func (f *importFile) personOnOneDay(days, codeOf []int32) fileCheck {
	c := fileCheck{name: "person on one day"}
	firsts := make(map[uint64]int32) // (code, day): its first row
	type daySex struct {
		key uint64
		sex string
	}
	reported := make(map[daySex]bool)
	for i := range f.n {
		r := f.row(i)
		key := uint64(uint32(codeOf[i]))<<32 | uint64(uint32(days[i]))
		fi, ok := firsts[key]
		if !ok {
			firsts[key] = int32(i)
			continue
		}
		first := f.row(fi)
		if r.Sex == first.Sex || f.sheetOf[i] == f.sheetOf[fi] {
			continue
		}
		if reported[daySex{key, r.Sex}] {
			continue
		}
		reported[daySex{key, r.Sex}] = true
		if c.found() {
			c.add(r.Line, personOnOneDayMsg(r.Beneficiary, r.Sex, first.Sex))
		}
	}
	return c
}
