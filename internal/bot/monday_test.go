package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/export"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// saveSheet stores one sheet of the mediator registered as telegramID with
// one request.
func (h *harness) saveSheet(telegramID int64, id, person string, date time.Time, req store.Request) {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.db.Store.UserByTelegramID(ctx, ids.TelegramID(telegramID))
	if err != nil {
		h.t.Fatal(err)
	}
	age := 52
	if _, _, err := h.db.Store.SaveSheet(ctx, store.Sheet{
		ID: id, MediatorID: u.Mediator.ID, Date: date, Beneficiary: person, Sex: "F", Age: &age, QPV: "oui",
		Resources: "rsa", ContactMode: "rencontre_physique", Level: "accompagne", SocialProtection: "oui",
		Obstacles: []string{"non_connaissance", "education"}, Requests: []store.Request{req},
		SavedAt: date.Add(12 * time.Hour), // the day itself, by the bot's clock
	}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) identifier(telegramID int64) string {
	h.t.Helper()
	u, err := h.db.Store.UserByTelegramID(context.Background(), ids.TelegramID(telegramID))
	if err != nil {
		h.t.Fatal(err)
	}
	return u.Mediator.Identifier
}

// waitFor waits until the user's newest message satisfies ok.
func waitFor(t *testing.T, u *telegramtest.User, what string, ok func(telegramtest.Message) bool) telegramtest.Message {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := u.LastMessage(); ok(m) {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s; last message: %s", what, u.LastMessage())
	return telegramtest.Message{}
}

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("message lacks %q:\n%s", w, text)
		}
	}
}

// A Nord coordinator's Monday: the Monday summary, /indicateurs with last
// year and the trend beside the figures, the activity of a structure, an
// export, each result followed by its buttons, all in the words the
// mediators tapped.
func TestCoordinatorsMonday(t *testing.T) {
	t.Parallel()
	h := newHarness(t, chatLines) // Monday 23/11/2026, 10:00; the line-level files in the chat
	ctx := context.Background()
	h.mediator(5001, "Awa", "59") // CCAS Roubaix
	h.mediator(5002, "Léa", "59") // CCAS Roubaix, nothing this month
	u := h.tg.NewUser(5003, "Inès").For(t)
	u.Send("/start " + h.invite(store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "Centre social Lille-Sud"}))
	u.Expect("Bienvenue")
	awa, lea, ines := h.identifier(5001), h.identifier(5002), h.identifier(5003)

	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	followUp := day(2024, 12, 2)
	// Last week: two sheets by Awa; before, one in October by Léa, one in
	// November 2025 and a 2024 sheet whose follow-up has been due since.
	h.saveSheet(5001, "w1", "7K9JTG", day(2026, 11, 17), store.Request{Kind: "droits", Type: "css", Status: "resolue"})
	h.saveSheet(5001, "w2", "8NYERC", day(2026, 11, 19), store.Request{Kind: "soins", Type: "rdv", Status: "en_cours"})
	h.saveSheet(5002, "o1", "3HQ2AB", day(2026, 10, 6), store.Request{Kind: "droits", Type: "autre", Status: "resolue"})
	h.saveSheet(5001, "y1", "5TRW8K", day(2025, 11, 12), store.Request{Kind: "droits", Type: "css", Status: "resolue"})
	h.saveSheet(5003, "old", "9PLM4Z", day(2024, 11, 4), store.Request{Kind: "droits", Type: "css", Status: "en_cours", FollowUp: &followUp})
	if _, err := h.db.SQL.Exec(ctx, `UPDATE requests SET resolved_at = '2026-11-18 12:00+01' WHERE sheet_id = 'w1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.SQL.Exec(ctx, `INSERT INTO reviews (mediator_id, year) SELECT id, 2025 FROM mediators WHERE identifier = $1`, awa); err != nil {
		t.Fatal(err)
	}
	nord := h.coordinator(5100, store.Invitation{Level: "departement", Departement: "59"})
	if _, err := h.db.SQL.Exec(ctx, `UPDATE users SET created_at = '2026-01-01'`); err != nil {
		t.Fatal(err)
	}

	// 08:00, the Monday summary.
	api, err := telegram.Connect(ctx, h.tg.Token(), h.tg.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	job := &digest.Job{Store: h.db.Store, Out: telegram.NewSender(api, telegram.SenderOptions{Unlimited: true}), Location: paris}
	if _, err := job.Run(ctx, time.Date(2026, 11, 23, 8, 0, 0, 0, paris)); err != nil {
		t.Fatal(err)
	}
	summary := nord.Expect("Résumé du lundi – Nord")
	want := "Résumé du lundi – Nord\nVotre semaine, du 16/11/2026 au 22/11/2026\n\n" +
		"Fiches : 2 (+2 par rapport à la semaine précédente)\n" +
		"Personnes distinctes : 2 (+2 par rapport à la semaine précédente)\n" +
		"Demandes enregistrées : 2 (+2 par rapport à la semaine précédente)\n" +
		"Demandes résolues : 1 (+1 par rapport à la semaine précédente)\n" +
		"Suivis en retard à ce jour (date de suivi passée, toutes fiches) : 1\n" +
		"Médiateurs actifs : 1\n\n" +
		"Depuis le 01/01/2026 : 3 fiches, 3 personnes distinctes, 3 demandes ; résolues : accès aux droits 2 sur 2 (100 %), accès aux soins 0 sur 1 (0 %)"
	if summary.Text != want {
		t.Errorf("Monday summary:\n%s\nwant:\n%s", summary.Text, want)
	}

	// /indicateurs, this year, Nord.
	nord.Send("/indicateurs")
	nord.Expect("Indicateurs : quelle période ?")
	nord.Press("Cette année")
	nord.Expect("Quel territoire ?")
	nord.Press("Nord")
	figures := nord.Expect("Indicateurs – Nord")
	// The key figures, compared once with a year earlier; each section on
	// its button.
	mustContain(t, figures.Text,
		"Indicateurs – Nord\nDu 01/01/2026 au 23/11/2026\nEntre parenthèses : les chiffres du 01/01/2025 au 23/11/2025, un an plus tôt.\n\n",
		"Fiches : 3 (1)\nPersonnes distinctes : 3 (1)\nMédiateurs actifs : 2 sur 3 postes (1)\n",
		"Demandes d'accès aux droits : 2 (1), résolues à 100 %\nDemandes d'accès aux soins : 1 (0), résolues à 0 %\n",
		"Demandes résolues pendant la période, fiches de toutes dates : 2\nSuivis en retard au 23/11/2026, fiches de toutes dates : 1\nActions collectives : aucune\n",
		"Fiches par mois sur 12 mois : ▁▁▁▁▁▁▁▁▁▁▄█\ndéc. 25 : 0 · janv. 26 : 0 · févr. 26 : 0 · mars 26 : 0\n",
		"oct. 26 : 1 · nov. 26 : 2",
	)
	if got := strings.Join(figures.ButtonTexts(), "|"); got != "Droits|Soins|Publics|Freins|Actions|Bilans|Autre période|Autre territoire|Exporter (Excel)|Activité des médiateurs santé" {
		t.Errorf("buttons after the figures: %s", got)
	}
	nord.PressOn(figures, "Publics")
	mustContain(t, nord.Expect("Publics – Nord").Text,
		"Personnes distinctes : 3\nMoyennes par médiateur, en personnes distinctes :\n- personnes accompagnées : 2, dont en QPV : 2\n",
		"Fiches : 3\n- par sexe : femmes 3 (100 %) · hommes 0 (0 %)\n- en QPV : 3 (100 %)\n- âge moyen : 52 ans",
		"Ressources principales, en fiches :\n- RSA : 3 (100 %)",
		"Mode de contact, en fiches :\n- Rencontre physique : 3 (100 %)",
	)
	nord.PressOn(figures, "Droits")
	mustContain(t, nord.Expect("Accès aux droits – Nord").Text,
		"\n\n2 demandes, dont 2 résolues (100 %)\nPar type :\n- Complémentaire Santé Solidaire : 1 (50 %)\n- Autre : 1 (50 %)")
	nord.PressOn(figures, "Soins")
	mustContain(t, nord.Expect("Accès aux soins – Nord").Text,
		"\n\n1 demande, dont 0 résolue (0 %)\nPar type :\n- Prise de RDV : 1 (100 %)")
	nord.PressOn(figures, "Freins")
	mustContain(t, nord.Expect("Freins – Nord").Text,
		"\n\nFiches citant au moins un frein : 3 (100 %) sur 3\n\nPart de chaque frein dans les mentions (une fiche peut en citer plusieurs) :\n- Non connaissance des droits : 3 (50 %)\n- Éducation : 3 (50 %)")
	chart := waitFor(t, nord, "chart of the obstacles", func(m telegramtest.Message) bool { return m.Photo != nil })
	if got := strings.Join(chart.ButtonTexts(), "|"); got != "Droits|Soins|Publics|Actions|Bilans" {
		t.Errorf("buttons under the obstacles: %s", got)
	}

	// A past year by buttons, the territory kept.
	nord.PressOn(figures, "Autre période")
	nord.Expect("Indicateurs : quelle période ?")
	nord.Press("Une année passée…")
	years := nord.Expect("Indicateurs : quelle année ?")
	if got := strings.Join(years.ButtonTexts(), "|"); got != "2025|2024|2023|2022|2021|2020" {
		t.Errorf("past years offered: %s", got)
	}
	nord.Press("2024")
	past := nord.Expect("Du 01/01/2024 au 31/12/2024")
	mustContain(t, past.Text, "Indicateurs – Nord\n", "\nEntre parenthèses : les chiffres de 2023, un an plus tôt.\n", "\nFiches : 1 (0)\n")

	// A structure's activity: who logged nothing this month, who owes
	// their 2025 review.
	nord.Send("/activite")
	nord.Expect("Période : du 01/11/2026 au 23/11/2026. Quel territoire ?")
	nord.Press("CCAS Roubaix (Nord)")
	activity := nord.Expect("Activité – CCAS Roubaix (Nord)")
	// Posts by their mediator's name, never by their identifier.
	want = "Activité – CCAS Roubaix (Nord)\nFiches du 01/11/2026 au 23/11/2026 ; dernière fiche et bilan annuel 2025 : à ce jour\n\n" +
		"Sans fiche sur la période : 1 (Léa)\nBilan annuel 2025 non rempli : 1 (Léa)\n\n" +
		"CCAS Roubaix (Nord) : 2 médiateurs santé, 2 fiches sur la période, bilan annuel 2025 rempli par 1 sur 2\n" +
		"- Awa : 2 fiches · dernière fiche le 19/11/2026 · bilan 2025 rempli\n" +
		"- Léa : 0 fiche · dernière fiche le 06/10/2026 · bilan 2025 non rempli"
	if activity.Text != want {
		t.Errorf("activity:\n%s\nwant:\n%s", activity.Text, want)
	}
	if strings.Contains(activity.Text, ines) || strings.Contains(activity.Text, awa) || strings.Contains(activity.Text, lea) {
		t.Errorf("the CCAS Roubaix activity lists a mediator of another structure:\n%s", activity.Text)
	}
	if got := strings.Join(activity.ButtonTexts(), "|"); got != "Autre période|Autre territoire|Exporter (Excel)|Indicateurs" {
		t.Errorf("buttons after the activity: %s", got)
	}

	// The export of that structure, this month, from the activity.
	nord.PressOn(activity, "Exporter (Excel)")
	xlsx := waitFor(t, nord, "XLSX", func(m telegramtest.Message) bool { return m.Document != nil })
	if xlsx.Document.Name != "relais_ccas-roubaix-nord_2026-11-01_2026-11-23.xlsx" {
		t.Errorf("file name %q", xlsx.Document.Name)
	}
	mustContain(t, xlsx.Text, "Export Excel — CCAS Roubaix (Nord), du 01/11/2026 au 23/11/2026.",
		"la feuille « Données », une ligne par demande, en clair",
		"les réponses libres des bilans annuels : texte écrit par les médiateurs",
		"Les notes des fiches ne sont jamais exportées.")
	if got := strings.Join(xlsx.ButtonTexts(), "|"); got != "CSV pour tableur|CSV à codes (réimport)|Autre période|Autre territoire" {
		t.Errorf("buttons under the XLSX: %s", got)
	}
	f, err := excelize.OpenReader(bytes.NewReader(xlsx.Document.Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(export.DataSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], "|") != strings.Join(export.HumanHeader, "|") ||
		strings.Join(rows[1][1:], "|") != "17/11/2026|"+awa+"|Nord|7K9JTG|Femme|52|Oui|RSA|Rencontre physique|Accompagné|Oui|Accès aux droits|Complémentaire Santé Solidaire|Résolue||Non connaissance des droits ; Éducation" {
		t.Errorf("Données:\n%q", rows)
	}

	nord.PressOn(xlsx, "CSV pour tableur")
	csv := waitFor(t, nord, "CSV", func(m telegramtest.Message) bool {
		return m.Document != nil && strings.HasSuffix(m.Document.Name, ".csv")
	})
	data := string(csv.Document.Data)
	if !strings.HasPrefix(data, "\ufeffFiche;Date;Médiateur;Département;Personne (code);Sexe;") ||
		!strings.Contains(data, ";19/11/2026;"+awa+";Nord;8NYERC;Femme;52;Oui;RSA;") {
		t.Errorf("CSV for Excel:\n%s", data)
	}
	mustContain(t, csv.Text, "Export CSV pour tableur — CCAS Roubaix (Nord)", "Séparateur « ; »", "Aucun texte libre")
}

// The menu and /aide say "Mes chiffres" and "Résumé du lundi"; the former
// commands /monbilan and /digest keep working, unlisted.
func TestNewNamesInTheMenuOldNamesStillWork(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	med := h.mediator(5201, "Awa", "59")
	coord := h.coordinator(5202, store.Invitation{Level: "departement", Departement: "59"})
	menu := func(chatID int64) string {
		var lines []string
		for _, c := range h.tg.Bot().CommandsFor(fmt.Sprintf(`{"type":"chat","chat_id":%d}`, chatID), "") {
			lines = append(lines, "/"+c.Command+" — "+c.Description)
		}
		return strings.Join(lines, "\n")
	}
	med.Send("/aide")
	help := med.Expect("Ce que vous pouvez faire")
	for _, text := range []string{help.Text, menu(5201)} {
		mustContain(t, text, "/meschiffres — mes chiffres : fiches, personnes, demandes", "/bilan — bilan annuel (à remplir en janvier)",
			"/resume — recevoir ou non le résumé du lundi (oui / non)")
		if strings.Contains(text, "/monbilan") || strings.Contains(text, "/digest") || strings.Contains(text, "/activite") {
			t.Errorf("mediator's menu lists a former name or a coordinator's command:\n%s", text)
		}
	}
	coord.Send("/aide")
	help = coord.Expect("Ce que vous pouvez faire")
	for _, text := range []string{help.Text, menu(5202)} {
		mustContain(t, text, "/activite — activité par structure et par médiateur", "/resume — recevoir ou non le résumé du lundi")
		if strings.Contains(text, "/digest") || strings.Contains(text, "/meschiffres") {
			t.Errorf("coordinator's menu:\n%s", text)
		}
	}
	med.Send("/monbilan")
	med.Expect("Mes chiffres : quelle période ?")
	med.Send("/meschiffres")
	med.Press("Ce mois")
	figures := med.Expect("Vos chiffres")
	if got := strings.Join(figures.ButtonTexts(), "|"); got != "Droits|Soins|Publics|Freins|Actions|Bilans|Autre période" {
		t.Errorf("buttons after a mediator's own figures: %q", got)
	}
	coord.Send("/digest non")
	coord.Expect("vous ne recevrez plus le résumé du lundi. /resume oui pour le rétablir.")
	med.Send("/activite")
	med.Expect("La commande /activite est réservée")
}

// A region's activity longer than one Telegram message comes whole, in
// several messages, the buttons under the last one.
func TestLongActivityComesWholeInSeveralMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	for i := range 60 {
		if _, err := h.db.SQL.Exec(ctx, `INSERT INTO mediators (identifier, departement, structure) VALUES ($1, '59', $2)`,
			fmt.Sprintf("MED-%02d", i), fmt.Sprintf("Structure au nom assez long pour la liste n° %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	region := h.coordinator(5301, store.Invitation{Level: "region"})
	region.Send("/activite")
	region.Press("Hauts-de-France")
	last := waitFor(t, region, "buttons under the activity", func(m telegramtest.Message) bool {
		return len(m.ButtonTexts()) > 0 && strings.Contains(strings.Join(m.ButtonTexts(), "|"), "Exporter (Excel)")
	})
	// Posts without an account are named by their structure, never by identifier.
	const post = "Poste sans compte de Structure au nom assez long pour la liste n° "
	var all strings.Builder
	parts := 0
	for _, m := range region.Messages() {
		if strings.Contains(m.Text, "MED-") {
			t.Errorf("a post identifier in the chat: %q", m.Text)
		}
		if strings.Contains(m.Text, post) {
			all.WriteString(m.Text + "\n")
			parts++
		}
	}
	if parts < 2 || !strings.Contains(all.String(), "- "+post+"00 : 0 fiche") || !strings.Contains(all.String(), "- "+post+"59 : 0 fiche") || !strings.Contains(last.Text, post+"59") {
		t.Fatalf("activity in %d messages:\n%s", parts, all.String())
	}
	if !strings.Contains(all.String(), "Sans fiche sur la période : 60 ("+post+"00, "+post+"01,") {
		t.Errorf("summary of the idle posts:\n%s", all.String())
	}
}
