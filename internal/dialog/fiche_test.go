package dialog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/forms"
)

func fiche(t testing.TB) *forms.Form {
	t.Helper()
	all, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatalf("load dialogs: %v", err)
	}
	f := all["fiche"]
	if f == nil {
		t.Fatal("no fiche form")
	}
	return f
}

// turn is one user event and what the user then sees: the replies (prefixes,
// "edit: " or "send: ") and the keyboard of the open question.
type turn struct {
	press, say string
	replies    []string
	buttons    [][]string
}

func play(t *testing.T, c *chat, turns []turn) {
	t.Helper()
	for i, tr := range turns {
		switch {
		case tr.press != "":
			c.press(tr.press)
		default:
			c.say(tr.say)
		}
		if tr.replies != nil {
			got := c.replyTexts()
			ok := len(got) == len(tr.replies)
			for j := 0; ok && j < len(got); j++ {
				ok = strings.HasPrefix(got[j], tr.replies[j])
			}
			if !ok {
				t.Fatalf("turn %d (%q%q): replies\n%s\nwant\n%s", i, tr.press, tr.say, strings.Join(got, "\n"), strings.Join(tr.replies, "\n"))
			}
		}
		if tr.buttons != nil {
			c.expectButtons(tr.buttons...)
		}
	}
}

var (
	kbDate        = [][]string{{"Aujourd'hui", "Hier"}}
	kbBeneficiary = [][]string{{"Nouvelle personne"}, {"Personne déjà suivie"}}
	kbSex         = [][]string{{"Femme", "Homme", "Non binaire"}}
	kbYesNo       = [][]string{{"Oui", "Non"}}
	kbQPV         = [][]string{{"Oui", "Non", "Ne sait pas"}}
	kbResources   = [][]string{{"AAH", "Allocations familiales"}, {"Assurance maladie", "Aucune ressource"}, {"Non communiqué", "Chômage"}, {"Pension de retraite", "Pension de réversion"}, {"RSA", "Salaire"}, {"Autre"}}
	kbContact     = [][]string{{"Aller vers"}, {"Bouche-à-oreille"}, {"Communication de la structure"}, {"Contact direct"}, {"Orientation par un partenaire"}, {"Rencontre physique"}, {"Démarche de l'usager"}}
	kbLevel       = [][]string{{"Informé", "Orienté", "Accompagné"}}
	kbKind        = [][]string{{"Accès aux droits", "Accès aux soins"}}
	kbRights      = [][]string{{"Aides pour frais de spécialiste"}, {"Complémentaire Santé Solidaire"}, {"Prestations de santé"}, {"Prestations sociales"}, {"Autre"}}
	kbStatus      = [][]string{{"En cours", "Résolue"}, {"Non résolue", "Abandonnée"}}
	kbFollowUp    = [][]string{{"Dans 1 semaine", "Dans 2 semaines"}, {"Dans 1 mois"}, {"Passer"}}
	kbNote        = [][]string{{"Passer"}}
	kbConfirm     = [][]string{{"✅ Confirmer", "Modifier"}}
)

// happyPath is a whole sheet with a rights request and a care request.
var happyPath = []turn{
	{press: "Aujourd'hui", replies: []string{"edit: Date : 12/03/2026", "send: Personne accompagnée ?"}, buttons: kbBeneficiary},
	{press: "Nouvelle personne", replies: []string{"edit: Personne : K7M2QX (nouvelle personne)", "send: Code de la personne : K7M2QX — notez-le sans son nom", "send: Sexe de la personne ?"}, buttons: kbSex},
	{press: "Femme", replies: []string{"edit: Sexe : Femme", "send: Âge de la personne (en années) ?"}},
	{say: "34", replies: []string{"send: La personne habite-t-elle un quartier prioritaire (QPV) ?"}, buttons: kbQPV},
	{press: "Oui", replies: []string{"edit: Habite en QPV : Oui", "send: Principale ressource de la personne ?"}, buttons: kbResources},
	{press: "RSA", replies: []string{"edit: Ressources : RSA", "send: Comment la personne a-t-elle connu le médiateur ?"}, buttons: kbContact},
	{press: "Aller vers", replies: []string{"edit: Mode de contact : Aller vers", "send: Niveau d'intervention ?"}, buttons: kbLevel},
	{press: "Accompagné", replies: []string{"edit: Niveau : Accompagné", "send: Orientation vers les acteurs de la protection sociale"}, buttons: kbYesNo},
	{press: "Oui", replies: []string{"edit: Orientation protection sociale : Oui", "send: Demande 1 — Accès aux droits ou accès aux soins ?"}, buttons: kbKind},
	{press: "Accès aux droits", replies: []string{"edit: Demande 1 — Type de demande : Accès aux droits", "send: Demande 1 — Quelle demande d'accès aux droits ?"}, buttons: kbRights},
	{press: "Complémentaire Santé Solidaire", replies: []string{"edit: Demande 1 — Droits : Complémentaire Santé Solidaire", "send: Demande 1 — Où en est la demande ?"}, buttons: kbStatus},
	{press: "En cours", replies: []string{"edit: Demande 1 — Statut : En cours", "send: Demande 1 — Quand faire le point sur cette demande ?"}, buttons: kbFollowUp},
	{press: "Dans 1 semaine", replies: []string{"edit: Demande 1 — Date de suivi : 19/03/2026", "send: Ajouter une autre demande ?"}, buttons: kbYesNo},
	{press: "Oui", replies: []string{"edit: Ajouter une autre demande ? Oui", "send: Demande 2 — Accès aux droits ou accès aux soins ?"}, buttons: kbKind},
	{press: "Accès aux soins", replies: []string{"edit: Demande 2 — Type de demande : Accès aux soins", "send: Demande 2 — Quelle demande d'accès aux soins ?"}},
	{press: "Dépistage organisé", replies: []string{"edit: Demande 2 — Soins : Dépistage organisé", "send: Demande 2 — Où en est la demande ?"}, buttons: kbStatus},
	{press: "Résolue", replies: []string{"edit: Demande 2 — Statut : Résolue", "send: Ajouter une autre demande ?"}, buttons: kbYesNo},
	{press: "Non", replies: []string{"edit: Ajouter une autre demande ? Non", "send: Freins rencontrés ?"}},
	{press: "Mobilité", replies: []string{"edit: Freins rencontrés ?"}},
	{press: "Barrière linguistique", replies: []string{"edit: Freins rencontrés ?"}},
	{press: "Valider", replies: []string{"edit: Freins : Mobilité, Barrière linguistique", "send: Une note ?"}, buttons: kbNote},
	{say: "Orientée vers la PMI du quartier.", replies: []string{"edit: Note : Orientée vers la PMI du quartier.", "send: Récapitulatif — Fiche d'accompagnement"}},
}

const happySummary = `Récapitulatif — Fiche d'accompagnement
Date : 12/03/2026
Personne : K7M2QX (nouvelle personne)
Sexe : Femme
Âge : 34 ans
Habite en QPV : Oui
Ressources : RSA
Mode de contact : Aller vers
Niveau : Accompagné
Orientation protection sociale : Oui
Demande 1 : Accès aux droits · Complémentaire Santé Solidaire · En cours · Date de suivi : 19/03/2026
Demande 2 : Accès aux soins · Dépistage organisé · Résolue
Freins : Mobilité, Barrière linguistique
Note : Orientée vers la PMI du quartier.

Tout est correct ? Touchez « Enregistrer ».`

var kbSummary = [][]string{
	{"✏️ Date", "✏️ Personne"},
	{"✏️ Sexe", "✏️ Âge"},
	{"✏️ Habite en QPV", "✏️ Ressources"},
	{"✏️ Mode de contact", "✏️ Niveau"},
	{"✏️ Orientation protection sociale"},
	{"✏️ Demande 1", "🗑 Demande 1"},
	{"✏️ Demande 2", "🗑 Demande 2"},
	{"➕ Demande"},
	{"✏️ Freins", "✏️ Note"},
	{"✅ Enregistrer"},
}

func startFiche(t *testing.T) *chat {
	t.Helper()
	c := newChat(t, fiche(t), &fakeEnv{codes: []string{"K7M2QX"}})
	c.start()
	c.expectReplies("send: Date de l'accompagnement ?\nTouchez un bouton ou écrivez la date, par exemple 10/3 ou 10/03/2026.")
	c.expectButtons(kbDate...)
	return c
}

func TestFicheHappyPath(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath)
	if got := c.question().Text; got != happySummary {
		t.Fatalf("summary =\n%s\nwant\n%s", got, happySummary)
	}
	c.expectButtons(kbSummary...)
	if c.st.Phase != PhaseSummary {
		t.Fatalf("phase = %s", c.st.Phase)
	}

	c.press("✅ Enregistrer")
	if c.outcome != Save || len(c.last.Events) != 0 {
		t.Fatalf("save: outcome %v replies %v", c.outcome, c.replyTexts())
	}
	a := c.st.Answers
	checks := map[string]string{
		"date": "2026-03-12", "beneficiary": "K7M2QX", "sex": "F", "age": "34", "qpv": "oui",
		"resources": "rsa", "contact_mode": "aller_vers", "level": "accompagne", "social_protection": "oui",
		"note": "Orientée vers la PMI du quartier.",
	}
	for id, want := range checks {
		if got := a.String(id); got != want {
			t.Errorf("answer %s = %q, want %q", id, got, want)
		}
	}
	if v, _ := a.Get("beneficiary"); !v.New {
		t.Error("beneficiary not marked new")
	}
	if n, ok := a.Int("age"); !ok || n != 34 {
		t.Errorf("age = %d %v", n, ok)
	}
	if d, ok := a.Date("date"); !ok || !d.Equal(time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date = %v %v", d, ok)
	}
	if got := strings.Join(a.Strings("obstacles"), ","); got != "mobilite,langue" {
		t.Errorf("obstacles = %s", got)
	}
	items := a.Items("requests")
	if len(items) != 2 {
		t.Fatalf("requests = %d", len(items))
	}
	if items[0].String("kind") != "droits" || items[0].String("type_droits") != "css" || items[0].String("status") != "en_cours" || items[0].String("follow_up") != "2026-03-19" {
		t.Errorf("request 1 = %+v", items[0])
	}
	if items[1].String("kind") != "soins" || items[1].String("type_soins") != "depistage" || items[1].String("status") != "resolue" {
		t.Errorf("request 2 = %+v", items[1])
	}
	if _, ok := items[1].Get("follow_up"); ok {
		t.Error("follow-up recorded for a resolved request")
	}
	if c.st.RecordID != "sheet-1" {
		t.Errorf("sheet id = %q", c.st.RecordID)
	}

	saved := SavedEvent(c.f, c.st, map[string]string{"number": "42"})
	if !strings.HasSuffix(saved.Summary, "Note : Orientée vers la PMI du quartier.") || saved.Text != "Fiche n° 42 enregistrée." {
		t.Fatalf("saved = %+v", saved)
	}
}

func TestBack(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	c.say("/retour")
	c.expectReplies("send: C'est la première question. Pour abandonner : /annuler.")

	play(t, c, happyPath[:3]) // date, new person, sex → age question
	play(t, c, []turn{
		// The age question has no buttons: nothing to edit, the sex question comes back.
		{say: "/retour", replies: []string{"send: Sexe de la personne ?\nRéponse actuelle : Femme"}, buttons: kbSex},
		{press: "Homme", replies: []string{"edit: Sexe : Homme", "send: Âge de la personne (en années) ?"}},
		{say: "/retour", replies: []string{"send: Sexe de la personne ?"}},
		// The open question loses its buttons before the previous one is asked.
		{say: "/retour", replies: []string{"edit: Sexe de la personne ?", "send: Personne accompagnée ?\nAucun nom : touchez un bouton, ou écrivez le code de la personne (ou son début).\nÀ tout moment : retour · passer · annuler · aide.\nRéponse actuelle : K7M2QX (nouvelle personne)"}},
		// The same new person keeps the same code.
		{press: "Nouvelle personne", replies: []string{"edit: Personne : K7M2QX (nouvelle personne)", "send: Code de la personne : K7M2QX", "send: Sexe de la personne ?\nRéponse actuelle : Homme"}},
	})
	if n := c.env.(*fakeEnv).calls; n != 1 {
		t.Errorf("NewPersonCode called %d times", n)
	}
	play(t, c, happyPath[2:12]) // … up to the follow-up question of request 1
	c.expectQuestion("Demande 1 — Quand faire le point")
	play(t, c, []turn{
		// Back through the group: status, then the rights type (the care type is hidden).
		{say: "/retour", replies: []string{"edit: Demande 1 — Quand", "send: Demande 1 — Où en est la demande ?\nRéponse actuelle : En cours"}},
		{say: "/retour", replies: []string{"edit: Demande 1 — Où", "send: Demande 1 — Quelle demande d'accès aux droits ?"}},
		{say: "/retour", replies: []string{"edit: Demande 1 — Quelle", "send: Demande 1 — Accès aux droits ou accès aux soins ?"}},
		{say: "/retour", replies: []string{"edit: Demande 1 — Accès", "send: Orientation vers les acteurs"}},
		{press: "Oui", replies: []string{"edit: Orientation protection sociale : Oui", "send: Demande 1 — Accès aux droits ou accès aux soins ?\nRéponse actuelle : Accès aux droits"}},
		// Changing the kind hides the rights type: its answer goes.
		{press: "Accès aux soins", replies: []string{"edit: Demande 1 — Type de demande : Accès aux soins", "send: Demande 1 — Quelle demande d'accès aux soins ?"}},
		{press: "Conseil santé", replies: []string{"edit: Demande 1 — Soins : Conseil santé", "send: Demande 1 — Où en est la demande ?\nRéponse actuelle : En cours"}},
		// A skipped follow-up date, then back to it through the "add another?" question.
		{press: "En cours"},
		{press: "Passer", replies: []string{"edit: Demande 1 — Date de suivi : —", "send: Ajouter une autre demande ?"}},
		{press: "Oui", replies: []string{"edit: Ajouter une autre demande ? Oui", "send: Demande 2 — Accès aux droits"}},
		{say: "/retour", replies: []string{"edit: Demande 2 — Accès", "send: Ajouter une autre demande ?"}},
		{say: "/retour", replies: []string{"edit: Ajouter une autre demande ?", "send: Demande 1 — Quand faire le point sur cette demande ? Un rappel vous sera envoyé ce jour-là.\nTouchez un bouton ou écrivez la date, par exemple 2/4 ou 02/04/2026.\nÀ tout moment : retour · passer · annuler · aide.\nRéponse actuelle : —"}},
		{say: "26/3", replies: []string{"edit: Demande 1 — Date de suivi : 26/03/2026", "send: Ajouter une autre demande ?"}},
		{press: "Non", replies: []string{"edit: Ajouter une autre demande ? Non", "send: Freins rencontrés ?"}},
		// Back from after the group lands on "add another?" of the last request.
		{say: "/retour", replies: []string{"edit: Freins", "send: Ajouter une autre demande ?"}},
	})
	r := c.st.Answers.Items("requests")[0]
	if _, ok := r.Get("type_droits"); ok || r.String("type_soins") != "conseil" || r.String("follow_up") != "2026-03-26" {
		t.Fatalf("request 1 after back and change = %+v", r)
	}
	if n := len(c.st.Answers.Items("requests")); n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:2])
	play(t, c, []turn{
		{say: "/passer", replies: []string{"edit: Sexe de la personne ?", "send: Cette question est obligatoire : elle ne peut pas être passée.\n\nSexe de la personne ?"}},
		{say: "Femme", replies: []string{"edit: Sexe : Femme", "send: Âge"}},
	})
	play(t, c, happyPath[3:18])
	play(t, c, []turn{
		{say: "/passer", replies: []string{"edit: Freins : —", "send: Une note ?"}},
		{press: "Passer", replies: []string{"edit: Note : —", "send: Récapitulatif"}},
	})
	text := c.question().Text
	if !strings.Contains(text, "\nFreins : —\nNote : —\n") {
		t.Fatalf("summary:\n%s", text)
	}
	if !c.st.Answers.Skipped("note") || !c.st.Answers.Skipped("obstacles") || c.st.Answers.String("note") != "" {
		t.Fatalf("skips not recorded: %+v", c.st.Answers)
	}
	c.say("/passer")
	c.expectReplies("send: Il n'y a pas de question à passer ici.")
}

func TestEditFromSummary(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath)
	summaryID := c.questionID
	play(t, c, []turn{
		// The summary message becomes the question…
		{press: "✏️ Sexe", replies: []string{"edit: Sexe de la personne ?\nRéponse actuelle : Femme"}, buttons: kbSex},
	})
	if c.questionID != summaryID || !c.st.Editing() {
		t.Fatalf("edit should happen in the summary message")
	}
	play(t, c, []turn{
		// …and the answer brings a fresh summary.
		{press: "Homme", replies: []string{"edit: Sexe : Homme", "send: Récapitulatif"}},
	})
	if !strings.Contains(c.question().Text, "\nSexe : Homme\n") || c.st.Editing() {
		t.Fatalf("summary after edit:\n%s", c.question().Text)
	}

	// Editing a request walks its questions; a new kind asks the new type.
	play(t, c, []turn{
		{press: "✏️ Demande 1", replies: []string{"edit: Demande 1 — Accès aux droits ou accès aux soins ?\nRéponse actuelle : Accès aux droits"}, buttons: kbKind},
		{press: "Accès aux soins", replies: []string{"edit: Demande 1 — Type de demande : Accès aux soins", "send: Demande 1 — Quelle demande d'accès aux soins ?"}},
		{press: "Activité physique adaptée", replies: []string{"edit: Demande 1 — Soins : Activité physique adaptée", "send: Demande 1 — Où en est la demande ?\nRéponse actuelle : En cours"}},
		{press: "Abandonnée", replies: []string{"edit: Demande 1 — Statut : Abandonnée", "send: Récapitulatif"}},
	})
	if !strings.Contains(c.question().Text, "\nDemande 1 : Accès aux soins · Activité physique adaptée · Abandonnée\n") {
		t.Fatalf("summary after request edit:\n%s", c.question().Text)
	}
	r := c.st.Answers.Items("requests")[0]
	if _, ok := r.Get("type_droits"); ok {
		t.Error("rights type kept after kind changed")
	}
	if _, ok := r.Get("follow_up"); ok {
		t.Error("follow-up kept after status changed")
	}

	// /retour at the start of an edit puts everything back.
	before := c.st.Answers.Clone()
	play(t, c, []turn{
		{press: "✏️ Demande 2"},
		{press: "Accès aux droits", replies: []string{"edit: Demande 2 — Type de demande : Accès aux droits", "send: Demande 2 — Quelle demande d'accès aux droits ?"}},
		{say: "/retour", replies: []string{"edit: Demande 2 — Quelle", "send: Demande 2 — Accès aux droits ou accès aux soins ?\nRéponse actuelle : Accès aux droits"}},
		{say: "/retour", replies: []string{"edit: Demande 2 — Accès", "send: Récapitulatif"}},
	})
	if items := c.st.Answers.Items("requests"); items[1].String("kind") != before.Items("requests")[1].String("kind") || items[1].String("type_soins") != "depistage" {
		t.Fatalf("edit not undone: %+v", items[1])
	}

	// Remove, then add a request.
	play(t, c, []turn{
		{press: "🗑 Demande 2", replies: []string{"edit: Récapitulatif"}},
	})
	if strings.Contains(c.question().Text, "Demande 2") || len(c.st.Answers.Items("requests")) != 1 {
		t.Fatalf("request not removed:\n%s", c.question().Text)
	}
	c.expectButtons(
		[]string{"✏️ Date", "✏️ Personne"}, []string{"✏️ Sexe", "✏️ Âge"}, []string{"✏️ Habite en QPV", "✏️ Ressources"},
		[]string{"✏️ Mode de contact", "✏️ Niveau"}, []string{"✏️ Orientation protection sociale"},
		[]string{"✏️ Demande 1"}, []string{"➕ Demande"}, []string{"✏️ Freins", "✏️ Note"}, []string{"✅ Enregistrer"})
	play(t, c, []turn{
		{press: "➕ Demande", replies: []string{"edit: Demande 2 — Accès aux droits ou accès aux soins ?"}},
		{press: "Accès aux droits"},
		{press: "Prestations sociales"},
		{press: "Résolue", replies: []string{"edit: Demande 2 — Statut : Résolue", "send: Récapitulatif"}},
	})
	if !strings.Contains(c.question().Text, "\nDemande 2 : Accès aux droits · Prestations sociales · Résolue\n") {
		t.Fatalf("summary after add:\n%s", c.question().Text)
	}

	// Editing a date by typing.
	play(t, c, []turn{
		{press: "✏️ Date"},
		{say: "hier", replies: []string{"edit: Date : 11/03/2026", "send: Récapitulatif"}},
	})
	if c.st.Answers.String("date") != "2026-03-11" {
		t.Fatalf("date = %s", c.st.Answers.String("date"))
	}
	c.press("✅ Enregistrer")
	if c.outcome != Save {
		t.Fatal("not saved")
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:2])
	sexQuestion := c.questionID
	play(t, c, []turn{
		{say: "/annuler", replies: []string{"edit: Sexe de la personne ?", "send: Abandonner la saisie « Fiche d'accompagnement » ? Les réponses seront perdues."},
			buttons: [][]string{{"Oui, abandonner", "Non, continuer"}}},
		{say: "Femme", replies: []string{"send: Touchez « Oui, abandonner » ou « Non, continuer »."}},
		{press: "Non, continuer", replies: []string{"edit: Saisie poursuivie.", "send: Sexe de la personne ?"}, buttons: kbSex},
	})
	if c.outcome != None {
		t.Fatal("cancelled too early")
	}
	// The sex question of before the cancel is stale now.
	if res := c.pressData(sexQuestion, forms.Data(forms.ActChoose, "sex", "F")); c.err != nil || res.Notice != StaleNotice || len(c.replies) != 0 {
		t.Fatalf("old question accepted: %+v", res)
	}
	play(t, c, []turn{
		{say: "/annuler"},
		{press: "Oui, abandonner", replies: []string{"edit: Fiche abandonnée."}},
	})
	if c.outcome != Cancelled {
		t.Fatalf("outcome = %v", c.outcome)
	}

	// Cancelling from the summary and refusing comes back to the summary.
	c = startFiche(t)
	play(t, c, happyPath)
	play(t, c, []turn{
		{say: "/annuler", replies: []string{"edit: Récapitulatif", "send: Abandonner"}},
		{say: "/retour", replies: []string{"edit: Saisie poursuivie.", "send: Récapitulatif"}},
	})
	c.expectButtons(kbSummary...)
}

func TestInvalidAge(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:3])
	before := c.st.Answers.Clone()
	for _, bad := range []string{"abc", "130", "-1", "34.5", "34 kg", "12 ans et demi"} {
		c.say(bad)
		c.expectReplies("send: Écrivez un nombre entier entre 0 et 120 ans.\n\nÂge de la personne (en années) ?")
		if len(c.st.Answers) != len(before) || c.st.Pos.Step != "age" {
			t.Fatalf("%q changed the draft: %+v", bad, c.st.Answers)
		}
	}
	c.say("34 ans")
	c.expectQuestion("La personne habite-t-elle")
	if n, _ := c.st.Answers.Int("age"); n != 34 {
		t.Fatalf("age = %d", n)
	}
}

func TestDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typed string
		reply []string // "" reply means accepted
		want  string
	}{
		{"31/02/2026", []string{"edit: Date de l'accompagnement ?", "send: Cette date n'existe pas : 31/02/2026.\n\nDate de l'accompagnement ?"}, ""},
		{"bonjour", []string{"edit: Date de l'accompagnement ?", "send: Date non reconnue. Écrivez-la ainsi : 10/3 ou 10/03/2026 (ou hier, mardi dernier, 25 novembre)."}, ""},
		{"13/03/2026", []string{"edit: Date de l'accompagnement ?", "send: La date ne peut pas être dans le futur (aujourd'hui : 12/03/2026)."}, ""},
		{"12/3", nil, "2026-03-12"},
		{"12/03/26", nil, "2026-03-12"},
		{"01.02.2026", nil, "2026-02-01"},
		{"28/12", nil, "2025-12-28"}, // no year: the last 28 December, not the next
		{"13/3", []string{"edit: Date de l'accompagnement ?", "send: La date ne peut pas être dans le futur (aujourd'hui : 12/03/2026)."}, ""}, // a slip, not 13/03/2025
		{"01/01/1901", []string{"edit: Date de l'accompagnement ?", "send: Date trop ancienne : au plus 366 jours avant aujourd'hui (12/03/2026). Vérifiez l'année."}, ""},
		{"10/03/2025", []string{"edit: Date de l'accompagnement ?", "send: Date trop ancienne"}, ""},
		{"12/03/2025", nil, "2025-03-12"},
		{"Hier", nil, "2026-03-11"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			c := startFiche(t)
			c.say(tt.typed)
			if tt.reply != nil {
				c.expectReplies(tt.reply...)
				if _, ok := c.st.Answers.Get("date"); ok {
					t.Fatal("bad date recorded")
				}
				c.expectButtons(kbDate...)
				return
			}
			if got := c.st.Answers.String("date"); got != tt.want {
				t.Fatalf("date = %q, want %q (replies %v)", got, tt.want, c.replyTexts())
			}
		})
	}

	// A follow-up date may not be in the past.
	c := startFiche(t)
	play(t, c, happyPath[:12])
	c.say("01/03/2026")
	c.expectReplies("edit: Demande 1 — Quand", "send: La date ne peut pas être passée (aujourd'hui : 12/03/2026).")
	c.say("1/3") // no year, 11 days ago: a slip, not next year's 1 March
	c.expectReplies("edit: La date ne peut pas être passée", "send: La date ne peut pas être passée (aujourd'hui : 12/03/2026).")
	c.say("1/2") // no year, long past: the next 1 February
	if got := c.st.Answers.Items("requests")[0].String("follow_up"); got != "2027-02-01" {
		t.Fatalf("follow-up = %s", got)
	}
	// "Dans 1 mois" from 31 January is the last day of February.
	if d := addMonths(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), 1); d.Format(time.DateOnly) != "2026-02-28" {
		t.Fatalf("31/01 + 1 month = %s", d)
	}
}

func knownPerson() Person {
	return Person{Code: "AB3CDE", Sex: "F", Age: 30, AgeOn: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), QPV: "oui", Resources: "salaire"}
}

func TestExistingBeneficiaryPrefill(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{knownPerson(), {Code: "ZZ9ZZZ", Sex: "M"}}})
	c.start()
	play(t, c, []turn{
		// The recent people are on the question itself: one tap picks one.
		{press: "Aujourd'hui", buttons: [][]string{{"AB3CDE · F · 32 ans"}, {"ZZ9ZZZ · M"}, {"Nouvelle personne"}, {"Personne déjà suivie"}}},
		{press: "Personne déjà suivie", replies: []string{"edit: Personne déjà suivie : touchez son code, ou écrivez-le (ou son début)."},
			// 30 years on 15/01/2024 is 32 on 12/03/2026; an unknown age shows no age.
			buttons: [][]string{{"AB3CDE · F · 32 ans"}, {"ZZ9ZZZ · M"}, {"Nouvelle personne"}}},
		{press: "AB3CDE · F · 32 ans", replies: []string{"edit: Personne : AB3CDE", "send: Dernière situation connue :\nFemme · 32 ans · QPV · Salaire — toujours vrai ?"},
			buttons: [][]string{{"✅ Toujours vrai", "Modifier"}}},
		// "Modifier" goes through the values one by one, each proposed.
		{press: "Modifier", replies: []string{"edit: Sexe : Femme\n(déjà connu pour cette personne)"}, buttons: kbConfirm},
		{press: "✅ Confirmer", replies: []string{"edit: Sexe : Femme", "send: Âge : 32 ans\n(déjà connu pour cette personne)"}, buttons: kbConfirm},
		{press: "Modifier", replies: []string{"edit: Âge de la personne (en années) ?"}},
		{say: "33", replies: []string{"send: Habite en QPV : Oui\n(déjà connu"}, buttons: kbConfirm},
		{press: "✅ Confirmer", replies: []string{"edit: Habite en QPV : Oui", "send: Ressources : Salaire\n(déjà connu"}},
		// Typing a value instead of confirming answers the question.
		{say: "chômage", replies: []string{"edit: Ressources : Chômage", "send: Comment la personne"}},
	})
	a := c.st.Answers
	if v, _ := a.Get("beneficiary"); v.New || v.Code != "AB3CDE" {
		t.Fatalf("beneficiary = %+v", v)
	}
	if a.String("sex") != "F" || a.String("age") != "33" || a.String("qpv") != "oui" || a.String("resources") != "chomage" {
		t.Fatalf("answers = %+v", a)
	}

	// Going back to the beneficiary and choosing another person asks the
	// prefilled steps again, with the new person's values.
	for c.st.Pos.Step != "beneficiary" {
		c.say("/retour")
	}
	play(t, c, []turn{
		{say: "zz9 zzz", replies: []string{"edit: Personne : ZZ9ZZZ", "send: Sexe : Homme\n(déjà connu"}},
	})
	if _, ok := c.st.Answers.Get("age"); ok {
		t.Fatal("age of the previous person kept")
	}
	play(t, c, []turn{
		{press: "✅ Confirmer", replies: []string{"edit: Sexe : Homme", "send: Âge de la personne (en années) ?"}},
	})
}

func TestBeneficiaryTypedCode(t *testing.T) {
	t.Parallel()
	c := newChat(t, fiche(t), &fakeEnv{people: []Person{knownPerson()}})
	c.start()
	play(t, c, []turn{
		{press: "Aujourd'hui"},
		{say: "QQQQQQ", replies: []string{"edit: Personne accompagnée ?", "send: Aucune personne suivie n'a le code QQQQQQ. Vérifiez le code, ou touchez « Nouvelle personne ».\n\nPersonne déjà suivie : touchez son code, ou écrivez-le (ou son début)."},
			buttons: [][]string{{"AB3CDE · F · 32 ans"}, {"Nouvelle personne"}}},
		{say: "n'importe quoi", replies: []string{"edit: Aucune personne", "send: Code non reconnu : écrivez le code de la personne (6 lettres ou chiffres, par exemple K7M2QX) ou son début, jamais son nom."}},
		{say: "/retour", replies: []string{"edit: Code non reconnu", "send: Personne accompagnée ?"}, buttons: append([][]string{{"AB3CDE · F · 32 ans"}}, kbBeneficiary...)},
		{say: "ab3cde", replies: []string{"edit: Personne : AB3CDE", "send: Dernière situation connue :\nFemme · 32 ans · QPV · Salaire"}},
	})
}

func TestStaleButtons(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:3])
	ageState := c.st
	stale := []struct {
		message int
		data    string
	}{
		// A button of an answered question (message 101 asked the date).
		{101, forms.Data(forms.ActQuickDate, "date", "today")},
		// Right message id, but data of another step.
		{c.questionID, forms.Data(forms.ActChoose, "sex", "M")},
		// Not engine data at all.
		{c.questionID, "x:whatever"},
		// An unknown code.
		{c.questionID, forms.Data(forms.ActChoose, "age", "999")},
	}
	for _, in := range stale {
		c.st = ageState
		res := c.pressData(in.message, in.data)
		if c.err != nil || res.Notice != StaleNotice || len(res.Events) != 0 || len(c.replies) != 0 || res.Outcome != None {
			t.Fatalf("%q: %+v", in.data, res)
		}
		if res.State.Pos != ageState.Pos || len(res.State.Answers) != len(ageState.Answers) {
			t.Fatalf("%q changed the draft", in.data)
		}
	}
	// Buttons of the summary are stale once a step is being edited.
	c = startFiche(t)
	play(t, c, happyPath)
	c.press("✏️ Note")
	if res := c.pressData(c.questionID, forms.Data(forms.ActSave)); c.err != nil || res.Notice != StaleNotice || res.Outcome != None {
		t.Fatalf("save while editing: %+v", res)
	}
}

func TestMultiToggle(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:18])
	id := c.questionID
	c.press("Mobilité")
	c.press("Logement")
	c.press("✅ Mobilité") // untoggle
	if c.questionID != id {
		t.Fatal("toggling sent a new message")
	}
	c.expectButtons([]string{"Complexité des démarches administratives"}, []string{"Mobilité"}, []string{"Manque d'info sur les dispositifs"},
		[]string{"Non connaissance des droits"}, []string{"Handicap"}, []string{"Crainte de conséquences négatives"}, []string{"✅ Logement"},
		[]string{"Emploi"}, []string{"Éducation"}, []string{"Ressources financières"}, []string{"Barrière linguistique"},
		[]string{"Valider"}, []string{"Passer"}, []string{"⏩ Passer, aller au récapitulatif"})
	// Typed, a label toggles its choice too: the question comes again
	// below the typed words.
	c.say("Logement")
	c.expectReplies("edit: Freins rencontrés ?", "send: Freins rencontrés ?")
	if got := buttonTexts(c.question().Buttons)[6][0]; got != "Logement" {
		t.Fatalf("typed « Logement » did not untoggle it: %s", got)
	}
	c.say("logement")
	c.expectButtons([]string{"Complexité des démarches administratives"}, []string{"Mobilité"}, []string{"Manque d'info sur les dispositifs"},
		[]string{"Non connaissance des droits"}, []string{"Handicap"}, []string{"Crainte de conséquences négatives"}, []string{"✅ Logement"},
		[]string{"Emploi"}, []string{"Éducation"}, []string{"Ressources financières"}, []string{"Barrière linguistique"},
		[]string{"Valider"}, []string{"Passer"}, []string{"⏩ Passer, aller au récapitulatif"})
	c.press("Valider")
	c.expectReplies("edit: Freins : Logement", "send: Une note ?")
	// Back to the multiple choice: the current selection is ticked.
	c.say("/retour")
	if got := buttonTexts(c.question().Buttons)[6][0]; got != "✅ Logement" {
		t.Fatalf("selection not restored: %s", got)
	}
	c.press("✅ Logement")
	c.press("Valider") // optional: an empty selection is allowed
	if got := c.st.Answers.Strings("obstacles"); len(got) != 0 {
		t.Fatalf("obstacles = %v", got)
	}
}

func TestNoteForbidsIdentifyingDetails(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:21])
	for _, bad := range []string{"Rappeler au 06 12 34 56 78", "écrire à marie.dupont@example.fr", strings.Repeat("a", 281)} {
		c.say(bad)
		if _, ok := c.st.Answers.Get("note"); ok || c.st.Phase != PhaseAsk {
			t.Fatalf("%q accepted", bad)
		}
	}
	c.say("Rendez-vous CPAM le 14/03 à 10h30.")
	if c.st.Phase != PhaseSummary {
		t.Fatalf("note refused: %v", c.replyTexts())
	}
}

func TestVersionChange(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:2])
	c.press("Non binaire")
	c.say("34")
	c.expectQuestion("La personne habite-t-elle")

	// Version 3: no "non binaire" any more, and a new step before the age.
	src, err := dialogs.FS.ReadFile("fiche.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "version: 2", "version: 3", 1)
	text = strings.Replace(text, "    choices_from: sex\n", "    choices: [{code: F, fr: Femme}, {code: M, fr: Homme}]\n", 1)
	text = strings.Replace(text, "  - id: age\n", "  - id: lieu\n    type: choice\n    label: Lieu\n    choices: [{code: rue, fr: Rue}, {code: permanence, fr: Permanence}]\n\n  - id: age\n", 1)
	v2, err := forms.Parse("fiche.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	c.f = v2
	c.press("Oui") // a tap on the open question of version 1
	c.expectReplies("edit: La personne habite-t-elle", "send: Le formulaire a été mis à jour ; vos réponses compatibles sont conservées.", "send: Sexe de la personne ?")
	c.expectButtons([]string{"Femme", "Homme"})
	if c.st.FormVersion != 3 || c.st.Answers.String("date") != "2026-03-12" || c.st.Answers.String("beneficiary") != "K7M2QX" || c.st.Answers.String("age") != "34" {
		t.Fatalf("compatible answers not kept: %+v", c.st.Answers)
	}
	if _, ok := c.st.Answers.Get("sex"); ok {
		t.Fatal("incompatible sex kept")
	}
	play(t, c, []turn{
		{press: "Homme", replies: []string{"edit: Sexe : Homme", "send: Lieu"}},
		// Answered steps are not asked again: on to the next unanswered one.
		{press: "Rue", replies: []string{"edit: Lieu : Rue", "send: La personne habite-t-elle"}},
	})
}

func TestEnvFailureKeepsDraft(t *testing.T) {
	t.Parallel()
	env := &fakeEnv{}
	c := newChat(t, fiche(t), env)
	c.start()
	c.press("Aujourd'hui")
	before := c.st
	env.fail = true
	res := c.pressData(c.questionID, forms.Data(forms.ActNewPerson, "beneficiary"))
	if c.err == nil || c.replyTexts() == nil || fmt.Sprint(c.replyTexts()) != "[send: Un problème technique empêche de continuer. Réessayez dans un instant.]" ||
		res.Notice != TechnicalTrouble {
		t.Fatalf("result = %+v", res)
	}
	if _, ok := res.State.Answers.Get("beneficiary"); ok || res.State.Pos != before.Pos {
		t.Fatal("draft changed on failure")
	}
	env.fail = false
	c.press("Nouvelle personne")
	c.expectQuestion("Sexe de la personne ?")
}

func TestResumeAndStartFrom(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:4])
	old := c.questionID
	c.apply2(Resume(c.t.Context(), c.f, c.st, c.input(), c.env))
	c.expectReplies("edit: La personne habite-t-elle", "send: La personne habite-t-elle")
	if c.questionID == old {
		t.Fatal("question not sent again")
	}
	play(t, c, happyPath[4:])
	answers := c.st.Answers

	d := newChat(t, c.f, c.env)
	d.apply2(StartFrom(d.t.Context(), d.f, "sheet-2", answers, d.input(), d.env))
	if d.st.Phase != PhaseSummary || d.question().Text != happySummary {
		t.Fatalf("StartFrom with every answer should show the summary, got %q", d.question().Text)
	}
	partial := answers.Clone()
	delete(partial, "level")
	d = newChat(t, c.f, c.env)
	d.apply2(StartFrom(d.t.Context(), d.f, "sheet-3", partial, d.input(), d.env))
	d.expectQuestion("Niveau d'intervention ?")
	d.press("Informé")
	d.expectReplies("edit: Niveau : Informé", "send: Récapitulatif")
}

func TestUnknownCommandAndEmptyInput(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	c.say("/fiche")
	c.expectReplies("send: " + commandsHelp)
	c.say("  ")
	c.expectReplies("send: Répondez par un message ou avec les boutons.")
	c.say("/retour@RelaisBot")
	c.expectReplies("send: C'est la première question.")
}

func TestDraftOnMissingStepIsMigrated(t *testing.T) {
	t.Parallel()
	c := startFiche(t)
	play(t, c, happyPath[:3])
	// Same version, but the draft points at a step the form does not have.
	c.st.Pos = Pos{Step: "gone"}
	c.st.Answers = nil
	c.say("34")
	c.expectReplies("send: Le formulaire a été mis à jour ; vos réponses compatibles sont conservées.", "send: Date de l'accompagnement ?")
}

// A follow-up date may be 366 days ahead, not one more (within_days).
func TestFollowUpWithinDaysBoundary(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, paris)
	step := &forms.Step{ID: "follow_up", Type: forms.TypeDate, NotPast: true, WithinDays: 366}
	if d, msg := parseDate("13/03/2027", now, step); msg != "" || d.Format(time.DateOnly) != "2027-03-13" {
		t.Fatalf("366 days ahead: %v %q", d, msg)
	}
	if _, msg := parseDate("14/03/2027", now, step); msg != "Date trop lointaine : au plus 366 jours après aujourd'hui (12/03/2026). Vérifiez l'année." {
		t.Fatalf("367 days ahead: %q", msg)
	}
}

// The accompaniment's date may be 366 days back, not one more (within_days
// on the past side).
func TestSheetDateWithinDaysBoundary(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, paris)
	step := &forms.Step{ID: "date", Type: forms.TypeDate, NotFuture: true, WithinDays: 366}
	if d, msg := parseDate("11/03/2025", now, step); msg != "" || d.Format(time.DateOnly) != "2025-03-11" {
		t.Fatalf("366 days back: %v %q", d, msg)
	}
	if _, msg := parseDate("10/03/2025", now, step); msg != "Date trop ancienne : au plus 366 jours avant aujourd'hui (12/03/2026). Vérifiez l'année." {
		t.Fatalf("367 days back: %q", msg)
	}
}
