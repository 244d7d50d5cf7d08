package draftprompt

import (
	"fmt"
	"testing"
)

func TestInProgressNamesTheDraft(t *testing.T) {
	for _, c := range []struct{ form, title, want string }{
		{"fiche", "Fiche d'accompagnement", "Vous avez une fiche en cours (Fiche d'accompagnement)."},
		{"fiche", "", "Vous avez une fiche en cours."},
		{"action", "Action collective", "Vous avez une saisie en cours (Action collective)."},
		{"bilan", "", "Vous avez une saisie en cours."},
	} {
		if got := InProgress(c.form, c.title); got != c.want {
			t.Errorf("InProgress(%q, %q) = %q, want %q", c.form, c.title, got, c.want)
		}
	}
}

func TestButtonsNameTheDraft(t *testing.T) {
	got := fmt.Sprint(Buttons("8f3a", "action"))
	if want := "[[{Reprendre b:resume:8f3a } {Abandonner b:drop:8f3a:action }]]"; got != want {
		t.Errorf("Buttons = %s, want %s", got, want)
	}
}
