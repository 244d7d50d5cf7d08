package dialog

import (
	"testing"
	"time"
)

func TestTolerantDates(t *testing.T) {
	t.Parallel()
	f := fiche(t)
	date := f.Step("date")
	followUp := f.Step("requests").Steps[4]
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC) // a Thursday
	for _, tc := range []struct {
		text, want string
		future     bool
	}{
		{"25 novembre", "2025-11-25", false}, // the last 25 November
		{"25 Novembre 2025", "2025-11-25", false},
		{"1er mars", "2026-03-01", false},
		{"3 déc.", "2025-12-03", false},
		{"12 fév", "2026-02-12", false},
		{"mardi dernier", "2026-03-10", false},
		{"Mardi", "2026-03-10", false},
		{"jeudi dernier", "2026-03-05", false}, // today is a Thursday: a week ago
		{"jeudi", "2026-03-12", false},
		{"avant-hier", "2026-03-10", false},
		{"il y a 3 jours", "2026-03-09", false},
		{"lundi", "2026-03-16", true},
		{"lundi prochain", "2026-03-16", true},
		{"jeudi prochain", "2026-03-19", true},
		{"2 avril", "2026-04-02", true},
	} {
		s := date
		if tc.future {
			s = followUp
		}
		d, msg := parseDate(tc.text, now, s)
		if msg != "" || d.Format(time.DateOnly) != tc.want {
			t.Errorf("parseDate(%q) = %s %q, want %s", tc.text, d.Format(time.DateOnly), msg, tc.want)
		}
	}
	for _, bad := range []string{"jui", "25 brumaire", "mardi soir", "32 mars", "il y a trois jours"} {
		if _, msg := parseDate(bad, now, date); msg == "" {
			t.Errorf("parseDate(%q) accepted", bad)
		}
	}
	if _, msg := parseDate("lundi prochain", now, date); msg == "" {
		t.Error("a future weekday was accepted as the accompaniment date")
	}
}

func TestTolerantNumbers(t *testing.T) {
	t.Parallel()
	age := fiche(t).Step("age")
	for _, tc := range []struct {
		text string
		want int
	}{
		{"52", 52}, {"52 ans", 52}, {"elle a 52 ans", 52}, {"environ 40", 40}, {"0", 0}, {"120 ans", 120},
	} {
		n, msg := parseInt(tc.text, age)
		if msg != "" || n != tc.want {
			t.Errorf("parseInt(%q) = %d %q, want %d", tc.text, n, msg, tc.want)
		}
	}
	for _, bad := range []string{"34 kg", "12 ans et demi", "34,5", "entre 30 et 40", "121", "trente", "3 mois"} {
		if _, msg := parseInt(bad, age); msg == "" {
			t.Errorf("parseInt(%q) accepted", bad)
		}
	}
}

func TestTolerantLabels(t *testing.T) {
	t.Parallel()
	f := fiche(t)
	contact := f.Step("contact_mode")
	for text, want := range map[string]string{
		"bouche a oreille":   "bouche_a_oreille",
		"BOUCHE-À-OREILLE":   "bouche_a_oreille",
		"aller vers":         "aller_vers",
		"orientation":        "orientation_partenaire",
		"rencontre physique": "rencontre_physique",
	} {
		c, ok := matchChoice(contact, text)
		if !ok || c.Code != want {
			t.Errorf("matchChoice(%q) = %q %v, want %q", text, c.Code, ok, want)
		}
	}
	for _, bad := range []string{"co", "c", "oreille", ""} {
		if c, ok := matchChoice(contact, bad); ok {
			t.Errorf("matchChoice(%q) = %q, want no match", bad, c.Code)
		}
	}
	res := f.Step("resources")
	if c, ok := matchChoice(res, "rsa"); !ok || c.Code != "rsa" {
		t.Errorf("rsa = %q %v", c.Code, ok)
	}
	if _, ok := matchChoice(res, "pension"); ok {
		t.Error("« pension » names two resources but matched one")
	}
}

// The fiche's age step takes 0 to 120 years: both bounds are kept and the
// refusal of one more says which numbers are accepted.
func TestAgeBoundaries(t *testing.T) {
	t.Parallel()
	age := fiche(t).Step("age")
	for _, tc := range []struct {
		text string
		want int
		msg  string
	}{
		{"0", 0, ""},
		{"120", 120, ""},
		{"121", 0, "Écrivez un nombre entier entre 0 et 120 ans."},
	} {
		n, msg := parseInt(tc.text, age)
		if n != tc.want || msg != tc.msg {
			t.Errorf("parseInt(%q) = %d %q, want %d %q", tc.text, n, msg, tc.want, tc.msg)
		}
	}
}
