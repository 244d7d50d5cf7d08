package dialog

import (
	"testing"
	"time"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/forms"
)

// The words on a button are the words of the summary and of every report:
// for each choice of each form, the button the engine shows, the answer
// line and summary the engine writes, and the label reports take from
// internal/codes are one and the same text.
func TestButtonSummaryAndReportSayTheSameWords(t *testing.T) {
	t.Parallel()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range all {
		var walk func(steps []*forms.Step, group *forms.Step)
		walk = func(steps []*forms.Step, group *forms.Step) {
			for _, s := range steps {
				if s.Type == forms.TypeGroup {
					walk(s.Steps, s)
					continue
				}
				if !s.HasChoices() {
					continue
				}
				p := Pos{Step: s.ID}
				if group != nil {
					p = Pos{Step: group.ID, Sub: s.ID}
				}
				r := &run{f: f, st: State{Phase: PhaseAsk, Pos: p, Answers: Answers{}}, in: Input{Now: time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)}, env: &fakeEnv{}}
				_, rows, err := r.question(t.Context(), p)
				if err != nil {
					t.Fatal(err)
				}
				buttons := map[string]string{} // code → button text
				for _, row := range rows {
					for _, b := range row {
						if act, args, ok := forms.ParseData(b.Data); ok && (act == forms.ActChoose || act == forms.ActToggle) && len(args) == 2 {
							buttons[args[1]] = b.Text
						}
					}
				}
				for _, c := range s.Choices {
					button, ok := buttons[c.Code]
					if !ok {
						t.Errorf("%s %s: no button for %s", f.ID, s.ID, c.Code)
						continue
					}
					v := Value{Code: c.Code}
					if s.Type == forms.TypeMulti {
						v = Value{Codes: []string{c.Code}}
					}
					if summary := display(s, v); summary != button {
						t.Errorf("%s %s %s: button %q, summary %q", f.ID, s.ID, c.Code, button, summary)
					}
					if s.ChoicesFrom != "" {
						if report := codes.Lists[s.ChoicesFrom].Label(c.Code); report != button {
							t.Errorf("%s %s %s: button %q, reports %q", f.ID, s.ID, c.Code, button, report)
						}
					}
					checked++
				}
			}
		}
		walk(f.Steps, nil)
	}
	if checked < 80 {
		t.Fatalf("only %d choices checked", checked)
	}
}
