package forms

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/orgname"
)

// Error is one problem in a form file, located by line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// LoadDir loads and validates every *.yaml form of dir, keyed by form id.
func LoadDir(dir string) (map[string]*Form, error) {
	return loadFS(os.DirFS(dir), ".", dir)
}

// LoadFS is LoadDir on a file system, e.g. the forms embedded in the binary.
func LoadFS(fsys fs.FS, dir string) (map[string]*Form, error) {
	return loadFS(fsys, dir, dir)
}

// Load loads and validates one form file.
func Load(file string) (*Form, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	return Parse(file, data)
}

// Parse validates the form in data; name is used in error messages.
func Parse(name string, data []byte) (*Form, error) {
	l := &loader{file: name}
	f := l.form(data)
	if len(l.errs) > 0 {
		return nil, l.err()
	}
	return f, nil
}

func loadFS(fsys fs.FS, dir, shown string) (map[string]*Form, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read forms directory %s: %w", shown, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no form (*.yaml) in %s", shown)
	}
	out := map[string]*Form{}
	files := map[string]string{}
	var errs []error
	for _, n := range names {
		data, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			errs = append(errs, fmt.Errorf("read form %s: %w", n, err))
			continue
		}
		name := filepath.Join(shown, n)
		f, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := files[f.ID]; dup {
			errs = append(errs, &Error{File: name, Line: 1, Msg: fmt.Sprintf("form id %q is already used by %s", f.ID, prev)})
			continue
		}
		files[f.ID] = name
		out[f.ID] = f
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	codePattern = regexp.MustCompile(`^[A-Za-z0-9_+-]+$`)
	keyPattern  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	yamlLine    = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

type loader struct {
	file     string
	errs     []*Error
	deferred []func(*Form) // checks that need the whole form
}

func (l *loader) errorf(line int, format string, a ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Msg: fmt.Sprintf(format, a...)})
}

func (l *loader) err() error {
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].Line < l.errs[j].Line })
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields returns the values of mapping n by key, reporting unknown and
// repeated keys (typos such as "requried" are errors, not silently ignored).
func (l *loader) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		line := 0
		if n != nil {
			line = n.Line
		}
		l.errorf(line, "%s must be a mapping (key: value)", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		ok := false
		for _, a := range allowed {
			if a == k.Value {
				ok = true
				break
			}
		}
		switch {
		case !ok:
			l.errorf(k.Line, "%s: unknown key %q (allowed: %s)", what, k.Value, strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			l.errorf(k.Line, "%s: key %q is repeated", what, k.Value)
		default:
			out[k.Value] = v
		}
	}
	return out
}

func (l *loader) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n.Line, "%s must be a text value", what)
		return ""
	}
	return n.Value
}

func (l *loader) int(n *yaml.Node, what string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v, true
		}
	}
	l.errorf(n.Line, "%s must be a whole number, not %q", what, n.Value)
	return 0, false
}

func (l *loader) bool(n *yaml.Node, what string) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		v, err := strconv.ParseBool(n.Value)
		if err == nil {
			return v
		}
	}
	l.errorf(n.Line, "%s must be true or false, not %q", what, n.Value)
	return false
}

func (l *loader) strs(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n.Line, "%s must be a list", what)
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, l.str(deref(c), what))
	}
	return out
}

// text reads a label: `Sexe` or `{fr: Sexe}`; the bot speaks French only.
func (l *loader) text(n *yaml.Node, what string) Text {
	if n.Kind == yaml.ScalarNode {
		return Text{FR: l.str(n, what)}
	}
	m := l.fields(n, what, "fr")
	var t Text
	if v := m["fr"]; v != nil {
		t.FR = l.str(v, what+".fr")
	}
	if strings.TrimSpace(t.FR) == "" {
		l.errorf(n.Line, "%s has no French text (fr)", what)
	}
	return t
}

func (l *loader) form(data []byte) *Form {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			if l, err := strconv.Atoi(m[1]); err == nil { // \d+ may overflow: keep line 1 then
				line = l
			}
			msg = m[2]
			// yaml.v3 reports parser errors (unlike scanner errors) with
			// the 0-based line of the construct that is not closed.
			if strings.HasPrefix(msg, "did not find expected") {
				line++
			}
		}
		l.errorf(line, "invalid YAML: %s", msg)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		l.errorf(1, "empty form file")
		return nil
	}
	root := doc.Content[0]
	m := l.fields(root, "form", "id", "version", "title", "saved", "cancelled", "steps")
	if m == nil {
		return nil
	}
	f := &Form{File: l.file, Saved: Text{FR: "Enregistré."}, Cancelled: Text{FR: "Saisie abandonnée."}}
	if v := m["id"]; v == nil {
		l.errorf(root.Line, "form has no id")
	} else if f.ID = l.str(v, "id"); !idPattern.MatchString(f.ID) {
		l.errorf(v.Line, "form id %q must be lowercase letters, digits and _", f.ID)
	}
	if v := m["version"]; v == nil {
		l.errorf(root.Line, "form has no version")
	} else if n, ok := l.int(v, "version"); ok {
		if n < 1 {
			l.errorf(v.Line, "version must be 1 or more")
		}
		f.Version = n
	}
	if v := m["title"]; v == nil {
		l.errorf(root.Line, "form has no title")
	} else {
		f.Title = l.text(v, "title")
	}
	if v := m["saved"]; v != nil {
		f.Saved = l.text(v, "saved")
	}
	if v := m["cancelled"]; v != nil {
		f.Cancelled = l.text(v, "cancelled")
	}
	v := m["steps"]
	if v == nil || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		line := root.Line
		if v != nil {
			line = v.Line
		}
		l.errorf(line, "form has no steps")
		return f
	}
	ids := map[string]int{}
	var earlier []*Step
	for _, sn := range v.Content {
		s := l.step(deref(sn), nil, ids, earlier)
		if s != nil {
			f.Steps = append(f.Steps, s)
			earlier = append(earlier, s)
		}
	}
	f.index()
	for _, check := range l.deferred {
		check(f)
	}
	for _, s := range f.Steps {
		l.checkData(f, s)
		for _, sub := range s.Steps {
			l.checkData(f, sub)
		}
	}
	return f
}

func (l *loader) checkData(f *Form, s *Step) {
	for _, d := range f.ButtonData(s) {
		if len(d) > MaxDataBytes {
			l.errorf(s.Line, "step %q: button data %q is %d bytes, Telegram allows %d (shorten the step id or the code)", s.ID, d, len(d), MaxDataBytes)
			return
		}
	}
}

var commonKeys = []string{"id", "type", "label", "question", "help", "required", "when", "prefill"}

var typeKeys = map[Type][]string{
	TypeChoice:      {"choices", "choices_from", "columns"},
	TypeMulti:       {"choices", "choices_from", "columns"},
	TypeYesNo:       {"columns"},
	TypeInteger:     {"min", "max", "unit", "unit_one", "at_most"},
	TypeDate:        {"not_future", "not_past", "quick", "within_days"},
	TypeText:        {"max_length", "forbid", "organisation_name"},
	TypeBeneficiary: {},
	TypeGroup:       {"steps", "item", "more", "max_items"},
	TypeRecord:      {"source", "other", "none", "columns"},
}

// step reads and checks one step. group is the enclosing group (nil at top
// level); earlier are the steps a condition may refer to.
func (l *loader) step(n *yaml.Node, group *Step, ids map[string]int, earlier []*Step) *Step {
	s := &Step{Line: n.Line, Required: true}
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "a step must be a mapping (id: ..., type: ...)")
		return nil
	}
	// First pass: id and type decide which keys are allowed.
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k, v := n.Content[i].Value, deref(n.Content[i+1]); k {
		case "id":
			s.ID = l.str(v, "id")
		case "type":
			s.Type = Type(l.str(v, "type"))
		}
	}
	name := fmt.Sprintf("step %q", s.ID)
	switch {
	case s.ID == "":
		l.errorf(n.Line, "step has no id")
		name = "step"
	case !idPattern.MatchString(s.ID):
		l.errorf(n.Line, "%s: id must be lowercase letters, digits and _", name)
	case ids[s.ID] > 0:
		l.errorf(n.Line, "duplicate step id %q (first at line %d)", s.ID, ids[s.ID])
	default:
		ids[s.ID] = n.Line
	}
	allowed := append([]string{}, commonKeys...)
	if keys, ok := typeKeys[s.Type]; ok {
		allowed = append(allowed, keys...)
	} else {
		var names []string
		for _, t := range knownTypes {
			names = append(names, string(t))
		}
		if s.Type == "" {
			l.errorf(n.Line, "%s has no type (one of %s)", name, strings.Join(names, ", "))
		} else {
			l.errorf(n.Line, "%s: unknown type %q (one of %s)", name, s.Type, strings.Join(names, ", "))
		}
		return nil
	}
	m := l.fields(n, name, allowed...)
	if m == nil {
		return nil
	}
	if v := m["label"]; v == nil {
		l.errorf(n.Line, "%s has no label", name)
	} else {
		s.Label = l.text(v, name+" label")
	}
	if v := m["question"]; v != nil {
		s.Question = l.text(v, name+" question")
	}
	if v := m["help"]; v != nil {
		s.Help = l.text(v, name+" help")
	}
	if v := m["required"]; v != nil {
		s.Required = l.bool(v, name+" required")
	}
	if group != nil && (s.Type == TypeGroup || s.Type == TypeBeneficiary) {
		l.errorf(n.Line, "%s: a %s step cannot be inside a group", name, s.Type)
	}
	if v := m["when"]; v != nil {
		s.When = l.condition(v, name, earlier, group)
	}
	if v := m["prefill"]; v != nil {
		l.prefill(s, v, name, earlier)
	}

	switch s.Type {
	case TypeChoice, TypeMulti:
		l.choices(s, m, name)
	case TypeYesNo:
		s.Choices = []Choice{{Code: "oui", Label: Text{FR: "Oui"}}, {Code: "non", Label: Text{FR: "Non"}}}
	case TypeInteger:
		l.integer(s, m, name)
		l.atMost(s, m, name, earlier, group)
	case TypeDate:
		l.date(s, m, name)
	case TypeText:
		l.textStep(s, m, name)
	case TypeGroup:
		l.group(s, m, n, name, ids, earlier)
	case TypeRecord:
		l.record(s, m, name)
	}
	if v := m["columns"]; v != nil {
		if c, ok := l.int(v, name+" columns"); ok {
			if c < 1 || c > 4 {
				l.errorf(v.Line, "%s: columns must be between 1 and 4", name)
			}
			s.Columns = c
		}
	}
	return s
}

func (l *loader) condition(n *yaml.Node, name string, earlier []*Step, group *Step) *Condition {
	m := l.fields(n, name+" when", "step", "equals", "not_equals", "in", "not_in")
	if m == nil {
		return nil
	}
	c := &Condition{Line: n.Line}
	if v := m["step"]; v == nil {
		l.errorf(n.Line, "%s: condition has no step", name)
		return nil
	} else {
		c.Step = l.str(v, name+" when.step")
	}
	ops := 0
	for _, op := range []string{"equals", "not_equals", "in", "not_in"} {
		v := m[op]
		if v == nil {
			continue
		}
		ops++
		c.Op = op
		if op == "in" || op == "not_in" {
			c.Values = l.strs(v, name+" when."+op)
			if len(c.Values) == 0 {
				l.errorf(v.Line, "%s: condition %s has no values", name, op)
			}
		} else {
			c.Values = []string{l.str(v, name+" when."+op)}
		}
	}
	if ops != 1 {
		l.errorf(n.Line, "%s: condition needs exactly one of equals, not_equals, in, not_in", name)
		return nil
	}
	var ref *Step
	for _, e := range earlier {
		if e.ID == c.Step {
			ref = e
		}
	}
	if ref == nil {
		// Say why once every step is known: unknown, later, or in another group.
		l.deferred = append(l.deferred, func(f *Form) {
			switch other := f.Step(c.Step); {
			case other == nil:
				l.errorf(n.Line, "%s: condition refers to unknown step %q", name, c.Step)
			case f.Parent(c.Step) != nil && f.Parent(c.Step) != group:
				l.errorf(n.Line, "%s: condition refers to step %q of group %q; only earlier steps outside groups or in the same group can be used", name, c.Step, f.Parent(c.Step).ID)
			default:
				l.errorf(n.Line, "%s: condition refers to step %q, which does not come before it", name, c.Step)
			}
		})
		return nil
	}
	if ref.Type == TypeGroup {
		l.errorf(n.Line, "%s: condition refers to group %q; refer to one of its steps", name, c.Step)
		return nil
	}
	if ref.Type == TypeRecord {
		for _, v := range c.Values {
			if v != OtherCode {
				l.errorf(n.Line, "%s: condition: a record step like %q can only be tested against %q", name, ref.ID, OtherCode)
			}
		}
	}
	if ref.HasChoices() {
		for _, v := range c.Values {
			if _, ok := ref.Choice(v); !ok {
				l.errorf(n.Line, "%s: condition: %q is not a code of step %q (%s)", name, v, ref.ID, strings.Join(choiceCodes(ref), ", "))
			}
		}
	}
	return c
}

func choiceCodes(s *Step) []string {
	var out []string
	for _, c := range s.Choices {
		out = append(out, c.Code)
	}
	return out
}

func (l *loader) prefill(s *Step, n *yaml.Node, name string, earlier []*Step) {
	s.Prefill = l.str(n, name+" prefill")
	if !keyPattern.MatchString(s.Prefill) {
		l.errorf(n.Line, "%s: prefill key %q must be lowercase letters, digits and _", name, s.Prefill)
	}
	switch s.Type {
	case TypeChoice, TypeYesNo, TypeInteger, TypeDate, TypeText:
	default:
		l.errorf(n.Line, "%s: a %s step cannot be prefilled", name, s.Type)
	}
	if IsPersonPrefill(s.Prefill) {
		found := false
		for _, e := range earlier {
			if e.Type == TypeBeneficiary {
				found = true
			}
		}
		if !found {
			l.errorf(n.Line, "%s: prefill %q needs a beneficiary step before it", name, s.Prefill)
		}
	}
}

func (l *loader) choices(s *Step, m map[string]*yaml.Node, name string) {
	inline, from := m["choices"], m["choices_from"]
	switch {
	case inline != nil && from != nil:
		l.errorf(from.Line, "%s: use either choices or choices_from, not both", name)
		return
	case inline == nil && from == nil:
		l.errorf(s.Line, "%s has no choices (choices or choices_from)", name)
		return
	case from != nil:
		s.ChoicesFrom = l.str(from, name+" choices_from")
		list, ok := codes.Lists[s.ChoicesFrom]
		if !ok {
			var known []string
			for k := range codes.Lists {
				known = append(known, k)
			}
			sort.Strings(known)
			l.errorf(from.Line, "%s: unknown choices_from %q (known: %s)", name, s.ChoicesFrom, strings.Join(known, ", "))
			return
		}
		for _, c := range list {
			s.Choices = append(s.Choices, Choice{Code: c.Code, Label: Text{FR: c.Label}})
		}
		if len(s.Choices) == 0 {
			l.errorf(from.Line, "%s: list %q is empty", name, s.ChoicesFrom)
		}
		return
	}
	if inline.Kind != yaml.SequenceNode || len(inline.Content) == 0 {
		l.errorf(inline.Line, "%s: choices list is empty", name)
		return
	}
	seen := map[string]int{}
	for _, cn := range inline.Content {
		cn = deref(cn)
		cm := l.fields(cn, name+" choice", "code", "fr")
		if cm == nil {
			continue
		}
		var c Choice
		if v := cm["code"]; v == nil {
			l.errorf(cn.Line, "%s: choice has no code", name)
			continue
		} else {
			c.Code = l.str(v, name+" choice code")
		}
		if !codePattern.MatchString(c.Code) {
			l.errorf(cn.Line, "%s: choice code %q may only use letters, digits, _, + and -", name, c.Code)
		}
		if first, dup := seen[c.Code]; dup {
			l.errorf(cn.Line, "%s: duplicate choice code %q (first at line %d)", name, c.Code, first)
		}
		seen[c.Code] = cn.Line
		if v := cm["fr"]; v != nil {
			c.Label.FR = l.str(v, name+" choice fr")
		}
		if strings.TrimSpace(c.Label.FR) == "" {
			l.errorf(cn.Line, "%s: choice %q has no French label (fr)", name, c.Code)
		}
		// The label is the button, the summary and the reports: it must show whole.
		if n := utf8.RuneCountInString(c.Label.FR); n > codes.MaxButton {
			l.errorf(cn.Line, "%s: choice %q: label is %d characters, a button shows %d", name, c.Code, n, codes.MaxButton)
		}
		s.Choices = append(s.Choices, c)
	}
}

func (l *loader) record(s *Step, m map[string]*yaml.Node, name string) {
	if v := m["source"]; v == nil {
		l.errorf(s.Line, "%s: a record step needs source", name)
	} else {
		s.Source = l.str(v, name+" source")
		if _, ok := RecordSources[s.Source]; !ok {
			var known []string
			for k := range RecordSources {
				known = append(known, k)
			}
			sort.Strings(known)
			l.errorf(v.Line, "%s: unknown source %q (known: %s)", name, s.Source, strings.Join(known, ", "))
		}
	}
	if v := m["other"]; v == nil {
		l.errorf(s.Line, "%s: a record step needs other (the button for a record not in the list)", name)
	} else {
		s.Other = l.text(v, name+" other")
	}
	if v := m["none"]; v != nil {
		s.None = l.text(v, name+" none")
	}
}

func (l *loader) integer(s *Step, m map[string]*yaml.Node, name string) {
	for _, k := range []string{"min", "max"} {
		v := m[k]
		if v == nil {
			continue
		}
		if n, ok := l.int(v, name+" "+k); ok {
			if k == "min" {
				s.Min = &n
			} else {
				s.Max = &n
			}
		}
	}
	if s.Min != nil && s.Max != nil && *s.Min > *s.Max {
		l.errorf(m["max"].Line, "%s: min %d is greater than max %d", name, *s.Min, *s.Max)
	}
	if v := m["unit"]; v != nil {
		s.Unit = l.text(v, name+" unit")
	}
	// The unit for 0 or 1 (« 1 an », never « 1 ans »): frtext.Plural.
	if v := m["unit_one"]; v != nil {
		s.UnitOne = l.str(v, name+" unit_one")
	}
	if (s.Unit.FR == "") != (s.UnitOne == "") {
		l.errorf(s.Line, "%s: unit (plural, « ans ») and unit_one (singular, « an ») go together", name)
	}
}

// atMost reads at_most: an earlier integer step, both at the top level
// (a group's items would need one answer per item).
func (l *loader) atMost(s *Step, m map[string]*yaml.Node, name string, earlier []*Step, group *Step) {
	v := m["at_most"]
	if v == nil {
		return
	}
	s.AtMost = l.str(v, name+" at_most")
	if group != nil {
		l.errorf(v.Line, "%s: at_most is for top-level steps, not inside a group", name)
		return
	}
	for _, e := range earlier {
		if e.ID == s.AtMost {
			if e.Type != TypeInteger {
				l.errorf(v.Line, "%s: at_most %q is a %s step, not an integer one", name, s.AtMost, e.Type)
			}
			return
		}
	}
	l.errorf(v.Line, "%s: at_most %q is not an earlier step", name, s.AtMost)
}

func (l *loader) date(s *Step, m map[string]*yaml.Node, name string) {
	if v := m["not_future"]; v != nil {
		s.NotFuture = l.bool(v, name+" not_future")
	}
	if v := m["not_past"]; v != nil {
		s.NotPast = l.bool(v, name+" not_past")
	}
	if s.NotFuture && s.NotPast {
		l.errorf(s.Line, "%s: not_future and not_past exclude each other", name)
	}
	if v := m["within_days"]; v != nil {
		if n, ok := l.int(v, name+" within_days"); ok {
			if n < 1 || n > 3660 {
				l.errorf(v.Line, "%s: within_days must be between 1 and 3660", name)
			}
			s.WithinDays = n
		}
	}
	v := m["quick"]
	if v == nil {
		switch {
		case s.NotPast:
			s.Quick = []string{QuickWeek, QuickTwoWeeks, QuickMonth}
		default:
			s.Quick = []string{QuickToday, QuickYesterday}
		}
		return
	}
	if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
		return // no quick buttons
	}
	seen := map[string]bool{}
	for _, q := range l.strs(v, name+" quick") {
		if _, ok := QuickLabels[q]; !ok {
			l.errorf(v.Line, "%s: unknown quick date %q (today, yesterday, in_1_week, in_2_weeks, in_1_month)", name, q)
			continue
		}
		if seen[q] {
			l.errorf(v.Line, "%s: quick date %q is repeated", name, q)
		}
		seen[q] = true
		if s.NotFuture && strings.HasPrefix(q, "in_") {
			l.errorf(v.Line, "%s: quick date %q is in the future but the step is not_future", name, q)
		}
		if s.NotPast && q == QuickYesterday {
			l.errorf(v.Line, "%s: quick date %q is in the past but the step is not_past", name, q)
		}
		s.Quick = append(s.Quick, q)
	}
}

func (l *loader) textStep(s *Step, m map[string]*yaml.Node, name string) {
	if v := m["max_length"]; v == nil {
		l.errorf(s.Line, "%s: a text step needs max_length", name)
	} else if n, ok := l.int(v, name+" max_length"); ok {
		if n < 1 || n > 4000 {
			l.errorf(v.Line, "%s: max_length must be between 1 and 4000", name)
		}
		s.MaxLength = n
	}
	if v := m["organisation_name"]; v != nil {
		s.OrganisationName = l.bool(v, name+" organisation_name")
		if s.OrganisationName && s.MaxLength > orgname.MaxLen {
			l.errorf(v.Line, "%s: max_length must be at most %d with organisation_name", name, orgname.MaxLen)
		}
	}
	if v := m["forbid"]; v != nil {
		for _, f := range l.strs(v, name+" forbid") {
			if !slices.Contains(ForbidKinds, f) {
				l.errorf(v.Line, "%s: unknown forbid %q (%s)", name, f, strings.Join(ForbidKinds, ", "))
			}
			s.Forbid = append(s.Forbid, f)
		}
	}
}

func (l *loader) group(s *Step, m map[string]*yaml.Node, n *yaml.Node, name string, ids map[string]int, earlier []*Step) {
	s.Item = Text{FR: "Élément"}
	s.More = Text{FR: "Ajouter un autre élément ?"}
	s.MaxItems = 10
	if v := m["item"]; v != nil {
		s.Item = l.text(v, name+" item")
	}
	if v := m["more"]; v != nil {
		s.More = l.text(v, name+" more")
	}
	if v := m["max_items"]; v != nil {
		if k, ok := l.int(v, name+" max_items"); ok {
			if k < 1 || k > 50 {
				l.errorf(v.Line, "%s: max_items must be between 1 and 50", name)
			} else {
				s.MaxItems = k
			}
		}
	}
	v := m["steps"]
	if v == nil || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		l.errorf(n.Line, "%s: group has no steps", name)
		return
	}
	inner := append([]*Step{}, earlier...)
	for _, sn := range v.Content {
		sub := l.step(deref(sn), s, ids, inner)
		if sub != nil {
			s.Steps = append(s.Steps, sub)
			inner = append(inner, sub)
		}
	}
}
