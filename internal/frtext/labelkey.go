package frtext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// LabelKey is a choice's label as a typed answer is matched against it:
// no leading emoji or mark, no case, no accents, words separated by single
// spaces (« ✅ Mobilité » and « mobilite » have one key). Transports
// without buttons read typed labels with it.
func LabelKey(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
