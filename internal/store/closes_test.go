package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A person's next sheet gives their open requests a new status, in the
// same transaction: only requests of that person and mediator still open;
// FindPerson lists them with the day they were opened.
func TestNextSheetClosesThePersonsOpenRequests(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a, b := mediator(t, st, 1, "59"), mediator(t, st, 2, "62")
	openSheet(t, st, "a1", a.Mediator.ID, "AAAAAA", date(2026, 11, 2), nil, nil)
	openSheet(t, st, "a2", a.Mediator.ID, "AAAAAB", date(2026, 11, 3), nil)
	openSheet(t, st, "b1", b.Mediator.ID, "BBBBBB", date(2026, 11, 4), nil)
	p, ok, err := st.FindPerson(ctx, a.Mediator.ID, "AAAAAA")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	want := []store.OpenRequest{{Kind: "droits", Type: "css", Since: date(2026, 11, 2)}, {Kind: "soins", Type: "rdv", Since: date(2026, 11, 2)}}
	if len(p.Requests) != 2 || len(p.Open) != 2 || p.Open[0] != "droits:css" {
		t.Fatalf("open requests = %+v / %v", p.Requests, p.Open)
	}
	for i := range want {
		if got := p.Requests[i]; got.Kind != want[i].Kind || got.Type != want[i].Type || !got.Since.Equal(want[i].Since) || got.ID == 0 {
			t.Fatalf("request %d = %+v, want %+v", i, got, want[i])
		}
	}
	other, _, err := st.FindPerson(ctx, a.Mediator.ID, "AAAAAB")
	if err != nil {
		t.Fatal(err)
	}
	bp, _, err := st.FindPerson(ctx, b.Mediator.ID, "BBBBBB")
	if err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	next := sheet("a3", a.Mediator.ID, "AAAAAA")
	next.Date, next.SavedAt = date(2026, 11, 23), at
	next.Closes = map[int64]string{
		p.Requests[0].ID:     store.StatusResolved,
		p.Requests[1].ID:     store.StatusAbandoned,
		other.Requests[0].ID: store.StatusResolved, // another person's
		bp.Requests[0].ID:    store.StatusResolved, // another mediator's
	}
	if _, _, err := st.SaveSheet(ctx, next); err != nil {
		t.Fatal(err)
	}
	status := func(id int64) (s string, resolved, changed *time.Time) {
		t.Helper()
		if err := store.DBOf(st).QueryRow(ctx, `SELECT status, resolved_at, status_changed_at FROM requests WHERE id = $1`, id).Scan(&s, &resolved, &changed); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s, resolved, changed := status(p.Requests[0].ID); s != "resolue" || resolved == nil || !resolved.Equal(at) || changed == nil || !changed.Equal(at) {
		t.Fatalf("CSS = %s resolved %v changed %v", s, resolved, changed)
	}
	if s, resolved, _ := status(p.Requests[1].ID); s != "abandonnee" || resolved != nil {
		t.Fatalf("RDV = %s resolved %v", s, resolved)
	}
	for _, id := range []int64{other.Requests[0].ID, bp.Requests[0].ID} {
		if s, _, _ := status(id); s != "en_cours" {
			t.Fatalf("request %d of someone else = %s, want en_cours", id, s)
		}
	}

	bad := sheet("a4", a.Mediator.ID, "AAAAAB")
	bad.Closes = map[int64]string{other.Requests[0].ID: "en_cours"}
	if _, _, err := st.SaveSheet(ctx, bad); err == nil {
		t.Fatal("a sheet reopening a request through Closes was saved")
	}
	if n := count(t, st, "sheets WHERE id = 'a4'"); n != 0 {
		t.Fatalf("the refused sheet was saved (%d)", n)
	}
}
