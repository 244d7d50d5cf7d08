package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// Sheets saved at once by one mediator get distinct numbers 1…n for them;
// another mediator's start at 1.
func TestSheetNumbersArePerMediator(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a := mediator(t, st, 501, "59")
	b := mediator(t, st, 502, "62")
	var wg sync.WaitGroup
	numbers := make([]int64, 8)
	for i := range numbers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, _, err := st.SaveSheet(ctx, sheet(fmt.Sprintf("a%d", i), a.Mediator.ID, fmt.Sprintf("AAAA%02d", i)))
			if err != nil {
				t.Error(err)
			}
			numbers[i] = n
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, n := range numbers {
		if n < 1 || n > 8 || seen[n] {
			t.Fatalf("numbers = %v, want 1…8 once each", numbers)
		}
		seen[n] = true
	}
	n, _, err := st.SaveSheet(ctx, sheet("b1", b.Mediator.ID, "BBBB01"))
	if err != nil || n != 1 {
		t.Fatalf("other mediator's first sheet = n° %d, %v", n, err)
	}
	// A retry of a saved sheet returns its number, and takes none.
	if again, created, err := st.SaveSheet(ctx, sheet("a0", a.Mediator.ID, "AAAA00")); err != nil || created || again != numbers[0] {
		t.Fatalf("retry = %d %v %v", again, created, err)
	}
	if n, _, err := st.SaveSheet(ctx, sheet("a9", a.Mediator.ID, "AAAA09")); err != nil || n != 9 {
		t.Fatalf("next sheet = n° %d, want 9 (err %v)", n, err)
	}
}

// A correction rewrites the sheet and its requests within 30 days of
// saving, never after, and never another mediator's sheet.
func TestUpdateSheetWithinThirtyDays(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a := mediator(t, st, 511, "59")
	b := mediator(t, st, 512, "62")
	saved := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	sh := sheet("s1", a.Mediator.ID, "CCCC01")
	sh.SavedAt = saved
	sh.Requests = []store.Request{{Kind: "droits", Type: "css", Status: "en_cours"}, {Kind: "soins", Type: "rdv", Status: "en_cours"}}
	if _, _, err := st.SaveSheet(ctx, sh); err != nil {
		t.Fatal(err)
	}
	got, _, err := st.OwnSheet(ctx, a.Mediator.ID, 1)
	if err != nil || len(got.Requests) != 2 {
		t.Fatalf("own sheet = %+v, %v", got, err)
	}
	keptID := got.Requests[0].ID
	age := 25
	got.Age = &age
	got.Requests = []store.Request{{Kind: "droits", Type: "css", Status: "resolue"}}
	if n, err := st.UpdateSheet(ctx, got, saved.Add(30*24*time.Hour-time.Minute)); err != nil || n != 1 {
		t.Fatalf("update within 30 days = %d, %v", n, err)
	}
	again, _, err := st.OwnSheet(ctx, a.Mediator.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if *again.Age != 25 || len(again.Requests) != 1 || again.Requests[0].ID != keptID || again.Requests[0].Status != "resolue" {
		t.Fatalf("after update = %+v", again)
	}
	var resolved int
	if err := store.DBOf(st).QueryRow(ctx, `SELECT count(*) FROM requests WHERE resolved_at IS NOT NULL`).Scan(&resolved); err != nil || resolved != 1 {
		t.Fatalf("resolved rows = %d, %v", resolved, err)
	}
	if _, err := st.UpdateSheet(ctx, got, saved.Add(30*24*time.Hour+time.Minute)); !errors.Is(err, store.ErrTooOld) {
		t.Fatalf("update after 30 days: %v", err)
	}
	got.MediatorID = b.Mediator.ID
	if _, err := st.UpdateSheet(ctx, got, saved.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another mediator's update: %v", err)
	}
	if _, _, err := st.OwnSheet(ctx, b.Mediator.ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another mediator's sheet: %v", err)
	}
}
