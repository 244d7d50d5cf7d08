package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func register(t *testing.T, st *store.Store, id int64, inv store.Invitation) *store.User {
	t.Helper()
	ctx := context.Background()
	inv.ExpiresAt = now.Add(time.Hour)
	code, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.RedeemInvitation(ctx, code, ids.TelegramID(id), ids.ChatID(id), "U", now)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func auditActions(t *testing.T, st *store.Store) []string {
	t.Helper()
	es, err := st.AuditSince(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		actor := "cli"
		if e.Actor != nil {
			actor = itoa(*e.Actor)
		}
		out = append(out, actor+" "+e.Action+" "+e.Target)
	}
	return out
}

func itoa(n ids.TelegramID) string { return strconv.FormatInt(int64(n), 10) }

func TestRevokedInvitationCannotBeRedeemed(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	admin := ids.TelegramID(7)
	inv := store.Invitation{Role: roles.Mediator, Departement: "59", ExpiresAt: now.Add(time.Hour), CreatedBy: &admin}
	revoked, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	used, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	expired := inv
	expired.ExpiresAt = now.Add(-time.Second)
	if _, err := st.CreateInvitation(ctx, expired); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvitation(ctx, used, 50, 50, "Awa", now); err != nil {
		t.Fatal(err)
	}
	pending, err := st.ListInvitations(ctx, now)
	if err != nil || len(pending) != 2 || pending[0].ID != 1 || pending[1].ID != 2 || pending[0].Departement != "59" || *pending[0].CreatedBy != 7 {
		t.Fatalf("pending invitations = %+v, %v", pending, err)
	}
	if err := st.RevokeInvitation(ctx, 1, &admin); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvitation(ctx, revoked, 51, 51, "Bob", now); !errors.Is(err, store.ErrInvitationRevoked) {
		t.Fatalf("revoked invitation redeemed: %v", err)
	}
	if n := count(t, st, "users"); n != 1 {
		t.Fatalf("users = %d, want 1 (the revoked code registers nobody)", n)
	}
	if _, err := st.RedeemInvitation(ctx, kept, 52, 52, "Cid", now); err != nil {
		t.Fatalf("the other invitation: %v", err)
	}
	if err := st.RevokeInvitation(ctx, 1, nil); !errors.Is(err, store.ErrInvitationRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	if err := st.RevokeInvitation(ctx, 3, nil); !errors.Is(err, store.ErrInvitationUsed) {
		t.Fatalf("revoke used: %v", err)
	}
	if err := st.RevokeInvitation(ctx, 99, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	if pending, err := st.ListInvitations(ctx, now); err != nil || len(pending) != 0 {
		t.Fatalf("pending after revoke and use = %+v", pending)
	}
	want := []string{"7 invite invitation:1", "7 invite invitation:2", "7 invite invitation:3", "7 invite invitation:4",
		"50 register user:50", "7 invite_revoke invitation:1", "52 register user:52"}
	if got := auditActions(t, st); !slices.Equal(got, want) {
		t.Fatalf("audit = %q\nwant %q", got, want)
	}
}

func TestDisableAndEnableAUser(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	m := mediator(t, st, 60, "59")
	coord := ids.TelegramID(8)
	if err := st.SetUserDisabled(ctx, 60, true, &coord); err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByTelegramID(ctx, 60)
	if err != nil || !u.Disabled || u.Mediator.Active {
		t.Fatalf("disabled user = %+v %+v, %v", u, u.Mediator, err)
	}
	if err := st.SetUserDisabled(ctx, 60, true, &coord); err != nil {
		t.Fatalf("disable twice: %v", err)
	}
	if err := st.SetUserDisabled(ctx, 60, false, nil); err != nil {
		t.Fatal(err)
	}
	u, err = st.UserByTelegramID(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	if u.Disabled || !u.Mediator.Active || u.Mediator.ID != m.Mediator.ID {
		t.Fatalf("enabled user = %+v %+v", u, u.Mediator)
	}
	if err := st.SetUserDisabled(ctx, 60, true, ptr64(60)); !errors.Is(err, store.ErrDisableSelf) {
		t.Fatalf("self disable: %v", err)
	}
	if err := st.SetUserDisabled(ctx, 61, true, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	want := []string{"cli invite invitation:1", "60 register user:60", "8 user_disable user:60", "cli user_enable user:60"}
	if got := auditActions(t, st); !slices.Equal(got, want) {
		t.Fatalf("audit = %q\nwant %q", got, want)
	}
}

func ptr64(n ids.TelegramID) *ids.TelegramID { return &n }

// A disabled mediator gets no reminder even if their post was reopened by
// hand: the account flag alone decides.
func TestDisabledMediatorsAreNoReminderTarget(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	kept := mediator(t, st, 70, "59")
	gone := mediator(t, st, 71, "59")
	if err := st.SetUserDisabled(ctx, 71, true, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DBOf(st).Exec(ctx, `UPDATE mediators SET active = TRUE`); err != nil {
		t.Fatal(err)
	}
	openSheet(t, st, "kept", kept.Mediator.ID, "AAAAAA", date(2026, 3, 2), ptr(date(2026, 3, 10)))
	openSheet(t, st, "gone", gone.Mediator.ID, "BBBBBB", date(2026, 3, 2), ptr(date(2026, 3, 10)))
	targets, err := st.PendingReminders(ctx, now, 23, 9)
	if err != nil || len(targets) != 1 || targets[0].UserID != 70 || targets[0].MediatorID != kept.Mediator.ID {
		t.Fatalf("reminder targets = %+v, %v (disabled mediator %d)", targets, err, gone.Mediator.ID)
	}
	reviews, err := st.ReviewReminderTargets(ctx, store.ReviewReminderQuery{Job: "review_first", Year: 2025, Hour: 23, DefaultHour: 9})
	if err != nil || len(reviews) != 1 || reviews[0].UserID != 70 {
		t.Fatalf("review reminder targets = %+v, %v", reviews, err)
	}
}

func TestListUsersByTerritory(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	register(t, st, 1, store.Invitation{Role: roles.Admin})
	register(t, st, 2, store.Invitation{Role: roles.Coordinator, Level: "region"})
	register(t, st, 3, store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59"})
	register(t, st, 4, store.Invitation{Role: roles.Coordinator, Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
	m5 := register(t, st, 5, store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix"})
	register(t, st, 6, store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "Centre social Lille"})
	register(t, st, 7, store.Invitation{Role: roles.Mediator, Departement: "62", Structure: "CCAS Roubaix"})
	register(t, st, 8, store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "62"})
	if err := st.SetUserDisabled(ctx, 6, true, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SaveSheet(ctx, sheet("s1", m5.Mediator.ID, "AAA111")); err != nil {
		t.Fatal(err)
	}
	if err := st.Touch(ctx, 3, 3, now); err != nil {
		t.Fatal(err)
	}
	accounts := func(scope store.Coordinator) []ids.TelegramID {
		ms, err := st.ListUsers(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		var out []ids.TelegramID
		for _, m := range ms {
			out = append(out, m.TelegramID)
		}
		return out
	}
	for _, c := range []struct {
		scope store.Coordinator
		want  []ids.TelegramID
	}{
		{store.Coordinator{Level: "region"}, []ids.TelegramID{1, 2, 3, 4, 5, 8, 7, 6}},
		{store.Coordinator{Level: "departement", Departement: "59"}, []ids.TelegramID{3, 4, 5, 6}},
		{store.Coordinator{Level: "departement", Departement: "62"}, []ids.TelegramID{8, 7}},
		{store.Coordinator{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"}, []ids.TelegramID{4, 5}},
	} {
		if got := accounts(c.scope); !slices.Equal(got, c.want) {
			t.Errorf("%+v: users %v, want %v", c.scope, got, c.want)
		}
	}
	if _, err := st.ListUsers(ctx, store.Coordinator{Level: "departement"}); err == nil {
		t.Fatal("a département scope without département listed users")
	}
	ms, err := st.ListUsers(ctx, store.Coordinator{Level: "departement", Departement: "59"})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[ids.TelegramID]store.Member{}
	for _, m := range ms {
		byID[m.TelegramID] = m
	}
	if m := byID[5]; m.Role != "mediator" || m.Structure != "CCAS Roubaix" || m.MediatorID != m5.Mediator.ID || m.LastActivity == nil || m.DisabledAt != nil {
		t.Fatalf("mediator 5 = %+v", m)
	}
	if m := byID[3]; m.Level != "departement" || m.LastActivity == nil || !m.LastActivity.Equal(now) {
		t.Fatalf("coordinator 3 = %+v", m)
	}
	if m := byID[4]; m.LastActivity != nil {
		t.Fatalf("coordinator 4 never seen has activity %v", m.LastActivity)
	}
	if m := byID[6]; m.DisabledAt == nil {
		t.Fatalf("disabled mediator 6 = %+v", m)
	}
}

func TestCoordinatorCoversItsTerritoryOnly(t *testing.T) {
	t.Parallel()
	region := store.Coordinator{Level: "region"}
	d59 := store.Coordinator{Level: "departement", Departement: "59"}
	roubaix := store.Coordinator{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"}
	for _, c := range []struct {
		c          store.Coordinator
		dep, struc string
		want       bool
	}{
		{region, "62", "", true}, {region, "31", "", false}, // a region without its code is the Hauts-de-France
		{store.Coordinator{Level: "region", Region: "76"}, "31", "", true}, {store.Coordinator{Level: "region", Region: "76"}, "59", "", false},
		{store.Coordinator{Level: "national"}, "59", "", true}, {store.Coordinator{Level: "national"}, "31", "X", true},
		{d59, "59", "X", true}, {d59, "62", "X", false},
		{roubaix, "59", "CCAS Roubaix", true}, {roubaix, "59", "CCAS Lille", false}, {roubaix, "62", "CCAS Roubaix", false},
		{store.Coordinator{Level: "departement"}, "", "", false},
	} {
		if got := c.c.Covers(c.dep, c.struc); got != c.want {
			t.Errorf("%+v covers %s/%s: %v, want %v", c.c, c.dep, c.struc, got, c.want)
		}
	}
	if !d59.Covers("59", "") || d59.Covers("62", "") || roubaix.Covers("59", "") || region.Covers("", "") != true {
		t.Fatal("Covers on places")
	}
}

// Last activity is written at most once an hour: the bot skips the round
// trip before the hour, the SQL refuses an earlier write too.
func TestTouchAtMostOnceAnHour(t *testing.T) {
	t.Parallel()
	seen := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	u := &store.User{LastSeen: &seen}
	if u.NeedsTouch(seen.Add(59 * time.Minute)) {
		t.Error("a touch 59 minutes later would be written")
	}
	if !u.NeedsTouch(seen.Add(time.Hour)) {
		t.Error("a touch an hour later would be skipped")
	}
	if !(&store.User{}).NeedsTouch(seen) {
		t.Error("a user never seen would not be touched")
	}
}

// An invitation is pending up to its expiry instant, as RedeemInvitation
// accepts it, and no longer after.
func TestPendingInvitationUntilItsExpiry(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	expires := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	if _, err := db.Store.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix", ExpiresAt: expires}); err != nil {
		t.Fatal(err)
	}
	for at, want := range map[time.Time]int{expires: 1, expires.Add(time.Microsecond): 0} {
		pending, err := db.Store.ListInvitations(ctx, at)
		if err != nil || len(pending) != want {
			t.Errorf("pending at %v: %d (%v), want %d", at, len(pending), err, want)
		}
	}
}
