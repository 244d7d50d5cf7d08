package codes

import (
	"strings"
	"testing"
)

// Every label a figures message writes after a plural noun has its plural
// form, agreeing in gender: a new code without one fails here.
func TestPluralFormsAgree(t *testing.T) {
	want := map[string]map[string]string{
		"sex":                {"F": "femmes", "M": "hommes", "X": "non binaires"},
		"action_roles":       {"coanimee": "co-animées", "coconstruite": "co-construites avec les habitants", "participation": "participations sans co-animer"},
		"partner_categories": {"sanitaire": "sanitaires", "social": "du champ social", "medico_social": "médico-sociaux"},
	}
	if len(Plurals) != len(want) {
		t.Errorf("plural forms for %d lists, want %d", len(Plurals), len(want))
	}
	for name, forms := range want {
		list, ok := Lists[name]
		if !ok {
			t.Fatalf("no list %q", name)
		}
		if len(list) != len(forms) || len(Plurals[name].Forms) != len(list) {
			t.Errorf("%s: %d codes, %d plural forms, %d expected here", name, len(list), len(Plurals[name].Forms), len(forms))
		}
		for _, c := range list {
			if got := Plural(name, c.Code); got != forms[c.Code] {
				t.Errorf("Plural(%s, %s) = %q, want %q", name, c.Code, got, forms[c.Code])
			}
		}
	}
	// Gender and number, whatever the words: after a feminine noun a past
	// participle takes -ées ("actions co-animées"), after a masculine one
	// an adjective takes -s or -aux; a complement ("du champ social") stays.
	for name, a := range Plurals {
		for code, form := range a.Forms {
			first := strings.Fields(form)[0]
			switch {
			case first == "du" || first == "de" || first == "non":
			case a.Feminine && strings.HasSuffix(strings.ToLower(Lists[name].Label(code)), "ée") && !strings.HasSuffix(first, "ées"):
				t.Errorf("%s %s: %q does not agree with the feminine %s", name, code, form, a.Noun)
			case !a.Feminine && !strings.HasSuffix(first, "s") && !strings.HasSuffix(first, "x"):
				t.Errorf("%s %s: %q is not plural after %s", name, code, form, a.Noun)
			case !strings.HasSuffix(first, "s") && !strings.HasSuffix(first, "x"):
				t.Errorf("%s %s: %q is not plural", name, code, form)
			}
		}
	}
	if got := Plural("partner_categories", "social"); got == "social" || got == "sociaux" {
		t.Errorf("partenaires %s", got)
	}
}
