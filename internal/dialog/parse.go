package dialog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/frtext"
)

// day returns the civil date of t as midnight UTC, so dates compare and
// print without time-zone surprises.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func frDate(d time.Time) string { return d.Format("02/01/2006") }

// addMonths adds n months, keeping the day inside the target month
// (31 January + 1 month = 28 or 29 February).
func addMonths(d time.Time, n int) time.Time {
	y, m := d.Year(), int(d.Month())-1+n
	y += m / 12
	m %= 12
	last := time.Date(y, time.Month(m+2), 0, 0, 0, 0, 0, time.UTC).Day()
	dd := d.Day()
	if dd > last {
		dd = last
	}
	return time.Date(y, time.Month(m+1), dd, 0, 0, 0, 0, time.UTC)
}

func quickDate(token string, now time.Time) (time.Time, bool) {
	today := day(now)
	switch token {
	case forms.QuickToday:
		return today, true
	case forms.QuickYesterday:
		return today.AddDate(0, 0, -1), true
	case forms.QuickWeek:
		return today.AddDate(0, 0, 7), true
	case forms.QuickTwoWeeks:
		return today.AddDate(0, 0, 14), true
	case forms.QuickMonth:
		return addMonths(today, 1), true
	}
	return time.Time{}, false
}

var dateRe = regexp.MustCompile(`^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})(?:\s*[/.\- ]\s*(\d{4}|\d{2}))?$`)

// parseDate reads a typed date (12/03/2026, 12/3, 12/03/26, "hier") and
// checks it against the step; the error is the French explanation.
func parseDate(text string, now time.Time, s *forms.Step) (time.Time, string) {
	today := day(now)
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.ReplaceAll(t, "’", "'")
	var d time.Time
	switch t {
	case "aujourd'hui", "aujourdhui", "auj":
		d = today
	case "hier":
		d = today.AddDate(0, 0, -1)
	case "demain":
		d = today.AddDate(0, 0, 1)
	case "avant-hier", "avant hier":
		d = today.AddDate(0, 0, -2)
	default:
		if rd, ok := relativeDay(fold(t), today, s.NotPast); ok {
			d = rd
			break
		}
		m := dateRe.FindStringSubmatch(t)
		if m == nil {
			m = monthDate(fold(t))
		}
		if m == nil {
			return time.Time{}, "Date non reconnue. Écrivez-la ainsi : " + dateExample(s, now) + " (ou " + wordsExample(s) + ")."
		}
		dd, _ := strconv.Atoi(m[1])
		mm, _ := strconv.Atoi(m[2])
		yy := today.Year()
		guessYear := m[3] == ""
		if !guessYear {
			yy, _ = strconv.Atoi(m[3])
			if len(m[3]) == 2 {
				yy += 2000
			}
		}
		var ok bool
		if d, ok = civil(yy, mm, dd); !ok {
			return time.Time{}, fmt.Sprintf("Cette date n'existe pas : %02d/%02d/%04d.", dd, mm, yy)
		}
		if yy < 1900 || yy > 2100 {
			return time.Time{}, fmt.Sprintf("Année impossible : %d.", yy)
		}
		// "12/3" means the closest such day on the allowed side of today;
		// but a day within a month on the wrong side ("24/11" typed on
		// 23/11) is a slip, refused below rather than moved by a year.
		if guessYear && s.NotFuture && d.After(today.Add(slip)) {
			if d2, ok := civil(yy-1, mm, dd); ok {
				d = d2
			}
		}
		if guessYear && s.NotPast && d.Before(today.Add(-slip)) {
			if d2, ok := civil(yy+1, mm, dd); ok {
				d = d2
			}
		}
	}
	if s.NotFuture && d.After(today) {
		return time.Time{}, fmt.Sprintf("La date ne peut pas être dans le futur (aujourd'hui : %s).", frDate(today))
	}
	if s.NotPast && d.Before(today) {
		return time.Time{}, fmt.Sprintf("La date ne peut pas être passée (aujourd'hui : %s).", frDate(today))
	}
	if w := s.WithinDays; w > 0 {
		if d.Before(today.AddDate(0, 0, -w)) {
			return time.Time{}, fmt.Sprintf("Date trop ancienne : au plus %s avant aujourd'hui (%s). Vérifiez l'année.", frtext.Plural(w, "jour", "jours"), frDate(today))
		}
		if d.After(today.AddDate(0, 0, w)) {
			return time.Time{}, fmt.Sprintf("Date trop lointaine : au plus %s après aujourd'hui (%s). Vérifiez l'année.", frtext.Plural(w, "jour", "jours"), frDate(today))
		}
	}
	return d, ""
}

var (
	monthDateRe = regexp.MustCompile(`^(\d{1,2})(?:er)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$`)
	agoRe       = regexp.MustCompile(`^il y a (\d{1,3}) jours?$`)
	inRe        = regexp.MustCompile(`^dans (\d{1,3}|un|une|deux|trois|quatre|cinq|six) (jours?|semaines?|mois)$`)
	months      = []string{"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"}
	weekdays    = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// monthDate reads "25 novembre", "1er déc.", "3 mars 2025" (folded) as
// the day, month and year fields dateRe gives; nil when it is not one.
func monthDate(t string) []string {
	m := monthDateRe.FindStringSubmatch(t)
	if m == nil || len(m[2]) < 3 {
		return nil
	}
	found := 0
	for i, name := range months {
		if strings.HasPrefix(name, m[2]) {
			if found != 0 {
				return nil // "jui": juin or juillet
			}
			found = i + 1
		}
	}
	if found == 0 {
		return nil
	}
	return []string{m[0], m[1], strconv.Itoa(found), m[3]}
}

// relativeDay reads "mardi", "mardi dernier", "lundi prochain", "il y a
// 3 jours" (folded): a weekday alone is the closest one on the step's
// side of today (today included).
func relativeDay(t string, today time.Time, future bool) (time.Time, bool) {
	if m := agoRe.FindStringSubmatch(t); m != nil {
		n, _ := strconv.Atoi(m[1])
		return today.AddDate(0, 0, -n), true
	}
	if m := inRe.FindStringSubmatch(t); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = slices.Index([]string{"un", "deux", "trois", "quatre", "cinq", "six"}, m[1]) + 1
			if m[1] == "une" {
				n = 1
			}
		}
		switch {
		case strings.HasPrefix(m[2], "jour"):
			return today.AddDate(0, 0, n), true
		case strings.HasPrefix(m[2], "semaine"):
			return today.AddDate(0, 0, 7*n), true
		}
		return addMonths(today, n), true
	}
	word, rest, _ := strings.Cut(t, " ")
	wd := -1
	for i, name := range weekdays {
		if word == name {
			wd = i
		}
	}
	if wd < 0 {
		return time.Time{}, false
	}
	back := (int(today.Weekday()) - wd + 7) % 7
	ahead := (wd - int(today.Weekday()) + 7) % 7
	switch strings.TrimSpace(rest) {
	case "dernier", "passe":
		if back == 0 {
			back = 7
		}
		return today.AddDate(0, 0, -back), true
	case "prochain":
		if ahead == 0 {
			ahead = 7
		}
		return today.AddDate(0, 0, ahead), true
	case "":
		if future {
			return today.AddDate(0, 0, ahead), true
		}
		return today.AddDate(0, 0, -back), true
	}
	return time.Time{}, false
}

// slip is how far on the wrong side of today a date typed without its year
// is taken for a typing slip rather than another year.
const slip = 31 * 24 * time.Hour

// dateExample is a date a date step accepts today, as "21/11 ou 21/11/2026",
// for the {exemple} of its help text: a fixed example would be refused on
// some days of the year.
func dateExample(s *forms.Step, now time.Time) string {
	d := day(now).AddDate(0, 0, -2)
	if s.NotPast {
		d = day(now).AddDate(0, 0, 21)
	}
	return fmt.Sprintf("%d/%d ou %s", d.Day(), int(d.Month()), frDate(d))
}

// wordsExample is how a date step's date may be said in words: past days
// for a visit, days to come for a follow-up.
func wordsExample(s *forms.Step) string {
	if s.NotPast {
		return "lundi prochain, dans 2 semaines"
	}
	return "hier, mardi dernier, 25 novembre"
}

// helpText is the help under a question, its {exemple} filled for dates.
func helpText(s *forms.Step, now time.Time) string {
	h := s.Help.FR
	if h == "" {
		return ""
	}
	if s.Type == forms.TypeDate {
		h = strings.ReplaceAll(h, "{exemple}", dateExample(s, now))
	}
	return h + "\n" + WordsLine
}

// WordsLine closes every question's help: the words that always work.
const WordsLine = "À tout moment : retour · passer · annuler · aide."

func civil(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d && int(t.Month()) == m
}

var (
	numRe = regexp.MustCompile(`-?\d+(?:[.,]\d+)?`)
	// otherUnits are measures a number must not carry: "34 kg" is no age.
	otherUnits = map[string]bool{"kg": true, "kilos": true, "g": true, "cm": true, "m": true, "mois": true,
		"jour": true, "jours": true, "semaine": true, "semaines": true, "an": true, "ans": true, "annees": true,
		"euro": true, "euros": true, "€": true, "h": true, "heure": true, "heures": true, "min": true, "%": true}
)

// parseInt reads a typed whole number with words around it ("34 ans",
// "12 personnes", "environ 20"): one number, no fraction, and no other
// unit than the step's.
func parseInt(text string, s *forms.Step) (int, string) {
	bounds := "Écrivez un nombre entier"
	switch {
	case s.Min != nil && s.Max != nil:
		bounds += fmt.Sprintf(" entre %d et %s", *s.Min, withUnit(s, *s.Max))
	case s.Min != nil:
		bounds += " d'au moins " + withUnit(s, *s.Min)
	case s.Max != nil:
		bounds += " d'au plus " + withUnit(s, *s.Max)
	}
	bounds += "."
	t := fold(text)
	loc := numRe.FindAllStringIndex(t, -1)
	if len(loc) != 1 || strings.Contains(t, "demi") || strings.ContainsAny(t, "½¼¾") {
		return 0, bounds
	}
	num := t[loc[0][0]:loc[0][1]]
	if strings.ContainsAny(num, ".,") {
		return 0, bounds
	}
	after := strings.Fields(strings.TrimSpace(t[loc[0][1]:]))
	if len(after) > 0 {
		w := strings.TrimRight(after[0], ".,;!")
		if otherUnits[w] && (s.Unit.FR == "" || !strings.HasPrefix(fold(s.Unit.FR), w)) {
			return 0, bounds
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || !inRange(s, n) {
		return 0, bounds
	}
	return n, ""
}

// cut is text shortened to max characters, at a word boundary when one
// is close to the limit.
func cut(text string, max int) string {
	rs := []rune(text)
	if len(rs) <= max {
		return text
	}
	head := string(rs[:max])
	if i := strings.LastIndexAny(head, " \n"); i > 0 && len([]rune(head[:i])) > max*3/4 {
		head = head[:i]
	}
	return strings.TrimSpace(head)
}

var folder = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "â", "a", "ô", "o", "î", "i", "ï", "i", "ù", "u", "û", "u", "ç", "c", "’", "'")

func fold(s string) string {
	return folder.Replace(strings.ToLower(strings.TrimSpace(s)))
}

// loose folds text for matching a label: no case, no accent, no
// punctuation ("Bouche-à-oreille" and "bouche a oreille" meet).
func loose(s string) string {
	s = strings.NewReplacer("œ", "oe", "æ", "ae", "_", " ").Replace(fold(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// matchChoice finds the choice a typed text names (code, label or button),
// without regard to case, accents or punctuation; a unique beginning of
// three letters or more will do ("compl" for Complémentaire Santé Solidaire).
func matchChoice(s *forms.Step, text string) (forms.Choice, bool) {
	t := loose(text)
	if t == "" {
		return forms.Choice{}, false
	}
	names := func(c forms.Choice) []string {
		return []string{loose(c.Code), loose(c.Label.FR)}
	}
	for _, c := range s.Choices {
		if slices.Contains(names(c), t) {
			return c, true
		}
	}
	if len([]rune(t)) < 3 {
		return forms.Choice{}, false
	}
	var found []forms.Choice
	for _, c := range s.Choices {
		for _, n := range names(c) {
			if strings.HasPrefix(n, t) {
				found = append(found, c)
				break
			}
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return forms.Choice{}, false
}

var personCodeRe = regexp.MustCompile(`^[A-Z0-9]{4,8}$`)

// codeSeparators are typed inside a code and not part of it: « 7K-9 ».
var codeSeparators = strings.NewReplacer(" ", "", "-", "", ".", "")

// cleanCode is typed text without case and separators: « 7k 9 » is 7K9.
func cleanCode(text string) string {
	return strings.ToUpper(codeSeparators.Replace(strings.TrimSpace(text)))
}

// NormalizeCode reads a typed beneficiary code as the bot does: case,
// spaces, dashes and dots do not matter; false when it is no code.
func NormalizeCode(text string) (string, bool) {
	c := cleanCode(text)
	return c, len(c) <= forms.MaxPersonCode && personCodeRe.MatchString(c)
}

// yearsBetween counts the whole years from a to b (birthdays passed).
func yearsBetween(a, b time.Time) int {
	y := b.Year() - a.Year()
	if b.Month() < a.Month() || (b.Month() == a.Month() && b.Day() < a.Day()) {
		y--
	}
	if y < 0 {
		return 0
	}
	return y
}

// keywords are the words that work at any step of a form, typed with or
// without the slash, in any case, with or without accents.
var keywords = map[string]bool{"annuler": true, "retour": true, "aide": true, "passer": true}

// Keyword tells whether text is one of the words that always work
// (« annuler », « /Retour », « Aide ! »…) and returns it folded.
func Keyword(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "/") {
		t, _, _ = strings.Cut(t[1:], " ")
		t, _, _ = strings.Cut(t, "@")
	}
	t = strings.Trim(fold(t), " .!?…")
	return t, keywords[t]
}
