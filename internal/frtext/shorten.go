package frtext

import (
	"strings"
	"unicode/utf8"
)

// Shorten cuts s to n characters, the last an ellipsis, when it is longer:
// a chart's title or label that must fit its width.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:n-1])) + "…"
}
