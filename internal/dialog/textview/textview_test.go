package textview_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/dialog/textview"
	"github.com/relais-sante/relais/internal/forms"
)

// people hands out one new person's code; nobody is followed yet.
type people struct{}

func (people) NewPersonCode(context.Context) (string, error)                      { return "K7M2QX", nil }
func (people) RecentPeople(context.Context) ([]dialog.Person, error)              { return nil, nil }
func (people) SearchPeople(context.Context, string, int) ([]dialog.Person, error) { return nil, nil }
func (people) FindPerson(context.Context, string) (dialog.Person, bool, error) {
	return dialog.Person{}, false, nil
}

var now = time.Date(2026, 3, 12, 10, 30, 0, 0, time.FixedZone("Europe/Paris", 3600))

// conversation plays the fiche form as a transport without buttons does:
// each typed text is read against the open question, and what it names
// is given to the engine as the data a button would carry.
type conversation struct {
	t  *testing.T
	f  *forms.Form
	st dialog.State
	q  dialog.Question

	outcome dialog.Outcome
}

func start(t *testing.T) *conversation {
	t.Helper()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	c := &conversation{t: t, f: all["fiche"]}
	res, err := dialog.Start(c.t.Context(), c.f, "sheet-1", dialog.Input{Now: now}, people{})
	c.take(res, err)
	return c
}

func (c *conversation) take(res dialog.Result, err error) {
	c.t.Helper()
	if err != nil || res.Notice != "" {
		c.t.Fatalf("step: %v %q", err, res.Notice)
	}
	c.st, c.outcome = res.State, res.Outcome
	for _, e := range res.Events {
		if a, ok := e.(dialog.Asked); ok {
			c.q = a.Question
		}
	}
}

// typed gives text to the open question: the choices it names, one after
// the other, or the text itself when it names none.
func (c *conversation) typed(text string) {
	c.t.Helper()
	data, ok := textview.Read(c.q, text)
	if !ok {
		res, err := dialog.Step(c.t.Context(), c.f, c.st, dialog.Input{Text: text, Now: now}, people{})
		c.take(res, err)
		return
	}
	for _, d := range data {
		res, err := dialog.Step(c.t.Context(), c.f, c.st, dialog.Input{Data: d, Now: now}, people{})
		c.take(res, err)
	}
}

// Each question of a sheet is shown with its choices numbered from 1, the
// same labels as Telegram's buttons, control choices (« Passer »,
// « Valider », « Nouvelle personne »…) numbered with the others; a number
// or a label (any case, no accents, no leading emoji) answers it, several
// numbers at a multiple choice, up to the record saved.
func TestAWholeSheetByNumbersAndLabels(t *testing.T) {
	c := start(t)
	turns := []struct {
		shown string // the question as shown ("": not read here)
		typed string // what the mediator types
	}{
		{"Date de l'accompagnement ?\nTouchez un bouton ou écrivez la date, par exemple 10/3 ou 10/03/2026.\nÀ tout moment : retour · passer · annuler · aide.\n\n1. Aujourd'hui\n2. Hier", "1"},
		{"Personne accompagnée ?\nAucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).\nÀ tout moment : retour · passer · annuler · aide.\n\n1. Nouvelle personne\n2. Personne déjà suivie", "nouvelle personne"},
		{"Sexe de la personne ?\n\n1. Femme\n2. Homme\n3. Non binaire", "FEMME"},
		{"Âge de la personne (en années) ?", "34"},
		{"La personne habite-t-elle un quartier prioritaire (QPV) ?\n\n1. Oui\n2. Non\n3. Ne sait pas", "3"},
		{"", "rsa"},
		{"", "1"},
		{"", "accompagné"},
		{"", "non"},
		{"", "accès aux soins"},
		{"", "1"},
		{"", "résolue"},
		{"", "non"},
		{"Freins rencontrés ? Touchez-en un ou plusieurs, puis « Valider ».\n\n1. Complexité des démarches administratives\n2. Mobilité\n3. Manque d'info sur les dispositifs\n4. Non connaissance des droits\n5. Handicap\n6. Crainte de conséquences négatives\n7. Logement\n8. Emploi\n9. Éducation\n10. Ressources financières\n11. Barrière linguistique\n12. Valider\n13. Passer\n14. ⏩ Passer, aller au récapitulatif\n\n" + textview.MultiHint, "2 3"},
		{"", "valider"},
		{"", "passer"},
		{"Récapitulatif — Fiche d'accompagnement\nDate : 12/03/2026\nPersonne : K7M2QX (nouvelle personne)\nSexe : Femme\nÂge : 34 ans\nHabite en QPV : Ne sait pas\nRessources : RSA\nMode de contact : Aller vers\nNiveau : Accompagné\nOrientation protection sociale : Non\nDemande 1 : Accès aux soins · Prise de RDV · Résolue\nFreins : Mobilité, Manque d'info sur les dispositifs\nNote : —\n\nTout est correct ? Touchez « Enregistrer ».\n\n1. ✏️ Date\n2. ✏️ Personne\n3. ✏️ Sexe\n4. ✏️ Âge\n5. ✏️ Habite en QPV\n6. ✏️ Ressources\n7. ✏️ Mode de contact\n8. ✏️ Niveau\n9. ✏️ Orientation protection sociale\n10. ✏️ Demande 1\n11. ➕ Demande\n12. ✏️ Freins\n13. ✏️ Note\n14. ✅ Enregistrer", "enregistrer"},
	}
	for i, tr := range turns {
		if got := textview.Show(c.q); tr.shown != "" && got != tr.shown {
			t.Fatalf("turn %d: shown\n%s\nwant\n%s", i, got, tr.shown)
		}
		c.typed(tr.typed)
	}
	a := c.st.Answers
	if got := fmt.Sprint(a.String("date"), " ", a.String("beneficiary"), " ", a.String("sex"), " ", a.String("age"), " ", a.String("qpv")); got != "2026-03-12 K7M2QX F 34 nsp" {
		t.Fatalf("answers = %s", got)
	}
	request := a.Items("requests")[0]
	if got := fmt.Sprint(a.String("resources"), " ", a.String("contact_mode"), " ", a.String("level"), " ", a.String("social_protection"), " ",
		request.String("kind"), " ", request.String("status"), " ", a.Strings("obstacles"), " ", a.Skipped("note")); got != "rsa aller_vers accompagne non soins resolue [mobilite manque_info] true" {
		t.Fatalf("answers = %s", got)
	}
	if c.outcome != dialog.Save {
		t.Fatalf("outcome = %v, want Save", c.outcome)
	}
}

func TestShowAndRead(t *testing.T) {
	yes, no := forms.Data(forms.ActChoose, "qpv", "oui"), forms.Data(forms.ActChoose, "qpv", "non")
	skip, validate := forms.Data(forms.ActSkip, "obstacles"), forms.Data(forms.ActValidate, "obstacles")
	mobility, housing := forms.Data(forms.ActToggle, "obstacles", "mobilite"), forms.Data(forms.ActToggle, "obstacles", "logement")
	single := dialog.Question{Kind: dialog.KindStep, Text: "En QPV ?", Rows: [][]dialog.Button{{{Text: "Oui", Data: yes}, {Text: "Non", Data: no}}}}
	multi := dialog.Question{Kind: dialog.KindStep, Text: "Freins ?", Multi: true, Rows: [][]dialog.Button{
		{{Text: "✅ Mobilité", Data: mobility}, {Text: "Logement", Data: housing}},
		{{Text: "Valider", Data: validate}},
		{{Text: "Passer", Data: skip}},
	}}
	refused := single
	refused.Problem = "Choisissez une réponse avec les boutons."

	shows := []struct {
		q    dialog.Question
		want string
	}{
		{single, "En QPV ?\n\n1. Oui\n2. Non"},
		{refused, "Choisissez une réponse avec les boutons.\n\nEn QPV ?\n\n1. Oui\n2. Non"},
		{multi, "Freins ?\n\n1. ✅ Mobilité\n2. Logement\n3. Valider\n4. Passer\n\n" + textview.MultiHint},
		{dialog.Question{Text: "Une note ?"}, "Une note ?"},
	}
	for _, s := range shows {
		if got := textview.Show(s.q); got != s.want {
			t.Errorf("Show(%q) =\n%s\nwant\n%s", s.q.Text, got, s.want)
		}
	}

	reads := []struct {
		q     dialog.Question
		typed string
		want  []string // nil: names no choice
	}{
		{single, "1", []string{yes}},
		{single, " 2. ", []string{no}},
		{single, "non", []string{no}},
		{single, "NON", []string{no}},
		{single, "0", nil},
		{single, "3", nil},
		{single, "1 2", nil}, // one answer only
		{single, "peut-être", nil},
		{single, "", nil},
		{multi, "1 2", []string{mobility, housing}},
		{multi, "1, 2 et 3", []string{mobility, housing, validate}},
		{multi, "mobilite", []string{mobility}},   // no accent, no ✅
		{multi, "✅ Mobilité", []string{mobility}}, // the label as shown
		{multi, "valider", []string{validate}},
		{multi, "Passer", []string{skip}},
		{multi, "1 5", nil}, // out of range: nothing chosen
		{dialog.Question{Text: "Âge ?"}, "34", nil},
	}
	for _, r := range reads {
		got, ok := textview.Read(r.q, r.typed)
		if ok != (r.want != nil) || fmt.Sprint(got) != fmt.Sprint(r.want) {
			t.Errorf("Read(%q, %q) = %v %v, want %v", r.q.Text, r.typed, got, ok, r.want)
		}
	}
}

// Control choices are told from answers, in the order shown.
func TestChoicesMarkControls(t *testing.T) {
	q := dialog.Question{Rows: [][]dialog.Button{
		{{Text: "Mobilité", Data: forms.Data(forms.ActToggle, "obstacles", "mobilite")}},
		{{Text: "Valider", Data: forms.Data(forms.ActValidate, "obstacles")}},
		{{Text: "Passer", Data: forms.Data(forms.ActSkip, "obstacles")}},
		{{Text: "Aujourd'hui", Data: forms.Data(forms.ActQuickDate, "date", "today")}},
		{{Text: "✅ Enregistrer", Data: forms.Data(forms.ActSave)}},
	}}
	var got []string
	for _, c := range q.Choices() {
		got = append(got, fmt.Sprint(c.Label, "=", c.Control))
	}
	if want := "[Mobilité=false Valider=true Passer=true Aujourd'hui=false ✅ Enregistrer=true]"; fmt.Sprint(got) != want {
		t.Fatalf("choices = %v, want %s", got, want)
	}
}
