package orgname_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/orgname"
)

const (
	tooLong   = "Nom trop long : 81 caractères, 80 au plus."
	invisible = "Le nom contient un caractère de contrôle ou invisible : écrivez-le en lettres, sur une ligne."
	formula   = "Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule)."
)

func TestCheck(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"CCAS Roubaix", ""},
		{"Maison de santé d'Abbeville – pôle Somme", ""},
		{strings.Repeat("é", 80), ""},
		{strings.Repeat("é", 81), tooLong},
		{"CCAS 59-62 @Lille", ""}, // = + - @ only matter first
		{"=HYPERLINK(\"http://x\")", formula},
		{"+33 CCAS", formula},
		{"-CCAS", formula},
		{"@CCAS", formula},
		{"  =CCAS", formula},
		{"CCAS\x07Roubaix", invisible},
		{"CCAS\tRoubaix", invisible},
		{"CCAS\u200bRoubaix", invisible},   // zero-width space
		{"CCAS \u202eexiabuoR", invisible}, // right-to-left override
		{"CCAS\u0085Roubaix", invisible},
	} {
		err := orgname.Check(c.name)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Check(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
