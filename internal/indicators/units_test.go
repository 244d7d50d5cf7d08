package indicators_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/indicators"
)

// unitWord names what a figure counts.
var unitWord = regexp.MustCompile(`(?i)\b(fiches?|demandes?|personnes?|médiateurs?|mentions?|actions?|bilans?|postes?)\b`)

// mustNameUnits checks every message of a figures result (key figures and
// each section): a line with a share names what it counts (fiches,
// demandes, personnes distinctes…), or is a "- " item under a line that
// does, or is a row under a heading (without figures) that does; so a count of people never sits beside a share of sheets unnamed.
func mustNameUnits(t *testing.T, r *indicators.Report) {
	t.Helper()
	texts := []string{r.Summary()}
	for _, s := range indicators.AllSections {
		texts = append(texts, r.SectionText(s))
	}
	for _, text := range texts {
		for _, block := range strings.Split(text, "\n\n") {
			lines := strings.Split(block, "\n")
			for i, line := range lines {
				if !strings.Contains(line, "%") || unitWord.MatchString(line) {
					continue
				}
				head := lines[0]
				if i > 0 && unitWord.MatchString(head) && (strings.HasPrefix(line, "- ") || !strings.ContainsAny(head, "0123456789")) {
					continue // an item of a list, or a row of a table, under the line naming the unit
				}
				t.Errorf("a share without its unit: %q in\n%s", line, block)
			}
		}
	}
	// People are counted as distinct people, never as a bare "personnes : n".
	for _, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "Personnes : ") {
				t.Errorf("people without « distinctes »: %q", line)
			}
		}
	}
}
