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
	nir       = "Le nom ne peut pas contenir de numéro de sécurité sociale : c'est le nom d'une structure, pas d'une personne."
	phone     = "Le nom ne peut pas contenir de numéro de téléphone : c'est le nom d'une structure, pas d'une personne."
	email     = "Le nom ne peut pas contenir d'adresse e-mail : c'est le nom d'une structure, pas d'une personne."
	birth     = "Le nom ne peut pas contenir de date de naissance : c'est le nom d'une structure, pas d'une personne."
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
		// A structure's name is shown in every report: never a person's number.
		{"CCAS Roubaix 06 12 34 56 78", phone},
		{"CCAS Roubaix 0612345678", phone},
		{"CCAS Roubaix ０６１２３４５６７８", phone}, // full-width digits
		{"CCAS 1 85 05 78 006 084 36", nir},
		{"Awa 2850578006084", nir},
		{"CCAS awa.diallo@gmail.com", email},
		{"CCAS awa arobase gmail.com", email},
		{"Awa née le 12/03/1985", birth},
		{"CCAS 12/03/1985", birth},
		// Numbers a structure's name does carry stay.
		{"CCAS 59", ""},
		{"Maison de santé 2000", ""},
		{"PMI 0 800 123 456", ""}, // a free service number, not a person's
		{"Centre social 08 00 12 34 56", ""},
		{"CSAPA 62-80", ""},
		{"Association Femmes Relais 93", ""},
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
