package export_test

import (
	"testing"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/trackingcsv"
)

// One vocabulary: a file's column is named as the form step a mediator
// answered, and the review's yes/no questions read in the report as in the
// form; a category's label comes from internal/codes for both (forms load
// choices_from lists from there).
func TestFilesAndReportsUseTheFormsWords(t *testing.T) {
	t.Parallel()
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	fiche, bilan := fs["fiche"], fs["bilan"]
	if fiche == nil || bilan == nil {
		t.Fatal("fiche or bilan form missing")
	}
	step := map[string]string{ // tracking column → step of fiche.yaml
		"date": "date", "sex": "sex", "age": "age", "qpv": "qpv", "resources": "resources", "contact_mode": "contact_mode",
		"level": "level", "social_protection": "social_protection", "request_kind": "kind", "status": "status",
		"follow_up": "follow_up", "obstacles": "obstacles",
	}
	for i, col := range trackingcsv.Header {
		id, ok := step[col]
		if !ok {
			continue
		}
		s := fiche.Step(id)
		if s == nil {
			t.Errorf("fiche has no step %q", id)
			continue
		}
		if export.HumanHeader[i] != s.Label.FR {
			t.Errorf("column %s is headed %q, the form asks %q", col, export.HumanHeader[i], s.Label.FR)
		}
	}
	for _, q := range indicators.ReviewQuestions {
		s := bilan.Step(q.Code)
		if s == nil {
			t.Errorf("bilan has no step %q", q.Code)
			continue
		}
		if s.Label.FR != q.Label {
			t.Errorf("review question %s: the report says %q, the form %q", q.Code, q.Label, s.Label.FR)
		}
	}
}
