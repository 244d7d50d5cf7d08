package question

import (
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/indicators"
)

var months = map[string]int{
	"janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
	"mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
	"octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}

// monthOf reads a month name, tolerating one typo in the long ones.
func monthOf(w string) (int, bool) {
	if m, ok := months[w]; ok {
		return m, true
	}
	if len(w) >= 5 {
		for name, m := range months {
			if len(name) >= 5 && oneEdit(w, name) {
				return m, true
			}
		}
	}
	return 0, false
}

var ordinals = map[string]int{
	"1": 1, "1er": 1, "1ere": 1, "premier": 1, "premiere": 1,
	"2": 2, "2e": 2, "2eme": 2, "2nd": 2, "2nde": 2, "deuxieme": 2, "second": 2, "seconde": 2,
	"3": 3, "3e": 3, "3eme": 3, "troisieme": 3, "4": 4, "4e": 4, "4eme": 4, "quatrieme": 4,
}

// atom is one period expression found in the question.
type atom struct {
	from, to time.Time
	// yearless atoms ("en mars", "du 1er mars") take the year of a later
	// atom or of a lone year; unit tells how to shift them.
	yearless bool
	month    int // for yearless: first month, to re-date
	day      int // for yearless day atoms
	months   int // length in months (0: one day)
	isYear   bool
	start    bool // after "depuis", "dès", "à partir de": up to today
	end      bool // after "jusqu'au": from January 1st
}

func year(w string) (int, bool) {
	if len(w) != 4 || !allDigits(w) {
		return 0, false
	}
	y, _ := strconv.Atoi(w)
	return y, y >= 2000 && y <= 2099
}

// number reads a word of 1 to width digits (no sign, no overflow).
func number(w string, width int) (int, bool) {
	if len(w) > width || !allDigits(w) {
		return 0, false
	}
	n, err := strconv.Atoi(w)
	return n, err == nil
}

func monthsAtom(y, m, n int) atom {
	from := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	return atom{from: from, to: from.AddDate(0, n, -1), month: m, months: n}
}

func dayAtom(y, m, d int) (atom, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return atom{}, false
	}
	return atom{from: t, to: t, month: m, day: d}, true
}

// parsePeriod finds the period words of ws, marks them used and returns the
// period; ok is false when none was said. yearless is set when no year
// was said nor implied (« en mars »): a follow-up takes its year from the
// question before.
//
// It reads in three steps: the words become atoms (each rule of atomRules
// reads one kind of date at a position), the yearless atoms get a year
// (withYears), and the atoms become one period (periodOf).
func parsePeriod(ws []string, used []bool, today time.Time) (p indicators.Period, ok, yearless bool) {
	s := periodScan{ws: ws, today: indicators.Day(today)}
	atoms := s.atoms(used)
	if len(atoms) == 0 {
		return indicators.Period{}, false, false
	}
	yearless = allYearless(atoms)
	atoms = withYears(atoms, s.today)
	first := atoms[0]
	return periodOf(atoms, s.today), true, yearless && !first.start && !first.end
}

// periodScan reads the atoms of a question's words.
type periodScan struct {
	ws    []string
	today time.Time
}

// at is the word at i, "" outside the question.
func (s periodScan) at(i int) string {
	if i >= 0 && i < len(s.ws) {
		return s.ws[i]
	}
	return ""
}

// An atomRule reads an atom at position i: taken is the number of words
// it covers. A rule that does not apply says so with applies false and
// the next one is tried; one that applies but reads nothing valid
// (« 31/02 ») returns taken 0, and the word is no date at all.
type atomRule func(s periodScan, i int) (a atom, taken int, applies bool)

// atomRules are tried in this order at each word; the first that applies
// decides.
var atomRules = []atomRule{
	periodScan.slashMonth,     // 03/2024
	periodScan.slashDay,       // 15/03, 15/03/2024
	periodScan.ordinalQuarter, // 1er trimestre, 2e semestre 2024
	periodScan.shortQuarter,   // t1, s2 2024
	periodScan.dayBeforeRange, // the 15 of « entre le 15 et le 20 mars »
	periodScan.dayMonth,       // 1er mars, 15 avril 2024
	periodScan.month,          // mars, mars 2024, mars 24
	periodScan.yearOrRelative, // 2024, cette année, la semaine dernière…
}

// range words: "du … au …", "entre … et …" join two atoms; only "depuis"
// and "jusqu'au" open a period on one side.
var (
	rangeWords = map[string]bool{"du": true, "entre": true, "au": true, "et": true, "a": true}
	startWords = map[string]bool{"depuis": true, "partir": true, "des": true}
	endWords   = map[string]bool{"jusqu": true, "jusque": true}
)

// atoms reads every atom of the question in order, marking its words and
// the words that lead to it used.
func (s periodScan) atoms(used []bool) []atom {
	var atoms []atom
	for i := 0; i < len(s.ws); i++ {
		a, n := s.atomAt(i)
		if n == 0 {
			continue
		}
		switch p := s.prev(i); {
		case startWords[p]:
			a.start = true
		case endWords[p]:
			a.end = true
		}
		for k := i; k < i+n && k < len(s.ws); k++ {
			used[k] = true
		}
		for k := i - 1; k >= 0 && k >= i-3 && s.leadsTo(k, i, a); k-- {
			used[k] = true
		}
		atoms = append(atoms, a)
		i += n - 1
	}
	return atoms
}

// atomAt is the atom of the first rule that applies at i.
func (s periodScan) atomAt(i int) (atom, int) {
	for _, rule := range atomRules {
		if a, n, applies := rule(s, i); applies {
			return a, n
		}
	}
	return atom{}, 0
}

// prev is the word before i that may say how a period opens (« depuis »,
// « jusqu »), skipping articles and « mois », « fin », « début ».
func (s periodScan) prev(i int) string {
	for k := i - 1; k >= 0; k-- {
		// « jusqu'au 31 mars »: « au » sits between « jusqu » and the day
		if w := s.ws[k]; w != "le" && w != "l" && w != "la" && w != "de" && w != "mois" && w != "fin" && w != "debut" &&
			!((w == "au" || w == "a") && k > 0 && endWords[s.ws[k-1]]) {
			return w
		}
	}
	return ""
}

// leadsTo tells whether word k, up to three before the atom a read at i,
// introduces it ("du", "depuis le", "jusqu'au", « le mois de »): it is part
// of the period, not of the rest of the question.
func (s periodScan) leadsTo(k, i int, a atom) bool {
	w := s.ws[k]
	return startWords[w] || endWords[w] || rangeWords[w] && w != "a" && w != "et" ||
		w == "le" || w == "en" || w == "l" || w == "fin" && a.end ||
		w == "de" && k > 0 && s.ws[k-1] == "mois" && monthOK(s.ws[i]) || w == "mois" && s.at(k+1) == "de"
}

// isDay is a day of the month as typed before a month: « 15 », « 1er ».
func isDay(w string) bool {
	return allDigits(w) && len(w) <= 2 || w == "1er" || w == "premier"
}

// dayNumber reads a word isDay accepts.
func dayNumber(w string) int {
	if !allDigits(w) {
		return 1 // « 1er », « premier »
	}
	d, _ := strconv.Atoi(w)
	return d
}

// slashMonth reads « 03/2024 ».
func (s periodScan) slashMonth(i int) (atom, int, bool) {
	w := s.ws[i]
	if strings.Count(w, "/") != 1 || len(w) != 7 || w[2] != '/' {
		return atom{}, 0, false
	}
	m, okm := number(w[:2], 2)
	y, ok := year(w[3:])
	if !okm || !ok || m < 1 || m > 12 {
		return atom{}, 0, true
	}
	return monthsAtom(y, m, 1), 1, true
}

// slashDay reads « 15/03 », « 15/03/24 » and « 15/03/2024 ».
func (s periodScan) slashDay(i int) (atom, int, bool) {
	w := s.ws[i]
	if !strings.Contains(w, "/") {
		return atom{}, 0, false
	}
	p := strings.Split(w, "/")
	if len(p) < 2 || len(p) > 3 {
		return atom{}, 0, true
	}
	d, okd := number(p[0], 2)
	m, okm := number(p[1], 2)
	if !okd || !okm {
		return atom{}, 0, true
	}
	y := 0
	if len(p) == 3 {
		var oky bool
		if y, oky = number(p[2], 4); !oky {
			return atom{}, 0, true
		}
		if y < 100 {
			y += 2000
		}
	}
	yearless := y == 0
	if yearless {
		y = 2000 // a leap year, re-dated by withYears
	}
	// A year before 2000 stays as typed: the period bounds refuse it by
	// name rather than read another year.
	a, ok := dayAtom(y, m, d)
	if !ok {
		return atom{}, 0, true
	}
	a.yearless = yearless
	return a, 1, true
}

// quarter is the k-th period of per months in the year said at next;
// without one the atom is yearless.
func (s periodScan) quarter(k, per, next int) atom {
	if y, ok := year(s.at(next)); ok {
		return monthsAtom(y, (k-1)*per+1, per)
	}
	a := monthsAtom(s.today.Year(), (k-1)*per+1, per)
	a.yearless = true
	return a
}

// ordinalQuarter reads « 1er trimestre », « deuxième semestre 2024 ».
func (s periodScan) ordinalQuarter(i int) (atom, int, bool) {
	k := ordinals[s.ws[i]]
	if k == 0 || s.at(i+1) != "trimestre" && s.at(i+1) != "semestre" {
		return atom{}, 0, false
	}
	per := 3
	if s.at(i+1) == "semestre" {
		per = 6
	}
	if k > 12/per {
		return atom{}, 0, true
	}
	a := s.quarter(k, per, i+2)
	if a.yearless {
		return a, 2, true
	}
	return a, 3, true
}

// shortQuarter reads « t1 » to « t4 », « s1 », « s2 », with a year after.
func (s periodScan) shortQuarter(i int) (atom, int, bool) {
	w := s.ws[i]
	if len(w) != 2 || w[0] != 't' && w[0] != 's' || w[1] < '1' || w[1] > '4' || w[0] == 's' && w[1] > '2' {
		return atom{}, 0, false
	}
	per := 3
	if w[0] == 's' {
		per = 6
	}
	a := s.quarter(int(w[1]-'0'), per, i+1)
	if a.yearless {
		return a, 1, true
	}
	return a, 2, true
}

// dayBeforeRange reads the first day of « entre le 15 et le 20 mars », « du
// 1er au 15 avril »: it takes the month of the second.
func (s periodScan) dayBeforeRange(i int) (atom, int, bool) {
	w, next := s.ws[i], s.at(i+1)
	if !isDay(w) || monthOK(next) || next != "et" && next != "au" && next != "a" || dayMonthAt(s.ws, i+2) == 0 {
		return atom{}, 0, false
	}
	a, ok := dayAtom(2000, dayMonthAt(s.ws, i+2), dayNumber(w))
	if !ok {
		return atom{}, 0, true
	}
	a.yearless = true
	return a, 1, true
}

// dayMonth reads « 1er mars », « 15 avril 2024 ».
func (s periodScan) dayMonth(i int) (atom, int, bool) {
	w := s.ws[i]
	if !isDay(w) || !monthOK(s.at(i+1)) {
		return atom{}, 0, false
	}
	m, _ := monthOf(s.at(i + 1))
	y, explicit := year(s.at(i + 2))
	if !explicit {
		y = 2000 // a leap year, re-dated by withYears
	}
	a, ok := dayAtom(y, m, dayNumber(w))
	if !ok {
		return atom{}, 0, true
	}
	if explicit {
		return a, 3, true
	}
	a.yearless = true
	return a, 2, true
}

// month reads « mars », « mars 2024 » and « mars 24 ».
func (s periodScan) month(i int) (atom, int, bool) {
	m, ok := monthOf(s.ws[i])
	if !ok {
		return atom{}, 0, false
	}
	if y, ok := year(s.at(i + 1)); ok {
		return monthsAtom(y, m, 1), 2, true
	}
	if y, ok := shortYear(s.at(i+1), s.today); ok && !monthOK(s.at(i+2)) {
		return monthsAtom(y, m, 1), 2, true // « mars 24 »: March 2024
	}
	a := monthsAtom(s.today.Year(), m, 1)
	a.yearless = true
	return a, 1, true
}

// yearOrRelative reads « 2024 », or a period said from today (relative).
func (s periodScan) yearOrRelative(i int) (atom, int, bool) {
	if y, ok := year(s.ws[i]); ok {
		a := monthsAtom(y, 1, 12)
		a.isYear = true
		return a, 1, true
	}
	a, n := relative(s.ws, i, s.today)
	return a, n, true
}

// allYearless tells whether no atom has a year of its own.
func allYearless(atoms []atom) bool {
	for _, a := range atoms {
		if !a.yearless {
			return false
		}
	}
	return true
}

// withYears dates the yearless atoms. A lone year gives its year to them
// (and is dropped when there are others); otherwise the year of the next
// atom that has one (« du 1er mars au 15 avril 2024 »); otherwise the
// latest such period that has begun.
func withYears(atoms []atom, today time.Time) []atom {
	var loneYear int
	hasYearless := false
	for _, a := range atoms {
		if a.isYear {
			loneYear = a.from.Year()
		}
		hasYearless = hasYearless || a.yearless
	}
	if !hasYearless {
		return atoms
	}
	var kept []atom
	for _, a := range atoms {
		if a.isYear && loneYear != 0 && len(atoms) > 1 {
			continue
		}
		kept = append(kept, a)
	}
	for i := range kept {
		if !kept[i].yearless {
			continue
		}
		y := loneYear
		for k := i + 1; k < len(kept) && y == 0; k++ {
			if !kept[k].yearless {
				y = kept[k].from.Year()
			}
		}
		if y == 0 {
			y = today.Year()
			if redate(kept[i], y).from.After(today) {
				y--
			}
		}
		kept[i] = redate(kept[i], y)
	}
	return kept
}

// periodOf joins the atoms: from the first to the last, up to today after
// « depuis », from January 1st before « jusqu'au »; two bounds said in the
// wrong order are swapped.
func periodOf(atoms []atom, today time.Time) indicators.Period {
	first, last := atoms[0], atoms[len(atoms)-1]
	p := indicators.Period{From: first.from, To: last.to}
	if len(atoms) == 1 && first.start { // "depuis mars"
		p.To = today
	}
	if len(atoms) == 1 && first.end { // "jusqu'au 15 mars"
		p.From = time.Date(first.to.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if p.To.Before(p.From) {
		p.From, p.To = last.from, first.to
	}
	return p
}

// shortYear reads a year typed with two digits after a month (« mars
// 24 »): from 2010 to next year only, so that « mars 59 » stays the Nord
// and « mars 02 » the Aisne.
func shortYear(w string, today time.Time) (int, bool) {
	n, ok := number(w, 2)
	if !ok || len(w) != 2 || n < 10 || 2000+n > today.Year()+1 {
		return 0, false
	}
	return 2000 + n, true
}

// dayMonthAt reads « le 20 mars » or « 20 mars » at ws[i]: the month, 0
// for none.
func dayMonthAt(ws []string, i int) int {
	if i < len(ws) && ws[i] == "le" {
		i++
	}
	if i+1 >= len(ws) || !(allDigits(ws[i]) && len(ws[i]) <= 2 || ws[i] == "1er") {
		return 0
	}
	m, _ := monthOf(ws[i+1])
	return m
}

func monthOK(w string) bool {
	_, ok := monthOf(w)
	return ok
}

func redate(a atom, y int) atom {
	if a.months > 0 {
		b := monthsAtom(y, a.month, a.months)
		b.start, b.end = a.start, a.end
		return b
	}
	b, ok := dayAtom(y, a.month, a.day)
	if !ok { // 29 February of a non-leap year
		b, _ = dayAtom(y, a.month, a.day-1)
	}
	b.start, b.end = a.start, a.end
	return b
}

// weekdays by number, Sunday 7 (time.Weekday's 0).
var weekdays = map[string]int{"lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7}

// relative reads "cette année", "l'an dernier", "ce mois-ci", "la semaine
// dernière"… at position i; n is the number of words taken. The word at i
// chooses the rule that reads on.
func relative(ws []string, i int, today time.Time) (atom, int) {
	s := periodScan{ws: ws, today: today}
	w := ws[i]
	switch {
	case w == "ce" || w == "cet" || w == "cette":
		return s.thisOne(i)
	case w == "an" || w == "annee":
		return s.yearSaid(i)
	case w == "en" || w == "debut":
		return s.yearOpen(i)
	case w == "mois":
		return s.monthSaid(i)
	case w == "trimestre" || w == "semestre" || w == "dernier":
		return s.lastQuarter(i)
	case w == "semaine":
		return s.weekSaid(i)
	case w == "rentree":
		return s.schoolYear(i)
	case weekdays[w] > 0 && s.at(i-1) == "depuis":
		// « depuis lundi »: the latest such day, up to today
		back := (int(today.Weekday()) - weekdays[w]%7 + 7) % 7
		d := today.AddDate(0, 0, -back)
		return atom{from: d, to: d}, 1
	case allDigits(w):
		return s.lastDays(i)
	}
	return s.daySaid(i)
}

// isLast is a word for « the one before »: « dernier », « passé »…
func isLast(s string) bool {
	return s == "dernier" || s == "derniere" || s == "passe" || s == "passee" || s == "precedent" || s == "precedente"
}

// yearToDate is this year up to today.
func (s periodScan) yearToDate() atom {
	return atom{from: time.Date(s.today.Year(), 1, 1, 0, 0, 0, 0, time.UTC), to: s.today}
}

// lastYear is last year, whole.
func (s periodScan) lastYear() atom {
	y := s.today.Year() - 1
	return atom{from: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)}
}

// monthToDate is this month up to today.
func (s periodScan) monthToDate() atom {
	return atom{from: indicators.Month(s.today).From, to: s.today}
}

// quarterStart is the first day of today's quarter (per 3) or half (6).
func (s periodScan) quarterStart(per int) time.Time {
	return time.Date(s.today.Year(), time.Month((int(s.today.Month())-1)/per*per+1), 1, 0, 0, 0, 0, time.UTC)
}

// perOf is the months of « trimestre » (3) or « semestre » (6).
func perOf(w string) int {
	if w == "semestre" {
		return 6
	}
	return 3
}

// thisOne reads « cette année », « ce mois-ci », « ce trimestre », « cette
// semaine », « ce moi ci » (« mois » mistyped).
func (s periodScan) thisOne(i int) (atom, int) {
	w, next := s.ws[i], s.at(i+1)
	switch {
	case (w == "cette" || w == "cet") && (next == "annee" || next == "an") && s.at(i+2) != "scolaire":
		return s.yearToDate(), 2
	case w == "ce" && next == "mois":
		if s.at(i+2) == "ci" {
			return s.monthToDate(), 3
		}
		return s.monthToDate(), 2
	case (w == "ce" || w == "cette") && (next == "trimestre" || next == "semestre"):
		return atom{from: s.quarterStart(perOf(next)), to: s.today}, 2
	case w == "cette" && next == "semaine":
		a := atom{from: indicators.Week(s.today).From, to: s.today}
		if s.at(i+2) == "ci" {
			return a, 3
		}
		return a, 2
	case w == "ce" && next == "moi" && s.at(i+2) == "ci":
		return s.monthToDate(), 3
	}
	return atom{}, 0
}

// yearSaid reads « année en cours », « l'année d'avant », « l'an
// dernier », « année scolaire ».
func (s periodScan) yearSaid(i int) (atom, int) {
	w, next := s.ws[i], s.at(i+1)
	switch {
	case next == "en" && s.at(i+2) == "cours":
		return s.yearToDate(), 3
	case next == "d" && s.at(i+2) == "avant":
		// « l'année d'avant »: last year, or the year before the last
		// question's in a follow-up (FollowUp)
		return s.lastYear(), 3
	case isLast(next):
		return s.lastYear(), 2
	case w == "annee" && next == "scolaire":
		return s.schoolYear(i)
	}
	return atom{}, 0
}

// yearOpen reads « en cours d'année » (this year, not the open requests)
// and « début d'année » (from January 1st).
func (s periodScan) yearOpen(i int) (atom, int) {
	w, next := s.ws[i], s.at(i+1)
	switch {
	case w == "en" && next == "cours" && (s.at(i+2) == "d" || s.at(i+2) == "de") && (s.at(i+3) == "annee" || s.at(i+3) == "l" && s.at(i+4) == "annee"):
		if s.at(i+3) == "l" {
			return s.yearToDate(), 5
		}
		return s.yearToDate(), 4
	case w == "debut" && (next == "annee" || next == "de" && s.at(i+2) == "l" && s.at(i+3) == "annee"):
		a := s.yearToDate()
		a.start = true
		if next == "annee" {
			return a, 2
		}
		return a, 4
	}
	return atom{}, 0
}

// monthSaid reads « mois en cours », « du mois » (this month) and « mois
// dernier ».
func (s periodScan) monthSaid(i int) (atom, int) {
	next := s.at(i + 1)
	switch {
	case next == "en" && s.at(i+2) == "cours":
		return s.monthToDate(), 3
	case s.at(i-1) == "du" && next != "de" && next != "d" && !isLast(next) && !monthOK(next):
		return s.monthToDate(), 1
	case isLast(next):
		last := indicators.Month(s.today.AddDate(0, 0, -s.today.Day()))
		return atom{from: last.From, to: last.To}, 2
	}
	return atom{}, 0
}

// lastQuarter reads « trimestre dernier », « le dernier semestre ».
func (s periodScan) lastQuarter(i int) (atom, int) {
	w, next := s.ws[i], s.at(i+1)
	if !((w == "trimestre" || w == "semestre") && (isLast(next) || s.at(i-1) == "dernier") ||
		(w == "dernier" && (next == "trimestre" || next == "semestre"))) {
		return atom{}, 0
	}
	per := 3
	if w == "semestre" || next == "semestre" {
		per = 6
	}
	start := s.quarterStart(per).AddDate(0, -per, 0)
	a := atom{from: start, to: start.AddDate(0, per, -1)}
	if s.at(i-1) == "dernier" {
		return a, 1
	}
	return a, 2
}

// weekSaid reads « la semaine dernière » and « de la semaine » (this week).
func (s periodScan) weekSaid(i int) (atom, int) {
	next := s.at(i + 1)
	switch {
	case isLast(next):
		wk := indicators.Week(s.today.AddDate(0, 0, -7))
		return atom{from: wk.From, to: wk.To}, 2
	case s.at(i-1) == "la" || s.at(i-1) == "de":
		// « les fiches de la semaine »: this week
		return atom{from: indicators.Week(s.today).From, to: s.today}, 1
	}
	return atom{}, 0
}

// schoolYear reads « la rentrée », « l'année scolaire » (from the latest
// 1st of September begun) and « l'année scolaire dernière ».
func (s periodScan) schoolYear(i int) (atom, int) {
	w, next := s.ws[i], s.at(i+1)
	y := s.today.Year()
	if s.today.Month() < time.September {
		y--
	}
	n := 1
	if w == "annee" || next == "scolaire" {
		n = 2
	}
	if w == "annee" && isLast(s.at(i+2)) {
		return atom{from: time.Date(y-1, 9, 1, 0, 0, 0, 0, time.UTC), to: time.Date(y, 8, 31, 0, 0, 0, 0, time.UTC)}, 3
	}
	return atom{from: time.Date(y, 9, 1, 0, 0, 0, 0, time.UTC), to: s.today, start: true}, n
}

// lastDays reads « 3 derniers mois », « 10 derniers jours », « 2 dernières
// semaines »: up to today.
func (s periodScan) lastDays(i int) (atom, int) {
	w, next, unit := s.ws[i], s.at(i+1), s.at(i+2)
	if len(w) > 2 || next != "derniers" && next != "dernieres" || unit != "mois" && unit != "jours" && unit != "semaines" {
		return atom{}, 0
	}
	n, _ := strconv.Atoi(w)
	if n == 0 {
		return atom{}, 0
	}
	from := s.today.AddDate(0, -n, 1)
	switch unit {
	case "jours":
		from = s.today.AddDate(0, 0, 1-n)
	case "semaines":
		from = s.today.AddDate(0, 0, 1-7*n)
	}
	return atom{from: from, to: s.today}, 3
}

// daySaid reads « aujourd'hui », « du jour », « avant-hier » and « hier ».
func (s periodScan) daySaid(i int) (atom, int) {
	w, next := s.ws[i], s.at(i+1)
	day := func(back int) atom { d := s.today.AddDate(0, 0, -back); return atom{from: d, to: d} }
	switch {
	case w == "aujourd" && next == "hui":
		return day(0), 2
	case w == "jour" && (s.at(i-1) == "du" || s.at(i-1) == "ce"): // « les fiches du jour »
		return day(0), 1
	case w == "avant" && next == "hier":
		return day(2), 2
	case w == "hier":
		return day(1), 1
	}
	return atom{}, 0
}
