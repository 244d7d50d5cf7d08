package main

import (
	"strings"
	"testing"
)

// relais invite --structure follows the name rules; a refused name creates nothing.
func TestInviteRefusesBadStructureNames(t *testing.T) {
	db := cliDB(t)
	name80 := "Centre " + strings.Repeat("a", 73)
	for _, c := range []struct{ name, want string }{
		{name80 + "b", "relais: invite : --structure : Nom trop long : 81 caractères, 80 au plus.\n"},
		{"=cmd|' /C calc'!A0", "relais: invite : --structure : Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule).\n"},
		{"CCAS\x07Roubaix", "relais: invite : --structure : Le nom contient un caractère de contrôle ou invisible : écrivez-le en lettres, sur une ligne.\n"},
		{"CCAS 1 85 05 78 006 084 36", "relais: invite : --structure : Le nom ne peut pas contenir de numéro de sécurité sociale : c'est le nom d'une structure, pas d'une personne.\n"},
	} {
		code, _, errOut := cli(t, "invite", "--role", "mediator", "--departement", "59", "--structure", c.name)
		if code != 1 || errOut != c.want {
			t.Errorf("--structure %q: %d %q, want %q", c.name, code, errOut, c.want)
		}
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM invitations`); n != 0 {
		t.Fatalf("%d invitations created with refused names", n)
	}
	if code, _, errOut := cli(t, "invite", "--role", "mediator", "--departement", "59", "--structure", name80); code != 0 {
		t.Fatalf("the 80-character name: %d %q", code, errOut)
	}
}
