package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// seedRequests saves n sheets for the mediator registered as telegramID,
// each with one request of kind/type (resolved for even i), on date; tag
// keeps the sheet ids of two calls apart.
func (h *harness) seedRequests(telegramID int64, tag string, n int, date time.Time, kind, typ string) {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.db.Store.UserByTelegramID(ctx, ids.TelegramID(telegramID))
	if err != nil {
		h.t.Fatal(err)
	}
	for i := range n {
		status := "en_cours"
		if i%2 == 0 {
			status = "resolue"
		}
		age := 40 + i
		sex := "F"
		if i%3 == 2 {
			sex = "M"
		}
		_, _, err := h.db.Store.SaveSheet(ctx, store.Sheet{
			ID: fmt.Sprintf("q-%s-%d-%d", tag, telegramID, i), MediatorID: u.Mediator.ID, Date: date,
			Beneficiary: fmt.Sprintf("Q%s%d%03d", tag, telegramID%1000, i), Sex: sex, Age: &age, QPV: "oui",
			Resources: "rsa", ContactMode: "aller_vers", Level: "oriente", SocialProtection: "non",
			Requests: []store.Request{{Kind: kind, Type: typ, Status: status}},
			// Saved the day itself, by the bot's clock: a resolution's time is
			// what the reports read at a period's end.
			SavedAt: date.Add(12 * time.Hour),
		})
		if err != nil {
			h.t.Fatal(err)
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// seedQuestions registers a mediator in the Nord and one in the
// Pas-de-Calais with CSS requests in March and April 2024 and care
// requests in March 2024.
func seedQuestions(h *harness) (awa, lea *telegramtest.User) {
	awa = h.mediator(6001, "Awa", "59")
	lea = h.mediator(6002, "Léa", "62")
	h.seedRequests(6002, "a", 5, day(2024, 3, 14), "droits", "css")               // counted
	h.seedRequests(6002, "b", 2, day(2024, 4, 2), "droits", "css")                // April: not March
	h.seedRequests(6002, "c", 4, day(2024, 3, 20), "soins", "rdv")                // care, not CSS
	h.seedRequests(6001, "d", 3, day(2024, 3, 10), "droits", "css")               // Nord: not 62
	h.seedRequests(6001, "e", 6, day(2026, 11, 2), "droits", "prestations_sante") // this month
	return awa, lea
}

func TestCoordinatorAsksAQuestionInPlainFrench(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	region := h.coordinator(6100, store.Invitation{Level: "region"})

	region.Send("combien de demandes de CSS dans le 62 en mars 2024 ?")
	a := region.Expect("Demandes « Complémentaire Santé Solidaire » : 5\n")
	for _, want := range []string{"Compris : demandes « Complémentaire Santé Solidaire » – Pas-de-Calais – du 01/03/2024 au 31/03/2024 – unité : demandes.",
		"Définition : demandes enregistrées sur les fiches de la période"} {
		if !strings.Contains(a.Text, want) {
			t.Fatalf("answer lacks %q:\n%s", want, a.Text)
		}
	}
	buttons := strings.Join(a.ButtonTexts(), "|")
	for _, want := range []string{"Ce mois", "Cette année", "L'an dernier", "Tout le rapport", "Nord"} {
		if !strings.Contains(buttons, want) {
			t.Fatalf("answer buttons %s lack %q", buttons, want)
		}
	}

	// typed as on a phone: no accents, a typo, an abbreviation, singular
	region.Send("combein de demande de c2s ds le pas de calais en mars 2024")
	region.Expect("Demandes « Complémentaire Santé Solidaire » : 5\n")

	// the other buttons keep the question and change one thing
	region.PressOn(a, "Nord")
	region.Expect("Demandes « Complémentaire Santé Solidaire » : 3\n")
	region.PressOn(a, "Tout le rapport")
	report := region.Expect("Indicateurs – Pas-de-Calais")
	if !strings.Contains(report.Text, "\nEntre parenthèses : les chiffres de mars 2023, un an plus tôt.\n") || !strings.Contains(report.Text, "\nFiches : 9 (0)\n") || !strings.Contains(report.Text, "\nDemandes d'accès aux droits : 5 (0), résolues à 60 %\n") {
		t.Fatalf("the whole report is not that of March 2024 in the 62:\n%s", report.Text)
	}

	region.Send("taux de résolution des demandes de droits dans le pas-de-calais en 2024")
	region.Expect("Taux de résolution – demandes d'accès aux droits : 57 % (4 résolues sur 7 demandes)")

	region.Send("nombre de fiches par département en mars 2024")
	byDep := region.Expect("Fiches d'accompagnement : 12\n")
	for _, want := range []string{"- Nord : 3\n", "- Pas-de-Calais : 9\n", "- Aisne : 0\n"} {
		if !strings.Contains(byDep.Text, want) {
			t.Fatalf("breakdown lacks %q:\n%s", want, byDep.Text)
		}
	}

	region.Send("combien de fiches par mois en 2024")
	byMonth := region.Expect("Fiches d'accompagnement : 14\n")
	for _, want := range []string{"- janvier 2024 : 0\n", "- mars 2024 : 12\n", "- avril 2024 : 2\n", "- décembre 2024 : 0\n"} {
		if !strings.Contains(byMonth.Text, want) {
			t.Fatalf("breakdown by month lacks %q:\n%s", want, byMonth.Text)
		}
	}

	// both posts are at a "CCAS Roubaix": the bot asks which one
	region.Send("âge moyen à Roubaix en mars 2024")
	which := region.Expect("Plusieurs structures correspondent : CCAS Roubaix (Nord), CCAS Roubaix (Pas-de-Calais). Précisez laquelle.")
	region.PressOn(which, "Âge moyen des personnes – CCAS Roubaix (Nord)")
	region.Expect("Âge moyen des personnes : 41,0 ans (3 fiches où l'âge est connu)")
}

func TestQuestionsStayInsideTheAskersTerritory(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	seedQuestions(h)
	nord := h.coordinator(6200, store.Invitation{Level: "departement", Departement: "59"})

	nord.Send("combien de demandes de CSS dans le 62 en mars 2024 ?")
	refusal := nord.Expect("Pas-de-Calais ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : Nord, Postes ruraux – Nord, Postes en QPV – Nord, les structures de ce territoire.")
	if strings.Contains(refusal.Text, ": 5") || len(refusal.ButtonTexts()) != 0 {
		t.Fatalf("a refusal shows figures or buttons: %q %v", refusal.Text, refusal.ButtonTexts())
	}
	nord.Send("demandes de CSS dans la région en mars 2024")
	nord.Expect("Hauts-de-France ne fait pas partie de votre territoire.")
	nord.Send("et en picardie ? combien de fiches en 2024")
	nord.Expect("Picardie (Aisne, Oise, Somme) ne fait pas partie de votre territoire.")

	// a structure is recognised by name wherever it is, and refused outside
	lens := h.tg.NewUser(6003, "Karim").For(t)
	lens.Send("/start " + h.invite(store.Invitation{Role: roles.Mediator, Departement: "62", Structure: "Centre social Lens"}))
	lens.Expect("Bienvenue")
	nord.Send("combien de fiches à Lens en 2024")
	nord.Expect("Centre social Lens (Pas-de-Calais) ne fait pas partie de votre territoire.")

	// a structure's coordinator: their structure only, not its département
	roubaix := h.coordinator(6201, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
	roubaix.Send("combien de fiches dans le nord en mars 2024")
	roubaix.Expect("Nord ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : CCAS Roubaix (Nord).")
	roubaix.Send("combien de fiches en mars 2024")
	roubaix.Expect("Compris : fiches d'accompagnement – CCAS Roubaix (Nord) – du 01/03/2024 au 31/03/2024 – unité : fiches.")

	// none said: their own territory
	nord.Send("combien de demandes de CSS en mars 2024 ?")
	own := nord.Expect("Demandes « Complémentaire Santé Solidaire » : 3\n")
	if !strings.Contains(own.Text, "– Nord –") {
		t.Fatalf("the default territory is not the Nord:\n%s", own.Text)
	}
	for _, b := range own.ButtonTexts() {
		if strings.Contains(b, "Pas-de-Calais") || strings.Contains(b, "Hauts-de-France") {
			t.Fatalf("a Nord coordinator is offered %q", b)
		}
	}
}

func TestMediatorAsksAboutTheirOwnFiguresOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa, lea := seedQuestions(h)

	awa.Send("combien de fiches ce mois-ci ?")
	a := awa.Expect("Fiches d'accompagnement : 6\n")
	if !strings.Contains(a.Text, "– vos chiffres – du 01/11/2026 au 23/11/2026") {
		t.Fatalf("a mediator's answer is not about their own figures this month:\n%s", a.Text)
	}
	awa.Send("mes suivis en retard ?")
	awa.Expect("Suivis en retard : 0 demande au 23/11/2026")

	awa.Send("combien de fiches dans le 62 en 2024")
	awa.Expect("Vous ne pouvez consulter que vos propres chiffres.")

	lea.Send("nb de demandes en mars 2024")
	lea.Expect("Demandes : 9\n")
}

func TestAQuestionNotUnderstoodIsExplained(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa, _ := seedQuestions(h)
	region := h.coordinator(6300, store.Invitation{Level: "region"})

	region.Send("quelle est la météo dans le Nord en mars 2024 ?")
	m := region.Expect("Je n'ai pas compris quel chiffre vous cherchez.")
	for _, want := range []string{"J'ai compris : le territoire « Nord », la période du 01/03/2024 au 31/03/2024.",
		"Je ne connais pas : « meteo ».", "combien de demandes de CSS dans le 62 en mars 2024 ?"} {
		if !strings.Contains(m.Text, want) {
			t.Fatalf("the explanation lacks %q:\n%s", want, m.Text)
		}
	}
	if got := len(m.ButtonTexts()); got != 3 {
		t.Fatalf("%d suggestions, want 3: %v", got, m.ButtonTexts())
	}
	region.PressOn(m, "Fiches d'accompagnement – Nord – du 01/03/2024 au 31/03/2024")
	region.Expect("Fiches d'accompagnement : 3\n")

	// an answer to an open form is not a question
	awa.Send("/fiche")
	awa.Expect("")
	awa.Send("combien de fiches ce mois-ci ?")
	time.Sleep(300 * time.Millisecond)
	for _, msg := range awa.Messages() {
		if strings.Contains(msg.Text, "Compris :") {
			t.Fatalf("text typed in an open form was read as a question: %q", msg.Text)
		}
	}
}

func TestAPartlyUnderstoodQuestionIsNotGuessed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa, _ := seedQuestions(h)
	nord := h.coordinator(6400, store.Invitation{Level: "departement", Departement: "59"})

	// "Dunkerque" is no structure: the bot must not answer for the Nord as
	// if it were, nor offer the Nord's figure
	nord.Send("combien de fiches à Dunkerque en mars 2024 ?")
	refused := nord.Expect("« Dunkerque » (Nord) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune.")
	if strings.Contains(refused.Text, "Compris :") || len(refused.ButtonTexts()) != 0 {
		t.Fatalf("a town of the region was answered for the Nord: %q %v", refused.Text, refused.ButtonTexts())
	}
	// a word not understood: the bot must not answer as if it were not there
	nord.Send("combien de fiches validées en mars 2024 ?")
	m := nord.Expect("Je n'ai compris qu'une partie de votre question.")
	for _, want := range []string{"J'ai compris : l'indicateur « fiches d'accompagnement », la période du 01/03/2024 au 31/03/2024.",
		"Je ne connais pas : « validees »."} {
		if !strings.Contains(m.Text, want) {
			t.Fatalf("the explanation lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "Compris :") {
		t.Fatalf("a partly understood question was answered:\n%s", m.Text)
	}
	if got := strings.Join(m.ButtonTexts(), "|"); got != "Fiches d'accompagnement – Nord – du 01/03/2024 au 31/03/2024|Fiches d'accompagnement – Nord – cette année" {
		t.Fatalf("suggestions: %s", got)
	}
	nord.PressOn(m, "Fiches d'accompagnement – Nord – du 01/03/2024 au 31/03/2024")
	nord.Expect("Fiches d'accompagnement : 3\n")

	// a mediator's whole report from the answer's button is their own
	awa.Send("combien de fiches ce mois-ci")
	a := awa.Expect("Fiches d'accompagnement : 6\n")
	awa.PressOn(a, "Tout le rapport")
	awa.Expect("Vos chiffres\nDu 01/11/2026 au 23/11/2026")
}
