package matrix

import (
	"slices"
	"strings"
	"testing"
)

func TestCommandsTakeAMarkOrNone(t *testing.T) {
	t.Parallel()
	p := NewPresenter(nil, []string{"start", "fiche", "/aide"})
	for typed, want := range map[string]string{
		"!fiche":                  "/fiche",
		"! fiche":                 "/fiche",
		"/fiche":                  "/fiche",
		"fiche":                   "/fiche",
		"Fiche":                   "/fiche",
		"aide":                    "/aide",
		"!start AB12CD":           "/start AB12CD",
		"start AB12CD":            "/start AB12CD",
		"Start AB12CD":            "/start AB12CD",
		"fiche incomplète demain": "fiche incomplète demain",
		"start AB12CD et après":   "start AB12CD et après",
		"fichier":                 "fichier",
		"Orientée vers la PMI.":   "Orientée vers la PMI.",
	} {
		if got := p.command(typed); got != want {
			t.Errorf("%q: got %q, want %q", typed, got, want)
		}
	}
}

func TestTypedChoiceIsTheButtonItNames(t *testing.T) {
	t.Parallel()
	s := shown{Message: 7, Text: "Sexe ?", Choices: []choice{{"Femme", "s:f"}, {"Homme", "s:h"}, {"✅ Enregistrer", "save"}, {"Accès aux droits", "d"}}}
	for typed, want := range map[string]string{
		"1": "s:f", "2.": "s:h", " 3 ": "save", "4": "d",
		"femme": "s:f", "HOMME": "s:h", "enregistrer": "save", "✅ Enregistrer": "save", "acces aux droits": "d",
	} {
		if got, ok := s.read(typed); !ok || got != want {
			t.Errorf("%q: got %q %v, want %q", typed, got, ok, want)
		}
	}
	for _, typed := range []string{"0", "5", "-1", "1 2", "34", "Fem", "", "Non binaire"} {
		if got, ok := s.read(typed); ok {
			t.Errorf("%q read as %q: it names no choice", typed, got)
		}
	}
	if got, ok := (shown{}).read("1"); ok {
		t.Errorf("no choices shown: %q read as %q", "1", got)
	}
}

func TestSeveralNumbersOnlyAtAMultipleChoice(t *testing.T) {
	t.Parallel()
	for typed, want := range map[string]int{"1 3": 2, "1, 3 et 5": 3, "2.": 1, "1 a": 0, "Mobilité": 0, "": 0} {
		if got := len(severalNumbers(typed)); got != want {
			t.Errorf("%q: %d numbers, want %d", typed, got, want)
		}
	}
	// At most maxPresses numbers: each press's id is derived from the
	// message's with maxPresses slots, more would take the next message's.
	if got := len(severalNumbers(strings.Repeat("1 ", maxPresses))); got != maxPresses {
		t.Errorf("%d numbers: %d read, want all", maxPresses, got)
	}
	if got := severalNumbers(strings.Repeat("1 ", maxPresses+1)); got != nil {
		t.Errorf("%d numbers: %d read, want none", maxPresses+1, len(got))
	}
	multi := shown{Choices: []choice{{"Mobilité", "m"}, {"Logement", "l"}, {"Valider", "ok"}}}
	single := shown{Choices: []choice{{"Femme", "f"}, {"Homme", "h"}}}
	if !multi.multi() || single.multi() {
		t.Errorf("multi: %v for choices with « Valider », %v without", multi.multi(), single.multi())
	}
	if got, ok := multi.several("1 2"); !ok || !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("« 1 2 » at a multiple choice: %v %v, want [1 2] pressed one after the other", got, ok)
	}
	if _, ok := single.several("1 2"); ok {
		t.Error("« 1 2 » at a single choice was pressed twice: want no press")
	}
	if _, ok := multi.several("2"); ok {
		t.Error("one number at a multiple choice: want the single press path")
	}
}
