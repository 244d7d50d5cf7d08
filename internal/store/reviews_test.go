package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func utcDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReviewYearFollowsTheDeadline(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	for _, c := range []struct {
		today    time.Time
		year     int
		deadline string
	}{
		{utcDay(2026, 11, 23), 2026, "2027-01-31"},
		{utcDay(2027, 1, 31), 2026, "2027-01-31"},
		{utcDay(2027, 2, 1), 2027, "2028-01-31"},
	} {
		y, d, err := st.ReviewYear(ctx, c.today)
		if err != nil || y != c.year || d.Format(time.DateOnly) != c.deadline {
			t.Errorf("ReviewYear(%s) = %d %s %v, want %d %s", c.today.Format(time.DateOnly), y, d.Format(time.DateOnly), err, c.year, c.deadline)
		}
	}
	if err := st.SetReviewDeadline(ctx, 2026, utcDay(2027, 2, 15), nil); err != nil {
		t.Fatal(err)
	}
	if y, _, err := st.ReviewYear(ctx, utcDay(2027, 2, 10)); err != nil || y != 2026 {
		t.Fatalf("with a later deadline, 10 February reviews %d (err %v)", y, err)
	}
	if err := st.SetReviewDeadline(ctx, 2026, utcDay(2025, 12, 1), nil); err == nil {
		t.Fatal("a deadline before the year's end was accepted")
	}
}

func TestSaveReviewUpsertsUntilTheDeadline(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 42, "80")
	yes, no, three := true, false, 3
	r := store.Review{MediatorID: u.Mediator.ID, Year: 2026, Identified: &yes, Training: &no, PartnersSocial: &three,
		Helped: "Le CLS.", HealthNeeds: []string{"nutrition"}}
	created, err := st.SaveReview(ctx, r, utcDay(2026, 12, 20))
	if err != nil || !created {
		t.Fatalf("first save: %v %v", created, err)
	}
	r.Training = &yes
	r.Helped = "Le CLS et la CPAM."
	created, err = st.SaveReview(ctx, r, utcDay(2027, 1, 31))
	if err != nil || created {
		t.Fatalf("edit: %v %v", created, err)
	}
	got, ok, err := st.Review(ctx, u.Mediator.ID, 2026)
	if err != nil || !ok || !*got.Training || got.Helped != "Le CLS et la CPAM." || *got.PartnersSocial != 3 || got.MissionsKnown != nil {
		t.Fatalf("review = %+v %v %v", got, ok, err)
	}
	r.Helped = "Trop tard."
	if _, err := st.SaveReview(ctx, r, utcDay(2027, 2, 1)); !errors.Is(err, store.ErrReviewClosed) {
		t.Fatalf("after the deadline: %v", err)
	}
	if got, _, err := st.Review(ctx, u.Mediator.ID, 2026); err != nil || got.Helped != "Le CLS et la CPAM." {
		t.Fatalf("refused save changed the review: %q (err %v)", got.Helped, err)
	}
	if _, ok, err := st.Review(ctx, u.Mediator.ID, 2025); err != nil || ok {
		t.Fatalf("a review of 2025 exists (err %v)", err)
	}
}

func TestRemindReviewOnceSkipsAFilledReview(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	u := mediator(t, st, 42, "59")
	v := mediator(t, st, 43, "59")
	yes := true
	if _, err := st.SaveReview(ctx, store.Review{MediatorID: v.Mediator.ID, Year: 2026, Identified: &yes}, utcDay(2027, 1, 2)); err != nil {
		t.Fatal(err)
	}
	q := store.ReviewReminderQuery{Job: store.JobReviewFirst, Year: 2026, Hour: 9, DefaultHour: 9}
	targets, err := st.ReviewReminderTargets(ctx, q)
	if err != nil || len(targets) != 1 || targets[0].MediatorID != u.Mediator.ID {
		t.Fatalf("targets = %+v, %v", targets, err)
	}
	now := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	k := store.SendKey{Job: store.JobReviewFirst, Period: "2026", MediatorID: u.Mediator.ID}
	if ok, err := st.ClaimSend(ctx, k, now, utcDay(2027, 1, 4), time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := st.FinishSend(ctx, k, store.SendSent, now); err != nil {
		t.Fatal(err)
	}
	if targets, err := st.ReviewReminderTargets(ctx, q); err != nil || len(targets) != 0 {
		t.Fatalf("targets after the first reminder = %+v (err %v)", targets, err)
	}
	second := store.ReviewReminderQuery{Job: store.JobReviewSecond, Year: 2026, Hour: 9, DefaultHour: 9,
		After: store.JobReviewFirst, AfterBefore: now.Add(time.Second)}
	if targets, err := st.ReviewReminderTargets(ctx, second); err != nil || len(targets) != 1 {
		t.Fatalf("second reminder targets = %+v (err %v)", targets, err)
	}
	second.AfterBefore = now
	if targets, err := st.ReviewReminderTargets(ctx, second); err != nil || len(targets) != 0 {
		t.Fatalf("second reminder before its time: %+v (err %v)", targets, err)
	}
}
