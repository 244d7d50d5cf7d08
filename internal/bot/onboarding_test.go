package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

func TestInvitationRegistersAMediator(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code := h.invite(store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"})
	awa := h.tg.NewUser(1001, "Awa").For(t)
	awa.Send("/start " + code)
	msg := awa.Expect("Bienvenue sur Relais")
	if !strings.Contains(msg.Text, "médiateur") || !strings.Contains(msg.Text, "Nord") || !strings.Contains(msg.Text, "/fiche") {
		t.Fatalf("welcome = %q", msg.Text)
	}
	if n := h.count(`SELECT count(*) FROM mediators m JOIN users u ON u.telegram_id = m.user_id
		WHERE u.telegram_id = 1001 AND m.departement = '59' AND m.structure = 'CCAS Roubaix'`); n != 1 {
		t.Fatalf("mediator rows = %d, want 1", n)
	}

	bob := h.tg.NewUser(1002, "Bob").For(t)
	bob.Send("/start " + code)
	bob.Expect("déjà été utilisé")

	eve := h.tg.NewUser(1003, "Eve").For(t)
	eve.Send("bonjour")
	eve.Expect("demandez une invitation")
	eve.Send("/start FAUXCODE")
	eve.Expect("inconnu")
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id IN (1002, 1003)`); n != 0 {
		t.Fatalf("refused users left %d rows", n)
	}
}

func TestExpiredInvitationAndHelpByRole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	old := h.invite(store.Invitation{Role: roles.Admin, ExpiresAt: h.clock.Now().Add(-time.Hour)})
	u := h.tg.NewUser(7, "Zoé").For(t)
	u.Send("/start " + old)
	u.Expect("expiré")

	coord := h.tg.NewUser(8, "Chloé").For(t)
	coord.Send("/start " + h.invite(store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "62"}))
	coord.Expect("coordinateur")
	coord.Send("/aide")
	help := coord.Expect("Ce que vous pouvez faire")
	if strings.Contains(help.Text, "/fiche") {
		t.Fatalf("coordinator help offers /fiche: %q", help.Text)
	}

	med := h.mediator(9, "Awa", "80")
	med.Send("/aide")
	if help := med.Expect("Ce que vous pouvez faire"); !strings.Contains(help.Text, "/fiche") {
		t.Fatalf("mediator help lacks /fiche: %q", help.Text)
	}
	// Each chat's "/" menu is its role's, as /aide lists it.
	menu := func(chatID int64) string {
		var names []string
		for _, c := range h.tg.Bot().CommandsFor(fmt.Sprintf(`{"type":"chat","chat_id":%d}`, chatID), "") {
			names = append(names, "/"+c.Command)
		}
		return strings.Join(names, " ")
	}
	if m := menu(8); strings.Contains(m, "/fiche") || !strings.Contains(m, "/indicateurs") {
		t.Fatalf("coordinator's menu = %q", m)
	}
	if m := menu(9); !strings.Contains(m, "/fiche") || strings.Contains(m, "/indicateurs") || strings.Contains(m, "/export") {
		t.Fatalf("mediator's menu = %q", m)
	}

	coord.Send("/fiche")
	if m := coord.Expect("/fiche"); !strings.Contains(m.Text, "réservée aux médiateurs") {
		t.Fatalf("coordinator /fiche = %q, want a refusal saying it is for mediators", m.Text)
	}
	coord.Send("/annuler")
	if m := coord.Expect("Aucune saisie en cours"); strings.Contains(m.Text, "/fiche") {
		t.Fatalf("coordinator /annuler points to /fiche: %q", m.Text)
	}
	med.Send("/indicateurs")
	if m := med.Expect("/indicateurs"); !strings.Contains(m.Text, "réservée aux coordinateurs") {
		t.Fatalf("mediator /indicateurs = %q", m.Text)
	}
	med.Send("/nimportequoi")
	med.Expect("Commande inconnue")
}
