package dialog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/relais-sante/relais/internal/forms"
)

// Record is one of the user's own records offered by a record step (e.g. a
// registered partner): its id goes in the answer, its label is shown.
type Record struct {
	ID    int64
	Label string
}

// Lister may be implemented by an Env to list the user's records of a
// source (forms.RecordSources), most relevant first. Without it a record
// step only offers its "other" button.
type Lister interface {
	Records(ctx context.Context, source string) ([]Record, error)
}

// maxRecordButtons keeps a record question on one phone screen; the others
// are found by typing part of their name.
const maxRecordButtons = 8

func (r *run) records(ctx context.Context, s *forms.Step) ([]Record, error) {
	l, ok := r.env.(Lister)
	if !ok {
		return nil, nil
	}
	rs, err := l.Records(ctx, s.Source)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", s.Source, err)
	}
	return rs, nil
}

// recordQuestion adds the record buttons (and the "other" one) to a question.
func (r *run) recordQuestion(ctx context.Context, s *forms.Step, b *strings.Builder) ([][]Button, error) {
	rs, err := r.records(ctx, s)
	if err != nil {
		return nil, err
	}
	var buttons []Button
	for i, rec := range rs {
		if i == maxRecordButtons {
			b.WriteString("\nÉcrivez une partie du nom pour en trouver un autre de votre liste.")
			break
		}
		buttons = append(buttons, Button{rec.Label, forms.Data(forms.ActChoose, s.ID, strconv.FormatInt(rec.ID, 10))})
	}
	if len(rs) == 0 && s.None.FR != "" {
		b.WriteString("\n" + s.None.FR)
	}
	columns := s.Columns
	if columns == 0 {
		columns = 1
	}
	rows := layout(buttons, columns)
	return append(rows, []Button{{s.Other.FR, forms.Data(forms.ActChoose, s.ID, forms.OtherCode)}}), nil
}

// pressRecord answers a record step with the pressed record, or "other".
func (r *run) pressRecord(ctx context.Context, s *forms.Step, arg string) error {
	if arg == forms.OtherCode {
		return r.answer(ctx, Value{Code: forms.OtherCode})
	}
	rs, err := r.records(ctx, s)
	if err != nil {
		return err
	}
	for _, rec := range rs {
		if strconv.FormatInt(rec.ID, 10) == arg {
			return r.answer(ctx, recordValue(rec))
		}
	}
	r.markRefused("Ce choix n'est plus dans votre liste.")
	return nil
}

// typedRecord finds the record a typed text names: the same name, or else
// the only one that contains it.
func (r *run) typedRecord(ctx context.Context, s *forms.Step, text string) error {
	t := fold(text)
	if t == forms.OtherCode || t == fold(s.Other.FR) {
		return r.answer(ctx, Value{Code: forms.OtherCode})
	}
	rs, err := r.records(ctx, s)
	if err != nil {
		return err
	}
	var found []Record
	for _, rec := range rs {
		name := fold(rec.Label)
		if name == t {
			return r.answer(ctx, recordValue(rec))
		}
		if strings.Contains(name, t) {
			found = append(found, rec)
		}
	}
	switch len(found) {
	case 1:
		return r.answer(ctx, recordValue(found[0]))
	case 0:
		return r.invalid(ctx, fmt.Sprintf("Aucun nom de votre liste ne contient « %s ». Touchez un bouton, ou « %s ».", text, s.Other.FR))
	}
	var names []string
	for i, rec := range found {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, rec.Label)
	}
	return r.invalid(ctx, fmt.Sprintf("Plusieurs noms contiennent « %s » : %s. Écrivez un nom plus précis, ou touchez un bouton.", text, strings.Join(names, ", ")))
}

func recordValue(rec Record) Value {
	return Value{Code: strconv.FormatInt(rec.ID, 10), Text: rec.Label}
}
