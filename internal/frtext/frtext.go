// Package frtext writes and reads the small pieces of French text every
// message needs (counts, plurals, typed dates) and knows Telegram's length
// limit; it sits below indicators, question, annual and bot so none of them
// has to borrow these from a report package.
package frtext

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// MaxMessage is Telegram's limit for one message, in UTF-16 units.
const MaxMessage = 4096

// MessageLen is a text's length as Telegram counts it against MaxMessage.
func MessageLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Plural writes a count with its noun in French: "0 demande", "1 demande",
// "2 demandes" (0 and 1 take the singular), thousands spaced.
func Plural(n int, one, many string) string {
	if n > 1 || n < -1 {
		return Number(n) + " " + many
	}
	return Number(n) + " " + one
}

// Number writes n the French way, thousands separated by a space: 4 175.
func Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ParseDate reads a day typed by a user or found in a file: 2024-01-31 or
// 31/01/2024. The error is a French sentence.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date « %s » invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)", s)
}

// Distance counts the letters to add, remove, change or swap to turn a
// into b (optimal string alignment): how far a typed word is from a known
// one, for the typo tolerance of forms and free text.
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
