package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

// A coordinator disables a mediator who left from /equipe: at once the
// mediator's commands, buttons and due reminders get nothing, each attempt
// is audited, the sheets stay counted; enabled back, all works again.
func TestDisabledMediatorIsAStrangerAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(5301, "Awa", "59")
	mediatorID := h.user(5301).Mediator.ID
	h.openSheet(mediatorID, "s1", "ABC123", date(2026, 11, 20), date(2026, 11, 24))
	var requestID int64
	if err := h.db.SQL.QueryRow(t.Context(), `SELECT id FROM requests`).Scan(&requestID); err != nil {
		t.Fatal(err)
	}
	claire := h.coordinator(5310, store.Invitation{Level: "region"})

	claire.Send("/equipe")
	team := claire.Expect("Votre équipe (région Hauts-de-France) : 1 personne.")
	// By name: the post's identifier never shows.
	if !regexp.MustCompile(`1\. Awa — médiateur santé, CCAS Roubaix, Nord\n    dernière activité le \d\d/\d\d/20\d\d$`).MatchString(team.Text) ||
		strings.Contains(team.Text, h.user(5301).Mediator.Identifier) {
		t.Fatalf("team:\n%s", team.Text)
	}
	claire.Press("Désactiver n° 1")
	claire.Expect("Désactiver Awa ? Dès maintenant, cette personne ne pourra plus utiliser Relais")
	claire.Press("Oui, désactiver")
	claire.ExpectCallbackAnswer("Compte de Awa désactivé : plus aucun accès à Relais.")
	after := claire.Expect("Compte de Awa désactivé")
	if !strings.Contains(after.Text, "1. Awa — médiateur santé") || !strings.Contains(after.Text, "    compte désactivé le ") || after.ButtonTexts()[0] != "Réactiver n° 1" {
		t.Fatalf("after disabling: %v", after)
	}

	awa.Send("/fiche")
	awa.Expect("Relais est réservé aux médiateurs santé et à leurs coordinateurs.")
	welcome := awa.Messages()[1]
	if got := pressData(t, awa, welcome.ID, fmt.Sprintf("r:%d:resolue", requestID)); got != "Vous n'avez pas de compte sur Relais." {
		t.Fatalf("disabled mediator's press answered %q", got)
	}
	before := len(awa.Messages())
	h.runReminders(time.Date(2026, 11, 24, 9, 0, 0, 0, paris))
	if n := len(awa.Messages()); n != before {
		t.Fatalf("a disabled mediator got %d messages from the reminders: %v", n-before, awa.Messages()[before:])
	}
	if status, _, _ := h.request(requestID); status != "en_cours" {
		t.Fatalf("request %s after a disabled user's press", status)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'user_disable' AND actor = 5310 AND target = 'user:5301'`); n != 1 {
		t.Fatalf("%d disable lines in the audit", n)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'disabled_tried' AND actor = 5301`); n != 2 {
		t.Fatalf("%d attempts of the disabled user audited, want 2", n)
	}
	if n := h.count(`SELECT count(*) FROM sheets WHERE mediator_id = $1`, mediatorID); n != 1 {
		t.Fatalf("the disabled mediator's sheets: %d", n)
	}

	claire.Send("/equipe")
	claire.Expect("compte désactivé le ")
	claire.Press("Réactiver n° 1")
	claire.Press("Oui, réactiver")
	claire.ExpectCallbackAnswer("Compte de Awa réactivé.")
	h.runReminders(time.Date(2026, 11, 25, 9, 0, 0, 0, paris))
	awa.Expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui :")
	awa.Send("/fiche")
	awa.Expect("Date de l'accompagnement ?")
}

// /equipe shows and manages only the coordinator's territory.
func TestTeamStaysInTheTerritory(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(5401, "Awa", "59")
	h.mediator(5402, "Léa", "62")
	pdc := h.coordinator(5410, store.Invitation{Level: "departement", Departement: "62"})
	nord := h.coordinator(5411, store.Invitation{Level: "departement", Departement: "59"})
	ccas := h.coordinator(5412, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})

	pdc.Send("/equipe")
	if got := pdc.Expect("Votre équipe (Pas-de-Calais) : 1 personne.").Text; !strings.Contains(got, "Léa") || strings.Contains(got, "Awa") {
		t.Fatalf("Pas-de-Calais team:\n%s", got)
	}
	nord.Send("/equipe")
	if got := nord.Expect("Votre équipe (Nord) : 2 personnes.").Text; !strings.Contains(got, "Awa") || !strings.Contains(got, "Coord — coordinateur, CCAS Roubaix, Nord") {
		t.Fatalf("Nord team:\n%s", got)
	}
	// Forged: the 62 coordinator disables Awa (59); the structure
	// coordinator disables the département's coordinator; anyone disables themselves.
	if got := pressData(t, pdc, pdc.Messages()[1].ID, "eq:D:5401"); !strings.HasPrefix(got, "Ce bouton n'est plus actif.") {
		t.Errorf("pdc pressing %q: %q", "eq:D:5401", got)
	}
	if got := pressData(t, ccas, ccas.Messages()[1].ID, "eq:D:5411"); !strings.HasPrefix(got, "Ce bouton n'est plus actif.") {
		t.Errorf("ccas pressing %q: %q", "eq:D:5411", got)
	}
	if got := pressData(t, nord, nord.Messages()[1].ID, "eq:D:5411"); !strings.HasPrefix(got, "Ce bouton n'est plus actif.") {
		t.Errorf("nord pressing %q: %q", "eq:D:5411", got)
	}
	claire := h.coordinator(5413, store.Invitation{Level: "region"})
	if got := pressData(t, claire, claire.Messages()[1].ID, "eq:D:5413"); !strings.HasPrefix(got, "Ce bouton n'est plus actif.") {
		t.Errorf("claire pressing %q: %q", "eq:D:5413", got)
	}
	h.coordinator(5414, store.Invitation{Level: "structure", Departement: "62", Structure: "Centre social Lens"})
	h.coordinator(5415, store.Invitation{Level: "departement", Departement: "59"})
	for _, id := range []string{"5410", "5414", "5415"} { // peers, or another département's structure
		if got := pressData(t, nord, nord.Messages()[1].ID, "eq:D:"+id); got != "Ce bouton n'est plus actif." {
			t.Errorf("nord disabling %s: %q", id, got)
		}
	}
	if n := h.count(`SELECT count(*) FROM users WHERE disabled_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d users disabled by forged presses", n)
	}
	// Inside the territory, a structure coordinator manages their mediators.
	if got := pressData(t, ccas, ccas.Messages()[1].ID, "eq:D:5401"); !strings.HasPrefix(got, "Compte de Awa désactivé") {
		t.Errorf("ccas pressing %q: %q", "eq:D:5401", got)
	}
	if n := h.count(`SELECT count(*) FROM users WHERE disabled_at IS NOT NULL AND telegram_id = 5401`); n != 1 {
		t.Fatal("the structure coordinator could not disable their mediator")
	}
}

// Invitations are listed and revoked from /equipe; a revoked link registers nobody.
func TestRevokeAnInvitationFromTelegram(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(5501, "Awa", "59")
	nord := h.coordinator(5510, store.Invitation{Level: "departement", Departement: "59"})
	nord.Send("/inviter médiateur 59 CCAS Roubaix")
	link := nord.Expect("?start=")
	code := link.Text[strings.Index(link.Text, "?start=")+len("?start=") : strings.Index(link.Text, "\n")]
	h.invite(store.Invitation{Role: roles.Mediator, Departement: "62", Structure: "Centre social Lens"}) // not Nord's

	nord.Send("/equipe")
	nord.Expect("Votre équipe")
	nord.Press("Invitations en attente")
	list := nord.Expect("Invitations en attente : 1 invitation.")
	if !strings.Contains(list.Text, "1. médiateur santé, Nord, CCAS Roubaix (poste en QPV)") || strings.Contains(list.Text, "Lens") {
		t.Fatalf("invitations:\n%s", list.Text)
	}
	nord.Press("Annuler l'invitation n° 1")
	nord.ExpectCallbackAnswer("Invitation annulée : le lien ne fonctionne plus.")
	zoe := h.tg.NewUser(5520, "Zoé").For(t)
	zoe.Send("/start " + code)
	zoe.Expect("annulée")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 5520`); n != 0 {
		t.Fatal("a revoked invitation registered someone")
	}
}

// /equipe poste sets a post's dates within the coordinator's territory.
func TestTeamSetsPostDatesInTheTerritoryOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mediator(5601, "Awa", "59")
	h.mediator(5602, "Paul", "62")
	awa, paul := h.identifier(5601), h.identifier(5602)
	nord := h.coordinator(5610, store.Invitation{Level: "departement", Departement: "59"})
	dates := func(identifier string) string {
		t.Helper()
		var start, end *time.Time
		if err := h.db.SQL.QueryRow(context.Background(), `SELECT post_start, post_end FROM mediators WHERE identifier = $1`, identifier).Scan(&start, &end); err != nil {
			t.Fatal(err)
		}
		f := func(d *time.Time) string {
			if d == nil {
				return "-"
			}
			return d.Format("2006-01-02")
		}
		return f(start) + " " + f(end)
	}
	// By her number in /equipe; the reply names her, not the post's identifier.
	nord.Send("/equipe")
	nord.Expect("1. Awa — médiateur santé, CCAS Roubaix, Nord")
	nord.Send("/equipe poste 1 01/10/2024 30/06/2025")
	nord.Expect("Poste de médiation santé — Awa (CCAS Roubaix, Nord) : début 01/10/2024, fin 30/06/2025.")
	if got := dates(awa); got != "2024-10-01 2025-06-30" {
		t.Errorf("stored %s", got)
	}
	for _, c := range []struct{ cmd, want string }{
		{"/equipe poste " + paul + " 01/10/2024", "Aucun médiateur santé n° " + paul + " dans votre équipe"},
		{"/equipe poste 2 01/10/2024", "Aucun médiateur santé n° 2 dans votre équipe"},
		{"/equipe poste 0 01/10/2024", "Aucun médiateur santé n° 0 dans votre équipe"},
		{"/equipe poste 1 01/13/2024", "Date non reconnue"},
		{"/equipe poste 1 01/10/2025 30/06/2025", "La date de fin est avant la date de début"},
		{"/equipe poste 1", "/equipe poste N° DÉBUT [FIN]"},
	} {
		nord.Send(c.cmd)
		if got := nord.Expect(c.want).Text; !strings.Contains(got, c.want) {
			t.Errorf("%s: %q", c.cmd, got)
		}
	}
	if got := dates(awa) + " | " + dates(paul); got != "2024-10-01 2025-06-30 | - -" {
		t.Errorf("refused commands changed dates: %s", got)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'post_dates' AND actor = 5610`); n != 1 {
		t.Errorf("%d post date changes audited, want 1", n)
	}
	// The identifier (printed by the server's tools) is still taken.
	nord.Send("/equipe poste " + awa + " - -")
	nord.Expect("Poste de médiation santé — Awa (CCAS Roubaix, Nord) : début non précisé, fin aucune (poste en cours)")
}
