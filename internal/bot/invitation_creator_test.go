package bot_test

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// inviteLink has coord invite a mediator of the Nord by typing and returns the code.
func inviteLink(t *testing.T, coord *telegramtest.User, structure string) string {
	t.Helper()
	coord.Send("/inviter médiateur 59 " + structure)
	link := coord.Expect("?start=")
	return link.Text[strings.Index(link.Text, "?start=")+len("?start=") : strings.Index(link.Text, "\n")]
}

// Disabling a coordinator revokes the invitations they sent and have not
// been used yet (one audit line says how many): a departed coordinator's
// links register nobody.
func TestDisablingACoordinatorRevokesTheirInvitations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	claire := h.coordinator(5710, store.Invitation{Level: "region"})
	nord := h.coordinator(5711, store.Invitation{Level: "departement", Departement: "59"})
	used := inviteLink(t, nord, "CCAS Roubaix")
	first := inviteLink(t, nord, "CCAS Roubaix")
	second := inviteLink(t, nord, "CCAS Tourcoing")
	kept := inviteLink(t, claire, "CCAS Lille") // someone else's: stays valid
	awa := h.tg.NewUser(5720, "Awa").For(t)
	awa.Send("/start " + used)
	awa.Expect("Bienvenue")

	if got := pressData(t, claire, claire.Messages()[1].ID, "eq:D:5711"); !strings.HasPrefix(got, "Compte de Coord désactivé") {
		t.Fatalf("disabling the Nord coordinator: %q", got)
	}
	for i, code := range []string{first, second} {
		zoe := h.tg.NewUser(int64(5730+i), "Zoé").For(t)
		zoe.Send("/start " + code)
		zoe.Expect("Cette invitation a été annulée")
	}
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id IN (5730, 5731)`); n != 0 {
		t.Fatalf("%d users registered with a disabled coordinator's invitations", n)
	}
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'invite_revoke' AND actor = 5710 AND target = 'user:5711'
		AND detail = '{"revoked": 2, "reason": "creator_disabled"}'::jsonb`); n != 1 {
		t.Fatalf("%d audit lines for the revoked invitations, want 1", n)
	}
	lea := h.tg.NewUser(5740, "Léa").For(t)
	lea.Send("/start " + kept)
	lea.Expect("Bienvenue")
}

// An invitation whose creator is disabled registers nobody, even one left
// pending (a database from before disabling revoked them).
func TestAnInvitationOfADisabledCreatorIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	nord := h.coordinator(5811, store.Invitation{Level: "departement", Departement: "59"})
	code := inviteLink(t, nord, "CCAS Roubaix")
	if n := h.count(`WITH d AS (UPDATE users SET disabled_at = now() WHERE telegram_id = 5811 RETURNING 1) SELECT count(*) FROM d`); n != 1 {
		t.Fatal("could not disable the creator")
	}
	zoe := h.tg.NewUser(5830, "Zoé").For(t)
	zoe.Send("/start " + code)
	if got := zoe.Expect("n'a plus accès à Relais").Text; got != "La personne qui vous a invité n'a plus accès à Relais : son invitation ne fonctionne plus. Demandez une nouvelle invitation." {
		t.Fatalf("reply = %q", got)
	}
	if n := h.count(`SELECT count(*) FROM users WHERE telegram_id = 5830`); n != 0 {
		t.Fatal("a disabled creator's invitation registered someone")
	}
	if n := h.count(`SELECT count(*) FROM invitations WHERE used_at IS NOT NULL`); n != 1 { // the coordinator's own
		t.Fatalf("%d invitations used, want 1", n)
	}
}
