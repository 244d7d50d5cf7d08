package frtext

import "testing"

// A label of n characters is kept whole; one more is cut to n with an
// ellipsis.
func TestShortenKeepsNCharacters(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Éducation thérapeutique", "Éducation thérapeutique"},
		{"Accès-aux-droits-des-personnes-très-âgées", "Accès-aux-droits-des-personnes-très-âgées"},    // 41
		{"Accès-aux-droits-des-personnes-très-âgées!", "Accès-aux-droits-des-personnes-très-âgées!"},  // 42
		{"Accès-aux-droits-des-personnes-très-âgées!!", "Accès-aux-droits-des-personnes-très-âgées…"}, // 43
	} {
		if got := Shorten(c.in, 42); got != c.want {
			t.Errorf("Shorten(%q, 42) = %q, want %q", c.in, got, c.want)
		}
	}
}
