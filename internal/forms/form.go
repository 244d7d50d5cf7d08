// Package forms describes conversational forms as data (dialogs/*.yaml): the
// steps, their choices and conditions. Forms are validated completely when
// loaded, so a broken file is refused before the bot talks to anyone; the
// dialog engine (internal/dialog) runs any valid form.
//
// File format (one form per file):
//
//	id: fiche                 # [a-z][a-z0-9_]*
//	version: 3                # bump when steps change: drafts are migrated
//	title: {fr: "Fiche d'accompagnement"}
//	saved: {fr: "Fiche n° {number} enregistrée."}
//	cancelled: {fr: "Fiche abandonnée."}     # optional
//	steps:
//	  - id: sex
//	    type: choice          # choice multi yesno integer date text beneficiary group record
//	    label: {fr: Sexe}     # short, used in the summary ("Sexe : Femme")
//	    question: {fr: "Sexe de la personne ?"}  # optional, defaults to label
//	    help: {fr: "..."}     # optional, shown under the question
//	    required: false       # default true; optional steps get "Passer"
//	    when: {step: kind, equals: droits}   # or not_equals / in / not_in
//	    prefill: sex          # sex age qpv resources (known person) or any key the Env offers
//	    choices_from: sex     # a list of internal/codes.Lists, or:
//	    choices: [{code: F, fr: Femme}]  # fr: the button, summary and report label (40 characters at most)
//	    columns: 2            # buttons per row (default from label lengths)
//	integer: min, max, unit: {fr: ans}, unit_one: an (the unit for 0 and 1)
//	date:    not_future / not_past, quick: [today, yesterday, in_1_week, in_2_weeks, in_1_month], within_days: 366
//	text:    max_length (required), forbid: [phone, email, name, nir, birth, address],
//	         organisation_name: true (a structure's or partner's name: internal/orgname's rules)
//	group:   steps (sub-steps), item: {fr: Demande}, more: {fr: "Ajouter une autre demande ?"}, max_items
//	record:  source: partners (see RecordSources), other: {fr: "Autre partenaire"}, none: {fr: hint when the list is empty}
//
// Labels accept the short form `label: Sexe` for French only.
package forms

import (
	"strings"
)

// Type is the kind of answer a step collects.
type Type string

// Step types.
const (
	TypeChoice      Type = "choice"
	TypeMulti       Type = "multi"
	TypeYesNo       Type = "yesno"
	TypeInteger     Type = "integer"
	TypeDate        Type = "date"
	TypeText        Type = "text"
	TypeBeneficiary Type = "beneficiary"
	TypeGroup       Type = "group"
	// TypeRecord picks one of the user's own records (e.g. the mediator's
	// registered partners), listed at run time by the transport, or "other".
	TypeRecord Type = "record"
)

var knownTypes = []Type{TypeChoice, TypeMulti, TypeYesNo, TypeInteger, TypeDate, TypeText, TypeBeneficiary, TypeGroup, TypeRecord}

// OtherCode is the answer of a record step when the record is not in the
// user's list; a later step can depend on it (when: {step: …, in: [autre]}).
const OtherCode = "autre"

// RecordSources are the lists a record step can offer; the transport knows
// how to list each of them for the current user.
var RecordSources = map[string]string{
	"partners": "the mediator's registered partners (/partenaires)",
}

// Text is a label, in French: the bot speaks French only.
type Text struct {
	FR string
}

// String returns the French text: the bot speaks French.
func (t Text) String() string { return t.FR }

// Choice is one possible answer of a choice, multi or yesno step. Its
// French label is the button's text, the summary's and the reports'.
type Choice struct {
	Code  string
	Label Text
}

// Condition makes a step depend on an earlier answer (skip logic).
type Condition struct {
	Step string
	// Op is one of "equals", "not_equals", "in", "not_in".
	Op     string
	Values []string
	Line   int
}

// Holds tells whether the condition is true for the answer codes of the
// referenced step (nil when unanswered or skipped). For a multiple choice
// answer, "equals" means "contains".
func (c *Condition) Holds(answer []string) bool {
	has := func(v string) bool {
		for _, a := range answer {
			if a == v {
				return true
			}
		}
		return false
	}
	any := false
	for _, v := range c.Values {
		if has(v) {
			any = true
			break
		}
	}
	switch c.Op {
	case "equals", "in":
		return any
	default: // not_equals, not_in
		return !any
	}
}

// Quick date buttons.
const (
	QuickToday     = "today"
	QuickYesterday = "yesterday"
	QuickWeek      = "in_1_week"
	QuickTwoWeeks  = "in_2_weeks"
	QuickMonth     = "in_1_month"
)

// QuickLabels are the French texts of the quick date buttons.
var QuickLabels = map[string]string{
	QuickToday:     "Aujourd'hui",
	QuickYesterday: "Hier",
	QuickWeek:      "Dans 1 semaine",
	QuickTwoWeeks:  "Dans 2 semaines",
	QuickMonth:     "Dans 1 mois",
}

// ForbidKinds are what a text step may refuse because it identifies a
// person: a phone number, an e-mail address, a civility with a name, a
// social security number (NIR), a date of birth, a street address.
var ForbidKinds = []string{"phone", "email", "name", "nir", "birth", "address"}

// Person prefill keys: values known from an existing beneficiary.
var PersonPrefills = []string{"sex", "age", "qpv", "resources", "contact_mode"}

// IsPersonPrefill tells whether key is filled from the known beneficiary.
func IsPersonPrefill(key string) bool {
	for _, k := range PersonPrefills {
		if k == key {
			return true
		}
	}
	return false
}

// Step is one question of a form, or a repeatable group of questions.
type Step struct {
	ID       string
	Type     Type
	Label    Text
	Question Text
	Help     Text
	Required bool
	When     *Condition
	Prefill  string

	// choice, multi, yesno
	Choices     []Choice
	ChoicesFrom string
	Columns     int

	// integer
	Min, Max *int
	Unit     Text
	// UnitOne is the French unit for 0 and 1 (« an »); Unit.FR is the
	// plural (« ans »).
	UnitOne string
	// AtMost names an earlier integer step this answer cannot exceed (the
	// people living in a QPV are among the people accompanied): a count
	// that contradicts another is refused when typed, not found in the
	// annual report.
	AtMost string

	// date
	NotFuture, NotPast bool
	Quick              []string
	WithinDays         int // > 0: a typed date at most this many days from today

	// text
	MaxLength int
	Forbid    []string
	// OrganisationName: the answer names a structure or a partner, and
	// follows orgname.Check (length, control characters, formulas).
	OrganisationName bool

	// record
	Source string // a key of RecordSources
	Other  Text   // the button for a record not in the list
	None   Text   // shown when the list is empty

	// group
	Steps    []*Step
	Item     Text
	More     Text
	MaxItems int

	// Line is where the step starts in its file.
	Line int
}

// QuestionText is what the bot asks: the question, or the label.
func (s *Step) QuestionText() string {
	if s.Question.FR != "" {
		return s.Question.FR
	}
	return s.Label.FR
}

// Choice returns the choice with code.
func (s *Step) Choice(code string) (Choice, bool) {
	for _, c := range s.Choices {
		if c.Code == code {
			return c, true
		}
	}
	return Choice{}, false
}

// HasChoices tells whether the step answers with codes from Choices.
func (s *Step) HasChoices() bool {
	return s.Type == TypeChoice || s.Type == TypeMulti || s.Type == TypeYesNo
}

// Form is a validated form.
type Form struct {
	ID        string
	Version   int
	Title     Text
	Saved     Text
	Cancelled Text
	Steps     []*Step
	// File is the path the form was loaded from (for messages).
	File string

	byID   map[string]*Step
	parent map[string]*Step
}

// Step returns the step with id, top-level or inside a group.
func (f *Form) Step(id string) *Step { return f.byID[id] }

// Parent returns the group that contains step id, or nil for a top-level step.
func (f *Form) Parent(id string) *Step { return f.parent[id] }

// SavedText is the confirmation after saving, with {name} placeholders
// replaced (e.g. {"number": "128"}).
func (f *Form) SavedText(vars map[string]string) string {
	return fill(f.Saved.FR, vars)
}

func fill(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

func (f *Form) index() {
	f.byID = map[string]*Step{}
	f.parent = map[string]*Step{}
	for _, s := range f.Steps {
		f.byID[s.ID] = s
		for _, sub := range s.Steps {
			f.byID[sub.ID] = sub
			f.parent[sub.ID] = s
		}
	}
}
