package bot_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/telegramtest"
)

var update = flag.Bool("update", false, "rewrite the golden conversations under testdata/conversations")

// turn is one input of a scripted conversation: a typed text or a pressed
// button, and a piece of the bot's answer to wait for.
type turn struct {
	send, press, expect string
}

// newCode finds the code given to a new person, random in each run:
// transcripts show it as ######.
var newCode = regexp.MustCompile(`Code de la personne : ([A-Z0-9]{4,8})\b`)

func maskCodes(s string) string {
	for _, m := range newCode.FindAllStringSubmatch(s, -1) {
		s = strings.ReplaceAll(s, m[1], "######")
	}
	return s
}

// transcript plays turns and writes down, after each input, the bot's
// message that answered it (its text and its keyboard), preceded by any
// other message the bot sent before it in answer to the same input (the
// intro of /bilan).
func transcript(t *testing.T, u *telegramtest.User, turns []turn) string {
	t.Helper()
	var b strings.Builder
	write := func(m telegramtest.Message) {
		b.WriteString(m.Text + "\n")
		for _, row := range m.Buttons {
			var labels []string
			for _, btn := range row {
				labels = append(labels, btn.Text)
			}
			b.WriteString("  [" + strings.Join(labels, " | ") + "]\n")
		}
	}
	seen := 0 // the newest message written down (or sent before the first input)
	for _, m := range u.Messages() {
		seen = max(seen, m.ID)
	}
	for _, tr := range turns {
		if tr.send != "" {
			fmt.Fprintf(&b, "> %s\n", tr.send)
			u.Send(tr.send)
		} else {
			fmt.Fprintf(&b, "> [%s]\n", tr.press)
			u.Press(tr.press)
		}
		m := u.Expect(tr.expect)
		for _, before := range u.Messages() {
			if before.FromBot && !before.Deleted && before.ID > seen && before.ID < m.ID {
				write(before)
				b.WriteString("\n")
			}
		}
		write(m)
		b.WriteString("\n")
		seen = max(seen, m.ID)
	}
	return maskCodes(b.String())
}

// Each form's whole conversation (fiche, action, bilan, partenaire) is a transcript under
// testdata/conversations, reviewed as a diff: `go test ./internal/bot -run
// TestGoldenConversations -update` rewrites them after a deliberate change
// (a label, a question); the hand-written tests keep asserting behaviour.
func TestGoldenConversations(t *testing.T) {
	for _, c := range []struct {
		name  string
		turns []turn
	}{
		{"fiche", []turn{
			{send: "/fiche", expect: "Date de l'accompagnement ?"},
			{press: "Aujourd'hui", expect: "Personne accompagnée ?"},
			{press: "Nouvelle personne", expect: "Sexe de la personne ?"},
			{press: "Femme", expect: "Âge de la personne (en années) ?"},
			{send: "34", expect: "quartier prioritaire (QPV) ?"},
			{press: "Oui", expect: "Principale ressource de la personne ?"},
			{press: "RSA", expect: "Comment la personne a-t-elle connu"},
			{press: "Aller vers", expect: "Niveau d'intervention ?"},
			{press: "Accompagné", expect: "acteurs de la protection sociale"},
			{press: "Oui", expect: "Accès aux droits ou accès aux soins ?"},
			{press: "Accès aux droits", expect: "Quelle demande d'accès aux droits ?"},
			{press: "Complémentaire Santé Solidaire", expect: "Où en est la demande ?"},
			{press: "En cours", expect: "Quand faire le point sur cette demande ?"},
			{press: "Dans 1 semaine", expect: "Ajouter une autre demande"},
			{press: "Non", expect: "Freins rencontrés ?"},
			{press: "Mobilité", expect: "Freins rencontrés ?"},
			{press: "Valider", expect: "Une note ?"},
			{send: "Orientée vers la PMI du quartier.", expect: "Récapitulatif"},
			{press: "✅ Enregistrer", expect: "enregistrée"},
		}},
		{"action", []turn{
			{send: "/action", expect: "Date de l'action"},
			{send: "12/11/2026", expect: "votre rôle"},
			{press: "Participation", expect: "Pour quel public"},
			{press: "Grand public", expect: "Thèmes de l'action"},
			{press: "Vaccination", expect: "Thèmes de l'action"},
			{press: "Valider", expect: "Combien de participants"},
			{send: "40", expect: "intitulé court"},
			{press: "Passer", expect: "Récapitulatif"},
			{press: "✅ Enregistrer", expect: "Action n°"},
		}},
		{"bilan", []turn{
			{send: "/bilan", expect: "est-il identifié"},
			{press: "Oui", expect: "connues de vos partenaires"},
			{press: "Non", expect: "partenariat avec la CPAM"},
			{press: "Oui", expect: "instances partenariales"},
			{press: "Oui", expect: "Combien de partenaires sanitaires"},
			{send: "2", expect: "Combien de partenaires du champ social"},
			{send: "4", expect: "Combien de partenaires médico-sociaux"},
			{send: "0", expect: "informées, orientées ou accompagnées"},
			{send: "154", expect: "habitent en quartier prioritaire"},
			{send: "108", expect: "pour l'accès aux droits"},
			{send: "78", expect: "pour l'accès aux soins"},
			{send: "46", expect: "acteurs de la protection sociale"},
			{send: "52", expect: "Quels types de partenaires et de publics"},
			{press: "Habitants", expect: "Quels types de partenaires et de publics"},
			{press: "Valider", expect: "facilité votre travail"},
			{send: "Le soutien de la coordinatrice du CLS.", expect: "freiné votre travail"},
			{send: "Les délais de rendez-vous chez les spécialistes.", expect: "faudrait-il améliorer"},
			{send: "Un local pour les permanences.", expect: "Besoins de santé constatés"},
			{press: "Santé mentale", expect: "Besoins de santé constatés"},
			{press: "Valider", expect: "Freins à l'accès à la santé constatés"},
			{press: "Passer", expect: "projet professionnel"},
			{press: "Oui", expect: "suivi une formation"},
			{press: "Non", expect: "Récapitulatif"},
			{press: "✅ Enregistrer", expect: "Bilan 2026 enregistré"},
		}},
		{"partenaire", []turn{
			{send: "/partenaires", expect: "aucun partenaire"},
			{press: "Ajouter un partenaire", expect: "Nom du partenaire"},
			{send: "CPAM de l'Artois", expect: "Catégorie du partenaire"},
			{press: "Sanitaire", expect: "Type de partenaire"},
			{press: "CPAM", expect: "Récapitulatif"},
			{press: "✅ Enregistrer", expect: "Partenaire enregistré"},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			u := h.mediator(7900, "Awa", "59")
			got := transcript(t, u, c.turns)
			path := filepath.Join("testdata", "conversations", c.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("the %s conversation changed from %s; if on purpose, run go test ./internal/bot -run TestGoldenConversations -update and review the diff.\n%s",
					c.name, path, firstDifference(string(want), got))
			}
		})
	}
}

// firstDifference names the first line where two transcripts part, so a
// changed label reads as one line in the test's output too.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return "same lines"
}
