package question

import "strings"

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
// inside the word so "15/03/2024" is one date; everything else separates.
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
