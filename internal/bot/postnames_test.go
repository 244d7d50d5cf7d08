package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
)

// A post's identifier (« M-RXA6XF ») says nothing to people and leaves the
// bot nowhere: a mediator's own figures and charts, a coordinator's
// /equipe and /activite name the mediator by her name.
func TestPostIdentifierNeverLeavesTheBot(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(5701, "Awa", "59")
	ident := h.identifier(5701)
	h.saveSheet(5701, "p1", "7K9JTG", date(2026, 11, 20), store.Request{Kind: "droits", Type: "css", Status: "resolue"})
	h.saveSheet(5701, "p2", "8NYERC", date(2026, 11, 21), store.Request{Kind: "soins", Type: "depistage", Status: "en_cours"})

	awa.Send("/meschiffres")
	awa.Expect("Mes chiffres : quelle période ?")
	awa.Press("Ce mois")
	awa.Expect("Vos chiffres")

	ccas := h.coordinator(5710, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
	ccas.Send("/equipe")
	ccas.Expect("1. Awa — médiateur santé, CCAS Roubaix, Nord")
	ccas.Send("/activite")
	ccas.Expect("- Awa : 2 fiches · dernière fiche le 21/11/2026")

	for _, u := range []string{"awa", "ccas"} {
		msgs := awa.Messages()
		if u == "ccas" {
			msgs = ccas.Messages()
		}
		for _, m := range msgs {
			if strings.Contains(m.Text, ident) || m.Document != nil && strings.Contains(m.Document.Name, strings.ToLower(ident)) {
				t.Errorf("%s's chat shows the post identifier %s: %q", u, ident, m.Text)
			}
		}
	}
}
