package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func count(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.DBOf(st).QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func mediator(t *testing.T, st *store.Store, telegramID int64, dep string) *store.User {
	t.Helper()
	ctx := context.Background()
	code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: dep, Structure: "CCAS Roubaix", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.RedeemInvitation(ctx, code, ids.TelegramID(telegramID), ids.ChatID(telegramID), "Awa", now)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestInvitationRegistersOnceWithItsAttributes(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", Structure: "CCAS Roubaix", Rural: true, ExpiresAt: now.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.RedeemInvitation(ctx, code, 42, 42, "Awa", now)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != "mediator" || u.Mediator == nil || u.Mediator.Departement != "59" || u.Mediator.Structure != "CCAS Roubaix" || !u.Mediator.Rural {
		t.Fatalf("registered user = %+v / %+v", u, u.Mediator)
	}
	if _, err := st.RedeemInvitation(ctx, code, 43, 43, "Bob", now); !errors.Is(err, store.ErrInvitationUsed) {
		t.Fatalf("reuse: got %v, want ErrInvitationUsed", err)
	}
	if _, err := st.RedeemInvitation(ctx, "NOPE", 44, 44, "Eve", now); !errors.Is(err, store.ErrInvitationUnknown) {
		t.Fatalf("unknown: got %v", err)
	}
	old, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Admin, ExpiresAt: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvitation(ctx, old, 45, 45, "Old", now); !errors.Is(err, store.ErrInvitationExpired) {
		t.Fatalf("expired: got %v", err)
	}
	var users int
	if err := store.DBOf(st).QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users != 1 {
		t.Fatalf("users = %d, want 1 (refused codes store nothing)", users)
	}
}

func TestInvitationRedeemedConcurrentlyServesOnce(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := st.RedeemInvitation(ctx, code, ids.TelegramID(int64(100+i)), ids.ChatID(int64(100+i)), "X", now); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d registrations from one code, want 1", ok)
	}
}

func TestInvitationValidation(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	for _, c := range []struct {
		inv  store.Invitation
		want string
	}{
		{store.Invitation{Role: "boss"}, "invitation invalide : le rôle doit être mediator, coordinator ou admin"},
		{store.Invitation{Role: roles.Mediator}, "invitation invalide : un médiateur a besoin de --departement"},
		{store.Invitation{Role: roles.Mediator, Departement: "75"}, "invitation invalide : le département doit être 02, 59, 60, 62 ou 80"},
		{store.Invitation{Role: roles.Coordinator, Level: "departement"}, "invitation invalide : la portée departement a besoin de --departement"},
		{store.Invitation{Role: roles.Coordinator, Level: "structure", Departement: "59"}, "invitation invalide : la portée structure a besoin de --departement et --structure"},
	} {
		_, err := st.CreateInvitation(context.Background(), c.inv)
		if !errors.Is(err, store.ErrInvalidInvitation) || err.Error() != c.want {
			t.Errorf("%+v: got %v, want %q", c.inv, err, c.want)
		}
	}
	if n := count(t, st, "invitations"); n != 0 {
		t.Fatalf("%d invitations stored after refusals", n)
	}
}

func sheet(id string, medID ids.MediatorID, ben string) store.Sheet {
	age := 34
	follow := now.AddDate(0, 0, 7)
	return store.Sheet{
		ID: id, MediatorID: medID, Date: now, Beneficiary: ben, Sex: "F", Age: &age, QPV: "oui",
		Resources: "rsa", ContactMode: "aller_vers", Level: "accompagne", SocialProtection: "oui",
		Obstacles: []string{"mobilite", "langue"},
		Requests: []store.Request{
			{Kind: "droits", Type: "css", Status: "en_cours", FollowUp: &follow},
			{Kind: "soins", Type: "rdv", Status: "resolue"},
		},
	}
}

func TestSaveSheetIsIdempotent(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 1, "59")
	n1, created, err := st.SaveSheet(ctx, sheet("s1", u.Mediator.ID, "K7M2QX"))
	if err != nil || !created {
		t.Fatalf("first save: %v created=%v", err, created)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, created, err := st.SaveSheet(ctx, sheet("s1", u.Mediator.ID, "K7M2QX"))
			if err != nil || created || n != n1 {
				t.Errorf("repeat save: n=%d created=%v err=%v", n, created, err)
			}
		}()
	}
	wg.Wait()
	var sheets, requests, people int
	if err := store.DBOf(st).QueryRow(ctx, `SELECT (SELECT count(*) FROM sheets), (SELECT count(*) FROM requests), (SELECT count(*) FROM beneficiaries)`).Scan(&sheets, &requests, &people); err != nil {
		t.Fatal(err)
	}
	if sheets != 1 || requests != 2 || people != 1 {
		t.Fatalf("rows: sheets=%d requests=%d people=%d, want 1 2 1", sheets, requests, people)
	}
	var follow *time.Time
	var resolvedAt *time.Time
	if err := store.DBOf(st).QueryRow(ctx, `SELECT follow_up FROM requests WHERE kind='droits'`).Scan(&follow); err != nil {
		t.Fatal(err)
	}
	if err := store.DBOf(st).QueryRow(ctx, `SELECT resolved_at FROM requests WHERE kind='soins'`).Scan(&resolvedAt); err != nil {
		t.Fatal(err)
	}
	if follow == nil || !follow.Equal(time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC)) || resolvedAt == nil {
		t.Fatalf("follow_up=%v resolved_at=%v", follow, resolvedAt)
	}
}

func TestPeopleAreTheMediatorsOwn(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a, b := mediator(t, st, 1, "59"), mediator(t, st, 2, "62")
	if _, _, err := st.SaveSheet(ctx, sheet("s1", a.Mediator.ID, "AAAAAA")); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.FindPerson(ctx, b.Mediator.ID, "AAAAAA"); err != nil || ok {
		t.Fatalf("another mediator found A's beneficiary (err %v)", err)
	}
	if _, _, err := st.SaveSheet(ctx, sheet("s2", b.Mediator.ID, "AAAAAA")); !errors.Is(err, store.ErrBeneficiaryNotYours) {
		t.Fatalf("saving on another's person: %v", err)
	}
	p, ok, err := st.FindPerson(ctx, a.Mediator.ID, "AAAAAA")
	if err != nil || !ok || p.Sex != "F" || *p.Age != 34 || p.QPV != "oui" || p.Resources != "rsa" {
		t.Fatalf("find own person: %+v %v %v", p, ok, err)
	}
	recent, err := st.RecentPeople(ctx, a.Mediator.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 1 || recent[0].Code != "AAAAAA" {
		t.Fatalf("recent = %+v", recent)
	}
	lines, err := st.RecentSheets(ctx, a.Mediator.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || len(lines[0].Requests) != 2 || lines[0].Requests[0].Type != "css" {
		t.Fatalf("recent sheets = %+v", lines)
	}
	if l, err := st.RecentSheets(ctx, b.Mediator.ID, 10); err != nil || len(l) != 0 {
		t.Fatalf("B sees A's sheets: %+v (err %v)", l, err)
	}
}

// A sheet logged late for an older visit must not replace what the latest
// visit recorded: the next /fiche proposes the person's current situation.
func TestBackDatedSheetKeepsThePersonsLatestAttributes(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a := mediator(t, st, 1, "59")
	if _, _, err := st.SaveSheet(ctx, sheet("recent", a.Mediator.ID, "AAAAAA")); err != nil {
		t.Fatal(err)
	}
	old := sheet("older", a.Mediator.ID, "AAAAAA")
	old.Date = now.AddDate(0, -2, 0)
	age := 33
	old.Age, old.QPV, old.Resources = &age, "non", "salaire"
	if _, _, err := st.SaveSheet(ctx, old); err != nil {
		t.Fatal(err)
	}
	p, ok, err := st.FindPerson(ctx, a.Mediator.ID, "AAAAAA")
	if err != nil || !ok {
		t.Fatalf("find: %v %v", ok, err)
	}
	if day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC); *p.Age != 34 || !p.AgeOn.Equal(day) || p.QPV != "oui" || p.Resources != "rsa" {
		t.Fatalf("person after a back-dated sheet = age %d on %v, qpv %s, resources %s; want the latest visit's 34 on 10/03/2026, oui, rsa",
			*p.Age, p.AgeOn, p.QPV, p.Resources)
	}
}

// A structure typed with other spaces or capitals joins the one already
// known in the département, so structure scopes find all its mediators.
func TestInvitationStructureJoinsTheKnownSpelling(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 42, "59") // structure as the helper writes it
	known := u.Mediator.Structure
	code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59",
		Structure: "  " + strings.ToUpper(known) + "  ", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.RedeemInvitation(ctx, code, 43, 43, "Léa", now)
	if err != nil {
		t.Fatal(err)
	}
	if v.Mediator.Structure != known {
		t.Fatalf("structure = %q, want the known %q", v.Mediator.Structure, known)
	}
	code, err = st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "62",
		Structure: " Centre   social  Lens ", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.RedeemInvitation(ctx, code, 44, 44, "Bob", now)
	if err != nil || w.Mediator.Structure != "Centre social Lens" {
		t.Fatalf("new structure = %q (%v), want spaces folded", w.Mediator.Structure, err)
	}
}

// An invitation names its region; its département must lie in it, and the
// coordinator it registers keeps it. Without a region it is for the
// Hauts-de-France, as every row from before.
func TestInvitationRegion(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	_, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59", Region: "76", ExpiresAt: now.Add(time.Hour)})
	if want := "invitation invalide : le département doit être 09, 11, 12, 30, 31, 32, 34, 46, 48, 65, 66, 81 ou 82"; err == nil || err.Error() != want {
		t.Errorf("59 in Occitanie: got %v, want %q", err, want)
	}
	if _, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Coordinator, Level: "region", Region: "99", ExpiresAt: now.Add(time.Hour)}); err == nil ||
		err.Error() != "invitation invalide : la région « 99 » est inconnue" {
		t.Errorf("region 99: got %v", err)
	}
	for i, c := range []struct {
		inv  store.Invitation
		want string
	}{
		{store.Invitation{Role: roles.Coordinator, Level: "region", Region: "76"}, "76"},
		{store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "31", Region: "76"}, "76"},
		{store.Invitation{Role: roles.Coordinator, Level: "region"}, "32"},
	} {
		c.inv.ExpiresAt = now.Add(time.Hour)
		code, err := st.CreateInvitation(ctx, c.inv)
		if err != nil {
			t.Fatal(err)
		}
		u, err := st.RedeemInvitation(ctx, code, ids.TelegramID(int64(500+i)), ids.ChatID(int64(500+i)), "X", now)
		if err != nil {
			t.Fatal(err)
		}
		if u.Coordinator == nil || u.Coordinator.Region != c.want || u.Coordinator.Level != c.inv.Level || u.Coordinator.Departement != c.inv.Departement {
			t.Errorf("%+v registered %+v, want region %s", c.inv, u.Coordinator, c.want)
		}
	}
}
