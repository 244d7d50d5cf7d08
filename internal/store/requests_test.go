package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// openSheet saves a sheet of day with one open request per follow-up date (nil: none).
func openSheet(t *testing.T, st *store.Store, id string, medID ids.MediatorID, ben string, day time.Time, follows ...*time.Time) {
	t.Helper()
	sh := sheet(id, medID, ben)
	sh.Date = day
	sh.Requests = nil
	for i, f := range follows {
		kind, typ := "droits", "css"
		if i%2 == 1 {
			kind, typ = "soins", "rdv"
		}
		sh.Requests = append(sh.Requests, store.Request{Kind: kind, Type: typ, Status: "en_cours", FollowUp: f})
	}
	if _, _, err := st.SaveSheet(context.Background(), sh); err != nil {
		t.Fatal(err)
	}
}

func ptr(t time.Time) *time.Time { return &t }

func followUpIDs(fs []store.FollowUp) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

func TestDueFollowUpsAreTheMediatorsOwnLateFirst(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a, b := mediator(t, st, 1, "59"), mediator(t, st, 2, "62")
	today := date(2026, 11, 23)
	openSheet(t, st, "late", a.Mediator.ID, "AAAAAA", date(2026, 11, 2), ptr(date(2026, 11, 20)))
	openSheet(t, st, "old", a.Mediator.ID, "BBBBBB", date(2026, 10, 1), ptr(today), ptr(date(2026, 12, 1)))
	openSheet(t, st, "nodate", a.Mediator.ID, "CCCCCC", date(2026, 9, 1), nil)
	openSheet(t, st, "other", b.Mediator.ID, "DDDDDD", date(2026, 10, 1), ptr(today))

	due, err := st.DueFollowUps(ctx, a.Mediator.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].Beneficiary != "AAAAAA" || due[1].Beneficiary != "BBBBBB" {
		t.Fatalf("due = %+v, want AAAAAA (late since 20 Nov) then BBBBBB (today)", due)
	}
	if due[0].DaysOpen(today) != 21 || due[1].DaysOpen(today) != 53 || due[1].Type != "css" || due[1].Position != 1 {
		t.Fatalf("days open = %d, %d; second = %+v", due[0].DaysOpen(today), due[1].DaysOpen(today), due[1])
	}

	open, err := st.OpenRequests(ctx, a.Mediator.ID)
	if err != nil {
		t.Fatal(err)
	}
	var bens []string
	for _, f := range open {
		bens = append(bens, f.Beneficiary)
	}
	// Late (20 Nov), today, 1 Dec, then the one without a date (sheet of 1 Sep).
	if len(open) != 4 || bens[0] != "AAAAAA" || bens[1] != "BBBBBB" || bens[2] != "BBBBBB" || bens[3] != "CCCCCC" || open[2].Position != 2 {
		t.Fatalf("open requests late first = %v", bens)
	}

	// Redrawing a message: refs in the message's order. Numbers are each
	// mediator's own (another mediator's sheet n° 1 is theirs, not this
	// one's): a ref this mediator does not have is skipped.
	otherOpen, err := st.OpenRequests(ctx, b.Mediator.ID)
	if err != nil {
		t.Fatal(err)
	}
	if otherOpen[0].SheetNumber != 1 {
		t.Fatalf("the other mediator's first sheet is n° %d, want 1", otherOpen[0].SheetNumber)
	}
	got, err := st.FollowUpsByRef(ctx, a.Mediator.ID, []store.Ref{open[3].Ref(), {SheetNumber: 99, Position: 1}, open[0].Ref()})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != open[3].ID || got[1].ID != open[0].ID {
		t.Fatalf("by ref = %v, want %v", followUpIDs(got), []int64{open[3].ID, open[0].ID})
	}
}

func TestSetRequestStatusRecordsOnceAndOnlyForTheOwner(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a, b := mediator(t, st, 1, "59"), mediator(t, st, 2, "62")
	openSheet(t, st, "s1", a.Mediator.ID, "AAAAAA", date(2026, 11, 2), ptr(date(2026, 11, 20)), nil)
	open, err := st.OpenRequests(ctx, a.Mediator.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 8, 5, 0, 0, time.UTC)

	if _, err := st.SetRequestStatus(ctx, b.Mediator.ID, open[0].ID, store.StatusResolved, at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another mediator closing A's request: %v, want ErrNotFound", err)
	}
	var status string
	if err := store.DBOf(st).QueryRow(ctx, `SELECT status FROM requests WHERE id = $1`, open[0].ID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "en_cours" {
		t.Fatalf("status after refused change = %s", status)
	}

	// A double tap, even concurrent, is recorded once.
	var changes atomic.Int32
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			changed, err := st.SetRequestStatus(ctx, a.Mediator.ID, open[0].ID, store.StatusResolved, at)
			if err != nil {
				t.Error(err)
			}
			if changed {
				changes.Add(1)
			}
		}()
	}
	wg.Wait()
	if changes.Load() != 1 {
		t.Fatalf("%d changes recorded, want 1", changes.Load())
	}
	var resolvedAt *time.Time
	if err := store.DBOf(st).QueryRow(ctx, `SELECT status, resolved_at FROM requests WHERE id = $1`, open[0].ID).Scan(&status, &resolvedAt); err != nil {
		t.Fatal(err)
	}
	if status != "resolue" || resolvedAt == nil || !resolvedAt.Equal(at) {
		t.Fatalf("row = %s resolved_at %v, want resolue at %v", status, resolvedAt, at)
	}
	// A closed request cannot be closed again with another status.
	if changed, err := st.SetRequestStatus(ctx, a.Mediator.ID, open[0].ID, store.StatusAbandoned, at); err != nil || changed {
		t.Fatalf("re-closing: changed=%v err=%v", changed, err)
	}

	if changed, err := st.SetRequestStatus(ctx, a.Mediator.ID, open[1].ID, store.StatusAbandoned, at); err != nil || !changed {
		t.Fatalf("abandon: changed=%v err=%v", changed, err)
	}
	if err := store.DBOf(st).QueryRow(ctx, `SELECT status, resolved_at FROM requests WHERE id = $1`, open[1].ID).Scan(&status, &resolvedAt); err != nil {
		t.Fatal(err)
	}
	if status != "abandonnee" || resolvedAt != nil {
		t.Fatalf("abandoned row = %s resolved_at %v", status, resolvedAt)
	}
	if _, err := st.SetRequestStatus(ctx, a.Mediator.ID, open[1].ID, "en_cours", at); err == nil {
		t.Fatal("reopening through SetRequestStatus accepted")
	}
}

func TestPostponeMovesOnceAndOnlyForTheOwner(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a, b := mediator(t, st, 1, "59"), mediator(t, st, 2, "62")
	today := date(2026, 11, 23)
	overdue, later := date(2026, 11, 2), date(2026, 12, 4)
	openSheet(t, st, "s1", a.Mediator.ID, "AAAAAA", date(2026, 11, 2), &overdue, &later, nil)
	open, err := st.OpenRequests(ctx, a.Mediator.ID)
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := st.Postpone(ctx, b.Mediator.ID, open[0].ID, &overdue, today, 7); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another mediator postponing: %v", err)
	}
	// Overdue: back in a week from today, not a week after the old date.
	if until, changed, err := st.Postpone(ctx, a.Mediator.ID, open[0].ID, &overdue, today, 7); err != nil || !changed || !until.Equal(date(2026, 11, 30)) {
		t.Fatalf("postpone overdue: %v %v %v", until, changed, err)
	}
	// The second tap still shows the old date: recorded once.
	if until, changed, err := st.Postpone(ctx, a.Mediator.ID, open[0].ID, &overdue, today, 7); err != nil || changed || !until.Equal(date(2026, 11, 30)) {
		t.Fatalf("second tap: %v %v %v, want recorded once", until, changed, err)
	}
	// Planned later: a week after the planned date.
	if until, changed, err := st.Postpone(ctx, a.Mediator.ID, open[1].ID, &later, today, 7); err != nil || !changed || !until.Equal(date(2026, 12, 11)) {
		t.Fatalf("postpone planned: %v %v %v", until, changed, err)
	}
	// No date yet: in a week.
	if until, changed, err := st.Postpone(ctx, a.Mediator.ID, open[2].ID, nil, today, 7); err != nil || !changed || !until.Equal(date(2026, 11, 30)) {
		t.Fatalf("postpone undated: %v %v %v", until, changed, err)
	}
	if due, err := st.DueFollowUps(ctx, a.Mediator.ID, today); err != nil || len(due) != 0 {
		t.Fatalf("postponed requests still due today: %+v (err %v)", due, err)
	}
	if due, err := st.DueFollowUps(ctx, a.Mediator.ID, date(2026, 11, 30)); err != nil || len(due) != 2 || !due[0].FollowUpOn.Equal(date(2026, 11, 30)) {
		t.Fatalf("due in a week: %+v (err %v)", due, err)
	}
	if _, err := st.SetRequestStatus(ctx, a.Mediator.ID, open[0].ID, store.StatusResolved, now); err != nil {
		t.Fatal(err)
	}
	d := date(2026, 11, 30)
	if _, changed, err := st.Postpone(ctx, a.Mediator.ID, open[0].ID, &d, today, 7); err != nil || changed {
		t.Fatalf("postponing a resolved request: %v %v", changed, err)
	}
}

// Only a mediator with a request due (open, follow-up date by today) is
// owed a reminder: one with nothing due is not a target, so no pass uses up
// their day, and they become one as soon as a request falls due.
func TestReminderTargetsHaveARequestDue(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	today := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	a := mediator(t, st, 1, "59")
	targets := func() []ids.MediatorID {
		t.Helper()
		p, err := st.PendingReminders(ctx, today, 9, 9)
		if err != nil {
			t.Fatal(err)
		}
		var out []ids.MediatorID
		for _, r := range p {
			out = append(out, r.MediatorID)
		}
		return out
	}
	openSheet(t, st, "s1", a.Mediator.ID, "AAAAAA", date(2026, 11, 2), nil, ptr(date(2026, 11, 24)))
	if got := targets(); len(got) != 0 {
		t.Fatalf("targets with nothing due (no date, tomorrow) = %v, want none", got)
	}
	openSheet(t, st, "s2", a.Mediator.ID, "AAAAAB", date(2026, 11, 2), ptr(date(2026, 11, 23)))
	if got := targets(); len(got) != 1 || got[0] != a.Mediator.ID {
		t.Fatalf("targets with a request due today = %v, want [%d]", got, a.Mediator.ID)
	}
	due, err := st.DueFollowUps(ctx, a.Mediator.ID, today)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v (err %v)", due, err)
	}
	if _, err := st.SetRequestStatus(ctx, a.Mediator.ID, due[0].ID, store.StatusResolved, today); err != nil {
		t.Fatal(err)
	}
	if got := targets(); len(got) != 0 {
		t.Fatalf("targets once the request due is resolved = %v, want none", got)
	}
	openSheet(t, st, "s3", a.Mediator.ID, "AAAAAC", date(2026, 10, 1), ptr(date(2026, 11, 1)))
	if got := targets(); len(got) != 1 {
		t.Fatalf("targets with an overdue request = %v, want [%d]", got, a.Mediator.ID)
	}
}

// A claim released (nothing to send yet) leaves no row: the message may be
// claimed again the same day. A sent message is never released.
func TestReleaseSendFreesOnlyAClaim(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	day := date(2026, 11, 23)
	k := store.SendKey{Job: store.JobFollowUps, Period: "2026-11-23", MediatorID: 7}
	if ok, err := st.ClaimSend(ctx, k, at, day, time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := st.ReleaseSend(ctx, k); err != nil {
		t.Fatal(err)
	}
	if state, err := st.SendState(ctx, k); err != nil || state != "" {
		t.Fatalf("state after release = %q (err %v), want none", state, err)
	}
	if ok, err := st.ClaimSend(ctx, k, at.Add(5*time.Minute), day, time.Minute); err != nil || !ok {
		t.Fatalf("claim after release: %v %v", ok, err)
	}
	if err := st.FinishSend(ctx, k, store.SendSent, at.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.ReleaseSend(ctx, k); err != nil {
		t.Fatal(err)
	}
	if state, err := st.SendState(ctx, k); err != nil || state != store.SendSent {
		t.Fatalf("state of a sent message after release = %q (err %v)", state, err)
	}
	if ok, err := st.ClaimSend(ctx, k, at.Add(10*time.Minute), day, time.Minute); err != nil || ok {
		t.Fatalf("a sent message claimed again: %v %v", ok, err)
	}
}

func TestReminderClaimsSendOnceRetryFailuresAndSkipUnreachable(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	a := mediator(t, st, 1, "59")
	today := date(2026, 11, 23)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	openSheet(t, st, "s1", a.Mediator.ID, "AAAAAA", date(2026, 11, 2), ptr(today))

	pending, err := st.PendingReminders(ctx, today, 9, 9)
	if err != nil || len(pending) != 1 || pending[0].MediatorID != a.Mediator.ID || pending[0].ChatID != 1 {
		t.Fatalf("pending at 9h = %+v, %v", pending, err)
	}
	if p, err := st.PendingReminders(ctx, today, 8, 9); err != nil || len(p) != 0 {
		t.Fatalf("pending at 8h for a 9h reminder = %+v (err %v)", p, err)
	}
	k := store.SendKey{Job: store.JobFollowUps, Period: store.ReminderPeriod(today), MediatorID: a.Mediator.ID}
	claim := func(at time.Time) bool {
		t.Helper()
		ok, err := st.ClaimSend(ctx, k, at, date(at.Year(), at.Month(), at.Day()), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	// Claimed: nobody else claims it, it is not pending.
	var claims atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := st.ClaimSend(ctx, k, now, today, time.Minute); err != nil {
				t.Error(err)
			} else if ok {
				claims.Add(1)
			}
		}()
	}
	wg.Wait()
	if claims.Load() != 1 {
		t.Fatalf("claimed %d times, want 1", claims.Load())
	}
	if p, err := st.PendingReminders(ctx, now, 9, 9); err != nil || len(p) != 0 {
		t.Fatalf("pending while claimed = %+v (err %v)", p, err)
	}
	// Failed: pending again, claimable again.
	if err := st.FinishSend(ctx, k, store.SendFailed, now); err != nil {
		t.Fatal(err)
	}
	if p, err := st.PendingReminders(ctx, now, 9, 9); err != nil || len(p) != 1 {
		t.Fatalf("a failed send is not retried (err %v)", err)
	}
	if !claim(now.Add(time.Minute)) {
		t.Fatal("failed send not claimable")
	}
	// The sender vanished (crash): past its lease the outcome is unknown;
	// it is not sent again the same day.
	later := now.Add(3 * time.Hour)
	if claim(later) {
		t.Fatal("an uncertain message was claimed again the same day")
	}
	if p, err := st.PendingReminders(ctx, later, 9, 9); err != nil || len(p) != 0 {
		t.Fatalf("uncertain reminder pending again the same day: %+v (err %v)", p, err)
	}
	if err := st.FinishSend(ctx, k, store.SendSent, later); err != nil {
		t.Fatal(err)
	}
	if state, err := st.SendState(ctx, k); err != nil || state != store.SendSent {
		t.Fatalf("state = %q (err %v)", state, err)
	}
	if claim(later.Add(48 * time.Hour)) {
		t.Fatal("a sent message was claimed again")
	}

	// An unreachable user (blocked the bot) is not a target until they write.
	tomorrow := date(2026, 11, 24)
	if p, err := st.PendingReminders(ctx, tomorrow, 9, 9); err != nil || len(p) != 1 {
		t.Fatalf("tomorrow's pending = %+v (err %v)", p, err)
	}
	if changed, err := st.MarkUnreachable(ctx, 1, now); err != nil || !changed {
		t.Fatalf("mark unreachable: %v %v", changed, err)
	}
	if p, err := st.PendingReminders(ctx, tomorrow, 9, 9); err != nil || len(p) != 0 {
		t.Fatalf("unreachable user is a target: %+v (err %v)", p, err)
	}
	if changed, err := st.MarkReachable(ctx, 1); err != nil || !changed {
		t.Fatalf("mark reachable: %v %v", changed, err)
	}
	if p, err := st.PendingReminders(ctx, tomorrow, 9, 9); err != nil || len(p) != 1 {
		t.Fatalf("reachable again but not a target: %+v (err %v)", p, err)
	}
}

// An uncertain message (claimed, its sender gone) is retried once a later
// day has come: late rather than never, never twice in one day.
func TestUncertainSendRetriedOnALaterDay(t *testing.T) {
	t.Parallel()
	st := testenv.NewDB(t).Store
	ctx := context.Background()
	k := store.SendKey{Job: store.JobNudge, Period: "2026-11-23T10:00:00Z", TelegramID: 7}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if ok, err := st.ClaimSend(ctx, k, at, date(2026, 11, 23), time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if ok, err := st.ClaimSend(ctx, k, at.Add(10*time.Hour), date(2026, 11, 23), time.Minute); err != nil || ok {
		t.Fatalf("retried the same day (err %v)", err)
	}
	if ok, err := st.ClaimSend(ctx, k, at.Add(22*time.Hour), date(2026, 11, 24), time.Minute); err != nil || !ok {
		t.Fatalf("not retried the next day (err %v)", err)
	}
}
