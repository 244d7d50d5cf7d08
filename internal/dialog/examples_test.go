package dialog

import (
	"regexp"
	"testing"
	"time"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/forms"
)

// A date question's example ("par exemple …") must be a date the question
// accepts whatever the day: a mediator who copies it must not be refused.
func TestDateExamplesAreAcceptedEveryDay(t *testing.T) {
	t.Parallel()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	example := regexp.MustCompile(`\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b`)
	var check func(f *forms.Form, steps []*forms.Step)
	check = func(f *forms.Form, steps []*forms.Step) {
		for _, s := range steps {
			check(f, s.Steps)
			if s.Type != forms.TypeDate {
				continue
			}
			for d := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
				examples := example.FindAllString(helpText(s, d), -1)
				if s.Help.FR != "" && len(examples) == 0 {
					t.Fatalf("%s/%s: no example in %q", f.ID, s.ID, helpText(s, d))
				}
				for _, ex := range examples {
					if _, msg := parseDate(ex, d, s); msg != "" {
						t.Fatalf("%s/%s: example %q refused on %s: %s", f.ID, s.ID, ex, d.Format("02/01/2006"), msg)
					}
				}
			}
		}
	}
	for _, f := range all {
		check(f, f.Steps)
	}
}
