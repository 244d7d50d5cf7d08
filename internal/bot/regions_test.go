package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/territory"
)

// Deployments of other regions than the Hauts-de-France: RELAIS_REGIONS=76
// (Occitanie) and RELAIS_REGIONS=32,76, end to end through the fake Bot API.

// serving is the option of a deployment serving these regions (serve
// passes config's RELAIS_REGIONS the same way).
func serving(codes ...string) func(*bot.Options) {
	return func(o *bot.Options) {
		s, err := territory.Serve(codes)
		if err != nil {
			panic(err)
		}
		o.Regions = s
	}
}

// occitanie lists the 13 départements of region 76, as /inviter offers them.
const occitanie = "Ariège|Aude|Aveyron|Gard|Haute-Garonne|Gers|Hérault|Lot|Lozère|Hautes-Pyrénées|Pyrénées-Orientales|Tarn|Tarn-et-Garonne"

// member registers a person through /start with an invitation created as
// the command line does (its region is its département's).
func (h *harness) member(id int64, name string, inv store.Invitation) *telegramtest.User {
	h.t.Helper()
	if d, ok := territory.FindDepartement(inv.Departement); ok {
		inv.Region = d.Region
	}
	if inv.Role == "" {
		inv.Role = roles.Coordinator
	}
	u := h.tg.NewUser(id, name).For(h.t)
	u.Send("/start " + h.invite(inv))
	u.Expect("Bienvenue")
	return u
}

// invitationCode is the invitation code of the link message the inviter forwards.
func invitationCode(t *testing.T, link telegramtest.Message) string {
	t.Helper()
	i, j := strings.Index(link.Text, "?start="), strings.Index(link.Text, "\n")
	if i < 0 || j < i {
		t.Fatalf("no link in %q", link.Text)
	}
	return link.Text[i+len("?start=") : j]
}

func buttons(m telegramtest.Message) string { return strings.Join(m.ButtonTexts(), "|") }

// In Occitanie, invitations name Occitanie and offer its départements; a
// département of another region is not one the bot knows.
func TestOccitanieInvitations(t *testing.T) {
	t.Parallel()
	h := newHarness(t, serving("76"))
	anne := h.member(7601, "Anne", store.Invitation{Role: roles.Admin})
	if got := anne.Messages()[1].Text; !strings.Contains(got, "« combien de fiches dans la région cette année ? »") {
		t.Errorf("admin's welcome in Occitanie:\n%s", got)
	}

	anne.Send("/inviter")
	anne.Expect("Inviter qui ?")
	anne.Press("Médiateur santé")
	if got := buttons(anne.Expect("Médiateur santé de quel département ?")); got != occitanie {
		t.Errorf("départements offered: %s", got)
	}
	anne.Press("Hérault")
	anne.Expect("Quelle structure emploie la personne ? (Hérault)")

	marc := h.member(7610, "Marc", store.Invitation{Level: territory.LevelRegion, Region: "76"})
	if got := marc.Messages()[1].Text; !strings.HasPrefix(got, "Bienvenue sur Relais ! Votre compte de coordinateur est ouvert (région Occitanie).") {
		t.Errorf("regional coordinator's welcome: %q", got)
	}
	marc.Send("/inviter médiateur 34 Centre social Figuerolles")
	marc.Expect("Invitation créée : médiateur santé, Hérault, Centre social Figuerolles (poste en QPV). Valable jusqu'au 30/11/2026, une seule fois.")
	link := marc.Expect("Bonjour ! Voici votre invitation sur Relais")
	if want := "Bonjour ! Voici votre invitation sur Relais, l'outil des médiateurs santé d'Occitanie. Pour vous inscrire, ouvrez ce lien dans Telegram : https://t.me/" +
		h.tg.Bot().Username() + "?start="; !strings.HasPrefix(link.Text, want) {
		t.Errorf("link message %q, want %q…", link.Text, want)
	}
	ines := h.tg.NewUser(7620, "Inès").For(t)
	ines.Send("/start " + invitationCode(t, link))
	ines.Expect("Bienvenue sur Relais ! Votre compte de médiateur santé est ouvert (Hérault).")

	before := h.count(`SELECT count(*) FROM invitations`)
	marc.Send("/inviter médiateur 59 CCAS Roubaix")
	if got, want := marc.Expect("Écrivez le numéro du département").Text, "Écrivez le numéro du département (09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82) puis le nom de la structure.\n\n"+
		"Pour une structure qui n'est pas dans la liste, écrivez par exemple :\n/inviter médiateur 09 Centre social du centre-ville\n"+
		"/inviter médiateur rural 09 Maison de santé du canton\n/inviter coordinateur 09 Centre social du centre-ville (coordinateur de structure)"; got != want {
		t.Errorf("a département of another region:\n%s\nwant\n%s", got, want)
	}
	marc.Send("/inviter")
	marc.Expect("Inviter qui ?")
	marc.Press("Coordinateur")
	if got := buttons(marc.Expect("Coordinateur de quel niveau ?")); got != "Régional|Départemental|D'une structure" {
		t.Errorf("levels offered in one region: %s", got)
	}
	marc.Press("Régional")
	marc.Expect("Invitation créée : coordinateur régional. Valable jusqu'au 30/11/2026")
	marc.Expect("l'outil des médiateurs santé d'Occitanie.")
	if n := h.count(`SELECT count(*) FROM invitations WHERE scope = 'region' AND region = '76'`); n != 2 {
		t.Errorf("%d regional invitations for 76, want Marc's and his", n)
	}
	if n := h.count(`SELECT count(*) FROM invitations`); n != before+1 {
		t.Errorf("%d invitations created, want 1", n-before)
	}
	if n := h.count(`SELECT count(*) FROM invitations WHERE region <> '76'`); n != 1 {
		t.Errorf("%d invitations outside 76, want the admin's only", n)
	}
}

// On a deployment serving the Hauts-de-France and Occitanie, an admin
// chooses the region of whom they invite, or a national coordinator; a
// coordinator of Occitanie invites and manages in Occitanie only.
func TestTwoRegionsInvitations(t *testing.T) {
	t.Parallel()
	h := newHarness(t, serving("32", "76"))
	anne := h.member(7701, "Anne", store.Invitation{Role: roles.Admin})
	h.member(7702, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"})
	h.member(7703, "Inès", store.Invitation{Role: roles.Mediator, Departement: "31", Structure: "Centre social Bagatelle"})
	h.member(7704, "Chloé", store.Invitation{Level: territory.LevelRegion, Region: "32"})

	anne.Send("/inviter")
	anne.Expect("Inviter qui ?")
	anne.Press("Médiateur santé")
	if got := buttons(anne.Expect("Médiateur santé de quelle région ?")); got != "Hauts-de-France|Occitanie" {
		t.Errorf("regions offered: %s", got)
	}
	anne.Press("Hauts-de-France")
	if got := buttons(anne.Expect("Médiateur santé de quel département ? (Hauts-de-France)")); got != "Aisne|Nord|Oise|Pas-de-Calais|Somme" {
		t.Errorf("départements of 32 offered: %s", got)
	}

	anne.Send("/inviter")
	anne.Expect("Inviter qui ?")
	anne.Press("Coordinateur")
	if got := buttons(anne.Expect("Coordinateur de quel niveau ?")); got != "National (toutes les régions)|Régional|Départemental|D'une structure" {
		t.Errorf("levels offered to an admin of two regions: %s", got)
	}
	anne.Press("Régional")
	if got := buttons(anne.Expect("Coordinateur régional de quelle région ?")); got != "Hauts-de-France|Occitanie" {
		t.Errorf("regions offered: %s", got)
	}
	anne.Press("Occitanie")
	anne.Expect("Invitation créée : coordinateur régional, Occitanie. Valable jusqu'au 30/11/2026, une seule fois.")
	link := anne.Expect("l'outil des médiateurs santé d'Occitanie. Pour vous inscrire")
	marc := h.tg.NewUser(7710, "Marc").For(t)
	marc.Send("/start " + invitationCode(t, link))
	marc.Expect("Bienvenue sur Relais ! Votre compte de coordinateur est ouvert (région Occitanie).")
	if c := h.user(7710).Coordinator; c == nil || c.Level != territory.LevelRegion || c.Region != "76" {
		t.Fatalf("Marc registered as %+v", c)
	}

	anne.Send("/inviter")
	anne.Expect("Inviter qui ?")
	anne.Press("Coordinateur")
	anne.Expect("Coordinateur de quel niveau ?")
	anne.Press("National (toutes les régions)")
	anne.Expect("Invitation créée : coordinateur national (Hauts-de-France et Occitanie). Valable jusqu'au 30/11/2026, une seule fois.")
	link = anne.Expect("Bonjour ! Voici votre invitation sur Relais, l'outil des médiateurs santé des Hauts-de-France et d'Occitanie.")
	nadia := h.tg.NewUser(7711, "Nadia").For(t)
	nadia.Send("/start " + invitationCode(t, link))
	nadia.Expect("Bienvenue sur Relais ! Votre compte de coordinateur est ouvert (national : Hauts-de-France et Occitanie).")
	if n := h.count(`SELECT count(*) FROM coordinators WHERE user_id = 7711 AND scope = 'national' AND region IS NULL`); n != 1 {
		t.Fatalf("Nadia's coordinator row: %d national rows without region", n)
	}

	// Marc, of Occitanie: his levels, his départements, nothing of 32.
	marc.Send("/inviter")
	marc.Expect("Inviter qui ?")
	marc.Press("Coordinateur")
	if got := buttons(marc.Expect("Coordinateur de quel niveau ?")); got != "Régional|Départemental|D'une structure" {
		t.Errorf("levels offered to a regional coordinator: %s", got)
	}
	marc.Press("Départemental")
	if got := buttons(marc.Expect("De quel département ?")); got != occitanie {
		t.Errorf("départements offered to Occitanie's coordinator: %s", got)
	}
	marc.Press("Gard")
	marc.Expect("Invitation créée : coordinateur départemental, Gard.")
	marc.Send("/inviter")
	marc.Expect("Inviter qui ?")
	marc.Press("Coordinateur")
	marc.Expect("Coordinateur de quel niveau ?")
	marc.Press("Régional")
	marc.Expect("Invitation créée : coordinateur régional, Occitanie.")

	before := h.count(`SELECT count(*) FROM invitations`)
	marc.Send("/inviter médiateur 59 Centre social Fives")
	marc.Expect("Vous ne pouvez inviter que dans votre territoire (région Occitanie). Aucune invitation n'a été créée.")
	welcome := marc.Messages()[1]
	for _, data := range []string{"inv:c:r:r32", "inv:c:n", "inv:m:59", "inv:m:r32", "inv:c:d:r32", "inv:c:d:59", "inv:c:s:62", "inv:m:59:0000000000:0"} {
		if got := pressData(t, marc, welcome.ID, data); got != "Ce bouton n'est plus actif." {
			t.Errorf("Occitanie's coordinator pressing %s: %q", data, got)
		}
	}
	if n := h.count(`SELECT count(*) FROM invitations`); n != before {
		t.Fatalf("%d invitations created outside Occitanie", n-before)
	}

	// /equipe: the people of his region, and the admin as before regions.
	marc.Send("/equipe")
	team := marc.Expect("Votre équipe (région Occitanie) : 2 personnes.")
	if !strings.Contains(team.Text, "Inès — médiateur santé, Centre social Bagatelle, Haute-Garonne") ||
		strings.Contains(team.Text, "Awa") || strings.Contains(team.Text, "Chloé") || strings.Contains(team.Text, "Nadia") {
		t.Errorf("Occitanie's team:\n%s", team.Text)
	}
	// Pending invitations: his region's only, and only those he may revoke.
	h.invite(store.Invitation{Role: roles.Coordinator, Level: territory.LevelRegion, Region: "32"})
	var hdf int
	if err := h.db.SQL.QueryRow(t.Context(), `SELECT id FROM invitations WHERE region = '32' AND scope = 'region' AND used_at IS NULL`).Scan(&hdf); err != nil {
		t.Fatal(err)
	}
	marc.PressOn(team, "Invitations en attente")
	pending := marc.Expect("Invitations en attente : 2 invitations.")
	if !strings.Contains(pending.Text, "1. coordinateur départemental, Gard\n") || !strings.Contains(pending.Text, "2. coordinateur régional, Occitanie\n") {
		t.Errorf("Occitanie's pending invitations:\n%s", pending.Text)
	}
	if got := pressData(t, marc, welcome.ID, fmt.Sprintf("eq:r:%d", hdf)); got != "Cette invitation n'est plus en attente." {
		t.Errorf("Occitanie's coordinator revoking the Hauts-de-France's invitation: %q", got)
	}
	if n := h.count(`SELECT count(*) FROM invitations WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d invitations revoked across regions", n)
	}

	// Forged presses on people of the Hauts-de-France: its mediator, its
	// regional coordinator, the national coordinator.
	for _, data := range []string{"eq:D:7702", "eq:D:7704", "eq:D:7711"} {
		if got := pressData(t, marc, welcome.ID, data); !strings.HasPrefix(got, "Ce bouton n'est plus actif.") {
			t.Errorf("Occitanie's coordinator pressing %s: %q", data, got)
		}
	}
	if n := h.count(`SELECT count(*) FROM users WHERE disabled_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d users disabled across regions", n)
	}
	nadia.Send("/equipe")
	if got := nadia.Expect("Votre équipe (national : Hauts-de-France et Occitanie) : 5 personnes.").Text; !strings.Contains(got, "Awa") || !strings.Contains(got, "Inès") ||
		!strings.Contains(got, "Chloé — coordinateur, région Hauts-de-France") || !strings.Contains(got, "Marc — coordinateur, région Occitanie") {
		t.Errorf("national team:\n%s", got)
	}
}

// seedRegions registers a mediator of Haute-Garonne (3 sheets in May 2025)
// and one of Hérault (2 sheets in June 2025), and with hdf one of the Nord
// too (4 sheets in May 2025).
func (h *harness) seedRegions(hdf bool) {
	h.t.Helper()
	h.member(7801, "Inès", store.Invitation{Role: roles.Mediator, Departement: "31", Structure: "Centre social Bagatelle"})
	h.member(7802, "Paul", store.Invitation{Role: roles.Mediator, Departement: "34", Structure: "Centre social Figuerolles"})
	h.seedSheets(7801, 3, time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC))
	h.seedSheets(7802, 2, time.Date(2025, 6, 12, 0, 0, 0, 0, time.UTC))
	if hdf {
		h.member(7803, "Awa", store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"})
		h.seedSheets(7803, 4, time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC))
	}
}

// occitanieTerritories are the buttons of /indicateurs for Occitanie's
// regional coordinator: the region, its 13 départements, its rural and
// QPV posts, its structures.
const occitanieTerritories = "Occitanie|Ariège|Aude|Aveyron|Gard|Haute-Garonne|Gers|Hérault|Lot|Lozère|Hautes-Pyrénées|" +
	"Pyrénées-Orientales|Tarn|Tarn-et-Garonne|Postes ruraux|Postes en QPV|Centre social Bagatelle (Haute-Garonne)"

// In Occitanie, /indicateurs lists Occitanie's territories and titles its
// figures with the region; a question about « la région » is answered for
// Occitanie; the Nord is no territory of this deployment.
func TestOccitanieFiguresAndQuestions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, serving("76"))
	h.seedRegions(false)
	marc := h.member(7810, "Marc", store.Invitation{Level: territory.LevelRegion, Region: "76"})

	marc.Send("/indicateurs")
	marc.Press("L'année dernière")
	choice := marc.Expect("Période : du 01/01/2025 au 31/12/2025. Quel territoire ?")
	if got := buttons(choice); got != occitanieTerritories+"|Centre social Figuerolles (Hérault)" {
		t.Errorf("territories offered:\n%s", got)
	}
	marc.Press("Occitanie")
	figures := marc.Expect("Indicateurs – Occitanie\nDu 01/01/2025 au 31/12/2025\n")
	mustContain(t, figures.Text, "Fiches : 5 (0)\n", "Médiateurs actifs : 2 sur 2 postes (0)\n",
		"Par département : fiches, médiateurs actifs\nAriège : aucune fiche\n", "Haute-Garonne : 3 fiches, 1 médiateur\n",
		"Hérault : 2 fiches, 1 médiateur\n", "Tarn-et-Garonne : aucune fiche")
	if !strings.Contains(buttons(figures), "Rapport annuel 2025") {
		t.Errorf("the region's figures lead to its annual report: %s", buttons(figures))
	}

	marc.Send("combien de fiches dans la région l'an dernier ?")
	marc.Expect("Compris : fiches d'accompagnement – Occitanie – du 01/01/2025 au 31/12/2025 – unité : fiches.\n\nFiches d'accompagnement : 5\n")
	marc.Send("combien de fiches dans le Nord l'an dernier ?")
	refusal := marc.Expect("« Nord » ne fait pas partie des territoires de Relais.")
	if want := "« Nord » ne fait pas partie des territoires de Relais.\n\nRelais compte par territoire : la région Occitanie, ses départements " +
		"(Ariège, Aude, Aveyron, Gard, Haute-Garonne, Gers, Hérault, Lot, Lozère, Hautes-Pyrénées, Pyrénées-Orientales, Tarn, Tarn-et-Garonne), " +
		"les postes ruraux, les postes en QPV, et les structures, par une partie de leur nom (par exemple « Bagatelle » pour Centre social Bagatelle)."; refusal.Text != want {
		t.Errorf("question naming the Nord:\n%s\nwant\n%s", refusal.Text, want)
	}
}

// Occitanie's annual report: its title names Occitanie, its Annexe 1 has
// the region, its 13 départements (no groupings), its rural and QPV posts.
func TestOccitanieAnnualReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t, serving("76"))
	h.seedRegions(false)
	marc := h.member(7810, "Marc", store.Invitation{Level: territory.LevelRegion, Region: "76"})

	marc.Send("/rapport")
	menu := marc.Expect("Rapport annuel 2025 de la région : le document Word est la version à compléter")
	marc.PressOn(menu, "Annexe 1 2025 (par territoire)")
	annexe := marc.Expect("Annexe 1 – du 01/01/2025 au 31/12/2025")
	mustContain(t, annexe.Text,
		"\nColonnes : Région · Ariège · Aude · Aveyron · Gard · Haute-Garonne · Gers · Hérault · Lot · Lozère · Hautes-Pyrénées · "+
			"Pyrénées-Orientales · Tarn · Tarn-et-Garonne · médiateurs ruraux · médiateurs QPV\n",
		"\nMédiateurs actifs (au moins une fiche) :\nRégion 2 · Ariège 0 · Aude 0 · Aveyron 0 · Gard 0 · Haute-Garonne 1 · Gers 0 · Hérault 1 · "+
			"Lot 0 · Lozère 0 · Hautes-Pyrénées 0 · Pyrénées-Orientales 0 · Tarn 0 · Tarn-et-Garonne 0 · ruraux 0 · QPV 2\n")
	if strings.Contains(annexe.Text, "Picardie") || strings.Contains(annexe.Text, "Nord") {
		t.Errorf("Occitanie's Annexe 1 names the Hauts-de-France:\n%s", annexe.Text)
	}
	marc.PressOn(menu, "Rapport annuel 2025 (PDF)")
	pdf := waitFor(t, marc, "the PDF", func(m telegramtest.Message) bool { return m.Document != nil })
	if want := "Rapport annuel 2025 – Occitanie (PDF). Chiffres seulement : "; !strings.HasPrefix(pdf.Text, want) || pdf.Document.Name != "rapport_annuel_2025.pdf" {
		t.Errorf("PDF %q %q, want %q…", pdf.Document.Name, pdf.Text, want)
	}
}

// On a deployment of the Hauts-de-France and Occitanie, Occitanie's
// coordinator sees Occitanie only: the Hauts-de-France's figures are
// refused by a forged button and by a question naming the Nord; a
// question about « la région » counts Occitanie's sheets. A national
// coordinator sees both regions side by side, and an admin's Annexe 1 has
// one column per region.
func TestTwoRegionsFiguresStayInTheRegion(t *testing.T) {
	t.Parallel()
	h := newHarness(t, serving("32", "76"))
	h.seedRegions(true)
	marc := h.member(7810, "Marc", store.Invitation{Level: territory.LevelRegion, Region: "76"})
	anne := h.member(7811, "Anne", store.Invitation{Role: roles.Admin})
	nadia := h.member(7812, "Nadia", store.Invitation{Level: territory.LevelNational})

	anne.Send("/indicateurs")
	anne.Press("L'année dernière")
	all := anne.Expect("Quel territoire ?")
	if got := buttons(all); !strings.HasPrefix(got, "Hauts-de-France et Occitanie|Hauts-de-France|Picardie (Aisne, Oise, Somme)|Aisne|Nord|") ||
		!strings.Contains(got, "|Postes en QPV – Hauts-de-France|Occitanie|Ariège|") {
		t.Errorf("admin's territories:\n%s", got)
	}
	marc.Send("/indicateurs")
	marc.Press("L'année dernière")
	choice := marc.Expect("Quel territoire ?")
	if got := buttons(choice); got != occitanieTerritories+"|Centre social Figuerolles (Hérault)" {
		t.Errorf("Occitanie's territories:\n%s", got)
	}
	for _, name := range []string{"Hauts-de-France et Occitanie", "Hauts-de-France", "Nord", "Postes en QPV – Hauts-de-France", "CCAS Roubaix (Nord)"} {
		var data string
		for _, row := range all.Buttons {
			for _, b := range row {
				if b.Text == name {
					data = b.Data
				}
			}
		}
		if data == "" {
			t.Fatalf("no %q button for the admin", name)
		}
		marc.PressData(choice.ID, data)
		marc.Expect("Ce territoire ne fait pas partie de ceux que vous pouvez consulter.")
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE actor = 7810 AND action = 'refused' AND detail->>'reason' = 'territory'`); n != 5 {
		t.Errorf("%d refusals audited, want 5", n)
	}

	marc.Send("combien de fiches dans la région l'an dernier ?")
	marc.Expect("Compris : fiches d'accompagnement – Occitanie – du 01/01/2025 au 31/12/2025 – unité : fiches.\n\nFiches d'accompagnement : 5\n")
	marc.Send("combien de fiches dans le Nord l'an dernier ?")
	if got, want := marc.Expect("Nord ne fait pas partie de votre territoire.").Text, "Nord ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : "+
		"Occitanie, Ariège, Aude, Aveyron, Gard, Haute-Garonne, Gers, Hérault, Lot, Lozère, Hautes-Pyrénées, Pyrénées-Orientales, Tarn, Tarn-et-Garonne, "+
		"Postes ruraux, Postes en QPV, les structures de ce territoire."; got != want {
		t.Errorf("question naming the Nord:\n%s\nwant\n%s", got, want)
	}

	nadia.Send("combien de fiches l'an dernier ?")
	nadia.Expect("Compris : fiches d'accompagnement – Hauts-de-France et Occitanie – du 01/01/2025 au 31/12/2025 – unité : fiches.\n\nFiches d'accompagnement : 9\n")
	nadia.Send("/indicateurs")
	nadia.Press("L'année dernière")
	nadia.Press("Hauts-de-France et Occitanie")
	mustContain(t, nadia.Expect("Indicateurs – Hauts-de-France et Occitanie\n").Text, "Fiches : 9 (0)\n", "Nord : 4 fiches, 1 médiateur\n", "Haute-Garonne : 3 fiches, 1 médiateur\n")

	anne.Send("/rapport")
	menu := anne.Expect("Rapport annuel 2025 des régions Hauts-de-France et Occitanie : le document Word")
	anne.PressOn(menu, "Annexe 1 2025 (par territoire)")
	mustContain(t, anne.Expect("Annexe 1 – du 01/01/2025 au 31/12/2025").Text, "\nColonnes : Hauts-de-France · Occitanie\n",
		"\nMédiateurs actifs (au moins une fiche) :\nHauts-de-France 1 · Occitanie 2\n")
	marc.Send("/rapport")
	menu = marc.Expect("Rapport annuel 2025 de la région : le document Word")
	marc.PressOn(menu, "Annexe 1 2025 (par territoire)")
	mustContain(t, marc.Expect("Annexe 1 – du 01/01/2025 au 31/12/2025").Text,
		"\nMédiateurs actifs (au moins une fiche) :\nRégion 2 · Ariège 0 · Aude 0 · Aveyron 0 · Gard 0 · Haute-Garonne 1 · Gers 0 · Hérault 1 · ")
}

// A national coordinator of a deployment serving two regions is asked the
// region of whom they invite, as an admin is, but invites no admin; in
// /equipe they manage every regional coordinator, not another national
// one nor an admin (mayInvite, mayManage).
func TestNationalCoordinatorInvitesAndManagesEveryRegion(t *testing.T) {
	t.Parallel()
	h := newHarness(t, serving("32", "76"))
	h.member(7901, "Anne", store.Invitation{Role: roles.Admin})
	nadia := h.member(7902, "Nadia", store.Invitation{Level: territory.LevelNational})
	h.member(7903, "Noé", store.Invitation{Level: territory.LevelNational})
	h.member(7904, "Marc", store.Invitation{Level: territory.LevelRegion, Region: "76"})

	nadia.Send("/inviter")
	if got := buttons(nadia.Expect("Inviter qui ?")); got != "Médiateur santé|Coordinateur" {
		t.Errorf("roles offered to a national coordinator: %s", got)
	}
	nadia.Press("Médiateur santé")
	if got := buttons(nadia.Expect("Médiateur santé de quelle région ?")); got != "Hauts-de-France|Occitanie" {
		t.Errorf("regions offered: %s", got)
	}
	nadia.Press("Occitanie")
	if got := buttons(nadia.Expect("Médiateur santé de quel département ? (Occitanie)")); got != occitanie {
		t.Errorf("départements of 76 offered: %s", got)
	}
	nadia.Send("/inviter")
	nadia.Expect("Inviter qui ?")
	nadia.Press("Coordinateur")
	if got := buttons(nadia.Expect("Coordinateur de quel niveau ?")); got != "National (toutes les régions)|Régional|Départemental|D'une structure" {
		t.Errorf("levels offered to a national coordinator: %s", got)
	}
	nadia.Press("Régional")
	nadia.Expect("Coordinateur régional de quelle région ?")
	nadia.Press("Hauts-de-France")
	nadia.Expect("Invitation créée : coordinateur régional, Hauts-de-France. Valable jusqu'au 30/11/2026, une seule fois.")

	before := h.count(`SELECT count(*) FROM invitations`)
	welcome := nadia.Messages()[1]
	if got := pressData(t, nadia, welcome.ID, "inv:a"); got != "Ce bouton n'est plus actif." {
		t.Errorf("a national coordinator inviting an admin: %q", got)
	}
	if n := h.count(`SELECT count(*) FROM invitations`); n != before {
		t.Fatalf("%d invitations created by a forged admin button", n-before)
	}

	// The admin and the other national coordinator: refused; Marc, of
	// Occitanie: asked to confirm.
	for _, data := range []string{"eq:d:7901", "eq:d:7903"} {
		if got := pressData(t, nadia, welcome.ID, data); got != "Ce bouton n'est plus actif." {
			t.Errorf("a national coordinator pressing %s: %q", data, got)
		}
	}
	nadia.Send("/equipe")
	team := nadia.Expect("Votre équipe (national : Hauts-de-France et Occitanie)")
	if want := "Votre équipe (national : Hauts-de-France et Occitanie) : 3 personnes.\n\n" +
		"1. Anne — administrateur\n    aucune activité\n\n" +
		"2. Marc — coordinateur, région Occitanie\n    aucune activité\n\n" +
		"3. Noé — coordinateur, national : Hauts-de-France et Occitanie\n    aucune activité"; team.Text != want {
		t.Errorf("national team:\n%s\nwant\n%s", team.Text, want)
	}
	nadia.PressOn(team, "Désactiver n° 2")
	nadia.Expect("Désactiver Marc ? Dès maintenant, cette personne ne pourra plus utiliser Relais")
	if n := h.count(`SELECT count(*) FROM users WHERE disabled_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d users disabled", n)
	}
}
