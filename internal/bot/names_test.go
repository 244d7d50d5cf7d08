package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
)

// Structure names typed in /inviter follow the name rules (80 characters at
// most, no control character, no leading = + - @, no person's number or
// e-mail); a refused name creates no invitation.
func TestInviteRefusesBadStructureNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	nord := h.coordinator(6601, store.Invitation{Level: "departement", Departement: "59"})
	name80 := "Centre " + strings.Repeat("a", 73)
	for _, c := range []struct{ name, want string }{
		{name80 + "b", "Nom trop long : 81 caractères, 80 au plus. Aucune invitation n'a été créée."},
		{"=HYPERLINK(\"http://x\")", "Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule). Aucune invitation n'a été créée."},
		{"@CCAS", "Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule). Aucune invitation n'a été créée."},
		{"CCAS\u200bRoubaix", "Le nom contient un caractère de contrôle ou invisible : écrivez-le en lettres, sur une ligne. Aucune invitation n'a été créée."},
		{"CCAS Roubaix 06 12 34 56 78", "Le nom ne peut pas contenir de numéro de téléphone : c'est le nom d'une structure, pas d'une personne. Aucune invitation n'a été créée."},
		{"CCAS awa.diallo@gmail.com", "Le nom ne peut pas contenir d'adresse e-mail : c'est le nom d'une structure, pas d'une personne. Aucune invitation n'a été créée."},
	} {
		nord.Send("/inviter médiateur 59 " + c.name)
		if got := nord.Expect("Aucune invitation n'a été créée.").Text; got != c.want {
			t.Errorf("%q: %q, want %q", c.name, got, c.want)
		}
	}
	if n := h.count(`SELECT count(*) FROM invitations WHERE created_by = 6601`); n != 0 {
		t.Fatalf("%d invitations created with refused names", n)
	}
	nord.Send("/inviter médiateur 59 " + name80)
	nord.Expect("Invitation créée")
	if n := h.count(`SELECT count(*) FROM invitations WHERE created_by = 6601 AND structure = $1`, name80); n != 1 {
		t.Fatalf("the 80-character name: %d invitations", n)
	}
}

// Partner names follow the same rules in the partenaire form.
func TestPartnerNamesFollowTheNameRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(6602, "Awa", "62")
	u.Send("/partenaires")
	u.Press("Ajouter un partenaire")
	u.Expect("Nom du partenaire")
	name80 := "CPAM " + strings.Repeat("a", 75)
	for _, c := range []struct{ name, want string }{
		{name80 + "b", "Nom trop long : 81 caractères, 80 au plus."},
		{"-CPAM", "Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule)."},
		{"+CPAM", "Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule)."},
		{"CPAM\u202eLens", "Le nom contient un caractère de contrôle ou invisible : écrivez-le en lettres, sur une ligne."},
	} {
		u.Send(c.name)
		if got := u.Expect(c.want).Text; !strings.HasPrefix(got, c.want) {
			t.Errorf("%q: %q, want %q", c.name, got, c.want)
		}
	}
	u.Send(name80)
	u.Expect("Catégorie du partenaire")
	u.Press("Sanitaire")
	u.Press("CPAM")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Partenaires dans votre liste : 1.")
	if n := h.count(`SELECT count(*) FROM partners WHERE name = $1`, name80); n != 1 {
		t.Fatalf("the 80-character partner: %d rows", n)
	}
	if _, err := h.db.Store.SavePartner(t.Context(), store.Partner{MediatorID: h.user(6602).Mediator.ID, Name: "=1+1", Category: "social", Type: "autre"}); err == nil {
		t.Fatal("the store saved a partner named =1+1")
	}
}
