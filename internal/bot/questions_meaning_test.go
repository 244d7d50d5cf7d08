package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// noFigure fails when an answer gives a figure: a « Compris » line or a
// figure line of the seeded data.
func noFigure(t *testing.T, m telegramtest.Message) {
	t.Helper()
	if strings.Contains(m.Text, "Compris :") || strings.Contains(m.Text, " : 5\n") || strings.Contains(m.Text, " : 3\n") {
		t.Fatalf("a question not answerable was answered with a figure:\n%s", m.Text)
	}
}

// A territory Relais does not know, or outside the region, is
// never dropped for the asker's own: no figure, the territories it knows.
func TestAQuestionOnAnotherTerritoryIsRefusedByName(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	region := h.coordinator(6500, store.Invitation{Level: "region"})
	known := "Relais compte par territoire : la région Hauts-de-France, ses départements (Aisne, Nord, Oise, Pas-de-Calais, Somme), la Picardie (Aisne, Oise, Somme), les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom"
	for _, c := range []struct{ text, first string }{
		{"combien de fiches à Paris en 2026", "« Paris » ne fait pas partie des territoires de Relais."},
		{"combien de demandes de css dans le 75", "« le 75 (Paris) » ne fait pas partie des territoires de Relais."},
		{"nb fiches a lyon", "« Lyon » ne fait pas partie des territoires de Relais."},
		{"combien de personnes accompagnees en bretagne cette annee", "« Bretagne » ne fait pas partie des territoires de Relais."},
		{"fiches en seine saint denis", "« Seine-Saint-Denis » ne fait pas partie des territoires de Relais."},
		{"combien de fiches dans le val d'oise", "« Val-d'Oise » ne fait pas partie des territoires de Relais."},
		{"combien de fiches à Dunkerque en mars 2024 ?", "« Dunkerque » (Nord) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune."},
		{"combien de fiches à Hondschoote en mars 2024 ?", "« hondschoote » : je ne connais pas ce lieu, qui ne fait pas partie des territoires de Relais."},
	} {
		region.Send(c.text)
		m := region.Expect(c.first)
		noFigure(t, m)
		if !strings.Contains(m.Text, known) {
			t.Fatalf("%q: the refusal does not list the territories Relais knows:\n%s", c.text, m.Text)
		}
		if len(m.ButtonTexts()) != 0 {
			t.Fatalf("%q: a refusal offers %v", c.text, m.ButtonTexts())
		}
	}
	// a mediator is told to ask without a place
	awa := h.tg.NewUser(6001, "Awa").For(t)
	awa.Send("combien de fiches a paris")
	m := awa.Expect("« Paris » ne fait pas partie des territoires de Relais. Vous ne pouvez consulter que vos propres chiffres")
	noFigure(t, m)
}

// A word that changes the meaning is applied as a filter, or the
// answer says it cannot filter by it, with no figure.
func TestAFilterIsAppliedOrReported(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	region := h.coordinator(6600, store.Invitation{Level: "region"})

	// status « en cours » on one type: 2 of the 5 CSS requests of March in the 62 are open
	region.Send("combien de CSS en cours dans le 62 en mars 2024")
	a := region.Expect("Demandes « Complémentaire Santé Solidaire » en cours : 2 demandes\n")
	if !strings.Contains(a.Text, "Compris : demandes « Complémentaire Santé Solidaire » en cours – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : demandes.") {
		t.Fatalf("the Compris line:\n%s", a.Text)
	}
	for _, c := range []struct{ text, first string }{
		{"combien de demandes de css non resolues en 2024", "Je ne sais pas encore filtrer par statut « non résolue »"},
		{"demandes abandonnees en 2024", "Je ne sais pas encore filtrer par statut « abandonnée »"},
		{"combien de personnes de moins de 25 ans en 2024", "Je ne sais pas encore filtrer par âge (moins de 25 ans)"},
		{"nb de fiches plus de 60 ans en 2024", "Je ne sais pas encore filtrer par âge (plus de 60 ans)"},
		{"combien de femmes au rsa en 2024", "Je ne sais pas encore filtrer par ressource principale"},
		{"demandes de css des femmes en 2024", "Je ne sais pas encore filtrer par sexe"},
		{"combien de personnes au RSA en 2024", "Je ne sais pas encore compter les personnes distinctes par ressource principale : Relais compte les fiches"},
	} {
		region.Send(c.text)
		m := region.Expect(c.first)
		noFigure(t, m)
	}
	// what it can give instead is offered as a button, titled as what it counts
	region.Send("combien de personnes au RSA dans le 62 en mars 2024")
	m := region.Expect("Je ne sais pas encore compter les personnes distinctes par ressource principale")
	noFigure(t, m)
	region.PressOn(m, "Fiches de personnes dont la ressource principale est « RSA » – Pas-de-Calais – du 01/03/2024 au 31/03/2024")
	region.Expect("Compris : fiches de personnes dont la ressource principale est « RSA » – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : fiches.")

	// « 25 ans » is not the year 2025
	region.Send("fiches 25 ans")
	m = region.Expect("Je ne sais pas encore filtrer par âge (25 ans)")
	if strings.Contains(m.Text, "2025") {
		t.Fatalf("« 25 ans » read as a year:\n%s", m.Text)
	}
}

// People are counted as distinct people, sheets as sheets, and
// every answer names its unit.
func TestPeopleAndSheetsAreNeverMixed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	// a second sheet of one person of the 62 in March: 5 people, 6 sheets in QPV
	lea, err := h.db.Store.UserByTelegramID(context.Background(), 6002)
	if err != nil {
		t.Fatal(err)
	}
	age := 41
	if _, _, err := h.db.Store.SaveSheet(context.Background(), store.Sheet{ID: "q-again", MediatorID: lea.Mediator.ID,
		Date: day(2024, 3, 15), Beneficiary: "Qa2000", Sex: "F", Age: &age, QPV: "oui", Resources: "rsa",
		ContactMode: "aller_vers", Level: "oriente", SocialProtection: "non", SavedAt: day(2024, 3, 15).Add(12 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	region := h.coordinator(6700, store.Invitation{Level: "region"})

	region.Send("combien de personnes en QPV dans le pas de calais en mars 2024")
	a := region.Expect("Compris : personnes distinctes vivant en QPV – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : personnes distinctes.")
	if !strings.Contains(a.Text, "Personnes distinctes vivant en QPV : 9 personnes distinctes sur 9 (100 %)") {
		t.Fatalf("people in a QPV:\n%s", a.Text)
	}
	region.Send("combien de fiches de personnes en QPV dans le pas de calais en mars 2024")
	region.Expect("Compris : fiches de personnes vivant en QPV – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : fiches.")
	region.Send("combien de femmes dans le 62 en mars 2024")
	region.Expect("Compris : fiches de femmes – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : fiches.")
	region.Send("age moyen dans le 62 en mars 2024")
	region.Expect("Compris : âge moyen des personnes – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : années, moyenne des fiches où l'âge est connu.")
	region.Send("combien de personnes dans le 62 en mars 2024")
	region.Expect("Compris : personnes accompagnées (distinctes) – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : personnes distinctes.")
}

// « et l'an dernier ? », « et dans le Nord ? », « par
// département » apply to the last question of the chat, for ten minutes.
func TestAFollowUpQuestionKeepsTheLastOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	region := h.coordinator(6800, store.Invitation{Level: "region"})

	region.Send("combien de demandes de CSS dans le 62 en mars 2024 ?")
	region.Expect("Demandes « Complémentaire Santé Solidaire » : 5\n")
	region.Send("et dans le Nord ?")
	region.Expect("Compris : demandes « Complémentaire Santé Solidaire » – Nord – du 01/03/2024 au 31/03/2024 – unité : demandes.")
	region.Send("et en avril ?")
	region.Expect("Compris : demandes « Complémentaire Santé Solidaire » – Nord – du 01/04/2024 au 30/04/2024 – unité : demandes.")
	region.Send("et l'an dernier ?")
	region.Expect("Compris : demandes « Complémentaire Santé Solidaire » – Nord – du 01/01/2025 au 31/12/2025 – unité : demandes.")
	region.Send("et en 2024 par département")
	m := region.Expect("Compris : demandes « Complémentaire Santé Solidaire » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.")
	for _, want := range []string{"- Nord : 3\n", "- Pas-de-Calais : 7\n"} {
		if !strings.Contains(m.Text, want) {
			t.Fatalf("breakdown lacks %q:\n%s", want, m.Text)
		}
	}
	region.Send("et les demandes de soins ?")
	region.Expect("Compris : demandes d'accès aux soins – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.")

	// eleven minutes later, the last question is forgotten
	h.clock.Set(h.clock.Now().Add(11 * time.Minute))
	region.Send("et dans le Nord ?")
	m = region.Expect("Je n'ai pas compris quel chiffre vous cherchez.")
	noFigure(t, m)

	// each chat its own last question
	other := h.coordinator(6801, store.Invitation{Level: "region"})
	region.Send("combien de fiches en mars 2024")
	region.Expect("Fiches d'accompagnement : 12\n")
	other.Send("et dans le Nord ?")
	noFigure(t, other.Expect("Je n'ai pas compris quel chiffre vous cherchez."))
}

// The welcome message and /aide say, for each role, that
// questions can be typed, with two examples the role may ask; a mediator's
// name no territory, and every example shown gets a figure, not a refusal.
func TestEachRoleIsShownQuestionsItMayAsk(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	for _, c := range []struct {
		user     func() *telegramtest.User
		hint     string
		examples []string
	}{
		{func() *telegramtest.User { return h.mediator(6901, "Nina", "59") },
			"Vous pouvez aussi écrire une question sur vos propres chiffres, en français, sans commande, par exemple : « combien de fiches ce mois-ci ? » ou « combien de demandes de CSS en cours ? ».",
			[]string{"combien de fiches ce mois-ci ?", "combien de demandes de CSS en cours ?"}},
		{func() *telegramtest.User {
			return h.coordinator(6902, store.Invitation{Level: "departement", Departement: "59"})
		},
			"Vous pouvez aussi écrire une question sur les chiffres de votre territoire, en français, sans commande, par exemple : « combien de personnes en QPV cette année ? » ou « taux de résolution des demandes de soins l'an dernier ».",
			[]string{"combien de personnes en QPV cette année ?", "taux de résolution des demandes de soins l'an dernier"}},
		{func() *telegramtest.User {
			return h.coordinator(6903, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
		},
			"par exemple : « combien de personnes en QPV cette année ? » ou « taux de résolution des demandes de soins l'an dernier ».",
			[]string{"combien de personnes en QPV cette année ?", "taux de résolution des demandes de soins l'an dernier"}},
		{func() *telegramtest.User { return h.coordinator(6904, store.Invitation{Level: "region"}) },
			"par exemple : « combien de demandes de CSS dans le Pas-de-Calais cette année ? » ou « combien de personnes en QPV par département l'an dernier ».",
			[]string{"combien de demandes de CSS dans le Pas-de-Calais cette année ?", "combien de personnes en QPV par département l'an dernier"}},
	} {
		u := c.user()
		welcome := u.Expect("Bienvenue")
		if !strings.Contains(welcome.Text, c.hint) {
			t.Fatalf("the welcome message lacks %q:\n%s", c.hint, welcome.Text)
		}
		u.Send("/aide")
		u.Expect(c.hint)
		for _, ex := range c.examples {
			if strings.Contains(ex, "Pas-de-Calais") && strings.Contains(c.hint, "vos propres chiffres") {
				t.Fatalf("a mediator is shown an example naming a territory: %q", ex)
			}
			u.Send(ex)
			a := u.Expect("Compris :")
			if !strings.Contains(a.Text, "unité :") {
				t.Fatalf("%q: %s", ex, a.Text)
			}
		}
	}
}
