package indicators_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
)

// A post without an end date counts for a period by what was true at the
// period's end: closed (its mediator disabled) in 2025, it stays in the 2024
// report and is out of the 2026 one; closed on the 1st of January 2024
// (Paris), it was still open that day and counts in 2024, closed the day
// before it does not. Re-enabled, a post is open again.
func TestPostWithoutEndDateCountsByItsClosingDate(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	execAll(t, db,
		`INSERT INTO users (telegram_id, role, display_name, chat_id) VALUES
		 (901, 'mediator', 'Rachida', 901), (902, 'mediator', 'Paul', 902), (903, 'mediator', 'Inès', 903)`,
		`INSERT INTO mediators (identifier, user_id, departement) VALUES
		 ('MED-59-01', 901, '59'), ('MED-62-01', 902, '62'), ('MED-80-01', 903, '80')`,
	)
	// Disabled through the store, as /equipe and `relais user disable` do;
	// then dated back to when it happened.
	for _, id := range []ids.TelegramID{901, 902, 903} {
		if err := db.Store.SetUserDisabled(ctx, id, true, nil); err != nil {
			t.Fatal(err)
		}
	}
	posts := func(p indicators.Period) int {
		t.Helper()
		r, err := indicators.Compute(ctx, db.Store.Reports(), p, indicators.Region("32"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Review.Total.Posts != r.Posts {
			t.Errorf("%s: %d posts, %d in the reviews' table", p.Label(), r.Posts, r.Review.Total.Posts)
		}
		return r.Posts
	}
	// Closed today: open earlier this year, so this year's report still
	// counts the three posts; next year's counts none.
	thisYear := time.Now().Year()
	if got := posts(indicators.Year(thisYear)); got != 3 {
		t.Errorf("this year, posts closed today: %d posts, want 3", got)
	}
	if got := posts(indicators.Year(thisYear + 1)); got != 0 {
		t.Errorf("next year: %d posts, want 0", got)
	}
	execAll(t, db,
		`UPDATE mediators SET closed_at = '2025-03-14 10:00+01' WHERE identifier = 'MED-59-01'`,
		`UPDATE mediators SET closed_at = '2024-01-01 00:30+01' WHERE identifier = 'MED-62-01'`,
		`UPDATE mediators SET closed_at = '2023-12-31 23:30+01' WHERE identifier = 'MED-80-01'`,
	)
	if got := posts(indicators.Year(2024)); got != 2 {
		t.Errorf("2024: %d posts, want 2 (MED-59-01 closed in 2025, MED-62-01 closed on 01/01/2024)", got)
	}
	if got := posts(indicators.Year(2025)); got != 1 {
		t.Errorf("2025: %d posts, want 1 (MED-59-01 closed in March)", got)
	}
	if got := posts(indicators.Year(2026)); got != 0 {
		t.Errorf("2026: %d posts, want 0", got)
	}
	byDep, err := indicators.PostsByDepartement(ctx, db.Store.Reports(), indicators.Year(2024), indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]int{}
	for _, c := range byDep {
		counted[c.Departement] = c.Posts
	}
	if counted["59"] != 1 || counted["62"] != 1 || counted["80"] != 0 {
		t.Errorf("2024 posts by département %v, want 59: 1, 62: 1, 80: 0", counted)
	}

	if err := db.Store.SetUserDisabled(ctx, 901, false, nil); err != nil {
		t.Fatal(err)
	}
	if got := posts(indicators.Year(2026)); got != 1 {
		t.Errorf("2026 after MED-59-01 was enabled back: %d posts, want 1", got)
	}
}
