package dialog

import (
	"context"
	"fmt"
	"strconv"
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
	rows := [][]Button{{
		{TextStillTrue, forms.Data(forms.ActConfirm, s.ID)},
		{TextModify, forms.Data(forms.ActModify, s.ID)},
	}}
	text += r.openRequestsText()
	return text, append(rows, r.openRequestRows(s)...)
}

// maxOpenShown bounds the open requests shown with a known person's
// situation: three rows of status buttons; /suivis has the others.
const maxOpenShown = 3

// closeChoices are the statuses an open request may take from the sheet of
// the person's next visit (the codes of the catalogue's request statuses).
var closeChoices = []struct{ code, button, label string }{
	{"resolue", "✅ Résolue", "Résolue"},
	{"non_resolue", "❌ Non résolue", "Non résolue"},
	{"abandonnee", "🚫 Abandonnée", "Abandonnée"},
}

func closeLabel(code string) string {
	for _, c := range closeChoices {
		if c.code == code {
			return c.label
		}
	}
	return ""
}

// openShown are the known person's open requests shown with their situation.
func (r *run) openShown() []OpenRequest {
	if r.st.Person == nil {
		return nil
	}
	reqs := r.st.Person.Requests
	return reqs[:min(len(reqs), maxOpenShown)]
}

// openLine is "CSS, depuis le 04/12".
func openLine(o OpenRequest) string {
	return o.Label + ", depuis le " + o.Since.Format("02/01")
}

// openRequestsText tells the known person's open requests below their
// situation, with the status chosen for each, if any.
func (r *run) openRequestsText() string {
	shown := r.openShown()
	chosen := func(o OpenRequest) string {
		if l := closeLabel(r.st.Closes[o.ID]); l != "" {
			return "passera à « " + l + " » avec cette fiche"
		}
		return ""
	}
	switch len(shown) {
	case 0:
		return ""
	case 1:
		end := chosen(shown[0])
		if end == "" {
			end = "si elle a avancé, touchez son statut"
		}
		return "\n\nDemande en cours : " + openLine(shown[0]) + " — " + end + "."
	}
	var sb strings.Builder
	sb.WriteString("\n\nDemandes en cours — si elles ont avancé, touchez leur statut :")
	for i, o := range shown {
		fmt.Fprintf(&sb, "\n%d. %s", i+1, openLine(o))
		if c := chosen(o); c != "" {
			sb.WriteString(" — " + c)
		}
	}
	switch more := len(r.st.Person.Requests) - len(shown); {
	case more == 1:
		sb.WriteString("\n… et 1 autre dans /suivis.")
	case more > 1:
		fmt.Fprintf(&sb, "\n… et %d autres dans /suivis.", more)
	}
	return sb.String()
}

// openRequestRows are one row of status buttons per open request shown; a
// chosen status is marked ✓ and a second tap takes it back.
func (r *run) openRequestRows(s *forms.Step) [][]Button {
	shown := r.openShown()
	var rows [][]Button
	for i, o := range shown {
		var row []Button
		for _, c := range closeChoices {
			label := c.button
			if r.st.Closes[o.ID] == c.code {
				label = "✓ " + c.label
			}
			if len(shown) > 1 {
				label = strconv.Itoa(i+1) + " · " + label
			}
			row = append(row, Button{label, forms.Data(forms.ActClose, s.ID, strconv.FormatInt(o.ID, 10), c.code)})
		}
		rows = append(rows, row)
	}
	return rows
}

// pressClose records (or takes back) the status chosen for one of the
// known person's open requests; only a request shown and a closing status
// are accepted. Nothing is saved until the record is.
func (r *run) pressClose(ctx context.Context, args []string) error {
	if len(args) != 3 || closeLabel(args[2]) == "" {
		r.markRefused(StaleNotice)
		return nil
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	found := false
	for _, o := range r.openShown() {
		found = found || o.ID == id
	}
	if err != nil || !found {
		r.markRefused(StaleNotice)
		return nil
	}
	if r.st.Closes[id] == args[2] {
		delete(r.st.Closes, id)
	} else {
		if r.st.Closes == nil {
			r.st.Closes = map[int64]string{}
		}
		r.st.Closes[id] = args[2]
	}
	return r.show(ctx, true)
}

// closesLine keeps the statuses chosen in the answer line of the situation:
// "\nDemande CSS du 04/12 : Résolue".
func (r *run) closesLine() string {
	var sb strings.Builder
	for _, o := range r.openShown() {
		if l := closeLabel(r.st.Closes[o.ID]); l != "" {
			sb.WriteString("\nDemande " + o.Label + " du " + o.Since.Format("02/01") + " : " + l)
		}
	}
	return sb.String()
}

// confirmSituation answers every step of the situation at once.
func (r *run) confirmSituation(ctx context.Context) error {
	steps := r.situationSteps()
	line := r.situationLine()
	for _, s := range steps {
		v, _ := r.personValue(s, r.st.Person)
		r.st.Answers[s.ID] = valueFor(s, v)
	}
	prune(r.f, r.st.Answers)
	r.closeQuestion(line + " — toujours vrai : Oui" + r.closesLine())
	return r.advance(ctx, Pos{Step: steps[len(steps)-1].ID})
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
func (r *run) recentRows(ctx context.Context, s *forms.Step) ([][]Button, error) {
	people, err := r.env.RecentPeople(ctx)
	if err != nil {
		return nil, fmt.Errorf("recent people: %w", err)
	}
	var rows [][]Button
	for _, pp := range people {
		if _, ok := NormalizeCode(pp.Code); !ok {
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
	return r.showSummary(false)
}
