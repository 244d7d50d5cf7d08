// Package identify finds in a text the details that let anyone recognise
// a person: a social security number (NIR), a phone number, an e-mail
// address, a birth date. It is the part of the note guard (internal/dialog)
// that other rules need too: a structure's name (internal/orgname) is
// shown in every report and must never carry a person's number. It reads
// a normalised copy of the text (Normalize) so that full-width digits,
// zero-width characters or look-alike letters do not hide a detail.
package identify

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// HasNIR tells whether normalised text t holds a social security number.
func HasNIR(t string) bool {
	return slices.ContainsFunc(digitRuns(t), digitRun.hasNIR)
}

// HasPhone tells whether normalised text t holds a phone number.
func HasPhone(t string) bool {
	return slices.ContainsFunc(digitRuns(t), digitRun.hasPhone)
}

// ---- normalisation

// lookAlikes are Cyrillic, Greek and Armenian letters drawn like Latin
// ones: « Fаtou » with a Cyrillic а is Fatou to a reader.
var lookAlikes = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'Ё': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
	'У': 'Y', 'Х': 'X', 'І': 'I', 'Ї': 'I', 'Ј': 'J', 'Ѕ': 'S', 'Ԁ': 'D', 'Һ': 'H', 'Ԛ': 'Q', 'Ԝ': 'W', 'Ү': 'Y',
	'а': 'a', 'е': 'e', 'ё': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j',
	'ѕ': 's', 'ԁ': 'd', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ү': 'y', 'к': 'k',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P',
	'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'α': 'a', 'ο': 'o', 'ν': 'v', 'ι': 'i', 'κ': 'k', 'ρ': 'p', 'υ': 'u', 'χ': 'x',
	'օ': 'o', 'ս': 'u', 'ı': 'i',
	'‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-', '’': '\'', '‘': '\'', 'ʼ': '\'',
}

// Normalize is text as the guard reads it: NFKC (full-width forms,
// ligatures, non-breaking spaces), without format characters (zero-width
// spaces and joiners, soft hyphens, direction marks) or stray combining
// marks, with any decimal digit as its ASCII digit and look-alike letters
// as Latin ones.
func Normalize(text string) string {
	t := norm.NFKC.String(text)
	var b strings.Builder
	b.Grow(len(t))
	for _, r := range t {
		switch {
		case unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me):
			continue
		case r == '\n' || r == '\t' || unicode.IsControl(r) || unicode.IsSpace(r):
			b.WriteByte(' ')
		case r > unicode.MaxASCII && unicode.IsDigit(r):
			b.WriteByte(byte('0' + digitValue(r)))
		default:
			if l, ok := lookAlikes[r]; ok {
				r = l
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// digitValue is the value of a non-ASCII decimal digit: Unicode puts each
// script's digits 0 to 9 in a row, so it is how many digits precede r in
// its row.
func digitValue(r rune) int {
	n := 0
	for n < 9 && unicode.IsDigit(r-rune(n)-1) {
		n++
	}
	return n % 10
}

// ---- numbers: social security numbers and phones

// digitRun is a row of digit groups that may be one number written with
// separators: « 06 12 34 56 78 », « 1-85-05-78-006-084-36 ».
type digitRun struct {
	groups []string
	seps   []byte // seps[i] separates groups[i] and groups[i+1]: ' ', '.', '-', '/' or '_'
	plus   bool   // a '+' stands before the first group
}

var (
	// « +33 (0)6 » is +33 6.
	trunkZeroRe = regexp.MustCompile(`\(\s*0\s*\)`)
	// « O6 12 34 56 78 »: a letter O typed for a zero.
	letterZeroRe = regexp.MustCompile(`(^|[^\p{L}\d])[Oo](\d)`)
	// A Corsican département in a social security number: 2A is 19, 2B 18.
	corsicaRe = regexp.MustCompile(`(?i)(^|[^\p{L}\d])2([ab])([^\p{L}]|$)`)
)

// otherSeparators are the other marks typed between a number's groups
// (« 06·12·34·56·78 », « 06,12,34,56,78 »), read as a dot: no separator
// may hide a number.
var otherSeparators = strings.NewReplacer(",", ".", ":", ".", ";", ".", "|", ".", "*", ".", "~", ".", "#", ".",
	"·", ".", "•", ".", "∙", ".", "⋅", ".", "‧", ".", "・", ".", "◦", ".", "°", ".", "\\", ".")

// digitRuns finds the rows of digit groups of t. Two groups belong to one
// row when only spaces and at most one of . - / _ (or otherSeparators)
// stand between them.
func digitRuns(t string) []digitRun {
	t = trunkZeroRe.ReplaceAllString(t, " 0")
	t = letterZeroRe.ReplaceAllString(t, "${1}0$2")
	t = strings.NewReplacer("(", " ", ")", " ").Replace(t) // « (+33) 6 12 34 56 78 »
	t = otherSeparators.Replace(t)
	t = corsicaRe.ReplaceAllStringFunc(t, func(m string) string {
		return strings.NewReplacer("2A", "19", "2a", "19", "2B", "18", "2b", "18").Replace(m)
	})
	var runs []digitRun
	var cur *digitRun
	i := 0
	for i < len(t) {
		if !isDigit(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		if cur == nil {
			k := i - 1
			for k >= 0 && t[k] == ' ' {
				k--
			}
			runs = append(runs, digitRun{plus: k >= 0 && t[k] == '+'})
			cur = &runs[len(runs)-1]
		}
		cur.groups = append(cur.groups, t[i:j])
		// Does another group follow, after a separator?
		k, sep, spaces := j, byte(0), 0
		for k < len(t) && t[k] == ' ' && spaces < 3 {
			k, spaces = k+1, spaces+1
		}
		if k < len(t) && strings.IndexByte(".-/_", t[k]) >= 0 {
			sep = t[k]
			k++
			for k < len(t) && t[k] == ' ' && spaces < 6 {
				k, spaces = k+1, spaces+1
			}
		} else if spaces > 0 {
			sep = ' '
		}
		if sep != 0 && k < len(t) && isDigit(t[k]) {
			cur.seps = append(cur.seps, sep)
		} else {
			cur = nil
		}
		i = k
	}
	return runs
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// spans calls f with the digits of each row of consecutive groups, whether
// their separators are all the same, and whether the row starts the run.
func (r digitRun) spans(f func(digits string, uniform, first bool) bool) bool {
	for i := range r.groups {
		digits := ""
		for j := i; j < len(r.groups) && len(digits) < 16; j++ {
			digits += r.groups[j]
			uniform := true
			for k := i; k < j; k++ {
				uniform = uniform && r.seps[k] == r.seps[i]
			}
			if f(digits, uniform, i == 0) {
				return true
			}
		}
	}
	return false
}

// hasNIR: 13 digits (or 15 with the key) starting with the sex digit,
// whatever the separators.
func (r digitRun) hasNIR() bool {
	return r.spans(func(d string, _, _ bool) bool {
		return (len(d) == 13 || len(d) == 15) && strings.IndexByte("1234578", d[0]) >= 0
	})
}

// hasPhone: a French number (0 then 1 to 9, not 08: those are services,
// not people) of ten digits, or an international one (+ or 00, a country
// code, 8 to 13 more digits). Groups joined by different separators are a
// date and a time, not one number.
func (r digitRun) hasPhone() bool {
	return r.spans(func(d string, uniform, first bool) bool {
		switch {
		case first && r.plus:
			return len(d) >= 9 && len(d) <= 15
		case !uniform:
			return false
		case len(d) == 10 && d[0] == '0':
			return d[1] != '0' && d[1] != '8'
		case strings.HasPrefix(d, "00") && len(d) >= 11 && len(d) <= 15:
			return d[2] != '0'
		}
		return false
	})
}

// ---- e-mails

var (
	emailRe = regexp.MustCompile(`[\p{L}\d._%+\-]+ ?@ ?[\p{L}\d\-]+(?:\.[\p{L}\d\-]+)*\.\p{L}{2,}`)
	// « fatou.diallo arobase gmail.com », « dupont(at)orange.fr », « nadia at free dot fr ».
	spokenEmailRe = regexp.MustCompile(`(?i)[\p{L}\d._%+\-]+\s*[(\[]?\s*\b(?:arobase|arrobase|arobas)\b\s*[)\]]?\s*[\p{L}\d\-]+` +
		`|[\p{L}\d._%+\-]+\s*(?:[(\[]at[)\]]| at )\s*[\p{L}\d\-]+(?:\s*(?:\.|[(\[]dot[)\]]| dot | point )\s*[\p{L}\d\-]+)*` +
		`\s*(?:\.|[(\[]dot[)\]]| dot | point )\s*(?:fr|com|net|org|eu|be|ch|info|io|sn|ma|dz|tn|ci|cm|ml|gn|re)\b`)

	// « awa@gmail »: a mail provider names the domain well enough.
	providerRe = regexp.MustCompile(`(?i)[\p{L}\d._%+\-]+ ?@ ?(?:gmail|hotmail|yahoo|outlook|orange|free|sfr|laposte|wanadoo|icloud|live|msn|aol|proton(?:mail)?|gmx|neuf|bbox)\b`)
)

func HasEmail(t string) bool {
	return emailRe.MatchString(t) || spokenEmailRe.MatchString(t) || providerRe.MatchString(t)
}

// ---- birth dates

const (
	numDate   = `\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}`
	monthName = `(?:janv|f[ée]vr?|mars|avr|mai|juin|juil|ao[uû]t|sept?|oct|nov|d[ée]c)[\p{L}]*\.?`
	wordDate  = `\d{1,2}(?:er)?\s+` + monthName + `(?:\s+\d{4})?`
	anyDate   = `(?:` + numDate + `|` + wordDate + `|(?:19|20)\d{2}\b)`
)

var (
	// « née le 3/4/1971 », « né en 1962 », « née à Dakar le 12 mars 2015 »;
	// « bébé né il y a 3 mois » gives no date.
	bornRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}])n(?:é|ée|és|ées|ee|ees)(?:\s*[:,]?\s*|\s+(?:le|en|vers|fin|d[ée]but)\s+|` +
		`\s+(?:à|a|au)\s+[\p{L}'\-]+(?:\s+[\p{L}'\-]+)?\s+(?:le|en)\s+)` + anyDate)
	// « DDN 12/05/1980 », « date de naissance : 3 avril 1985 »; « acte de
	// naissance à demander » gives no date.
	birthWordRe = regexp.MustCompile(`(?i)(?:naissance|\bddn\b|\bd\.d\.n\.?)\s*[:\-]?\s*(?:le\s+|en\s+|du\s+)?` + anyDate)
	// A full date of a year no sheet can have: before 2010.
	oldDateRe = regexp.MustCompile(`(?i)\b\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19\d{2}|200\d|[4-9]\d)\b` +
		`|\b\d{1,2}(?:er)?\s+` + monthName + `\s+(?:19\d{2}|200\d)\b` +
		`|\b(?:19\d{2}|200\d)\s*[\-/.]\s*\d{1,2}\s*[\-/.]\s*\d{1,2}\b`)
)

func HasBirthDate(t string) bool {
	return bornRe.MatchString(t) || birthWordRe.MatchString(t) || oldDateRe.MatchString(t)
}
