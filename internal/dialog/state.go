package dialog

import (
	"strconv"
	"time"
)

// Phase is what the draft is waiting for.
type Phase string

// Phases of a draft.
const (
	PhaseAsk     Phase = "ask"     // a question is open (also while editing from the summary)
	PhaseSummary Phase = "summary" // the summary is shown, waiting for "Enregistrer" or "Modifier"
	PhaseCancel  Phase = "cancel"  // "Abandonner ?" is asked
)

// Mode refines PhaseAsk for steps that take more than one tap.
type Mode string

// Modes of the open question.
const (
	ModeNormal  Mode = ""
	ModeLookup  Mode = "lookup"  // beneficiary: choosing a person already followed
	ModePrefill Mode = "prefill" // a known value is proposed for confirmation
)

// Pos is a place in a form: a top-level step, a step of a group item, or the
// "add another?" question after a group item. The zero Pos is the end of the
// form (the summary).
type Pos struct {
	Step string `json:"step,omitempty"` // top-level step id
	Item int    `json:"item,omitempty"` // group item index (0-based)
	Sub  string `json:"sub,omitempty"`  // step id inside the group item
	More bool   `json:"more,omitempty"` // the "add another?" question after item Item
}

// End reports whether p is past the last step.
func (p Pos) End() bool { return p.Step == "" }

// Value is one answer. Scalars are in Code: a choice code, a date as
// YYYY-MM-DD, an integer in decimal, or a beneficiary code; free text is in
// Text. A multiple choice is in Codes, a group in Items.
type Value struct {
	Code    string    `json:"code,omitempty"`
	Codes   []string  `json:"codes,omitempty"`
	Text    string    `json:"text,omitempty"`
	Items   []Answers `json:"items,omitempty"`
	Skipped bool      `json:"skipped,omitempty"`
	// New marks a beneficiary code generated in this form (a new person);
	// false means an existing person of the mediator.
	New bool `json:"new,omitempty"`
	// Closed marks a group whose "add another?" was answered no.
	Closed bool `json:"closed,omitempty"`
}

// Answers are the answers of a form (or of one group item) by step id.
type Answers map[string]Value

// Get returns the answer of step id.
func (a Answers) Get(id string) (Value, bool) {
	v, ok := a[id]
	return v, ok
}

// String returns a scalar answer (code, ISO date, integer, beneficiary code
// or text); "" when unanswered or skipped.
func (a Answers) String(id string) string {
	v := a[id]
	if v.Skipped {
		return ""
	}
	if v.Code != "" {
		return v.Code
	}
	return v.Text
}

// Strings returns the codes of a multiple choice answer (nil when skipped).
func (a Answers) Strings(id string) []string {
	v := a[id]
	if v.Skipped {
		return nil
	}
	return v.Codes
}

// Int returns an integer answer.
func (a Answers) Int(id string) (int, bool) {
	v, ok := a[id]
	if !ok || v.Skipped {
		return 0, false
	}
	n, err := strconv.Atoi(v.Code)
	return n, err == nil
}

// Date returns a date answer (midnight UTC of that day).
func (a Answers) Date(id string) (time.Time, bool) {
	v, ok := a[id]
	if !ok || v.Skipped {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, v.Code)
	return d, err == nil
}

// Items returns the items of a group answer, in order.
func (a Answers) Items(id string) []Answers {
	return a[id].Items
}

// Skipped tells whether step id was skipped with "Passer".
func (a Answers) Skipped(id string) bool { return a[id].Skipped }

// Clone returns a deep copy.
func (a Answers) Clone() Answers {
	if a == nil {
		return nil
	}
	out := make(Answers, len(a))
	for k, v := range a {
		out[k] = v.clone()
	}
	return out
}

func (v Value) clone() Value {
	if v.Codes != nil {
		v.Codes = append([]string{}, v.Codes...)
	}
	if v.Items != nil {
		items := make([]Answers, len(v.Items))
		for i, it := range v.Items {
			items[i] = it.Clone()
		}
		v.Items = items
	}
	return v
}

// Person is a beneficiary already followed by the mediator.
type Person struct {
	Code      string
	Sex       string
	QPV       string
	Resources string
	Age       int
	// AgeOn is the day Age was recorded; zero means the age is unknown.
	AgeOn time.Time
	// ContactMode is how the person first met the mediator ("" unknown).
	ContactMode string `json:",omitempty"`
	// LastSeen is the date of their last sheet (zero: unknown).
	LastSeen time.Time `json:",omitzero"`
	// Open names their requests still open, shortly ("CSS").
	Open []string `json:",omitempty"`
	// Requests are the same requests, whose status the new sheet may update.
	Requests []OpenRequest `json:",omitempty"`
}

// OpenRequest is a request of a known person still open from an earlier
// sheet: shown with their situation, its new status is saved with the sheet.
type OpenRequest struct {
	ID    int64
	Label string    // "CSS"
	Since time.Time // date of the sheet that opened it
}

// Edit remembers an edit started from the summary, so /retour can undo it.
type Edit struct {
	Start     Pos     `json:"start"`
	WholeItem bool    `json:"whole_item,omitempty"` // editing a whole group item
	Backup    Answers `json:"backup"`
	Person    *Person `json:"person,omitempty"`
}

// State is a draft: everything needed to continue the conversation after a
// restart. It is stored as JSON (internal/state).
type State struct {
	FormID      string `json:"form"`
	FormVersion int    `json:"version"`
	// RecordID is the id of the record the form will save (a sheet, an
	// action, a review…), chosen at start so that saving twice is harmless;
	// its JSON name predates the other forms and is kept for stored drafts.
	RecordID string   `json:"sheet"`
	Phase    Phase    `json:"phase"`
	Pos      Pos      `json:"pos"`
	Mode     Mode     `json:"mode,omitempty"`
	Answers  Answers  `json:"answers"`
	Pending  []string `json:"pending,omitempty"`  // multiple choice being toggled
	Proposed string   `json:"proposed,omitempty"` // prefilled value awaiting confirmation
	Person   *Person  `json:"person,omitempty"`   // the known beneficiary, for prefills
	// Search is the beginning of a code typed at the « Personne » step:
	// ModeLookup then lists the people whose code starts with it.
	Search string `json:"search,omitempty"`
	Edit   *Edit  `json:"edit,omitempty"`
	Resume Phase  `json:"resume,omitempty"` // phase to return to when cancelling is refused
	// Closes are the new statuses given to the known person's open
	// requests (Person.Requests), by request id, saved with the record.
	Closes map[int64]string `json:"closes,omitempty"`
	// Fill makes each answer lead to the next unanswered step rather than
	// the next step (after a form update, or when starting from answers).
	Fill bool `json:"fill,omitempty"`
	// Untouched marks a draft opened on a stored record (StartFrom) and not
	// acted on yet: dropping it loses nothing, so the transport may replace
	// it without asking and never nudges about it.
	Untouched bool      `json:"untouched,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Editing tells whether a step is being changed from the summary.
func (s State) Editing() bool { return s.Edit != nil }

func (s State) clone() State {
	s.Answers = s.Answers.Clone()
	if s.Pending != nil {
		s.Pending = append([]string{}, s.Pending...)
	}
	if s.Person != nil {
		p := *s.Person
		s.Person = &p
	}
	if s.Closes != nil {
		c := make(map[int64]string, len(s.Closes))
		for k, v := range s.Closes {
			c[k] = v
		}
		s.Closes = c
	}
	if s.Edit != nil {
		e := *s.Edit
		e.Backup = e.Backup.Clone()
		if e.Person != nil {
			p := *e.Person
			e.Person = &p
		}
		s.Edit = &e
	}
	return s
}
