package store_test

import (
	"context"
	"testing"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestDemoStateRoundTrip(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	if v, ok, err := st.DemoState(ctx, "chats"); err != nil || ok || v != nil {
		t.Fatalf("absent state = %q %v %v", v, ok, err)
	}
	for _, want := range []string{"first", "second"} {
		if err := st.SaveDemoState(ctx, "chats", []byte(want)); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := st.DemoState(ctx, "chats"); err != nil || !ok || string(v) != want {
			t.Fatalf("state = %q %v %v, want %q", v, ok, err, want)
		}
	}
}

// TestPostsAndHistoryAreWrittenOnce: posts without an account are created
// once by identifier; actions and reviews written twice are there once, and
// a review of a year whose deadline has passed is written (it is history).
func TestPostsAndHistoryAreWrittenOnce(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	posts := []store.Mediator{{Identifier: "DEMO-02-01", Departement: "02", Structure: "CCAS Saint-Quentin"},
		{Identifier: "DEMO-80-01", Departement: "80", Structure: "Maison de santé du Vimeu", Rural: true}}
	ids, err := st.EnsurePosts(ctx, posts)
	if err != nil || len(ids) != 2 {
		t.Fatalf("EnsurePosts = %v, %v", ids, err)
	}
	again, err := st.EnsurePosts(ctx, posts)
	if err != nil || again["DEMO-80-01"] != ids["DEMO-80-01"] {
		t.Fatalf("EnsurePosts again = %v, %v; want the same ids %v", again, err, ids)
	}
	var n, rural, users int
	if err := store.DBOf(st).QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE rural AND structure = 'Maison de santé du Vimeu'),
		count(user_id) FROM mediators`).Scan(&n, &rural, &users); err != nil || n != 2 || rural != 1 || users != 0 {
		t.Fatalf("mediators: %d, rural %d, with an account %d (%v); want 2, 1, 0", n, rural, users, err)
	}

	yes, seven := true, 7
	actions := []store.Action{{ID: "demo-a-1", MediatorID: ids["DEMO-02-01"], Date: utcDay(2026, 3, 2), Role: "coanimee",
		Audience: "public", Themes: []string{"nutrition"}, PartnerType: "cpam", Participants: &seven, Title: "Atelier nutrition"}}
	reviews := []store.Review{{MediatorID: ids["DEMO-80-01"], Year: 2020, Identified: &yes, HealthNeeds: []string{"nutrition"}}}
	for range 2 {
		if err := st.SaveHistory(ctx, actions, reviews); err != nil {
			t.Fatal(err)
		}
	}
	var a, r int
	if err := store.DBOf(st).QueryRow(ctx, `SELECT (SELECT count(*) FROM actions WHERE partner_type = 'cpam' AND participants = 7),
		(SELECT count(*) FROM reviews WHERE year = 2020 AND identified)`).Scan(&a, &r); err != nil || a != 1 || r != 1 {
		t.Fatalf("actions %d, reviews %d (%v); want 1 and 1", a, r, err)
	}
}
