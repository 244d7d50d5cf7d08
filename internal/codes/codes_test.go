package codes

import (
	"testing"
	"unicode/utf8"
)

// One vocabulary: what a mediator taps is what a coordinator reads, the
// button text being at most the label's own words, short enough to show
// whole; catch-alls are all named "Autre".
func TestOneVocabulary(t *testing.T) {
	for name, list := range Lists {
		for _, c := range list {
			if c.Short != "" && !IsShortening(c.Short, c.Label) {
				t.Errorf("%s %s: button %q is another wording of %q", name, c.Code, c.Short, c.Label)
			}
			if n := utf8.RuneCountInString(c.Button()); n > MaxButton {
				t.Errorf("%s %s: button %q is %d characters, at most %d", name, c.Code, c.Button(), n, MaxButton)
			}
			if c.Code == "autre" && c.Label != "Autre" {
				t.Errorf("%s: catch-all labelled %q, want \"Autre\"", name, c.Label)
			}
		}
	}
}

func TestIsShortening(t *testing.T) {
	for _, tc := range []struct {
		short, label string
		want         bool
	}{
		{"Prise de RDV", "Aide ou prise de RDV pour ou avec l'usager", true},
		{"Droits non connus", "Non connaissance des droits et dispositifs", false},
		{"Manque d'info sur les dispositifs", "Manque d'info sur les dispositifs (méconnaissance)", true},
		{"", "Autre", false},
	} {
		if got := IsShortening(tc.short, tc.label); got != tc.want {
			t.Errorf("IsShortening(%q, %q) = %v, want %v", tc.short, tc.label, got, tc.want)
		}
	}
}
