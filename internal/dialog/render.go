package dialog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/frtext"
)

// Button texts and fixed messages of the engine, exported so the transport
// and its tests can refer to them.
const (
	TextSkip      = "Passer"
	TextValidate  = "Valider"
	TextConfirm   = "✅ Confirmer"
	TextModify    = "Modifier"
	TextNewPerson = "Nouvelle personne"
	TextOldPerson = "Personne déjà suivie"
	TextYes       = "Oui"
	TextNo        = "Non"
	TextSave      = "✅ Enregistrer"
	TextCancelYes = "Oui, abandonner"
	TextCancelNo  = "Non, continuer"
	// StaleNotice refuses a choice that is not the open question's (a
	// button of an old message).
	StaleNotice = "Ce bouton n'est plus actif."
	// UpdatedNotice tells that the form changed while a draft was open.
	UpdatedNotice = "Le formulaire a été mis à jour ; vos réponses compatibles sont conservées."
	// TechnicalTrouble is sent when an Env call fails.
	TechnicalTrouble = "Un problème technique empêche de continuer. Réessayez dans un instant."
)

const (
	selectedMark = "✅ "
	editMark     = "✏️ "
	removeMark   = "🗑 "
	addMark      = "➕ "
	emptyAnswer  = "—"
)

// display renders an answer for people: labels, not codes.
func display(s *forms.Step, v Value) string {
	if v.Skipped {
		return emptyAnswer
	}
	switch s.Type {
	case forms.TypeChoice, forms.TypeYesNo:
		if c, ok := s.Choice(v.Code); ok {
			return c.Label.FR
		}
		return v.Code
	case forms.TypeMulti:
		if len(v.Codes) == 0 {
			return emptyAnswer
		}
		var labels []string
		for _, code := range v.Codes {
			if c, ok := s.Choice(code); ok {
				labels = append(labels, c.Label.FR)
			} else {
				labels = append(labels, code)
			}
		}
		return strings.Join(labels, ", ")
	case forms.TypeInteger:
		n, err := strconv.Atoi(v.Code)
		if err == nil && s.Unit.FR != "" && fold(s.Unit.FR) != fold(s.Label.FR) { // not "Participants : 12 participants"
			return withUnit(s, n)
		}
		return v.Code
	case forms.TypeDate:
		if d, err := time.Parse(time.DateOnly, v.Code); err == nil {
			return frDate(d)
		}
		return v.Code
	case forms.TypeText:
		return v.Text
	case forms.TypeBeneficiary:
		if v.New {
			return v.Code + " (nouvelle personne)"
		}
		return v.Code
	case forms.TypeGroup:
		return strconv.Itoa(len(v.Items))
	case forms.TypeRecord:
		if v.Code == forms.OtherCode {
			return s.Other.FR
		}
		return v.Text
	}
	return v.Code
}

// withUnit is a count with its step's unit, agreed: « 1 an », « 34 ans ».
func withUnit(s *forms.Step, n int) string {
	if s.Unit.FR == "" {
		return frtext.Number(n)
	}
	return frtext.Plural(n, s.UnitOne, s.Unit.FR)
}

// prefix names the group item a question belongs to ("Demande 2 — ").
func (r *run) prefix(p Pos) string {
	if p.Sub == "" && !p.More {
		return ""
	}
	g := r.f.Step(p.Step)
	return fmt.Sprintf("%s %d — ", g.Item.FR, p.Item+1)
}

// answerLine is what a question message becomes once answered ("Sexe : Femme").
func (r *run) answerLine(p Pos, v Value) string {
	if p.More {
		g := r.f.Step(p.Step)
		a := TextNo
		if v.Code == "oui" {
			a = TextYes
		}
		return g.More.FR + " " + a
	}
	s := r.stepAt(p)
	return r.prefix(p) + s.Label.FR + " : " + display(s, v)
}

// stepAt is the step asked at p (nil for the end or the "add another?").
func (r *run) stepAt(p Pos) *forms.Step {
	if p.End() || p.More {
		return nil
	}
	if p.Sub != "" {
		return r.f.Step(p.Sub)
	}
	return r.f.Step(p.Step)
}

// currentID is the step id that buttons of the open question carry.
func (r *run) currentID() string {
	if r.st.Pos.Sub != "" {
		return r.st.Pos.Sub
	}
	return r.st.Pos.Step
}

func (r *run) answerAt(p Pos) (Value, bool) {
	if p.Sub != "" {
		v, ok := itemAt(r.st.Answers, p.Step, p.Item)[p.Sub]
		return v, ok
	}
	v, ok := r.st.Answers[p.Step]
	return v, ok
}

// skippable tells whether the open question has "Passer", and whether
// passing skips the whole group.
func (r *run) skippable(p Pos) (ok, wholeGroup bool) {
	s := r.stepAt(p)
	if s == nil {
		return false, false
	}
	if !s.Required {
		return true, false
	}
	if p.Sub != "" && p.Item == 0 {
		g := r.f.Step(p.Step)
		if !g.Required && firstSub(g, itemAt(r.st.Answers, g.ID, 0), r.st.Answers) == p.Sub {
			return true, true
		}
	}
	return false, false
}

func layout(buttons []Button, columns int) [][]Button {
	if columns == 0 {
		longest := 0
		for _, b := range buttons {
			if n := len([]rune(b.Text)); n > longest {
				longest = n
			}
		}
		switch {
		case longest <= 12:
			columns = 3
		case longest <= 22:
			columns = 2
		default:
			columns = 1
		}
	}
	var rows [][]Button
	for i := 0; i < len(buttons); i += columns {
		end := min(i+columns, len(buttons))
		rows = append(rows, append([]Button{}, buttons[i:end]...))
	}
	return rows
}

// question renders the open question at p for the current mode.
func (r *run) question(ctx context.Context, p Pos) (string, [][]Button, error) {
	pre := r.prefix(p)
	if p.More {
		g := r.f.Step(p.Step)
		return g.More.FR, [][]Button{{
			{TextYes, forms.Data(forms.ActMore, g.ID, "1")},
			{TextNo, forms.Data(forms.ActMore, g.ID, "0")},
		}}, nil
	}
	s := r.stepAt(p)
	switch r.st.Mode {
	case ModeSituation:
		text, rows := r.situationQuestion(s)
		return text, rows, nil
	case ModePrefill:
		note := "\n(valeur proposée)"
		if forms.IsPersonPrefill(s.Prefill) {
			note = "\n(déjà connu pour cette personne)"
		}
		text := pre + s.Label.FR + " : " + display(s, r.proposedValue(s)) + note
		return text, [][]Button{{
			{TextConfirm, forms.Data(forms.ActConfirm, s.ID)},
			{TextModify, forms.Data(forms.ActModify, s.ID)},
		}}, nil
	case ModeLookup:
		if r.st.Search != "" {
			return r.searchQuestion(ctx, s)
		}
		rows, err := r.recentRows(ctx, s)
		if err != nil {
			return "", nil, err
		}
		text := "Personne déjà suivie : touchez son code, ou écrivez-le (ou son début)."
		if len(rows) == 0 {
			text = "Personne déjà suivie : écrivez son code (6 caractères, par exemple K7M2QX)."
		}
		rows = append(rows, []Button{{TextNewPerson, forms.Data(forms.ActNewPerson, s.ID)}})
		return text, rows, nil
	}

	var b strings.Builder
	b.WriteString(pre)
	b.WriteString(s.QuestionText())
	if help := helpText(s, r.in.Now); help != "" {
		b.WriteString("\n")
		b.WriteString(help)
	}
	if v, ok := r.answerAt(p); ok && s.Type != forms.TypeMulti {
		b.WriteString("\nRéponse actuelle : " + display(s, v))
	}
	var buttons []Button
	var rows [][]Button
	switch s.Type {
	case forms.TypeChoice, forms.TypeYesNo:
		for _, c := range s.Choices {
			buttons = append(buttons, Button{c.Label.FR, forms.Data(forms.ActChoose, s.ID, c.Code)})
		}
		rows = layout(buttons, s.Columns)
	case forms.TypeMulti:
		for _, c := range s.Choices {
			t := c.Label.FR
			if contains(r.st.Pending, c.Code) {
				t = selectedMark + t
			}
			buttons = append(buttons, Button{t, forms.Data(forms.ActToggle, s.ID, c.Code)})
		}
		rows = layout(buttons, s.Columns)
		rows = append(rows, []Button{{TextValidate, forms.Data(forms.ActValidate, s.ID)}})
	case forms.TypeDate:
		for _, q := range s.Quick {
			buttons = append(buttons, Button{forms.QuickLabels[q], forms.Data(forms.ActQuickDate, s.ID, q)})
		}
		rows = layout(buttons, 0)
	case forms.TypeBeneficiary:
		var err error
		if rows, err = r.recentRows(ctx, s); err != nil {
			return "", nil, err
		}
		rows = append(rows, []Button{{TextNewPerson, forms.Data(forms.ActNewPerson, s.ID)}},
			[]Button{{TextOldPerson, forms.Data(forms.ActOldPerson, s.ID)}})
	case forms.TypeRecord:
		var err error
		if rows, err = r.recordQuestion(ctx, s, &b); err != nil {
			return "", nil, err
		}
	}
	if ok, _ := r.skippable(p); ok {
		rows = append(rows, []Button{{TextSkip, forms.Data(forms.ActSkip, s.ID)}})
		if r.restSkippable(p) {
			rows = append(rows, []Button{{TextSkipRest, forms.Data(forms.ActSkip, s.ID, skipRest)}})
		}
	}
	return b.String(), rows, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// personButton describes a recent person without identifying them:
// "7K9JTG · F · 52 ans · vue le 12/11 · CSS en cours".
func (r *run) personButton(p Person) string {
	parts := []string{p.Code}
	for _, s := range r.f.Steps {
		if s.Prefill == "" {
			continue
		}
		v, ok := r.personValue(s, &p)
		if !ok {
			continue
		}
		switch s.Prefill {
		case "sex":
			parts = append(parts, v)
		case "age":
			parts = append(parts, display(s, Value{Code: v}))
		}
	}
	if !p.LastSeen.IsZero() {
		parts = append(parts, "vue le "+p.LastSeen.Format("02/01"))
	}
	switch len(p.Open) {
	case 0:
	case 1:
		parts = append(parts, p.Open[0]+" en cours")
	default:
		parts = append(parts, fmt.Sprintf("%s +%d en cours", p.Open[0], len(p.Open)-1))
	}
	return strings.Join(parts, " · ")
}

// summary renders the list of answers with their "Modifier" buttons.
func (r *run) summary() (string, [][]Button) {
	ans := r.st.Answers
	var b strings.Builder
	b.WriteString("Récapitulatif — " + r.f.Title.FR)
	var edits []Button
	var rows [][]Button
	flush := func() {
		rows = append(rows, layout(edits, 2)...)
		edits = nil
	}
	for _, s := range r.f.Steps {
		if !visible(s, nil, ans) {
			continue
		}
		v, ok := ans[s.ID]
		if s.Type != forms.TypeGroup {
			line := emptyAnswer
			if ok {
				line = display(s, v)
			}
			b.WriteString("\n" + s.Label.FR + " : " + line)
			edits = append(edits, Button{editMark + s.Label.FR, forms.Data(forms.ActEdit, s.ID)})
			continue
		}
		flush()
		if v.Skipped || len(v.Items) == 0 {
			b.WriteString("\n" + s.Label.FR + " : " + emptyAnswer)
			rows = append(rows, []Button{{editMark + s.Label.FR, forms.Data(forms.ActEdit, s.ID)}})
			continue
		}
		for i, item := range v.Items {
			name := fmt.Sprintf("%s %d", s.Item.FR, i+1)
			b.WriteString("\n" + name + " : " + r.itemLine(s, item))
			row := []Button{{editMark + name, forms.Data(forms.ActEdit, s.ID, strconv.Itoa(i))}}
			if len(v.Items) > 1 || !s.Required {
				row = append(row, Button{removeMark + name, forms.Data(forms.ActRemove, s.ID, strconv.Itoa(i))})
			}
			rows = append(rows, row)
		}
		if len(v.Items) < s.MaxItems {
			rows = append(rows, []Button{{addMark + s.Item.FR, forms.Data(forms.ActAddItem, s.ID)}})
		}
	}
	flush()
	b.WriteString(r.closesLine()) // the known person's earlier requests, saved with it
	b.WriteString("\n\nTout est correct ? Touchez « Enregistrer ».")
	rows = append(rows, []Button{{TextSave, forms.Data(forms.ActSave)}})
	return b.String(), rows
}

// itemLine summarises a group item: choices by their label, other answers
// as "Label : value".
func (r *run) itemLine(g *forms.Step, item Answers) string {
	var parts []string
	for _, sub := range g.Steps {
		v, ok := item[sub.ID]
		if !ok || !visible(sub, item, r.st.Answers) {
			continue
		}
		switch {
		case v.Skipped:
			continue
		case sub.Type == forms.TypeChoice || sub.Type == forms.TypeMulti:
			parts = append(parts, display(sub, v))
		default:
			parts = append(parts, sub.Label.FR+" : "+display(sub, v))
		}
	}
	return strings.Join(parts, " · ")
}

// stepQuestion is the open step's question with its text and choices.
func (r *run) stepQuestion(text string, rows [][]Button) Question {
	s := r.stepAt(r.st.Pos)
	multi := s != nil && s.Type == forms.TypeMulti && r.st.Mode == ModeNormal
	number := s != nil && s.Type == forms.TypeInteger && !r.st.Pos.More && (r.st.Mode == ModeNormal || r.st.Mode == ModePrefill)
	return Question{Kind: KindStep, Text: text, Rows: rows, Multi: multi, Number: number}
}
