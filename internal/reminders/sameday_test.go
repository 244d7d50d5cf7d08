package reminders_test

import (
	"strings"
	"testing"
	"time"
)

// A pass that finds nothing due does not use up the mediator's day: a
// request saved after it with today's follow-up date is reminded by the
// next pass, the same day. Once a reminder went out, none more that day,
// whatever is saved after it; the next day lists everything due.
func TestFollowUpDueAfterTheDaysPassIsRemindedThatDay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	s := w.replica()

	if r := run(t, s, at(9, 0)); r.Reminders != 0 {
		t.Fatalf("09:00, nothing due: report %+v", r)
	}
	if m := botMessages(ta); len(m) != 0 {
		t.Fatalf("09:00, nothing due: got %v", m)
	}

	// Saved at 09:03 with a follow-up today.
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 23), day(2026, 11, 23))
	if r := run(t, s, at(9, 5)); r.Reminders != 1 {
		t.Fatalf("09:05: report %+v, want 1 reminder", r)
	}
	msgs := botMessages(ta)
	if len(msgs) != 1 {
		t.Fatalf("09:05: got %d messages, want 1: %v", len(msgs), msgs)
	}
	for _, want := range []string{
		"Bonjour ! Des demandes attendent votre suivi aujourd'hui :",
		"1. Fiche n° 1, demande 1 — 23/11/2026 — AAAAAA",
	} {
		if !strings.Contains(msgs[0].Text, want) {
			t.Errorf("09:05 reminder lacks %q:\n%s", want, msgs[0].Text)
		}
	}

	// Another request due today, saved after the reminder: not a second one today.
	w.sheet(a, "a2", "AAAAAB", day(2026, 11, 23), day(2026, 11, 23))
	for _, now := range []time.Time{at(9, 10), at(14, 0), at(23, 59)} {
		if r := run(t, s, now); r.Reminders != 0 {
			t.Fatalf("%s: a second reminder the same day: %+v", now.Format("15:04"), r)
		}
	}
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d messages on the 23rd, want 1", n)
	}

	// The next day both are listed, once.
	next := time.Date(2026, 11, 24, 9, 0, 0, 0, paris)
	run(t, s, next)
	run(t, s, next.Add(time.Minute))
	msgs = botMessages(ta)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages by the 24th, want 2", len(msgs))
	}
	for _, want := range []string{"— AAAAAA", "— AAAAAB"} {
		if !strings.Contains(msgs[1].Text, want) {
			t.Errorf("the 24th's reminder lacks %q:\n%s", want, msgs[1].Text)
		}
	}
}

// The same after a catch-up: the start-up pass of a bot stopped over its
// mediators' hour finds nothing due; a follow-up date reached in the
// afternoon (a request postponed to today) is reminded by the next pass.
func TestFollowUpDueAfterACatchUpIsRemindedThatDay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	s := w.replica()
	run(t, s, at(11, 37)) // the start-up pass, nothing due
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	run(t, w.replica(), at(15, 0)) // another replica's tick
	run(t, s, at(15, 1))
	msgs := botMessages(ta)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "1. Fiche n° 1, demande 1 — 02/11/2026 — AAAAAA") {
		t.Fatalf("got %v, want one reminder listing AAAAAA", msgs)
	}
}
