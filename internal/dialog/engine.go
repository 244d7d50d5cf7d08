// Package dialog runs a form (internal/forms) as a conversation: one
// question at a time, choices wherever a list exists, /retour, /passer,
// /annuler, a summary with "Modifier" choices, then "Enregistrer".
//
// The engine is a pure step function: it takes the draft State and one user
// input and returns the new State and the events of the step (Event: a
// question asked with its choices, an answer recorded, a note…). It knows
// nothing of Telegram, Redis or SQL, nor of messages: a presenter per
// transport shows the events (internal/bot for Telegram's buttons,
// internal/dialog/textview for numbered text), the transport stores the
// State (internal/state) and saves the finished record.
package dialog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/orgname"
)

// Input is one user event.
type Input struct {
	Text string    // typed text; "/retour", "/annuler", "/passer" are commands for the engine
	Data string    // the data of a chosen choice (a pressed button); "" for text
	Now  time.Time // local time (RELAIS_TZ)
}

// Outcome tells the transport what to do with the draft after a step.
type Outcome int

// Outcomes.
const (
	None      Outcome = iota // keep the draft (save State)
	Save                     // "Enregistrer" pressed: persist the answers, then delete the draft
	Cancelled                // the form was abandoned: delete the draft
)

// Result is the engine's answer to one event.
type Result struct {
	State  State
	Events []Event
	// Notice refuses a choice that changed nothing (StaleNotice…): a
	// transport with buttons answers the press with it.
	Notice  string
	Outcome Outcome
	// DeleteInput says the typed message identified a person and was
	// refused: it must not stay in the chat either, so the transport
	// deletes it where it can, then shows Erased's events instead.
	DeleteInput bool
	refusal     string // the refusal of that message, which Erased completes
}

// ErasedNotice ends the refusal of an identifying message once the
// transport has deleted it from the chat.
const ErasedNotice = "Votre message a été effacé de la conversation."

// Erased is res once the typed message it refused is gone from the chat:
// its refusal says so. A transport that could not delete it shows res.
func (res Result) Erased() Result {
	if res.refusal == "" {
		return res
	}
	res.Events = slices.Clone(res.Events)
	for i, e := range res.Events {
		if a, ok := e.(Asked); ok && a.Question.Problem == res.refusal {
			a.Question.Problem = res.refusal + " " + ErasedNotice
			res.Events[i] = a
			break
		}
	}
	return res
}

// ErrPersonErased is what Env.FindPerson returns for a code erased at the
// person's request: the engine says so (ErasedPersonText) and takes nothing.
var ErrPersonErased = errors.New("person erased at their request")

// ErasedPersonText tells the mediator why an erased person's code is refused.
const ErasedPersonText = "Cette personne a été effacée à sa demande."

// Env gives the engine the few facts it needs from outside; the transport
// implements it with SQL.
type Env interface {
	NewPersonCode(ctx context.Context) (string, error)  // fresh unique 6-char code
	RecentPeople(ctx context.Context) ([]Person, error) // this mediator's 5 most recent beneficiaries
	// SearchPeople lists this mediator's beneficiaries whose code starts
	// with prefix (upper case), most recently seen first, at most limit.
	SearchPeople(ctx context.Context, prefix string, limit int) ([]Person, error)
	FindPerson(ctx context.Context, code string) (Person, bool, error) // only this mediator's beneficiaries
}

// Prefiller may be implemented by an Env to propose values for steps whose
// `prefill:` key is not a beneficiary field (e.g. partner counts in the
// annual review). A proposed value is confirmed with one tap.
type Prefiller interface {
	Prefill(ctx context.Context, key string) (value string, ok bool, err error)
}

// Start begins form f for a new record identified by recordID: the first
// question.
func Start(ctx context.Context, f *forms.Form, recordID string, in Input, env Env) (Result, error) {
	st := State{FormID: f.ID, FormVersion: f.Version, RecordID: recordID, Phase: PhaseAsk, Answers: Answers{}, UpdatedAt: in.Now}
	r := &run{f: f, st: st, orig: st, in: in, env: env}
	return r.finish(r.goTo(ctx, first(f, r.st.Answers), false))
}

// StartFrom begins form f with answers already known (e.g. editing an
// existing record): answers that do not fit are dropped, then the first
// unanswered question, or the summary, is shown.
func StartFrom(ctx context.Context, f *forms.Form, recordID string, answers Answers, in Input, env Env) (Result, error) {
	st := State{FormID: f.ID, FormVersion: f.Version, RecordID: recordID, Phase: PhaseAsk, Answers: sanitize(f, answers), Fill: true, Untouched: true, UpdatedAt: in.Now}
	r := &run{f: f, st: st, orig: st, in: in, env: env}
	return r.finish(r.goTo(ctx, firstUnanswered(f, r.st.Answers), false))
}

// Resume asks the open question (or summary) of a draft again, e.g. when
// the mediator comes back to a draft left open.
func Resume(ctx context.Context, f *forms.Form, st State, in Input, env Env) (Result, error) {
	r := &run{f: f, st: st.clone(), orig: st, in: in, env: env}
	if st.FormID != f.ID {
		return r.gone()
	}
	r.st.UpdatedAt = in.Now
	if r.outdated() {
		return r.finish(r.migrate(ctx))
	}
	r.retire()
	switch st.Phase {
	case PhaseSummary:
		return r.finish(r.showSummary(false))
	case PhaseCancel:
		r.st.Phase = r.st.Resume
		return r.finish(r.askCancel())
	}
	return r.finish(r.show(ctx, false))
}

// Step handles one user event on draft st of form f.
func Step(ctx context.Context, f *forms.Form, st State, in Input, env Env) (Result, error) {
	r := &run{f: f, st: st.clone(), orig: st, in: in, env: env}
	r.st.Untouched = false
	if st.FormID != f.ID {
		return r.gone()
	}
	if in.Data != "" {
		act, args, ok := forms.ParseData(in.Data)
		if !ok {
			return r.refuse(StaleNotice)
		}
		r.st.UpdatedAt = in.Now
		if r.outdated() {
			return r.finish(r.migrate(ctx))
		}
		return r.finish(r.press(ctx, act, args))
	}
	r.st.UpdatedAt = in.Now
	if r.outdated() {
		return r.finish(r.migrate(ctx))
	}
	return r.finish(r.typed(ctx))
}

// run is the work on one event.
type run struct {
	f    *forms.Form
	st   State
	orig State
	in   Input
	env  Env

	events  []Event
	notice  string
	outcome Outcome
	refused bool
	// typedPress marks words typed for a button (pressTyped): a refusal
	// is then said, not a notice on a button.
	typedPress bool
	// refusal is the refusal of a typed text that identifies a person.
	refusal string
}

// outdated tells whether the draft was made with another version of the
// form, or points at a step the form no longer has (a form changed without
// a version bump): either way its answers are migrated.
func (r *run) outdated() bool {
	if r.st.Answers == nil {
		r.st.Answers = Answers{}
	}
	if r.st.FormVersion != r.f.Version {
		return true
	}
	if r.st.Phase == PhaseSummary || r.st.Phase == PhaseCancel && r.st.Resume == PhaseSummary {
		return false
	}
	p := r.st.Pos
	top := r.f.Step(p.Step)
	if top == nil || r.f.Parent(p.Step) != nil {
		return true
	}
	if top.Type != forms.TypeGroup {
		return p.More || p.Sub != ""
	}
	if p.More {
		return false
	}
	return p.Sub == "" || r.f.Parent(p.Sub) != top
}

// finish makes the event's Result. When an Env call failed, err is
// returned with a Result whose State is the unchanged input state and
// whose Events apologise in French: the transport shows them and logs err.
func (r *run) finish(err error) (Result, error) {
	if err != nil {
		res := Result{State: r.orig, Events: []Event{Said{TechnicalTrouble}}}
		if r.in.Data != "" {
			res.Notice = TechnicalTrouble
		}
		return res, err
	}
	if r.refused && r.typedPress {
		return Result{State: r.orig, Events: []Event{Said{r.notice}}}, nil
	}
	if r.refused {
		return Result{State: r.orig, Notice: r.notice}, nil
	}
	return Result{State: r.st, Events: r.events, Notice: r.notice, Outcome: r.outcome, DeleteInput: r.refusal != "", refusal: r.refusal}, nil
}

// refuse leaves the draft untouched and answers the button press with notice.
func (r *run) refuse(notice string) (Result, error) {
	r.markRefused(notice)
	return r.finish(nil)
}

// markRefused is refuse for a step that returns no Result: finish reads it.
func (r *run) markRefused(notice string) { r.refused, r.notice = true, notice }

func (r *run) gone() (Result, error) {
	return Result{State: r.orig, Events: []Event{Said{"Cette saisie n'est plus disponible. Recommencez, s'il vous plaît."}}, Outcome: Cancelled}, nil
}

func (r *run) say(text string) { r.events = append(r.events, Said{text}) }

// ask opens question q (or the summary), in place of the one it was
// chosen from when inPlace.
func (r *run) ask(q Question, inPlace bool) {
	r.events = append(r.events, Asked{Question: q, InPlace: inPlace})
}

// closeQuestion records that the open question got its answer, said by line.
func (r *run) closeQuestion(line string) {
	r.events = append(r.events, Answered{Line: line, Chosen: r.in.Data != ""})
}

// retire leaves the open question unanswered before another one is asked,
// so its choices do not linger.
func (r *run) retire() { r.events = append(r.events, Withdrawn{}) }

func (r *run) goTo(ctx context.Context, p Pos, inPlace bool) error {
	if p.End() {
		return r.showSummary(inPlace)
	}
	return r.askAt(ctx, p, inPlace)
}

// askAt opens the question at p: a known value is proposed for
// confirmation, a multiple choice starts from its current answer.
func (r *run) askAt(ctx context.Context, p Pos, inPlace bool) error {
	r.st.Phase, r.st.Pos, r.st.Mode, r.st.Proposed, r.st.Pending, r.st.Search = PhaseAsk, p, ModeNormal, "", nil, ""
	if s := r.stepAt(p); s != nil {
		if v, ok := r.knownContact(s, p); ok {
			r.set(p, v)
			return r.advance(ctx, p)
		}
		if r.situationAt(p) {
			r.st.Mode = ModeSituation
			return r.show(ctx, inPlace)
		}
		v, answered := r.answerAt(p)
		if s.Type == forms.TypeMulti && answered {
			r.st.Pending = append([]string{}, v.Codes...)
		}
		if s.Prefill != "" && !answered {
			val, ok, err := r.proposal(ctx, s)
			if err != nil {
				return err
			}
			if ok {
				r.st.Mode, r.st.Proposed = ModePrefill, val
			}
		}
	}
	return r.show(ctx, inPlace)
}

// show renders the open question in its current mode.
func (r *run) show(ctx context.Context, inPlace bool) error {
	text, rows, err := r.question(ctx, r.st.Pos)
	if err != nil {
		return err
	}
	r.ask(r.stepQuestion(text, rows), inPlace)
	return nil
}

func (r *run) showSummary(inPlace bool) error {
	r.st.Phase, r.st.Pos, r.st.Mode, r.st.Proposed, r.st.Pending, r.st.Edit, r.st.Search = PhaseSummary, Pos{}, ModeNormal, "", nil, nil, ""
	text, rows := r.summary()
	r.ask(Question{Kind: KindSummary, Text: text, Rows: rows}, inPlace)
	return nil
}

// invalid explains why a typed answer was refused and asks the same
// question again; the answers do not change.
func (r *run) invalid(ctx context.Context, msg string) error {
	text, rows, err := r.question(ctx, r.st.Pos)
	if err != nil {
		return err
	}
	r.retire()
	q := r.stepQuestion(text, rows)
	q.Problem = msg
	r.ask(q, false)
	return nil
}

func (r *run) migrate(ctx context.Context) error {
	r.retire()
	r.st.Answers = sanitize(r.f, r.st.Answers)
	r.st.FormVersion = r.f.Version
	r.st.Edit, r.st.Resume, r.st.Fill = nil, "", true
	r.say(UpdatedNotice)
	return r.goTo(ctx, firstUnanswered(r.f, r.st.Answers), false)
}

// ---- values

func valueFor(s *forms.Step, raw string) Value {
	if s.Type == forms.TypeText {
		return Value{Text: raw}
	}
	return Value{Code: raw}
}

func (r *run) proposedValue(s *forms.Step) Value { return valueFor(s, r.st.Proposed) }

// proposal is the value to propose for a prefilled step, if any.
func (r *run) proposal(ctx context.Context, s *forms.Step) (string, bool, error) {
	var val string
	var ok bool
	if forms.IsPersonPrefill(s.Prefill) {
		val, ok = r.personValue(s, r.st.Person)
	} else if pf, has := r.env.(Prefiller); has {
		var err error
		if val, ok, err = pf.Prefill(ctx, s.Prefill); err != nil {
			return "", false, fmt.Errorf("prefill %s: %w", s.Prefill, err)
		}
	}
	if !ok || !validValue(s, valueFor(s, val)) {
		return "", false, nil
	}
	return val, true, nil
}

// personValue is the known value of a beneficiary field; the age is aged by
// the whole years elapsed since it was recorded.
func (r *run) personValue(s *forms.Step, p *Person) (string, bool) {
	if p == nil {
		return "", false
	}
	var v string
	switch s.Prefill {
	case "sex":
		v = p.Sex
	case "qpv":
		v = p.QPV
	case "resources":
		v = p.Resources
	case "age":
		if p.AgeOn.IsZero() {
			return "", false
		}
		n := p.Age + yearsBetween(p.AgeOn, r.in.Now)
		if s.Max != nil && n > *s.Max {
			n = *s.Max
		}
		v = strconv.Itoa(n)
	}
	return v, v != "" && validValue(s, valueFor(s, v))
}

func (r *run) set(p Pos, v Value) {
	if p.Sub == "" {
		r.st.Answers[p.Step] = v
		return
	}
	g := r.st.Answers[p.Step]
	g.Skipped = false
	for len(g.Items) <= p.Item {
		g.Items = append(g.Items, Answers{})
	}
	g.Items[p.Item][p.Sub] = v
	r.st.Answers[p.Step] = g
}

// answer records v for the open question and moves on.
func (r *run) answer(ctx context.Context, v Value) error {
	p := r.st.Pos
	r.set(p, v)
	prune(r.f, r.st.Answers)
	r.closeQuestion(r.answerLine(p, v))
	return r.advance(ctx, p)
}

// advance goes to the question after p. While editing from the summary it
// stays within the edited step (or group item), then asks whatever became
// unanswered, then returns to the summary.
func (r *run) advance(ctx context.Context, p Pos) error {
	n := next(r.f, r.st.Answers, p)
	if e := r.st.Edit; e != nil {
		if !n.End() && r.inScope(n) {
			return r.askAt(ctx, n, false)
		}
		u := firstUnanswered(r.f, r.st.Answers)
		if u.End() {
			return r.showSummary(false)
		}
		return r.askAt(ctx, u, false)
	}
	if r.st.Fill {
		n = firstUnanswered(r.f, r.st.Answers)
	}
	return r.goTo(ctx, n, false)
}

func (r *run) inScope(n Pos) bool {
	e := r.st.Edit
	if e.WholeItem {
		return n.Step == e.Start.Step && n.Item == e.Start.Item && !n.More && n.Sub != ""
	}
	return n == e.Start
}

// ---- buttons

func (r *run) press(ctx context.Context, act string, args []string) error {
	switch r.st.Phase {
	case PhaseCancel:
		if act == forms.ActCancel && len(args) == 1 {
			if args[0] == "1" {
				r.events = append(r.events, Abandoned{r.f.Cancelled.FR})
				r.outcome = Cancelled
				return nil
			}
			return r.refuseCancel(ctx)
		}
	case PhaseSummary:
		return r.pressSummary(ctx, act, args)
	case PhaseAsk:
		return r.pressAsk(ctx, act, args)
	}
	r.markRefused(StaleNotice)
	return nil
}

// pressAsk handles a choice of the open question: the step it names must
// be the open one; then each mode has its own choices.
func (r *run) pressAsk(ctx context.Context, act string, args []string) error {
	p := r.st.Pos
	if len(args) == 0 || args[0] != r.currentID() {
		return r.stale()
	}
	arg := ""
	if len(args) > 1 {
		arg = args[1]
	}
	if p.More {
		if act == forms.ActMore && (arg == "1" || arg == "0") {
			return r.more(ctx, arg == "1")
		}
		return r.stale()
	}
	switch {
	case act == forms.ActSkip && arg == skipRest && r.restSkippable(p):
		return r.skipToSummary()
	case act == forms.ActSkip:
		return r.skip(ctx)
	}
	s := r.stepAt(p)
	switch r.st.Mode {
	case ModeSituation:
		return r.pressSituation(ctx, s, act, args)
	case ModePrefill:
		return r.pressPrefill(ctx, s, act)
	case ModeLookup:
		return r.pressLookup(ctx, s, act, arg)
	}
	return r.pressNormal(ctx, s, act, arg)
}

// stale refuses a choice that is not one of the open question's.
func (r *run) stale() error {
	r.markRefused(StaleNotice)
	return nil
}

// pressSituation: the known person's last situation is proposed whole
// (« toujours vrai ? »), with the statuses of their open requests.
func (r *run) pressSituation(ctx context.Context, s *forms.Step, act string, args []string) error {
	switch {
	case act == forms.ActConfirm:
		return r.confirmSituation(ctx)
	case act == forms.ActClose:
		return r.pressClose(ctx, args)
	case act == forms.ActModify:
		// One value at a time, each proposed for confirmation.
		r.st.Mode = ModeNormal
		if val, ok, err := r.proposal(ctx, s); err != nil {
			return err
		} else if ok {
			r.st.Mode, r.st.Proposed = ModePrefill, val
		}
		return r.show(ctx, r.here())
	case act == forms.ActNewPerson && s.Type == forms.TypeBeneficiary:
		return r.newPerson(ctx)
	}
	return r.stale()
}

// pressPrefill: a known value is proposed, to confirm or to change.
func (r *run) pressPrefill(ctx context.Context, s *forms.Step, act string) error {
	switch act {
	case forms.ActConfirm:
		return r.answer(ctx, r.proposedValue(s))
	case forms.ActModify:
		r.st.Mode, r.st.Proposed = ModeNormal, ""
		return r.show(ctx, r.here())
	}
	return r.stale()
}

// pressLookup: the people already followed are listed at « Personne ».
func (r *run) pressLookup(ctx context.Context, s *forms.Step, act, arg string) error {
	switch {
	case act == forms.ActPick && s.Type == forms.TypeBeneficiary:
		return r.pick(ctx, arg)
	case act == forms.ActNewPerson && s.Type == forms.TypeBeneficiary:
		return r.newPerson(ctx)
	}
	return r.stale()
}

// pressNormal: the question's own choices, by the type of its step.
func (r *run) pressNormal(ctx context.Context, s *forms.Step, act, arg string) error {
	switch {
	case act == forms.ActPick && s.Type == forms.TypeBeneficiary:
		return r.pick(ctx, arg)
	case act == forms.ActNewPerson && s.Type == forms.TypeBeneficiary:
		return r.newPerson(ctx)
	case act == forms.ActOldPerson && s.Type == forms.TypeBeneficiary:
		r.st.Mode, r.st.Search = ModeLookup, ""
		return r.show(ctx, r.here())
	case act == forms.ActChoose && (s.Type == forms.TypeChoice || s.Type == forms.TypeYesNo):
		if _, ok := s.Choice(arg); ok {
			return r.answer(ctx, Value{Code: arg})
		}
	case act == forms.ActChoose && s.Type == forms.TypeRecord:
		return r.pressRecord(ctx, s, arg)
	case act == forms.ActToggle && s.Type == forms.TypeMulti:
		if _, ok := s.Choice(arg); ok {
			r.toggle(arg)
			return r.show(ctx, r.here())
		}
	case act == forms.ActValidate && s.Type == forms.TypeMulti:
		if s.Required && len(r.st.Pending) == 0 {
			r.markRefused("Choisissez au moins une réponse, puis « Valider ».")
			return nil
		}
		var codes []string
		for _, c := range s.Choices {
			if contains(r.st.Pending, c.Code) {
				codes = append(codes, c.Code)
			}
		}
		return r.answer(ctx, Value{Codes: codes})
	case act == forms.ActQuickDate && s.Type == forms.TypeDate && contains(s.Quick, arg):
		if d, ok := quickDate(arg, r.in.Now); ok {
			return r.answer(ctx, Value{Code: d.Format(time.DateOnly)})
		}
	}
	return r.stale()
}

func (r *run) toggle(code string) {
	for i, c := range r.st.Pending {
		if c == code {
			r.st.Pending = append(r.st.Pending[:i], r.st.Pending[i+1:]...)
			return
		}
	}
	r.st.Pending = append(r.st.Pending, code)
}

// more answers "add another item?".
func (r *run) more(ctx context.Context, yes bool) error {
	p := r.st.Pos
	g := r.f.Step(p.Step)
	v := r.st.Answers[g.ID]
	code := "non"
	if yes {
		code = "oui"
	}
	r.closeQuestion(r.answerLine(p, Value{Code: code}))
	if yes {
		v.Closed = false
		r.st.Answers[g.ID] = v
		if sub := firstSub(g, itemAt(r.st.Answers, g.ID, p.Item+1), r.st.Answers); sub != "" {
			return r.askAt(ctx, Pos{Step: g.ID, Item: p.Item + 1, Sub: sub}, false)
		}
		return r.advance(ctx, p)
	}
	v.Closed = true
	if len(v.Items) > p.Item+1 {
		v.Items = v.Items[:p.Item+1]
	}
	r.st.Answers[g.ID] = v
	return r.advance(ctx, p)
}

func (r *run) skip(ctx context.Context) error {
	if r.st.Phase != PhaseAsk {
		r.say("Il n'y a pas de question à passer ici.")
		return nil
	}
	p := r.st.Pos
	ok, whole := r.skippable(p)
	if !ok {
		// Asked again, with the answer for a person who does not know.
		if s := r.stepAt(p); s != nil && s.HasChoices() {
			if c, has := dontKnowChoice(s); has {
				return r.invalid(ctx, fmt.Sprintf("Cette question est obligatoire. Si la personne ne sait pas, touchez « %s ».", c.Label.FR))
			}
		}
		return r.invalid(ctx, "Cette question est obligatoire : elle ne peut pas être passée.")
	}
	if whole {
		g := r.f.Step(p.Step)
		r.st.Answers[g.ID] = Value{Skipped: true}
		prune(r.f, r.st.Answers)
		r.closeQuestion(g.Label.FR + " : " + emptyAnswer)
		return r.advance(ctx, p)
	}
	return r.answer(ctx, Value{Skipped: true})
}

// ---- beneficiary

func (r *run) newPerson(ctx context.Context) error {
	s := r.stepAt(r.st.Pos)
	if old, ok := r.st.Answers[s.ID]; ok && old.New {
		return r.setPerson(ctx, old, nil)
	}
	code, err := r.env.NewPersonCode(ctx)
	if err != nil {
		return fmt.Errorf("new person code: %w", err)
	}
	return r.setPerson(ctx, Value{Code: code, New: true}, nil)
}

func (r *run) pick(ctx context.Context, code string) error {
	p, found, err := r.env.FindPerson(ctx, code)
	if errors.Is(err, ErrPersonErased) {
		return r.invalid(ctx, ErasedPersonText)
	}
	if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	if !found {
		r.markRefused("Personne introuvable.")
		return nil
	}
	return r.setPerson(ctx, Value{Code: p.Code}, &p)
}

// codeWordRe finds the words of a text that may be a person's code.
var codeWordRe = regexp.MustCompile(`[A-Za-z0-9]+`)

// maxCodeWords bounds the look-ups of one text (a review answer is 1000
// characters).
const maxCodeWords = 20

// namesErasedCode tells whether text names a code erased at the person's
// request: typed again in a note or a partner's name, it would bring the
// person back. The words looked up are those a code can be that a word
// cannot: 4 to 8 letters and digits with a digit in any case (« zqx7k2 »),
// or in capitals (« ZQXWKM »; « ccas » in lower case is a word).
func (r *run) namesErasedCode(ctx context.Context, text string) (bool, error) {
	seen := map[string]bool{}
	for _, w := range codeWordRe.FindAllString(text, -1) {
		if len(w) < 4 || len(w) > forms.MaxPersonCode || len(seen) >= maxCodeWords ||
			!strings.ContainsAny(w, "0123456789") && strings.ToUpper(w) != w {
			continue
		}
		code := strings.ToUpper(w)
		if seen[code] {
			continue
		}
		seen[code] = true
		_, _, err := r.env.FindPerson(ctx, code)
		if errors.Is(err, ErrPersonErased) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("find person: %w", err)
		}
	}
	return false, nil
}

// setPerson records the beneficiary. When the person changes, the answers
// taken from the previous person (sex, age…) are cleared so they are asked
// (or proposed) again.
func (r *run) setPerson(ctx context.Context, v Value, person *Person) error {
	p := r.st.Pos
	s := r.stepAt(p)
	old, had := r.st.Answers[s.ID]
	r.st.Answers[s.ID] = v
	r.st.Person = person
	if !had || old.Code != v.Code {
		r.st.Closes = nil // statuses chosen for another person's requests
	}
	if had && old.Code != v.Code {
		for _, st := range r.f.Steps {
			if forms.IsPersonPrefill(st.Prefill) {
				delete(r.st.Answers, st.ID)
			}
		}
	}
	prune(r.f, r.st.Answers)
	r.closeQuestion(r.answerLine(p, v))
	if v.New {
		r.say("Code de la personne : " + v.Code + " — notez-le sans son nom (carnet, téléphone). " +
			"À sa prochaine visite, elle sera proposée sous « Personne accompagnée ? » avec la date de sa dernière visite.")
	}
	return r.advance(ctx, p)
}

// ---- typed text

const commandsHelp = "Pendant la saisie, écrivez à tout moment : « retour » (question précédente), « passer » (question facultative), « annuler » (abandonner la saisie), « aide »."

func (r *run) typed(ctx context.Context) error {
	t := strings.TrimSpace(r.in.Text)
	if t == "" {
		r.say("Répondez par un message ou avec les boutons.")
		return nil
	}
	if w, ok := Keyword(t); ok {
		switch w {
		case "retour":
			return r.back(ctx)
		case "annuler":
			return r.askCancel()
		case "passer":
			return r.skip(ctx)
		case "aide":
			return r.help(ctx)
		}
	}
	if strings.HasPrefix(t, "/") {
		r.say(commandsHelp)
		return nil
	}
	switch r.st.Phase {
	case PhaseCancel:
		if data, ok := r.typedCancel(answerWords(t)); ok {
			return r.pressTyped(ctx, data)
		}
		r.say(fmt.Sprintf("Touchez « %s » ou « %s ».", TextCancelYes, TextCancelNo))
		return nil
	case PhaseSummary:
		if data, ok := r.typedSummary(answerWords(t)); ok {
			return r.pressTyped(ctx, data)
		}
		r.say("Touchez « Enregistrer » (ou écrivez « ok »), ou un bouton ✏️ pour modifier une réponse.")
		return nil
	}
	return r.typedAnswer(ctx, t)
}

func (r *run) typedAnswer(ctx context.Context, t string) error {
	p := r.st.Pos
	if p.More {
		if data, ok, err := r.typedButton(ctx, t, "", ""); err != nil || ok {
			if err != nil {
				return err
			}
			return r.pressTyped(ctx, data)
		}
		return r.invalid(ctx, "Répondez « Oui » ou « Non ».")
	}
	s := r.stepAt(p)
	if s.Type == forms.TypeBeneficiary {
		if !looksLikeCode(t) {
			if data, ok, err := r.typedButton(ctx, t, "", ""); err != nil || ok {
				if err != nil {
					return err
				}
				return r.pressTyped(ctx, data)
			}
		}
		return r.lookup(ctx, t)
	}
	switch r.st.Mode {
	case ModeSituation, ModePrefill:
		data, ok, err := r.typedButton(ctx, t, forms.Data(forms.ActConfirm, s.ID), forms.Data(forms.ActModify, s.ID))
		if err != nil {
			return err
		}
		if ok {
			return r.pressTyped(ctx, data)
		}
		if r.st.Mode == ModeSituation {
			return r.invalid(ctx, fmt.Sprintf("Touchez « %s » ou « %s » (ou écrivez « oui » ou « non »).", TextStillTrue, TextModify))
		}
	}
	if s.Type == forms.TypeDate {
		// A quick date or a record's button typed: « dans 2 semaines ».
		data, ok, err := r.typedButton(ctx, t, "", "")
		if err != nil {
			return err
		}
		if ok {
			return r.pressTyped(ctx, data)
		}
	}
	switch s.Type {
	case forms.TypeChoice, forms.TypeYesNo:
		if c, ok := typedChoice(s, t); ok {
			return r.answer(ctx, Value{Code: c.Code})
		}
		if data, ok, err := r.typedButton(ctx, t, "", ""); err != nil || ok {
			if err != nil {
				return err
			}
			return r.pressTyped(ctx, data)
		}
		return r.invalid(ctx, "Choisissez une réponse avec les boutons.")
	case forms.TypeMulti:
		return r.typedMulti(ctx, s, t)
	case forms.TypeInteger:
		n, msg := parseInt(t, s)
		if msg == "" {
			msg = r.countConflict(s, n)
		}
		if msg != "" {
			return r.invalid(ctx, msg)
		}
		return r.answer(ctx, Value{Code: strconv.Itoa(n)})
	case forms.TypeDate:
		d, msg := parseDate(dateFiller.ReplaceAllString(t, ""), r.in.Now, s)
		if msg != "" {
			return r.invalid(ctx, msg)
		}
		return r.answer(ctx, Value{Code: d.Format(time.DateOnly)})
	case forms.TypeText:
		if s.OrganisationName {
			if err := orgname.Check(t); err != nil {
				return r.invalid(ctx, err.Error())
			}
		}
		msg, identifies := checkText(t, s)
		if msg != "" && !identifies {
			// Too long, nothing identifying: kept, and offered back cut at the limit.
			r.st.Mode, r.st.Proposed = ModePrefill, cut(t, s.MaxLength)
			return r.invalid(ctx, msg+" Voici le début, coupé à la limite : « ✅ Confirmer » le garde, ou écrivez un texte plus court.")
		}
		if msg != "" {
			r.refusal = msg
			return r.invalid(ctx, msg)
		}
		erased, err := r.namesErasedCode(ctx, t)
		if err != nil {
			return err
		}
		if erased {
			r.refusal = ErasedPersonText + " Réécrivez le texte sans son code."
			return r.invalid(ctx, r.refusal)
		}
		return r.answer(ctx, Value{Text: t})
	case forms.TypeRecord:
		return r.typedRecord(ctx, s, t)
	}
	return r.invalid(ctx, "Répondez avec les boutons.")
}

// countConflict says why n cannot be step s's answer given the counts it
// is bound to by at_most (forms.Step.AtMost), "" when it can: at most the
// earlier count it names, and at least any later count already answered
// that names it (a correction from the summary must not break the pair).
func (r *run) countConflict(s *forms.Step, n int) string {
	if s.AtMost != "" {
		if m, ok := r.st.Answers.Int(s.AtMost); ok && n > m {
			return fmt.Sprintf("Ce nombre ne peut pas dépasser celui de « %s » (%d).", r.f.Step(s.AtMost).Label.FR, m)
		}
	}
	for _, d := range r.f.Steps {
		if d.AtMost != s.ID {
			continue
		}
		if m, ok := r.st.Answers.Int(d.ID); ok && n < m {
			return fmt.Sprintf("« %s » est de %d : écrivez au moins %d, ou corrigez d'abord « %s ».", d.Label.FR, m, m, d.Label.FR)
		}
	}
	return ""
}

// help answers « aide »: the open question's help and the words that
// always work, then the question again.
func (r *run) help(ctx context.Context) error {
	if r.st.Phase != PhaseAsk || r.st.Pos.More {
		r.say(commandsHelp)
		return nil
	}
	return r.invalid(ctx, commandsHelp)
}

// ---- /retour, /annuler

func (r *run) back(ctx context.Context) error {
	r.st.Fill = false
	switch r.st.Phase {
	case PhaseCancel:
		return r.refuseCancel(ctx)
	case PhaseSummary:
		p, ok := prev(r.f, r.st.Answers, Pos{})
		if !ok {
			return nil
		}
		r.retire()
		return r.askAt(ctx, p, false)
	}
	if r.st.Mode == ModeLookup {
		r.retire()
		return r.askAt(ctx, r.st.Pos, false)
	}
	if e := r.st.Edit; e != nil && r.st.Pos == e.Start {
		r.st.Answers, r.st.Person = e.Backup, e.Person
		r.retire()
		return r.showSummary(false)
	}
	p, ok := prev(r.f, r.st.Answers, r.st.Pos)
	if !ok {
		r.say("C'est la première question. Pour abandonner : /annuler.")
		return nil
	}
	r.retire()
	return r.askAt(ctx, p, false)
}

func (r *run) askCancel() error {
	if r.st.Phase == PhaseCancel {
		r.say(fmt.Sprintf("Touchez « %s » ou « %s ».", TextCancelYes, TextCancelNo))
		return nil
	}
	r.st.Resume, r.st.Phase = r.st.Phase, PhaseCancel
	r.retire()
	r.ask(Question{Kind: KindCancel, Text: fmt.Sprintf("Abandonner la saisie « %s » ? Les réponses seront perdues.", r.f.Title.FR), Rows: [][]Button{{
		{TextCancelYes, forms.Data(forms.ActCancel, "1")},
		{TextCancelNo, forms.Data(forms.ActCancel, "0")},
	}}}, false)
	return nil
}

func (r *run) refuseCancel(ctx context.Context) error {
	r.closeQuestion("Saisie poursuivie.")
	resume := r.st.Resume
	r.st.Resume = ""
	if resume == PhaseSummary {
		return r.showSummary(false)
	}
	return r.askAt(ctx, r.st.Pos, false)
}

// ---- summary

func (r *run) pressSummary(ctx context.Context, act string, args []string) error {
	ans := r.st.Answers
	var g *forms.Step
	if len(args) > 0 {
		g = r.f.Step(args[0])
		if g == nil || r.f.Parent(g.ID) != nil || !visible(g, nil, ans) {
			r.markRefused(StaleNotice)
			return nil
		}
	}
	index := func() (int, bool) {
		if len(args) != 2 {
			return 0, false
		}
		i, err := strconv.Atoi(args[1])
		return i, err == nil && i >= 0 && i < len(ans[g.ID].Items)
	}
	backup := func(start Pos, whole bool) *Edit {
		e := &Edit{Start: start, WholeItem: whole, Backup: ans.Clone()}
		if r.st.Person != nil {
			pp := *r.st.Person
			e.Person = &pp
		}
		return e
	}
	switch {
	case act == forms.ActSave && len(args) == 0:
		if u := firstUnanswered(r.f, ans); !u.End() {
			return r.askAt(ctx, u, r.here())
		}
		r.outcome = Save
		return nil
	case act == forms.ActEdit && g != nil && g.Type != forms.TypeGroup && len(args) == 1:
		r.st.Edit = backup(Pos{Step: g.ID}, false)
		return r.askAt(ctx, r.st.Edit.Start, r.here())
	case act == forms.ActEdit && g != nil && g.Type == forms.TypeGroup:
		i := 0
		if len(args) == 2 {
			var ok bool
			if i, ok = index(); !ok {
				break
			}
		}
		sub := firstSub(g, itemAt(ans, g.ID, i), ans)
		if sub == "" {
			break
		}
		r.st.Edit = backup(Pos{Step: g.ID, Item: i, Sub: sub}, true)
		return r.askAt(ctx, r.st.Edit.Start, r.here())
	case act == forms.ActRemove && g != nil && g.Type == forms.TypeGroup:
		i, ok := index()
		v := ans[g.ID]
		if !ok || (len(v.Items) == 1 && g.Required) {
			break
		}
		v.Items = append(v.Items[:i], v.Items[i+1:]...)
		if len(v.Items) == 0 {
			v = Value{Skipped: true}
		}
		ans[g.ID] = v
		return r.showSummary(r.here())
	case act == forms.ActAddItem && g != nil && g.Type == forms.TypeGroup && len(args) == 1:
		n := len(ans[g.ID].Items)
		sub := firstSub(g, nil, ans)
		if n >= g.MaxItems || sub == "" {
			break
		}
		r.st.Edit = backup(Pos{Step: g.ID, Item: n, Sub: sub}, true)
		return r.askAt(ctx, r.st.Edit.Start, r.here())
	}
	r.markRefused(StaleNotice)
	return nil
}
