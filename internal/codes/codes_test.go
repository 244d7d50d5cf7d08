package codes

import (
	"github.com/relais-sante/relais/internal/territory"
	"slices"
	"testing"
	"unicode/utf8"
)

// One vocabulary: a code has one label, what a mediator taps and what a
// coordinator reads, short enough to show whole on a button; two codes of
// a list never read the same; catch-alls are all named "Autre".
func TestOneVocabulary(t *testing.T) {
	for name, list := range Lists {
		seen := map[string]string{}
		for _, c := range list {
			if n := utf8.RuneCountInString(c.Label); n > MaxButton || n == 0 {
				t.Errorf("%s %s: label %q is %d characters, want 1 to %d", name, c.Code, c.Label, n, MaxButton)
			}
			if other, dup := seen[c.Label]; dup {
				t.Errorf("%s: %s and %s both read %q", name, other, c.Code, c.Label)
			}
			seen[c.Label] = c.Code
			if c.Code == "autre" && c.Label != "Autre" {
				t.Errorf("%s: catch-all labelled %q, want \"Autre\"", name, c.Label)
			}
		}
	}
}

// A label shortened on its button reads the same everywhere: the
// button's words (a coordinator read « Prise de RDV
// pour ou avec l'usager » where the mediator had tapped « Prise de RDV »).
func TestLabelsOnceShortenedReadAsOnTheButton(t *testing.T) {
	for _, tc := range []struct {
		list  List
		code  string
		label string
	}{
		{CareTypes, "rdv", "Prise de RDV"},
		{CareTypes, "recherche_ps", "Recherche d'un professionnel de santé"},
		{CareTypes, "plateforme_rdv", "Activation compte plateforme de RDV"},
		{RightsTypes, "frais_specialiste", "Aides pour frais de spécialiste"},
		{ContactModes, "communication", "Communication de la structure"},
		{ContactModes, "rencontre_physique", "Rencontre physique"},
		{ContactModes, "demarche_usager", "Démarche de l'usager"},
		{Obstacles, "demarches", "Complexité des démarches administratives"},
		{Obstacles, "manque_info", "Manque d'info sur les dispositifs"},
		{Obstacles, "non_connaissance", "Non connaissance des droits"},
		{QPV, QPVUnknown, "Ne sait pas"},
	} {
		if got := tc.list.Label(tc.code); got != tc.label {
			t.Errorf("%s = %q, want %q", tc.code, got, tc.label)
		}
	}
}

// The Hauts-de-France's départements and its Picardie come from the
// embedded reference, in the order every report lists them.
func TestDepartementsOfTheHautsDeFrance(t *testing.T) {
	want := List{{"02", "Aisne"}, {"59", "Nord"}, {"60", "Oise"}, {"62", "Pas-de-Calais"}, {"80", "Somme"}}
	if !slices.Equal(Departements, want) {
		t.Errorf("Departements = %v, want %v", Departements, want)
	}
}

// A deployment's choices are its served regions' départements, region by
// region; any département's name reads from the reference.
func TestDepartementsOfTheServedRegions(t *testing.T) {
	both, err := territory.Serve([]string{"32", "76"})
	if err != nil {
		t.Fatal(err)
	}
	l := DepartementsOf(both)
	if len(l) != 18 || l[0] != (Choice{"02", "Aisne"}) || l[5] != (Choice{"09", "Ariège"}) || l[17] != (Choice{"82", "Tarn-et-Garonne"}) {
		t.Errorf("DepartementsOf(32, 76) = %v", l)
	}
	if l.Has("75") || !l.Has("31") {
		t.Errorf("DepartementsOf(32, 76) has 75 or lacks 31: %v", l)
	}
	if got := DepartementLabel("31"); got != "Haute-Garonne" {
		t.Errorf("DepartementLabel(31) = %q", got)
	}
	if got := DepartementLabel("xx"); got != "xx" {
		t.Errorf("DepartementLabel(xx) = %q", got)
	}
}
