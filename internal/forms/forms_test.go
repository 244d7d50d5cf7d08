package forms

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestRealDialogs(t *testing.T) {
	all, err := LoadDir("../../dialogs")
	if err != nil {
		t.Fatalf("dialogs/ does not load: %v", err)
	}
	f := all["fiche"]
	if f == nil {
		t.Fatal("no fiche form")
	}
	var ids []string
	for _, s := range f.Steps {
		ids = append(ids, s.ID)
		for _, sub := range s.Steps {
			ids = append(ids, "requests."+sub.ID)
		}
	}
	want := "date beneficiary sex age qpv resources contact_mode level social_protection requests requests.kind requests.type_droits requests.type_soins requests.status requests.follow_up obstacles note"
	if got := strings.Join(ids, " "); got != want {
		t.Fatalf("fiche steps =\n%s\nwant\n%s", got, want)
	}
	// Codes are the domain's, with their one label (the button's words).
	cm := f.Step("contact_mode")
	if c, _ := cm.Choice("communication"); c.Label.FR != "Communication de la structure" {
		t.Fatalf("contact mode communication = %+v", c)
	}
	if s := f.Step("note"); s.Required || s.MaxLength != 280 || !strings.Contains(s.Help.FR, "téléphone") {
		t.Fatalf("note step = %+v", s)
	}
	if s := f.Step("follow_up"); !s.NotPast || s.When == nil || s.When.Step != "status" || f.Parent("follow_up").ID != "requests" {
		t.Fatalf("follow_up step = %+v", s)
	}
	if f.SavedText(map[string]string{"number": "7"}) != "Fiche n° 7 enregistrée." {
		t.Fatalf("saved = %q", f.Saved.FR)
	}
	if _, err := LoadDir("../../dialogs"); err != nil {
		t.Fatal(err)
	}
}

func TestGoodFixture(t *testing.T) {
	f, err := Load("testdata/good/visite.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g := f.Step("motifs")
	if g.Required || g.MaxItems != 3 || g.Item.FR != "Motif" || len(g.Steps) != 2 {
		t.Fatalf("group = %+v", g)
	}
	if d := f.Step("detail"); d.When.Op != "in" || !d.When.Holds([]string{"soins"}) || d.When.Holds([]string{"droits"}) {
		t.Fatalf("condition = %+v", d.When)
	}
	if q := f.Step("quand").Quick; strings.Join(q, ",") != "today,yesterday" {
		t.Fatalf("default quick dates = %v", q)
	}
	if s := f.Step("sexe"); len(s.Choices) != 3 || s.Choices[2].Label.FR != "Non binaire" {
		t.Fatalf("choices_from = %+v", s.Choices)
	}
}

func TestLoadDirReportsEveryFile(t *testing.T) {
	_, err := LoadDir("testdata/broken")
	if err == nil {
		t.Fatal("broken forms accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		`testdata/broken/b_condition.yaml:13: step "type_droits": condition refers to unknown step "knd"`,
		`testdata/broken/c_dup.yaml:1: form id "ok" is already used by testdata/broken/a_ok.yaml`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error\n%s\nshould contain\n%s", msg, want)
		}
	}
	if _, err := LoadDir("testdata/nothing"); err == nil {
		t.Error("missing directory accepted")
	}
}

func TestLoadFS(t *testing.T) {
	data, err := os.ReadFile("testdata/good/visite.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"forms/visite.yaml": {Data: data}, "forms/README.md": {Data: []byte("not a form")}}
	all, err := LoadFS(fsys, "forms")
	if err != nil || all["visite"] == nil || len(all) != 1 {
		t.Fatalf("LoadFS = %v, %v", all, err)
	}
}

const head = "id: t\nversion: 1\ntitle: T\nsteps:\n" // steps start on line 5

func TestValidation(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"yaml syntax", "id: t\nversion: 1\ntitle: [T\nsteps:\n", "f.yaml:3: invalid YAML: did not find expected ',' or ']'"},
		{"yaml block", "id: t\nversion: 1\ntitle: T\nsteps:\n  - id: a\n    type: yesno\n  label: A\n", "f.yaml:5: invalid YAML: did not find expected '-' indicator"},
		{"yaml tab", "id: t\nversion: 1\n\ttitle: T\n", "f.yaml:2: invalid YAML: found a tab character"},
		{"no id", "version: 1\ntitle: T\nsteps:\n  - {id: a, type: yesno, label: A}\n", "f.yaml:1: form has no id"},
		{"bad version", "id: t\nversion: zero\ntitle: T\nsteps:\n  - {id: a, type: yesno, label: A}\n", `f.yaml:2: version must be a whole number, not "zero"`},
		{"no steps", "id: t\nversion: 1\ntitle: T\n", "f.yaml:1: form has no steps"},
		{"unknown form key", head + "  - {id: a, type: yesno, label: A}\ncolour: red\n", `f.yaml:6: form: unknown key "colour"`},
		{"typo in step key", head + "  - id: a\n    type: yesno\n    label: A\n    requried: false\n", `f.yaml:8: step "a": unknown key "requried"`},
		{"key of another type", head + "  - id: a\n    type: yesno\n    label: A\n    max_length: 3\n", `f.yaml:8: step "a": unknown key "max_length"`},
		{"unknown type", head + "  - id: a\n    type: slider\n    label: A\n", `f.yaml:5: step "a": unknown type "slider"`},
		{"duplicate id", head + "  - {id: a, type: yesno, label: A}\n  - {id: a, type: yesno, label: B}\n", `f.yaml:6: duplicate step id "a" (first at line 5)`},
		{"duplicate id in group", head + "  - {id: a, type: yesno, label: A}\n  - id: g\n    type: group\n    label: G\n    steps:\n      - {id: a, type: yesno, label: A}\n", `f.yaml:10: duplicate step id "a" (first at line 5)`},
		{"bad id", head + "  - {id: Kind-1, type: yesno, label: A}\n", `f.yaml:5: step "Kind-1": id must be lowercase letters`},
		{"missing fr label", head + "  - id: a\n    type: yesno\n    label: {en: A}\n", `f.yaml:7: step "a" label has no French text (fr)`},
		{"english label", head + "  - id: a\n    type: yesno\n    label: {fr: A, en: A}\n", `f.yaml:7: step "a" label: unknown key "en" (allowed: fr)`},
		{"english choice", head + "  - id: a\n    type: choice\n    label: A\n    choices:\n      - {code: x, fr: X, en: X}\n", `f.yaml:9: step "a" choice: unknown key "en" (allowed: code, fr)`},
		{"missing fr help", head + "  - id: a\n    type: yesno\n    label: A\n    help: {en: Help}\n", `f.yaml:8: step "a" help has no French text (fr)`},
		{"no label", head + "  - id: a\n    type: yesno\n", `f.yaml:5: step "a" has no label`},
		{"duplicate code", head + "  - id: a\n    type: choice\n    label: A\n    choices:\n      - {code: x, fr: X}\n      - {code: x, fr: Y}\n", `f.yaml:10: step "a": duplicate choice code "x" (first at line 9)`},
		{"empty choices", head + "  - id: a\n    type: multi\n    label: A\n    choices: []\n", `f.yaml:8: step "a": choices list is empty`},
		{"no choices", head + "  - id: a\n    type: choice\n    label: A\n", `f.yaml:5: step "a" has no choices`},
		{"choice without fr", head + "  - id: a\n    type: choice\n    label: A\n    choices:\n      - {code: x, en: X}\n", `f.yaml:9: step "a": choice "x" has no French label (fr)`},
		{"unknown list", head + "  - id: a\n    type: choice\n    label: A\n    choices_from: sexes\n", `f.yaml:8: step "a": unknown choices_from "sexes" (known: `},
		{"unit without its singular", head + "  - id: a\n    type: integer\n    label: A\n    unit: {fr: ans}\n", `f.yaml:5: step "a": unit (plural, « ans ») and unit_one (singular, « an ») go together`},
		{"short is gone", head + "  - id: a\n    type: choice\n    label: A\n    choices_from: sex\n    short: {F: F}\n", `f.yaml:9: step "a": unknown key "short"`},
		{"label longer than a button", head + "  - id: a\n    type: choice\n    label: A\n    choices:\n      - {code: x, fr: Aide ou prise de RDV pour ou avec l'usager}\n", `f.yaml:9: step "a": choice "x": label is 42 characters, a button shows 40`},
		{"label as long as a button", head + "  - id: a\n    type: choice\n    label: A\n    choices:\n      - {code: x, fr: Complexité des démarches administratives}\n      - {code: y, fr: Aide ou prise de RDV pour ou avec l'usager}\n", `f.yaml:10: step "a": choice "y"`},
		{"both choices", head + "  - id: a\n    type: choice\n    label: A\n    choices_from: sex\n    choices: [{code: x, fr: X}]\n", `f.yaml:8: step "a": use either choices or choices_from`},
		{"min over max", head + "  - id: a\n    type: integer\n    label: A\n    min: 10\n    max: 5\n", `f.yaml:9: step "a": min 10 is greater than max 5`},
		{"min not a number", head + "  - id: a\n    type: integer\n    label: A\n    min: ten\n", `f.yaml:8: step "a" min must be a whole number, not "ten"`},
		{"text without max", head + "  - id: a\n    type: text\n    label: A\n", `f.yaml:5: step "a": a text step needs max_length`},
		{"organisation name over 80", head + "  - id: a\n    type: text\n    label: A\n    max_length: 81\n    organisation_name: true\n", `f.yaml:9: step "a": max_length must be at most 80 with organisation_name`},
		{"date both ways", head + "  - id: a\n    type: date\n    label: A\n    not_future: true\n    not_past: true\n", `f.yaml:5: step "a": not_future and not_past exclude each other`},
		{"quick in the future", head + "  - id: a\n    type: date\n    label: A\n    not_future: true\n    quick: [today, in_1_week]\n", `f.yaml:9: step "a": quick date "in_1_week" is in the future but the step is not_future`},
		{"bool as text", head + "  - id: a\n    type: yesno\n    label: A\n    required: \"no\"\n", `f.yaml:8: step "a" required must be true or false`},
		{"condition unknown step", head + "  - id: kind\n    type: choice\n    label: Type\n    choices_from: request_kinds\n  - id: type_droits\n    type: choice\n    label: Droits\n    choices_from: rights_types\n    when: {step: knd, equals: droits}\n",
			`f.yaml:13: step "type_droits": condition refers to unknown step "knd"`},
		{"condition later step", head + "  - id: a\n    type: yesno\n    label: A\n    when: {step: b, equals: oui}\n  - {id: b, type: yesno, label: B}\n", `f.yaml:8: step "a": condition refers to step "b", which does not come before it`},
		{"condition on itself", head + "  - id: a\n    type: yesno\n    label: A\n    when: {step: a, equals: oui}\n", `f.yaml:8: step "a": condition refers to step "a", which does not come before it`},
		{"condition bad code", head + "  - {id: a, type: yesno, label: A}\n  - id: b\n    type: yesno\n    label: B\n    when: {step: a, equals: yes}\n", `f.yaml:9: step "b": condition: "yes" is not a code of step "a" (oui, non)`},
		{"condition two ops", head + "  - {id: a, type: yesno, label: A}\n  - id: b\n    type: yesno\n    label: B\n    when: {step: a, equals: oui, not_equals: non}\n", `f.yaml:9: step "b": condition needs exactly one of`},
		{"condition into other group", head + "  - id: g\n    type: group\n    label: G\n    steps:\n      - {id: a, type: yesno, label: A}\n  - id: b\n    type: yesno\n    label: B\n    when: {step: a, equals: oui}\n", `f.yaml:13: step "b": condition refers to step "a" of group "g"`},
		{"condition on group", head + "  - id: g\n    type: group\n    label: G\n    steps:\n      - {id: a, type: yesno, label: A}\n  - id: b\n    type: yesno\n    label: B\n    when: {step: g, equals: oui}\n", `f.yaml:13: step "b": condition refers to group "g"`},
		{"person prefill without beneficiary", head + "  - id: a\n    type: choice\n    label: A\n    choices_from: sex\n    prefill: sex\n", `f.yaml:9: step "a": prefill "sex" needs a beneficiary step before it`},
		{"prefill on multi", head + "  - id: a\n    type: multi\n    label: A\n    choices_from: sex\n    prefill: things\n", `f.yaml:9: step "a": a multi step cannot be prefilled`},
		{"group in group", head + "  - id: g\n    type: group\n    label: G\n    steps:\n      - id: h\n        type: group\n        label: H\n        steps:\n          - {id: a, type: yesno, label: A}\n", `f.yaml:9: step "h": a group step cannot be inside a group`},
		{"empty group", head + "  - id: g\n    type: group\n    label: G\n    steps: []\n", `f.yaml:5: step "g": group has no steps`},
		{"callback data too long", head + "  - id: a_very_long_step_identifier_that_nobody_should_write\n    type: choice\n    label: A\n    choices:\n      - {code: an_equally_long_code_value, fr: X}\n",
			`f.yaml:5: step "a_very_long_step_identifier_that_nobody_should_write": button data "d:c:a_very_long_step_identifier_that_nobody_should_write:an_equally_long_code_value" is 83 bytes, Telegram allows 64`},
		{"person code in data", head + "  - id: a_step_id_long_enough_to_overflow_with_a_person_code_xx\n    type: beneficiary\n    label: A\n",
			`button data "d:p:a_step_id_long_enough_to_overflow_with_a_person_code_xx:XXXXXXXX" is 68 bytes`},
		{"within_days zero", head + "  - id: a\n    type: date\n    label: A\n    within_days: 0\n", `f.yaml:8: step "a": within_days must be between 1 and 3660`},
		{"record without source", head + "  - id: p\n    type: record\n    label: P\n    other: Autre\n", `f.yaml:5: step "p": a record step needs source`},
		{"record unknown source", head + "  - id: p\n    type: record\n    label: P\n    source: people\n    other: Autre\n", `f.yaml:8: step "p": unknown source "people" (known: partners)`},
		{"record without other", head + "  - id: p\n    type: record\n    label: P\n    source: partners\n", `f.yaml:5: step "p": a record step needs other`},
		{"condition on a record id", head + "  - {id: p, type: record, label: P, source: partners, other: Autre}\n  - id: b\n    type: yesno\n    label: B\n    when: {step: p, equals: \"12\"}\n",
			`f.yaml:9: step "b": condition: a record step like "p" can only be tested against "autre"`},
		{"record id in data", head + "  - id: a_step_id_long_enough_to_overflow_with_a_record_id\n    type: record\n    label: A\n    source: partners\n    other: Autre\n",
			`button data "d:c:a_step_id_long_enough_to_overflow_with_a_record_id:9999999999999999999" is 74 bytes`},
		{"bad code", head + "  - id: a\n    type: choice\n    label: A\n    choices:\n      - {code: \"a:b\", fr: X}\n", `f.yaml:9: step "a": choice code "a:b" may only use`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("accepted; want %s", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestCallbackData(t *testing.T) {
	d := Data(ActChoose, "sex", "F")
	if d != "d:c:sex:F" {
		t.Fatal(d)
	}
	act, args, ok := ParseData(d)
	if !ok || act != "c" || strings.Join(args, ",") != "sex,F" {
		t.Fatalf("parse = %q %v %v", act, args, ok)
	}
	if _, _, ok := ParseData("x:c:sex"); ok {
		t.Fatal("foreign data parsed")
	}
	if _, _, ok := ParseData("d:"); ok {
		t.Fatal("empty action parsed")
	}
}
