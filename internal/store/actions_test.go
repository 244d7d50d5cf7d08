package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestSaveActionOnceByID(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 42, "59")
	n := 25
	a := store.Action{ID: "act-1", MediatorID: u.Mediator.ID, Date: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC),
		Role: "coanimee", Audience: "public", Themes: []string{"nutrition"}, PartnerType: "cpam", Participants: &n}
	first, created, err := st.SaveAction(ctx, a)
	if err != nil || !created {
		t.Fatalf("first save: %d %v %v", first, created, err)
	}
	again, created, err := st.SaveAction(ctx, a)
	if err != nil || created || again != first {
		t.Fatalf("second save: %d %v %v (first %d)", again, created, err, first)
	}
	other := mediator(t, st, 43, "59")
	b := a
	b.MediatorID = other.Mediator.ID
	if _, _, err := st.SaveAction(ctx, b); err == nil {
		t.Fatal("another mediator's save of the same id found a number")
	}
	lines, err := st.RecentActions(ctx, u.Mediator.ID, 10)
	if err != nil || len(lines) != 1 || lines[0].Number != first || lines[0].Role != "coanimee" || *lines[0].Participants != 25 {
		t.Fatalf("recent actions = %+v, %v", lines, err)
	}
}

func TestPartnersAreTheMediatorsOwnAndNamedOnce(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 42, "62")
	v := mediator(t, st, 43, "62")
	for _, p := range []store.Partner{
		{MediatorID: u.Mediator.ID, Name: "CPAM de l'Artois", Category: "sanitaire", Type: "cpam"},
		{MediatorID: u.Mediator.ID, Name: "  cpam de  l'artois ", Category: "social", Type: "cpam"}, // same, corrected
		{MediatorID: u.Mediator.ID, Name: "CSAPA Le Cèdre", Category: "medico_social", Type: "acteur_specialise"},
		{MediatorID: v.Mediator.ID, Name: "CPAM de l'Artois", Category: "sanitaire", Type: "cpam"},
	} {
		if _, err := st.SavePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := st.Partners(ctx, u.Mediator.ID)
	if err != nil || len(ps) != 2 || ps[0].Name != "CPAM de l'Artois" || ps[0].Category != "social" || ps[1].Category != "medico_social" {
		t.Fatalf("partners = %+v, %v", ps, err)
	}
	counts, err := st.PartnerCounts(ctx, u.Mediator.ID)
	if err != nil || counts["sanitaire"] != 0 || counts["social"] != 1 || counts["medico_social"] != 1 {
		t.Fatalf("counts = %v, %v", counts, err)
	}
	if _, err := st.SavePartner(ctx, store.Partner{MediatorID: u.Mediator.ID, Name: "  ", Category: "social", Type: "autre"}); err == nil {
		t.Fatal("empty name accepted")
	}
}

func TestActionPartnerComesFromTheMediatorsOwnRegistry(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 42, "59")
	v := mediator(t, st, 43, "59")
	mine, err := st.SavePartner(ctx, store.Partner{MediatorID: u.Mediator.ID, Name: "Centre social Linné", Category: "social", Type: "centre_social"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := st.SavePartner(ctx, store.Partner{MediatorID: v.Mediator.ID, Name: "CPAM", Category: "sanitaire", Type: "cpam"})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	save := func(id string, partner int64, typ string) {
		t.Helper()
		if _, _, err := st.SaveAction(ctx, store.Action{ID: id, MediatorID: u.Mediator.ID, Date: day, Role: "coanimee", Audience: "public", PartnerID: partner, PartnerType: typ}); err != nil {
			t.Fatal(err)
		}
	}
	save("a-own", mine, "")           // the registry gives the type
	save("a-foreign", theirs, "")     // another mediator's partner is not linked
	save("a-other", 0, "association") // "autre partenaire": the type asked
	got := map[string]string{}
	rows, err := store.DBOf(st).Query(ctx, `SELECT id, coalesce(partner_id::text, '-'), coalesce(partner_type, '-') FROM actions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, pid, typ string
		if err := rows.Scan(&id, &pid, &typ); err != nil {
			t.Fatal(err)
		}
		got[id] = pid + "/" + typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{
		"a-own":     strconv.FormatInt(mine, 10) + "/centre_social",
		"a-foreign": "-/-",
		"a-other":   "-/association",
	}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("saved partners = %v, want %v", got, want)
	}
	ps, err := st.PartnersByUse(ctx, u.Mediator.ID)
	if err != nil || len(ps) != 1 || ps[0].ID != mine {
		t.Fatalf("partners by use = %+v, %v (only the mediator's own)", ps, err)
	}
}
