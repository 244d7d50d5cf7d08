package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// menuOf is the menu's button words under a message.
func menuOf(m telegramtest.Message) string { return strings.Join(m.ButtonTexts(), "|") }

// A greeting gets a greeting and what this person can do now, one line and
// one button per action, for every role; never « quel chiffre ».
func TestAGreetingOffersWhatEachRoleCanDo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(7001, "Awa", "59")
	awa.Send("bonjour")
	m := awa.Expect("Bonjour Awa !")
	if m.Text != "Bonjour Awa ! Que voulez-vous faire ?\n"+
		"• Nouvelle fiche : après un accompagnement\n"+
		"• Action collective : un atelier, une information collective\n"+
		"• Mes suivis : vos demandes en cours\n"+
		"• Mes chiffres : vos fiches, personnes et demandes\n\n"+
		"Tapez /aide pour tout voir." {
		t.Fatalf("mediator's greeting:\n%s", m.Text)
	}
	if got := menuOf(m); got != "Nouvelle fiche|Action collective|Mes suivis|Mes chiffres" {
		t.Fatalf("mediator's menu: %s", got)
	}
	awa.PressOn(m, "Mes chiffres")
	awa.Expect("Mes chiffres : quelle période ?")
	awa.Send("Bonsoir !")
	awa.Expect("Bonsoir Awa ! Que voulez-vous faire ?")
	for _, hello := range []string{"slaut", "coucou", "bonjoru", "hello"} {
		awa.Send(hello)
		if got := menuOf(awa.Expect("Que voulez-vous faire ?")); got != "Nouvelle fiche|Action collective|Mes suivis|Mes chiffres" {
			t.Fatalf("%q: menu %s", hello, got)
		}
	}
	awa.Send("merci !")
	awa.Expect("Avec plaisir ! Autre chose ?")

	region := h.coordinator(7010, store.Invitation{Level: "region"})
	region.Send("Bonjour")
	m = region.Expect("Bonjour Coord !")
	if m.Text != "Bonjour Coord ! Que voulez-vous faire ?\n"+
		"• Indicateurs : les chiffres de votre territoire\n"+
		"• Export : le fichier Excel des chiffres\n"+
		"• Activité : structures et médiateurs : dernière fiche, bilans\n"+
		"• Rapport annuel : le rapport de la région (Word, PDF)\n\n"+
		"Tapez /aide pour tout voir." {
		t.Fatalf("coordinator's greeting:\n%s", m.Text)
	}
	if got := menuOf(m); got != "Indicateurs|Export|Activité|Rapport annuel" {
		t.Fatalf("regional coordinator's menu: %s", got)
	}
	region.PressOn(m, "Export")
	region.Expect("Export : quelle période ?")

	// The annual report is the region's: not offered to a département.
	nord := h.coordinator(7011, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("salut")
	if got := menuOf(nord.Expect("Que voulez-vous faire ?")); got != "Indicateurs|Export|Activité" {
		t.Fatalf("départemental coordinator's menu: %s", got)
	}
	admin := h.tg.NewUser(7012, "Ada").For(t)
	admin.Send("/start " + h.invite(store.Invitation{Role: roles.Admin}))
	admin.Expect("Bienvenue")
	admin.Send("bonjour")
	if got := menuOf(admin.Expect("Que voulez-vous faire ?")); got != "Indicateurs|Export|Activité|Rapport annuel|Équipe|Inviter" {
		t.Fatalf("admin's menu: %s", got)
	}

	// A forged menu button is checked against the role, as the command is.
	if got := pressData(t, awa, m.ID, "go:export"); got != "Ce bouton n'est plus actif." {
		t.Fatalf("mediator pressing go:export: %q", got)
	}
	if got := pressData(t, nord, m.ID, "go:fiche"); got != "Ce bouton n'est plus actif." {
		t.Fatalf("coordinator pressing go:fiche: %q", got)
	}
}

// Intents start what their command starts, typos, accents and
// apostrophes aside; one a role may not use is refused like the command.
func TestIntentsStartTheirCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(7101, "Awa", "59")
	for _, c := range []struct{ typed, want string }{
		{"mes chifres", "Mes chiffres : quelle période ?"},
		{"Mes suivi", "demande"},
		{"aidee", "Ce que vous pouvez faire :"},
		{"jai besoin daide", "Ce que vous pouvez faire :"},
		{"rappel", "Heure du rappel : 9 h"},
	} {
		awa.Send(c.typed)
		awa.Expect(c.want)
	}
	awa.Send("une acion collective")
	awa.Expect("Date de l'action")
	awa.Send("annuler")
	awa.Press("Oui, abandonner")
	awa.Expect("abandonnée")
	awa.Send("jveux faire une nouvele fihce svp")
	awa.Expect("Date de l'accompagnement")
	awa.Send("annuler")
	awa.Press("Oui, abandonner")
	awa.Expect("Fiche abandonnée.")
	awa.Send("/nouvelle fiche")
	awa.Expect("Date de l'accompagnement")
	awa.Send("annuler")
	awa.Press("Oui, abandonner")
	awa.Expect("Fiche abandonnée.")

	awa.Send("exporter")
	awa.Expect("La commande /export est réservée aux coordinateurs. Tapez /aide pour voir ce que vous pouvez faire.")
	awa.Send("rapport annuel 2024")
	awa.Expect("La commande /rapport est réservée aux coordinateurs.")

	region := h.coordinator(7110, store.Invitation{Level: "region"})
	for _, c := range []struct{ typed, want string }{
		{"indicateur", "Indicateurs : quelle période ?"},
		{"exporté", "Export : quelle période ?"},
		{"/exporter", "Export : quelle période ?"},
		{"mes chiffres", "Indicateurs : quelle période ?"},
		{"rapport anuel 2024", "Rapport annuel 2024 de la région"},
	} {
		region.Send(c.typed)
		region.Expect(c.want)
	}
	region.Send("nouvelle fiche")
	region.Expect("La commande /fiche est réservée aux médiateurs santé. Tapez /aide pour voir ce que vous pouvez faire.")
	nord := h.coordinator(7111, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("rapport annuel 2024")
	nord.Expect("seuls les coordinateurs régionaux peuvent le produire")
	if n := h.count(`SELECT count(*) FROM sheets`); n != 0 {
		t.Fatalf("%d sheets", n)
	}
}

// What is neither a greeting, an intent nor a question says so and offers
// the menu (no example naming a territory a mediator may not see).
func TestNeitherSaysSoAndOffersTheMenu(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(7201, "Awa", "59")
	awa.Send("blabla")
	m := awa.Expect("Je n'ai pas compris votre message.")
	if strings.Contains(m.Text, "quel chiffre") || strings.Contains(m.Text, "Pas-de-Calais") || strings.Contains(m.Text, "62") {
		t.Fatalf("not understood:\n%s", m.Text)
	}
	if got := menuOf(m); got != "Nouvelle fiche|Action collective|Mes suivis|Mes chiffres" {
		t.Fatalf("menu: %s", got)
	}
	awa.PressOn(m, "Nouvelle fiche")
	awa.Expect("Date de l'accompagnement")
	awa.Send("/fiches-inconnues")
	awa.Expect("Commande inconnue")
}

// After /rappels, a typed hour is the reminder's hour.
func TestRappelsTakesATypedHour(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(7301, "Awa", "59")
	awa.Send("/rappels")
	settings := awa.Expect("Choisissez l'heure du rappel, ou écrivez-la (par exemple 7h)")
	awa.Send("7h")
	awa.Expect("Rappel à 7 h enregistré.")
	if n := h.count(`SELECT reminder_hour FROM users WHERE telegram_id = 7301`); n != 7 {
		t.Fatalf("reminder hour %d, want 7", n)
	}
	if got := awa.Messages(); !strings.Contains(messageByID(got, settings.ID).Text, "Heure du rappel : 7 h") {
		t.Fatalf("settings not redrawn: %q", messageByID(got, settings.ID).Text)
	}

	// 0 to 23, whole hours; a wrong hour changes nothing and is asked again.
	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("24h")
	awa.Expect("Heure non reconnue : écrivez une heure pile de 0 à 23, par exemple 7h. Rien n'a changé.")
	awa.Send("7h30")
	awa.Expect("Heure non reconnue")
	awa.Send("à 23 heures")
	awa.Expect("Rappel à 23 h enregistré.")
	if n := h.count(`SELECT reminder_hour FROM users WHERE telegram_id = 7301`); n != 23 {
		t.Fatalf("reminder hour %d, want 23", n)
	}
	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("0h")
	awa.Expect("Rappel à 0 h enregistré.")

	// A sheet in progress waits while the hour is typed.
	awa.Send("/fiche")
	awa.Press("Aujourd'hui")
	awa.Expect("Personne accompagnée")
	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("10h")
	awa.Expect("Rappel à 10 h enregistré.")
	awa.Send("annuler")
	awa.Expect("Abandonner la saisie « Fiche d'accompagnement » ?")
	awa.Press("Oui, abandonner")
	awa.Expect("Fiche abandonnée.")
	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("0h")
	awa.Expect("Rappel à 0 h enregistré.")

	// Answered, the question no longer waits.
	awa.Send("8h")
	awa.Expect("Je n'ai pas compris votre message.")
	if n := h.count(`SELECT reminder_hour FROM users WHERE telegram_id = 7301`); n != 0 {
		t.Fatalf("reminder hour %d, want 0", n)
	}
}

func messageByID(ms []telegramtest.Message, id int) telegramtest.Message {
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	return telegramtest.Message{}
}

// waitPrompt waits until the bot has recorded its question to chat id (it
// does so just after sending it), so that the clock moves after it.
func waitPrompt(t *testing.T, h *harness, id int64) {
	t.Helper()
	waitUntil(t, func() bool {
		_, ok, err := h.drafts.Prompt(context.Background(), ids.ChatID(id), ids.TelegramID(id))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}, "the bot's question recorded")
}

// The question waits ten minutes, and a command, a button, « annuler » or
// another intent ends it.
func TestAPromptExpiresOrIsEnded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(7401, "Awa", "59")
	hour := func() int { return h.count(`SELECT coalesce(reminder_hour, -1) FROM users WHERE telegram_id = 7401`) }
	before := hour()

	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	waitPrompt(t, h, 7401)
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	awa.Send("7h") // ten minutes: still waiting
	awa.Expect("Rappel à 7 h enregistré.")

	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	waitPrompt(t, h, 7401)
	h.clock.Set(h.clock.Now().Add(10*time.Minute + time.Second))
	awa.Send("8h")
	awa.Expect("Je n'ai pas compris votre message.")

	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("/suivis")
	awa.Expect("demande")
	awa.Send("8h")
	awa.Expect("Je n'ai pas compris votre message.")

	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("bonjour")
	menu := awa.Expect("Que voulez-vous faire ?")
	awa.Send("8h")
	awa.Expect("Je n'ai pas compris votre message.")

	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.PressOn(menu, "Mes chiffres")
	awa.Expect("Mes chiffres : quelle période ?")
	awa.Send("8h")
	awa.Expect("Je n'ai pas compris votre message.")

	awa.Send("/rappels")
	awa.Expect("Choisissez l'heure du rappel")
	awa.Send("annuler")
	awa.Expect("D'accord : rien n'a changé.")
	awa.Send("8h")
	awa.Expect("Je n'ai pas compris votre message.")
	if got := hour(); got != 7 || before == 7 {
		t.Fatalf("reminder hour %d (before %d), want 7", got, before)
	}
}

// After « Autres dates… », two typed dates are the export's period.
func TestExportTakesTypedDates(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(7501, "Awa", "80")
	h.seedSheets(7501, 2, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	h.seedSheets(7501, 1, time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC))
	c := h.coordinator(7502, store.Invitation{Level: "departement", Departement: "80"})
	c.Send("/export")
	c.Press("Autres dates…")
	c.Expect("Écrivez les deux dates de la période, par exemple : 01/01/2025 30/06/2025")
	c.Send("01/11/2026")
	c.Expect("Écrivez deux dates, par exemple : 01/01/2025 30/06/2025. Rien n'a été produit.")
	c.Send("20/11/2026 01/11/2026")
	c.Expect("Période incorrecte")
	c.Send("du 1/11/2026 au 20/11/2026")
	c.Expect("Période : du 01/11/2026 au 20/11/2026. Quel territoire ?")
	c.Press("Somme")
	deadline := time.Now().Add(5 * time.Second)
	for c.LastMessage().Document == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	doc := c.LastMessage().Document
	if doc == nil || doc.Name != "relais_somme_2026-11-01_2026-11-20.xlsx" {
		t.Fatalf("no XLSX document of the typed period: %+v", c.LastMessage())
	}
	if _, err := excelize.OpenReader(bytes.NewReader(doc.Data)); err != nil {
		t.Fatal(err)
	}
	if n := h.count(`SELECT count(*) FROM exports WHERE user_id = 7502 AND format = 'xlsx'`); n != 1 {
		t.Fatalf("export audit rows = %d", n)
	}
	// Answered, the question no longer waits: dates typed again are not a period.
	n := len(c.Messages())
	c.Send("01/11/2026 20/11/2026")
	waitUntil(t, func() bool { return len(c.Messages()) >= n+2 }, "an answer")
	if got := c.LastMessage().Text; strings.HasPrefix(got, "Période : ") {
		t.Fatalf("dates typed after the answer: %q", got)
	}
}

// After « Autre structure… », the typed name is the invitation's structure.
func TestInviterTakesATypedStructure(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(7601, "Awa", "59")
	nord := h.coordinator(7610, store.Invitation{Level: "departement", Departement: "59"})
	before := h.count(`SELECT count(*) FROM invitations`)
	nord.Send("/inviter")
	nord.Press("Coordinateur")
	nord.Press("D'une structure")
	nord.Press("Autre structure…")
	nord.Expect("Écrivez le nom de la structure (Nord), par exemple : Centre social Fives")
	nord.Send("=Centre")
	nord.Expect("Le nom ne peut pas commencer par =")
	nord.Send("Centre social Fives")
	nord.Expect("Invitation créée : coordinateur de structure, Centre social Fives, Nord.")
	if n := h.count(`SELECT count(*) FROM invitations WHERE role = 'coordinator' AND structure = 'Centre social Fives' AND departement = '59'`); n != 1 {
		t.Fatalf("%d invitations for the typed structure", n)
	}

	nord.Send("/inviter")
	nord.Press("Médiateur")
	nord.Press("Autre structure…")
	nord.Send("Maison de santé de Fives")
	rural := nord.Expect("Le poste de la personne (Maison de santé de Fives, Nord) est-il rural ?")
	// Only the typed structure's own buttons name it.
	if got := pressData(t, nord, rural.ID, "inv:m:59:0000000000:1"); got != "Ce bouton n'est plus actif." {
		t.Fatalf("a forged structure tag: %q", got)
	}
	nord.Press("Oui, rural")
	nord.Expect("Invitation créée : médiateur santé, Nord, Maison de santé de Fives (poste rural).")

	nord.Send("/inviter")
	nord.Press("Médiateur")
	nord.Press("Autre structure…")
	nord.Send("ccas roubaix") // the known spelling
	nord.Expect("Le poste de la personne (CCAS Roubaix, Nord) est-il rural ?")
	nord.Send("non")
	nord.Expect("Invitation créée : médiateur santé, Nord, CCAS Roubaix (poste en QPV).")

	// The typed name stays inside the inviter's territory.
	ccas := h.coordinator(7611, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
	ccas.Send("/inviter")
	ccas.Press("Médiateur")
	ccas.Press("Autre structure…")
	ccas.Send("Centre social Fives")
	ccas.Expect("Vous ne pouvez inviter que dans votre territoire (CCAS Roubaix, Nord). Aucune invitation n'a été créée.")
	if got := pressData(t, nord, rural.ID, "inv:m:62:autre"); got != "Ce bouton n'est plus actif." {
		t.Fatalf("« Autre structure… » of another département: %q", got)
	}
	if n := h.count(`SELECT count(*) FROM invitations`); n != before+4 { // 3 and the one of ccas itself
		t.Fatalf("%d invitations, want %d", n, before+4)
	}
}

// After /resume, « non » is the answer; after /datebilan, the date is the
// new deadline (regional coordinators only: others are not asked).
func TestResumeAndDatebilanTakeTypedAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(7701, "Awa", "59")
	awa.Send("/resume")
	awa.Expect("Le résumé du lundi est activé.")
	awa.Send("peut-être")
	awa.Expect("Répondez oui pour recevoir le résumé du lundi, non pour ne plus le recevoir. Rien n'a changé.")
	awa.Send("Non !")
	awa.Expect("C'est noté : vous ne recevrez plus le résumé du lundi.")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 7701 AND NOT digest`); n != 1 {
		t.Fatal("« non » after /resume did not turn the Monday summary off")
	}

	region := h.coordinator(7710, store.Invitation{Level: "region"})
	region.Send("/datebilan")
	region.Expect("Pour la changer, écrivez la nouvelle date, par exemple 14/02/2027 (ou /datebilan 14/02/2027).")
	region.Send("15/02/2027")
	region.Expect("15/02/2027")
	if n := h.count(`SELECT count(*) FROM review_deadlines WHERE deadline = '2027-02-15'`); n != 1 {
		t.Fatalf("%d deadlines on 15/02/2027", n)
	}
	nord := h.coordinator(7711, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/datebilan")
	nord.Expect("seuls les coordinateurs régionaux peuvent la changer")
	n := len(nord.Messages())
	nord.Send("15/03/2027")
	waitUntil(t, func() bool { return len(nord.Messages()) >= n+2 }, "an answer")
	if n := h.count(`SELECT count(*) FROM review_deadlines WHERE deadline = '2027-03-15'`); n != 0 {
		t.Fatal("a département coordinator's date was taken")
	}
}
