package frtext_test

import (
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/frtext"
)

func TestNumbersAndPlurals(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{-2, "-2 demandes"}, {-1, "-1 demande"}, {0, "0 demande"}, {1, "1 demande"}, {2, "2 demandes"},
		{999, "999 demandes"}, {1000, "1 000 demandes"}, {1234567, "1 234 567 demandes"}, {-4175, "-4 175 demandes"},
	} {
		if got := frtext.Plural(c.n, "demande", "demandes"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestMessageLenCountsUTF16Units(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "📋": 2, "Fiche 📋 n° 3": 13} {
		if got := frtext.MessageLen(s); got != want {
			t.Errorf("MessageLen(%q) = %d, want %d", s, got, want)
		}
	}
	if frtext.MaxMessage != 4096 {
		t.Errorf("MaxMessage = %d, Telegram allows 4096", frtext.MaxMessage)
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2024-01-31", "31/01/2024", " 31/1/2024 "} {
		got, err := frtext.ParseDate(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "31-01-2024", "2024-02-30", "32/01/2024"} {
		if _, err := frtext.ParseDate(s); err == nil || err.Error() != "date « "+s+" » invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)" {
			t.Errorf("ParseDate(%q): error %v", s, err)
		}
	}
}

// A swap of two letters is one typo; accents are letters of their own.
func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"femme", "femme", 0}, {"feme", "femme", 1}, {"fmeme", "femme", 1}, {"mobilite", "mobilité", 1},
		{"", "abc", 3}, {"persone", "personne", 1}, {"chifres", "chiffres", 1}, {"abcd", "dcba", 3},
	} {
		if got := frtext.Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
