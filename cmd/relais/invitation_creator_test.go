package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
)

// `relais user disable` revokes the pending invitations the user sent, in
// one audit line; their links then register nobody.
func TestUserDisableRevokesTheirInvitations(t *testing.T) {
	db := cliDB(t)
	st := db.Store
	ctx := context.Background()
	registerUser(t, st, 3, "Chloé", store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59"})
	creator := ids.TelegramID(3)
	var codes []string
	for range 2 {
		code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", CreatedBy: &creator, ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if code, _, errOut := cli(t, "user", "disable", "--telegram-id", "3"); code != 0 {
		t.Fatalf("user disable: %d %q", code, errOut)
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM invitations WHERE created_by = 3 AND revoked_at IS NOT NULL`); n != 2 {
		t.Fatalf("%d invitations revoked, want 2", n)
	}
	if n := countRows(t, db.URL, `SELECT count(*) FROM audit WHERE action = 'invite_revoke' AND actor IS NULL AND target = 'user:3'
		AND detail = '{"revoked": 2, "reason": "creator_disabled"}'::jsonb`); n != 1 {
		t.Fatalf("%d audit lines for the revoked invitations, want 1", n)
	}
	for i, code := range codes {
		if _, err := st.RedeemInvitation(ctx, code, ids.TelegramID(10+i), ids.ChatID(10+i), "Zoé", time.Now()); !errors.Is(err, store.ErrInvitationRevoked) {
			t.Errorf("redeeming invitation %d: %v, want revoked", i, err)
		}
	}
	// Enabled back, the coordinator's old links stay revoked.
	if code, _, errOut := cli(t, "user", "enable", "--telegram-id", "3"); code != 0 {
		t.Fatalf("user enable: %d %q", code, errOut)
	}
	if _, err := st.RedeemInvitation(ctx, codes[0], 10, 10, "Zoé", time.Now()); !errors.Is(err, store.ErrInvitationRevoked) {
		t.Errorf("redeeming after enable: %v, want revoked", err)
	}
}
