package question

import (
	"strings"

	"github.com/relais-sante/relais/internal/territory"
)

// fold maps the accented letters French users type (or not) to plain ASCII,
// so « résolues », « resolues » and « RÉSOLUES » read the same.
var fold = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u", 'ÿ': "y", 'ñ': "n",
	'œ': "oe", 'æ': "ae", 'ß': "ss",
}

// tokens lowercases, folds accents and splits text into words. Digits and
// letters stay together ("c2s", "t1", "1er"); a slash between digits stays
// inside the word so "15/03/2024" is one date; the dots of an acronym
// typed « c.s.s » too; everything else separates.
func tokens(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	runes := []rune(strings.ToLower(text))
	for i, r := range runes {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			cur.WriteRune(r)
		case fold[r] != "":
			cur.WriteString(fold[r])
		case r == '/' && cur.Len() > 0 && isDigit(runes, i-1) && isDigit(runes, i+1):
			cur.WriteRune(r)
		case r == '.' && initial(runes, i-1) && initial(runes, i+1):
			// « C.S.S », « q.p.v »: an acronym's letters stay one word
		case r == '/':
			// « fiches/médiateur », « fiches / mois »: « par »
			flush()
			out = append(out, "par")
		case r == '%':
			flush()
			out = append(out, "%")
		default:
			flush()
		}
		if len(out) > 64 { // a question, not a novel
			break
		}
	}
	flush()
	return out
}

// initial tells whether runes[i] is a letter standing alone between
// separators, as each letter of an acronym typed « c.s.s ».
func initial(r []rune, i int) bool {
	letter := func(k int) bool { return k >= 0 && k < len(r) && (r[k] >= 'a' && r[k] <= 'z' || fold[r[k]] != "") }
	return letter(i) && !letter(i-1) && !letter(i+1)
}

func isDigit(r []rune, i int) bool { return i >= 0 && i < len(r) && r[i] >= '0' && r[i] <= '9' }

// stem reduces a folded word to a form shared by its singular and plural,
// masculine and feminine: "ruraux" → "rural", "femmes" → "femm",
// "résolues" / "résolus" → "resolu". Lexicon and question go through the
// same function, so only consistency matters.
func stem(w string) string {
	if len(w) < 4 || allDigits(w) {
		return w
	}
	if strings.HasSuffix(w, "aux") && len(w) > 4 {
		return w[:len(w)-3] + "al"
	}
	if w[len(w)-1] == 's' || w[len(w)-1] == 'x' {
		w = w[:len(w)-1]
	}
	if len(w) > 4 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// near tells whether a typed word matches a lexicon word: equal, or, for a
// word of five letters or more, one typo away (a letter wrong, missing,
// added, or two neighbours swapped) after the same first letter: a typo
// rarely hits the first letter, and « urgentes » is not « argent ».
func near(typed, word string, typedLen int) bool {
	if typed == word {
		return true
	}
	if typedLen < 5 || len(word) < 4 || typed[0] != word[0] {
		return false
	}
	return oneEdit(typed, word)
}

// oneEdit is a Damerau-Levenshtein distance ≤ 1 check in linear time.
func oneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if i == la {
			return true
		}
		if a[i+1:] == b[i+1:] { // one substitution
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // one swap
	case la == lb+1:
		return oneInsert(a, b)
	case lb == la+1:
		return oneInsert(b, a)
	}
	return false
}

// oneInsert tells whether long is short with one letter added.
func oneInsert(long, short string) bool {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	return long[i+1:] == short[i:]
}

// shorthands are words typed on a phone for longer ones: the apostrophe
// left out (« cest », « jai »), SMS spellings of period words.
var shorthands = map[string][]string{
	"cest": {"c", "est"}, "jai": {"j", "ai"}, "quil": {"qu", "il"}, "quils": {"qu", "ils"}, "quest": {"qu", "est"},
	"quon": {"qu", "on"}, "cetait": {"c", "etait"}, "jaimerais": {"j", "aimerais"}, "jvoudrais": {"j", "voudrais"},
	"jveux": {"j", "veux"}, "nya": {"n", "y", "a"}, "ajd": {"aujourd", "hui"}, "auj": {"aujourd", "hui"},
	"aujourdhui": {"aujourd", "hui"}, "sem": {"semaine"}, "trim": {"trimestre"},
	// numbers in words (« les trois derniers mois »); not « sept », a month
	"deux": {"2"}, "trois": {"3"}, "quatre": {"4"}, "cinq": {"5"}, "six": {"6"}, "huit": {"8"}, "neuf": {"9"},
	"dix": {"10"}, "onze": {"11"}, "douze": {"12"},
}

// periodWords are the words of periods, known to the elision rule.
var periodWords = []string{"an", "annee", "mois", "semaine", "trimestre", "semestre", "jour", "hier", "aujourd",
	"debut", "fin", "rentree", "scolaire", "dernier", "derniere", "precedent", "precedente", "passe", "passee",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "avant", "apres"}

// vocabulary is every word the parser knows by itself (lexicon, stop
// words, periods, places), as stems: a word typed without its apostrophe
// (« laisne », « dactions ») is split only into a word it knows.
var vocabulary = buildVocabulary()

func buildVocabulary() map[string]bool {
	v := map[string]bool{}
	for w := range stop {
		v[stem(w)] = true
	}
	for _, p := range phrases {
		for _, w := range tokens(p.text) {
			v[stem(w)] = true
		}
	}
	for w := range months {
		v[stem(w)] = true
	}
	for _, w := range periodWords {
		v[stem(w)] = true
	}
	// every place and territory of the reference, served or not
	for _, p := range territoryPhrases(territory.Regions()) {
		for _, w := range tokens(p.text) {
			v[stem(w)] = true
		}
	}
	for _, pl := range foreignPlaces(nil) {
		for _, w := range pl.words {
			v[stem(w)] = true
		}
	}
	return v
}

// elisions are the letters an apostrophe follows in French: « d'actions »,
// « l'Aisne », « qu'en », « j'accompagne ».
var elisions = []string{"qu", "d", "l", "j"}

// expand rewrites the words typed without an apostrophe or in SMS
// spelling: « cest » is « c est », « laisne » « l aisne », « dacces »
// « d acces ». A word is split only when it is unknown as typed and what
// follows the elided letter is a word of the vocabulary or of known
// (a structure's name); others stay as typed, to be reported.
func expand(raw []string, known func(string) bool) []string {
	var out []string
	for _, w := range raw {
		if s, ok := shorthands[w]; ok {
			out = append(out, s...)
			continue
		}
		if len(w) >= 4 && !allDigits(w) && !vocabulary[stem(w)] && !known(w) {
			if p, rest := elided(w); p != "" && (vocabulary[stem(rest)] || known(rest)) {
				out = append(out, p, rest)
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// elided splits w after an elided letter followed by a vowel or an h
// (« laisne »: « l », « aisne »); "" when w starts with none.
func elided(w string) (prefix, rest string) {
	for _, p := range elisions {
		if len(w) > len(p)+2 && strings.HasPrefix(w, p) && strings.IndexByte("aeiouyh", w[len(p)]) >= 0 {
			return p, w[len(p):]
		}
	}
	return "", ""
}
