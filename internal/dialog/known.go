package dialog

import (
	"fmt"
	"strings"

	"github.com/relais-sante/relais/internal/forms"
)

// A person already followed: their last situation (sex, age, QPV,
// resources) is shown in one message and confirmed with one tap; how they
// first met the mediator does not change and is never asked again.

// ModeSituation proposes the known person's whole last situation at the
// first of their steps, for one confirmation.
const ModeSituation Mode = "situation"

// TextStillTrue confirms a known person's last situation.
const TextStillTrue = "✅ Toujours vrai"

// contactPrefill is the prefill key of how the person first met the mediator.
const contactPrefill = "contact_mode"

// situationSteps are the person's steps whose known value is proposed
// together, in form order (how they first met is not one: it never changes).
func (r *run) situationSteps() []*forms.Step {
	var out []*forms.Step
	for _, s := range r.f.Steps {
		if forms.IsPersonPrefill(s.Prefill) && s.Prefill != contactPrefill && visible(s, nil, r.st.Answers) {
			out = append(out, s)
		}
	}
	return out
}

// situationAt tells whether the whole situation can be proposed at p: p is
// the first of the person's steps, none is answered, every value is known.
func (r *run) situationAt(p Pos) bool {
	steps := r.situationSteps()
	if r.st.Person == nil || r.st.Edit != nil || len(steps) < 2 || p.Sub != "" || p.Step != steps[0].ID {
		return false
	}
	for _, s := range steps {
		if _, ok := r.st.Answers[s.ID]; ok {
			return false
		}
		if _, ok := r.personValue(s, r.st.Person); !ok {
			return false
		}
	}
	return true
}

// situationLine is "Femme · 52 ans · QPV · RSA".
func (r *run) situationLine() string {
	var parts []string
	for _, s := range r.situationSteps() {
		v, _ := r.personValue(s, r.st.Person)
		switch {
		case s.Prefill == "qpv" && v == "oui":
			parts = append(parts, "QPV")
		case s.Prefill == "qpv" && v == "non":
			parts = append(parts, "hors QPV")
		case s.Prefill == "qpv":
			parts = append(parts, "QPV : ne sait pas")
		default:
			parts = append(parts, display(s, valueFor(s, v)))
		}
	}
	return strings.Join(parts, " · ")
}

func (r *run) situationQuestion(s *forms.Step) (string, [][]Button) {
	text := "Dernière situation connue"
	if p := r.st.Person; p != nil && !p.LastSeen.IsZero() {
		text += " (vue le " + p.LastSeen.Format("02/01") + ")"
	}
	text += " :\n" + r.situationLine() + " — toujours vrai ?"
	return text, [][]Button{{
		{TextStillTrue, forms.Data(forms.ActConfirm, s.ID)},
		{TextModify, forms.Data(forms.ActModify, s.ID)},
	}}
}

// confirmSituation answers every step of the situation at once.
func (r *run) confirmSituation() error {
	steps := r.situationSteps()
	line := r.situationLine()
	for _, s := range steps {
		v, _ := r.personValue(s, r.st.Person)
		r.st.Answers[s.ID] = valueFor(s, v)
	}
	prune(r.f, r.st.Answers)
	r.closeQuestion(line + " — toujours vrai : Oui")
	return r.advance(Pos{Step: steps[len(steps)-1].ID})
}

// knownContact is how a known person first met the mediator, answered
// without asking (only when nothing was answered there yet, and not while
// editing from the summary, where the mediator chose to change it).
func (r *run) knownContact(s *forms.Step, p Pos) (Value, bool) {
	if s.Prefill != contactPrefill || r.st.Person == nil || r.st.Edit != nil || p.Sub != "" {
		return Value{}, false
	}
	if _, answered := r.st.Answers[s.ID]; answered {
		return Value{}, false
	}
	v := Value{Code: r.st.Person.ContactMode}
	if v.Code == "" || !validValue(s, v) {
		return Value{}, false
	}
	return v, true
}

// recentRows are the mediator's recent people, one button each, so a
// person seen before is picked in one tap.
func (r *run) recentRows(s *forms.Step) ([][]Button, error) {
	people, err := r.env.RecentPeople()
	if err != nil {
		return nil, fmt.Errorf("recent people: %w", err)
	}
	var rows [][]Button
	for _, pp := range people {
		if _, ok := normalizeCode(pp.Code); !ok {
			continue
		}
		rows = append(rows, []Button{{r.personButton(pp), forms.Data(forms.ActPick, s.ID, pp.Code)}})
	}
	return rows, nil
}

// TextSkipRest skips the open question and the optional ones after it.
const TextSkipRest = "⏩ Passer, aller au récapitulatif"

// skipRest is the argument of the skip button that goes to the summary.
const skipRest = "fin"

// restSkippable tells whether the open top-level question and every
// visible one after it are optional (obstacles then note): one tap then
// leads to the summary. The last question has its "Passer" for that.
func (r *run) restSkippable(p Pos) bool {
	if p.Sub != "" || p.More || r.st.Edit != nil {
		return false
	}
	i := topIndex(r.f, p.Step)
	if i < 0 || i == len(r.f.Steps)-1 {
		return false
	}
	later := 0
	for _, s := range r.f.Steps[i:] {
		if !visible(s, nil, r.st.Answers) {
			continue
		}
		if s.Required {
			return false
		}
		later++
	}
	return later > 1
}

// skipToSummary passes the open question and the optional ones after it
// that have no answer yet.
func (r *run) skipToSummary() error {
	i := topIndex(r.f, r.st.Pos.Step)
	s := r.f.Steps[i]
	r.closeQuestion(s.Label.FR + " : " + emptyAnswer)
	for _, s := range r.f.Steps[i:] {
		if _, ok := r.st.Answers[s.ID]; !ok && visible(s, nil, r.st.Answers) {
			r.st.Answers[s.ID] = Value{Skipped: true}
		}
	}
	r.st.Answers[s.ID] = Value{Skipped: true}
	return r.showSummary(0)
}
