package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/demo"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// register makes the personas users, as the bot does on their /start.
func register(t *testing.T, st *store.Store, now time.Time) map[string]*store.User {
	t.Helper()
	ctx := context.Background()
	users := map[string]*store.User{}
	for _, p := range demo.Personas() {
		inv := p.Invitation
		inv.ExpiresAt = now.Add(time.Hour)
		code, err := st.CreateInvitation(ctx, inv)
		if err != nil {
			t.Fatal(err)
		}
		u, err := st.RedeemInvitation(ctx, code, ids.TelegramID(p.ID), ids.ChatID(p.ID), p.Name, now)
		if err != nil {
			t.Fatal(err)
		}
		users[p.Name] = u
	}
	return users
}

// TestSyntheticYearHasTheReportsShape loads the demo's year ending on a
// fixed day and checks what a coordinator and Awa get from it: over the
// 365 days, the regional report of 2024 (sheets by département, sex and
// QPV, rights requests by type, resolved shares), collective actions, a few
// reviews of the year before, and Awa's follow-ups due that day.
func TestSyntheticYearHasTheReportsShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.NewDB(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, time.November, 27, 10, 0, 0, 0, paris) // a Friday
	users := register(t, db.Store, today)

	// A reminder pass that ran between the registration and the loading
	// found nothing due for Awa and recorded her day as handled.
	awaPost := users["Awa"].Mediator.ID
	if _, err := db.SQL.Exec(ctx, `INSERT INTO job_runs (job, period, mediator_id, state) VALUES ($1, $2, $3, 'skipped')`,
		store.JobFollowUps, store.ReminderPeriod(today), awaPost); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	loaded, err := demo.LoadSyntheticYear(ctx, db.Store, demo.SyntheticSeed, today)
	if err != nil || !loaded {
		t.Fatalf("LoadSyntheticYear = %v, %v", loaded, err)
	}
	t.Logf("synthetic year loaded in %s", time.Since(start).Round(time.Millisecond))

	year := indicators.Days(today.AddDate(0, 0, -364), today)
	r, err := indicators.Compute(ctx, db.Store.Reports(), year, indicators.Region("32"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Sheets != 4175 || r.Mediators != 49 || r.Rights.Total != 3667 || r.Care.Total != 2324 {
		t.Fatalf("region: %d sheets, %d mediators, %d rights, %d care requests; want 4175, 49, 3667, 2324",
			r.Sheets, r.Mediators, r.Rights.Total, r.Care.Total)
	}
	if r.Rights.ResolvedPct() != 76 || r.Care.ResolvedPct() != 73 {
		t.Errorf("resolved: %d %% of rights, %d %% of care; want 76 and 73", r.Rights.ResolvedPct(), r.Care.ResolvedPct())
	}
	for _, want := range []struct {
		dep                     string
		mediators, sheets, f, m int
		x, qpv, pctQPV          int
	}{
		{"02", 5, 442, 263, 179, 0, 250, 57},
		{"59", 23, 1793, 978, 815, 0, 1377, 77},
		{"60", 1, 175, 101, 74, 0, 74, 42},
		{"62", 17, 1531, 897, 630, 4, 1074, 70},
		{"80", 3, 234, 176, 58, 0, 197, 84},
	} {
		b := r.ByDepartement[want.dep]
		if b == nil {
			t.Fatalf("no row for %s", want.dep)
		}
		got := [...]int{b.Mediators, b.Sheets, b.Sex["F"], b.Sex["M"], b.Sex["X"], b.QPV["oui"], indicators.Pct(b.QPV["oui"], b.Sheets)}
		if got != [...]int{want.mediators, want.sheets, want.f, want.m, want.x, want.qpv, want.pctQPV} {
			t.Errorf("%s: mediators, sheets, F, M, X, QPV, %%QPV = %v, want %+v", want.dep, got, want)
		}
	}
	rights := map[string]int{}
	for _, tc := range r.Rights.Types() {
		rights[tc.Code] = tc.Count
	}
	for code, n := range map[string]int{"frais_specialiste": 247, "autre": 922, "css": 221, "prestations_sante": 1929, "prestations_sociales": 348} {
		if rights[code] != n {
			t.Errorf("rights requests %s = %d, want %d", code, rights[code], n)
		}
	}
	var actions, reviews int
	if err := db.SQL.QueryRow(ctx, `SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM reviews WHERE year = 2025)`).Scan(&actions, &reviews); err != nil {
		t.Fatal(err)
	}
	if actions != 1004 || reviews != 16 {
		t.Errorf("%d actions (want 1 004: about 49 × 20.8), %d reviews of 2025 (want 16)", actions, reviews)
	}

	// Awa has three follow-ups due today and two overdue; Karim two.
	for name, want := range map[string]int{"Awa": 5, "Karim": 2} {
		due, err := db.Store.DueFollowUps(ctx, users[name].Mediator.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != want {
			t.Errorf("%s: %d follow-ups due, want %d", name, len(due), want)
		}
		dueToday := 0
		for _, f := range due {
			if f.FollowUpOn != nil && f.FollowUpOn.Equal(store.Day(today)) {
				dueToday++
			}
		}
		if name == "Awa" && dueToday != 3 {
			t.Errorf("Awa: %d follow-ups due today exactly, want 3", dueToday)
		}
	}

	// Her reminder of today still goes out, with the five.
	pending, err := db.Store.PendingReminders(ctx, today, 10, 9)
	if err != nil {
		t.Fatal(err)
	}
	awaPending := false
	for _, p := range pending {
		awaPending = awaPending || p.MediatorID == awaPost
	}
	due, err := db.Store.DueFollowUps(ctx, awaPost, today)
	if err != nil || !awaPending || len(due) != 5 {
		t.Errorf("Awa's reminder after the year loaded: pending %v with %d requests (%v), want 5", awaPending, len(due), err)
	}

	// Synthetic mediators are posts without an account: the database still
	// holds no user but the personas, and no post but theirs and the
	// synthetic ones, so the demo accepts it at its next start.
	if err := demo.ClaimDatabase(ctx, db.Store, demo.Personas()); err != nil {
		t.Fatal(err)
	}

	// Once per database: a second start (a day later) loads nothing.
	loaded, err = demo.LoadSyntheticYear(ctx, db.Store, demo.SyntheticSeed, today.AddDate(0, 0, 1))
	if err != nil || loaded {
		t.Fatalf("second LoadSyntheticYear = %v, %v; want false, nil", loaded, err)
	}
	var sheets int
	if err := db.SQL.QueryRow(ctx, `SELECT count(*) FROM sheets`).Scan(&sheets); err != nil || sheets != 4175 {
		t.Fatalf("sheets after a second start = %d (%v), want 4175", sheets, err)
	}
}

// TestGenerateIsDeterministic: the same seed and day give the same year, a
// different seed another one.
func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC)
	a := demo.Generate(demo.SyntheticSeed, day, "M-AWA", "M-KARIM")
	b := demo.Generate(demo.SyntheticSeed, day, "M-AWA", "M-KARIM")
	c := demo.Generate(demo.SyntheticSeed+1, day, "M-AWA", "M-KARIM")
	if len(a.Rows) != len(b.Rows) || a.Rows[100].Beneficiary != b.Rows[100].Beneficiary || len(a.Actions) != len(b.Actions) {
		t.Fatal("two generations with the same seed differ")
	}
	if a.Rows[100].Beneficiary == c.Rows[100].Beneficiary {
		t.Fatal("another seed gives the same people")
	}
	for _, r := range a.Rows {
		if r.Date.After(day) || r.Date.Before(day.AddDate(0, 0, -364)) {
			t.Fatalf("sheet %s dated %s, outside the year ending %s", r.SheetID, r.Date.Format(time.DateOnly), day.Format(time.DateOnly))
		}
		if wd := r.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Fatalf("sheet %s on a %s", r.SheetID, wd)
		}
	}
	if len(a.Posts) != 47 {
		t.Fatalf("%d synthetic posts, want 47 (49 mediators, two of them personas)", len(a.Posts))
	}
}
