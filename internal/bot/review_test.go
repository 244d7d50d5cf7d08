package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// addPartner registers a partner in the mediator's registry through /partenaires.
func addPartner(u *telegramtest.User, name, category, typ string) {
	u.Send("/partenaires")
	u.Press("Ajouter un partenaire")
	u.Expect("Nom du partenaire")
	u.Send(name)
	u.Expect("Catégorie du partenaire")
	u.Press(category)
	u.Expect("Type de partenaire")
	u.Press(typ)
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Partenaire enregistré")
}

type reviewRow struct {
	identified, missions, cpam, bodies, project, training bool
	sanitaire, social, medico                             int
	helped, hindered, improve                             string
	needs                                                 []string
}

func loadReview(t *testing.T, h *harness, year int) reviewRow {
	t.Helper()
	var r reviewRow
	err := h.db.SQL.QueryRow(context.Background(), `
		SELECT identified, missions_known, cpam_partnership, partner_bodies, professional_project, training,
		       partners_sanitaire, partners_social, partners_medico, helped, hindered, improve, health_needs
		FROM reviews WHERE year = $1`, year).Scan(&r.identified, &r.missions, &r.cpam, &r.bodies, &r.project, &r.training,
		&r.sanitaire, &r.social, &r.medico, &r.helped, &r.hindered, &r.improve, &r.needs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReviewFilledWithPrefilledPartnersThenEdited(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7201, "Awa", "59")
	addPartner(u, "CPAM de Lille-Douai", "Sanitaire", "CPAM")
	addPartner(u, "Centre hospitalier de Roubaix", "Sanitaire", "Professionnel de santé")
	addPartner(u, "CCAS de Roubaix", "Social", "Collectivité")

	u.Send("/bilan")
	// The intro names who reads the open answers: the coordinators, by export.
	if m := u.Expect("Bilan annuel 2026, à remplir avant le 31/01/2027"); !strings.Contains(m.Text, "vos coordinateurs (structure, département, région) les reçoivent dans leur export") {
		t.Fatalf("intro: %q", m.Text)
	}
	u.Expect("est-il identifié")
	u.Press("Oui")
	u.Expect("connues de vos partenaires")
	u.Press("Non")
	u.Expect("partenariat avec la CPAM")
	u.Press("Oui")
	u.Expect("instances partenariales")
	u.Press("Oui")
	u.Expect("Partenaires sanitaires : 2") // proposed from the registry
	u.Press("✅ Confirmer")
	u.Expect("Partenaires du champ social : 1")
	u.Press("Modifier")
	u.Expect("Combien de partenaires du champ social")
	u.Send("4")
	u.Expect("Partenaires médico-sociaux : 0")
	u.Press("✅ Confirmer")
	u.Expect("personnes différentes avez-vous informées, orientées ou accompagnées")
	u.Send("154")
	u.Expect("habitent en quartier prioritaire")
	u.Send("108")
	u.Expect("différentes pour l'accès aux droits")
	u.Send("78")
	u.Expect("différentes pour l'accès aux soins")
	u.Send("46")
	u.Expect("acteurs de la protection sociale")
	u.Send("52")
	u.Expect("Quels types de partenaires et de publics")
	u.Press("Habitants")
	u.Press("Personnes sous-main de justice")
	u.Press("Valider")
	u.Expect("facilité votre travail")
	u.Send("Le soutien de la coordinatrice du CLS.")
	u.Expect("freiné votre travail")
	u.Send("Les délais de rendez-vous chez les spécialistes.")
	u.Expect("faudrait-il améliorer")
	u.Send("Un local pour les permanences.")
	u.Expect("Besoins de santé constatés")
	u.Press("Santé mentale")
	u.Press("Nutrition")
	u.Press("Valider")
	u.Expect("Freins à l'accès à la santé constatés")
	u.Press("Mobilité")
	u.Press("Valider")
	u.Expect("projet professionnel")
	u.Press("Oui")
	u.Expect("suivi une formation")
	u.Press("Non")
	summary := u.Expect("Récapitulatif")
	if !strings.Contains(summary.Text, "Ce qui a aidé : Le soutien de la coordinatrice du CLS.") {
		t.Fatalf("the author sees their open answers in the summary:\n%s", summary.Text)
	}
	u.Press("✅ Enregistrer")
	done := u.Expect("Bilan 2026 enregistré")
	if got := strings.Join(done.ButtonTexts(), "|"); got != "Revoir le bilan|Terminé" {
		t.Fatalf("buttons after save = %s", got)
	}
	r := loadReview(t, h, 2026)
	if !r.identified || r.missions || !r.cpam || !r.bodies || !r.project || r.training ||
		r.sanitaire != 2 || r.social != 4 || r.medico != 0 ||
		r.helped != "Le soutien de la coordinatrice du CLS." || r.hindered != "Les délais de rendez-vous chez les spécialistes." ||
		r.improve != "Un local pour les permanences." || strings.Join(r.needs, ",") != "sante_mentale,nutrition" {
		t.Fatalf("saved review = %+v", r)
	}
	var people, qpv, rights, care, sp int
	var publics, obstacles []string
	if err := h.db.SQL.QueryRow(context.Background(), `
		SELECT declared_people, declared_people_qpv, declared_rights, declared_care, declared_social_protection, publics, obstacles
		FROM reviews WHERE year = 2026`).Scan(&people, &qpv, &rights, &care, &sp, &publics, &obstacles); err != nil {
		t.Fatal(err)
	}
	if people != 154 || qpv != 108 || rights != 78 || care != 46 || sp != 52 ||
		strings.Join(publics, ",") != "habitants,justice" || strings.Join(obstacles, ",") != "mobilite" {
		t.Fatalf("declared counts %d %d %d %d %d, publics %v, obstacles %v", people, qpv, rights, care, sp, publics, obstacles)
	}

	// /bilan again starts from the stored answers and edits the same row.
	u.Send("/bilan")
	if m := u.Expect("Votre bilan 2026 est enregistré. Vous pouvez le modifier jusqu'au 31/01/2027"); !strings.Contains(m.Text, "✏️") {
		t.Fatalf("the notice must name the buttons of the summary (✏️ …): %q", m.Text)
	}
	look := u.Expect("Récapitulatif")
	if !strings.Contains(look.Text, "Partenaires du champ social : 4") || !strings.Contains(look.Text, "Formation suivie : Non") {
		t.Fatalf("stored answers not shown:\n%s", look.Text)
	}
	// Looking at the review is not a draft in progress: /fiche starts at once.
	u.Send("/fiche")
	u.Expect("Date de l'accompagnement")
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "saisie en cours") {
			t.Fatalf("looking at the review blocked /fiche: %q", m.Text)
		}
	}
	u.Send("/annuler")
	u.Press("Oui, abandonner")
	for _, m := range u.Messages() {
		if m.ID == look.ID && (len(m.ButtonTexts()) != 0 || !strings.Contains(m.Text, "Formation suivie : Non")) {
			t.Fatalf("the review only looked at keeps its buttons: %s", m)
		}
	}

	u.Send("/bilan")
	u.Expect("Votre bilan 2026 est enregistré")
	again := u.Expect("Récapitulatif")
	u.PressOn(again, "✏️ Formation suivie")
	u.Expect("suivi une formation")
	u.Press("Oui")
	u.Expect("Formation suivie : Oui")
	u.Press("✅ Enregistrer")
	u.Expect("Bilan 2026 enregistré")
	if n := h.count(`SELECT count(*) FROM reviews`); n != 1 {
		t.Fatalf("reviews = %d, want 1", n)
	}
	if r := loadReview(t, h, 2026); !r.training || r.social != 4 || r.helped != "Le soutien de la coordinatrice du CLS." {
		t.Fatalf("edited review = %+v", r)
	}
}

func TestReviewRefusedAfterDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7202, "Awa", "80")
	ctx := context.Background()
	if err := h.db.Store.SetReviewDeadline(ctx, 2026, time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(time.Date(2027, 1, 14, 18, 0, 0, 0, paris))
	u.Send("/bilan")
	u.Expect("Bilan annuel 2026, à remplir avant le 15/01/2027")
	for _, q := range []struct{ question, answer string }{
		{"est-il identifié", "Oui"}, {"connues de vos partenaires", "Oui"}, {"partenariat avec la CPAM", "Non"},
		{"instances partenariales", "Non"},
	} {
		u.Expect(q.question)
		u.Press(q.answer)
	}
	for _, q := range []string{"partenaires sanitaires", "partenaires du champ social", "partenaires médico-sociaux",
		"informées, orientées ou accompagnées", "quartier prioritaire", "l'accès aux droits", "l'accès aux soins", "protection sociale"} {
		u.Expect(q)
		u.Send("1")
	}
	u.Expect("types de partenaires et de publics")
	u.Press("Passer")
	for _, q := range []string{"facilité", "freiné", "améliorer"} {
		u.Expect(q)
		u.Send("Rien de particulier.")
	}
	u.Expect("Besoins de santé")
	u.Press("Hygiène")
	u.Press("Valider")
	u.Expect("Freins à l'accès à la santé")
	u.Press("Passer")
	u.Expect("projet professionnel")
	u.Press("Non")
	u.Expect("suivi une formation")
	u.Press("Non")
	u.Expect("Récapitulatif")

	h.clock.Set(time.Date(2027, 1, 16, 9, 0, 0, 0, paris)) // the mediator comes back after the deadline
	u.Press("✅ Enregistrer")
	u.Expect("La date limite du bilan 2026 est passée (15/01/2027)")
	if n := h.count(`SELECT count(*) FROM reviews`); n != 0 {
		t.Fatalf("reviews = %d, want 0", n)
	}
	// /bilan now opens the review of the new year.
	u.Send("/bilan")
	u.Expect("Bilan annuel 2027, à remplir avant le 31/01/2028")
}

func TestReviewReminderButtonStartsTheReview(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7203, "Awa", "02")
	ctx := context.Background()
	api, err := telegram.Connect(ctx, h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	s := reminders.New(reminders.Options{Store: h.db.Store, Drafts: h.drafts, Location: paris, Hour: 9,
		Out: telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}), Log: slog.New(slog.DiscardHandler)})
	jan4 := time.Date(2027, 1, 4, 9, 0, 0, 0, paris)
	h.clock.Set(jan4)
	if err := s.Job().Run(ctx, jan4); err != nil {
		t.Fatal(err)
	}
	reminder := u.Expect("remplir votre bilan annuel 2026, avant le 31/01/2027")
	u.PressOn(reminder, "Remplir le bilan 2026")
	u.Expect("Bilan annuel 2026, à remplir avant le 31/01/2027")
	u.Expect("est-il identifié")

	// After the deadline, the old button is refused politely.
	u.Send("/annuler")
	u.Press("Oui, abandonner")
	h.clock.Set(time.Date(2027, 2, 2, 9, 0, 0, 0, paris))
	u.PressOn(reminder, "Remplir le bilan 2026")
	u.Expect("Le bilan 2026 ne peut plus être rempli ni modifié : la date limite était le 31/01/2027. Tapez /bilan pour le bilan 2027")
}

// fillReview answers every question of a blank /bilan with helped as the
// first open answer, and saves it.
func fillReview(u *telegramtest.User, helped string) {
	u.Send("/bilan")
	for _, q := range []string{"est-il identifié", "connues de vos partenaires", "partenariat avec la CPAM", "instances partenariales"} {
		u.Expect(q)
		u.Press("Oui")
	}
	for _, q := range []string{"partenaires sanitaires", "partenaires du champ social", "partenaires médico-sociaux",
		"informées, orientées ou accompagnées", "quartier prioritaire", "l'accès aux droits", "l'accès aux soins", "protection sociale"} {
		u.Expect(q)
		u.Send("2")
	}
	u.Expect("types de partenaires et de publics")
	u.Press("Habitants")
	u.Press("Valider")
	for i, q := range []string{"facilité", "freiné", "améliorer"} {
		u.Expect(q)
		if i == 0 {
			u.Send(helped)
		} else {
			u.Send("Rien à signaler.")
		}
	}
	u.Expect("Besoins de santé")
	u.Press("Santé mentale")
	u.Press("Valider")
	u.Expect("Freins à l'accès à la santé")
	u.Press("Passer")
	u.Expect("projet professionnel")
	u.Press("Non")
	u.Expect("suivi une formation")
	u.Press("Oui")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
	u.Expect("Bilan 2026 enregistré")
}

func TestCoordinatorSeesReviewSharesButNeverTheOpenAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7301, "Awa", "59")
	h.seedSheets(7301, 2, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	fillReview(u, "Le soutien très personnel de ma responsable Awa.")

	nord := h.coordinator(7310, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/indicateurs")
	nord.Expect("quelle période")
	nord.Press("Cette année")
	choice := nord.Expect("Quel territoire")
	nord.Press(choice.ButtonTexts()[0])
	nord.Expect("Indicateurs – Nord")
	nord.Press("Bilans")
	figures := nord.Expect("Bilan annuel 2026 : 1 bilan rempli sur 1 poste")
	if !strings.Contains(figures.Text, "\nEn % des bilans : identifiés 100 % · CPAM 100 %") {
		t.Fatalf("review shares missing:\n%s", figures.Text)
	}
	for _, m := range nord.Messages() {
		if strings.Contains(m.Text, "ma responsable Awa") || strings.Contains(m.Text, "Rien à signaler") {
			t.Fatalf("an open answer reached the coordinator's chat: %q", m.Text)
		}
	}
}

func TestRegionalCoordinatorMovesTheReviewDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(7401, "Awa", "60")
	nord := h.coordinator(7410, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/datebilan")
	if m := nord.Expect("Bilan annuel 2026 : date limite le 31/01/2027"); strings.Contains(m.Text, "Pour la changer") ||
		!strings.Contains(m.Text, "seuls les coordinateurs régionaux") {
		t.Fatalf("a département coordinator is invited to change the deadline: %q", m.Text)
	}
	nord.Send("/datebilan 15/02/2027")
	nord.Expect("seuls les coordinateurs régionaux peuvent la changer")

	region := h.coordinator(7411, store.Invitation{Level: "region"})
	region.Send("/datebilan")
	region.Expect("Bilan annuel 2026 : date limite le 31/01/2027")
	region.Send("/datebilan 2026")
	region.Expect("Date limite : date « 2026 » invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA), par exemple /datebilan 15/02/2027.")
	region.Send("/datebilan 15/02/2027 extra")
	region.Expect("Écrivez une seule date limite")
	region.Send("/datebilan 1999 15/02/2027")
	region.Expect("Année 1999 impossible")
	region.Send("/datebilan 2027-02-14") // the ISO form, as /indicateurs accepts
	region.Expect("jusqu'au 14/02/2027 inclus")
	region.Send("/datebilan 31/12/2026")
	region.Expect("doit tomber après la fin de l'année 2026")
	region.Send("/datebilan 15/02/2027")
	region.Expect("le bilan annuel 2026 peut être rempli et modifié jusqu'au 15/02/2027 inclus")

	h.clock.Set(time.Date(2027, 2, 10, 9, 0, 0, 0, paris))
	u.Send("/bilan")
	u.Expect("Bilan annuel 2026, à remplir avant le 15/02/2027")
}
