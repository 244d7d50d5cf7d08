package reminders_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

func TestReviewReminderDayIsTheFirstWeekdayFromJanuarySecond(t *testing.T) {
	t.Parallel()
	for year, want := range map[int]string{
		2025: "2026-01-02", // Friday
		2026: "2027-01-04", // 2 January 2027 is a Saturday
		2027: "2028-01-03", // Sunday the 2nd
		2029: "2030-01-02", // Wednesday
	} {
		if got := reminders.ReviewReminderDay(year).Format(time.DateOnly); got != want {
			t.Errorf("ReviewReminderDay(%d) = %s, want %s", year, got, want)
		}
	}
}

// paris9 is 09:00 (Paris) on the day of January 2027.
func paris9(d int, hour int) time.Time { return time.Date(2027, 1, d, hour, 0, 0, 0, paris) }

func review(t *testing.T, st *store.Store, u *store.User, year int, today time.Time) {
	t.Helper()
	yes := true
	if _, err := st.SaveReview(context.Background(), store.Review{MediatorID: u.Mediator.ID, Year: year, Identified: &yes}, today); err != nil {
		t.Fatal(err)
	}
}

func TestReviewRemindersInJanuaryOnceThenTwoWeeksLater(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	st := w.db.Store
	ctx := context.Background()
	_, ta := w.mediator(101, 9)  // never fills it
	b, tb := w.mediator(102, 9)  // filled it in December
	c, tc := w.mediator(103, 9)  // fills it after the first reminder
	_, td := w.mediator(104, 11) // reminded at 11:00, their hour
	e, te := w.mediator(105, 9)  // post no longer active
	review(t, st, b, 2026, time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC))
	if _, err := w.db.SQL.Exec(ctx, `UPDATE mediators SET active = FALSE WHERE id = $1`, e.Mediator.ID); err != nil {
		t.Fatal(err)
	}
	one, two := w.replica(), w.replica()
	count := func(u *telegramtest.User) int {
		n := 0
		for _, m := range botMessages(u) {
			if strings.Contains(m.Text, "bilan annuel 2026") {
				n++
			}
		}
		return n
	}
	want := func(when string, wants map[*telegramtest.User]int) {
		t.Helper()
		for u, n := range wants {
			if got := count(u); got != n {
				t.Fatalf("%s: user %d has %d review reminders, want %d:\n%v", when, u.ID(), got, n, botMessages(u))
			}
		}
	}
	all := func(a, b, c, d, e int) map[*telegramtest.User]int {
		return map[*telegramtest.User]int{ta: a, tb: b, tc: c, td: d, te: e}
	}

	// Saturday 2 January is not the day; Monday 4 January before 9:00 is too early.
	run(t, one, paris9(2, 10))
	run(t, one, time.Date(2027, 1, 4, 8, 59, 0, 0, paris))
	want("before the day", all(0, 0, 0, 0, 0))

	// Two replicas tick at 9:00 together, then again one after the other.
	var wg sync.WaitGroup
	for _, s := range []*reminders.Scheduler{one, two, one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RunDue(ctx, paris9(4, 9)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	run(t, two, paris9(4, 9).Add(time.Minute))
	run(t, one, paris9(4, 10))
	want("4 January, 10:00", all(1, 0, 1, 0, 0))
	// D's hour comes while no replica ticks (downtime): caught up the next day.
	run(t, one, paris9(5, 11))
	run(t, two, paris9(5, 12))
	want("5 January", all(1, 0, 1, 1, 0))

	m := botMessages(ta)[0]
	if !strings.Contains(m.Text, "avant le 31/01/2027") || strings.Join(m.ButtonTexts(), "|") != "Remplir le bilan 2026" ||
		m.Buttons[0][0].Data != "bl:2026" {
		t.Fatalf("reminder = %q %v", m.Text, m.Buttons)
	}

	review(t, st, c, 2026, paris9(10, 9))

	// Thirteen days later: not yet. Fourteen: the second one, to A only
	// (D's first came a day later, so D's second comes a day later too).
	run(t, one, paris9(17, 12))
	want("17 January", all(1, 0, 1, 1, 0))
	for _, s := range []*reminders.Scheduler{one, two, one} {
		run(t, s, paris9(18, 11))
	}
	want("18 January", all(2, 0, 1, 1, 0))
	if !strings.Contains(botMessages(ta)[1].Text, "Rappel : votre bilan annuel 2026 n'est pas encore rempli") {
		t.Fatalf("second reminder = %q", botMessages(ta)[1].Text)
	}
	run(t, two, paris9(19, 11))
	want("19 January", all(2, 0, 1, 2, 0))
	run(t, one, paris9(25, 11))
	want("after the second", all(2, 0, 1, 2, 0))
}

func TestNoReviewReminderAfterTheDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, ta := w.mediator(101, 9)
	st := w.db.Store
	if err := st.SetReviewDeadline(context.Background(), 2026, time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	s := w.replica()
	run(t, s, paris9(4, 9))
	run(t, s, paris9(18, 9))
	if m := botMessages(ta); len(m) != 0 {
		t.Fatalf("reminded after the deadline: %v", m)
	}
}
