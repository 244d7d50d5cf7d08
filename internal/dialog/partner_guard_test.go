package dialog

import (
	"testing"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/forms"
)

// A partner is an organisation, or a professional by name (« Dr Nguyen »,
// a structure's address): its name may carry neither a phone, an e-mail,
// a social security number nor a birth date, which belong to a person
// and never to an organisation.
func TestPartnerNameRefusesAPersonsNumbersAndBirthDate(t *testing.T) {
	t.Parallel()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatalf("load dialogs: %v", err)
	}
	name := all["partenaire"].Step("name")
	for _, p := range []struct{ text, kind string }{
		{"CPAM 06 12 34 56 78", "phone"},
		{"contact@ccas.fr", "email"},
		{"CCAS 1 85 05 78 006 084 36", "nir"},
		{"Mme K. née le 03/03/1985", "birth"},
	} {
		if got, _ := identifying(p.text, name); got != p.kind {
			t.Errorf("partner name %q: refused as %q, want %q", p.text, got, p.kind)
		}
	}
	for _, ok := range []string{"CPAM de Roubaix", "Dr Nguyen, médecin traitant", "CCAS, 12 rue de Lille", "Hôpital Victor Provo", "PMI Épeule 2024"} {
		if got, refused := identifying(ok, name); refused {
			t.Errorf("partner name %q refused as %q", ok, got)
		}
	}
}
