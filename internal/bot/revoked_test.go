package bot_test

import (
	"context"
	"testing"

	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

// A revoked invitation registers nobody and says why.
func TestRevokedInvitationIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code := h.invite(store.Invitation{Role: roles.Mediator, Departement: "59"})
	pending, err := h.db.Store.ListInvitations(context.Background(), h.clock.Now())
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	if err := h.db.Store.RevokeInvitation(context.Background(), pending[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	u := h.tg.NewUser(1001, "Awa").For(t)
	u.Send("/start " + code)
	if m := u.Expect("annulée"); m.Text != "Cette invitation a été annulée par la personne qui l'avait envoyée. Demandez une nouvelle invitation." {
		t.Fatalf("reply = %q", m.Text)
	}
	if n := h.count(`SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("users = %d after a revoked invitation", n)
	}
}
