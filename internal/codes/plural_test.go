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
	// Number, whatever the words: the form's agreeing word is the label's
	// first one (the second after "non") with -s, or -aux for -al
	// ("médico-social" → "médico-sociaux"); a complement ("du champ
	// social") is left as it is. Gender is the literal table above.
	for name, a := range Plurals {
		for code, form := range a.Forms {
			fw, lw := strings.Fields(form), strings.Fields(strings.ToLower(Lists[name].Label(code)))
			if fw[0] == "du" || fw[0] == "de" {
				continue
			}
			i := 0
			if lw[0] == "non" {
				i = 1
			}
			want := lw[i] + "s"
			if strings.HasSuffix(lw[i], "al") {
				want = strings.TrimSuffix(lw[i], "al") + "aux"
			}
			if len(fw) <= i || fw[i] != want {
				t.Errorf("%s %s: %q after %s, want %q for %q", name, code, form, a.Noun, want, lw[i])
			}
		}
	}
	if got := Plural("partner_categories", "social"); got == "social" || got == "sociaux" {
		t.Errorf("partenaires %s", got)
	}
}

// A list or code without a plural form reads as its lower-cased label.
func TestPluralFallsBackToTheLowerCasedLabel(t *testing.T) {
	for _, c := range []struct{ list, code, want string }{
		{"themes", "cancer", "dépistage des cancers"},
		{"sex", "Z", "z"},
	} {
		if got := Plural(c.list, c.code); got != c.want {
			t.Errorf("Plural(%s, %s) = %q, want %q", c.list, c.code, got, c.want)
		}
	}
}
