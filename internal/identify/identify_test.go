package identify_test

import (
	"testing"

	"github.com/relais-sante/relais/internal/identify"
)

// Each detector on the normalised text; the note guard's own test
// (internal/dialog) measures them on its long lists.
func TestDetectors(t *testing.T) {
	for _, c := range []struct {
		text                     string
		nir, phone, email, birth bool
	}{
		{"rappeler au 06 12 34 56 78", false, true, false, false},
		{"rappeler au ０６ １２ ３４ ５６ ７８", false, true, false, false}, // full-width digits
		{"0 800 123 456", false, false, false, false},             // a service, not a person
		{"NIR 1 85 05 78 006 084 36", true, true, false, false},
		{"awa.diallo@gmail.com", false, false, true, false},
		{"née le 12/03/1985", false, false, false, true},
		{"RDV le 12/03/2026 à 10h", false, false, false, false},
		{"CCAS Roubaix 59", false, false, false, false},
	} {
		n := identify.Normalize(c.text)
		if got := identify.HasNIR(n); got != c.nir {
			t.Errorf("HasNIR(%q) = %v", c.text, got)
		}
		if got := identify.HasPhone(n); got != c.phone {
			t.Errorf("HasPhone(%q) = %v", c.text, got)
		}
		if got := identify.HasEmail(n); got != c.email {
			t.Errorf("HasEmail(%q) = %v", c.text, got)
		}
		if got := identify.HasBirthDate(n); got != c.birth {
			t.Errorf("HasBirthDate(%q) = %v", c.text, got)
		}
	}
}
