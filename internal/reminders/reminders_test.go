package reminders_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var paris = testenv.Paris

// at is a wall-clock time in Paris on 23 November 2026 (UTC+1).
func at(hour, min int) time.Time { return time.Date(2026, 11, 23, hour, min, 0, 0, paris) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// world is one PostgreSQL database, one Redis prefix and one fake Telegram,
// shared by any number of schedulers (replicas of `relais serve`).
type world struct {
	t         testing.TB
	db        *testenv.DB
	rd        *testenv.Redis
	srv       *telegramtest.Server
	unlimited bool // no flood limits on the fake nor pacing in the sender
	unnamed   bool // schedulers do not know how the bot names drafts
	// retrySleep, when set, replaces the sender's wait before a retry in
	// the replicas built next (a 429 storm without waiting it out).
	retrySleep func(ctx context.Context, d time.Duration) bool
	// out, when set, wraps the sender of the replicas built next.
	out func(reminders.Sender) reminders.Sender
}

func newWorld(t testing.TB) *world {
	return &world{t: t, db: testenv.NewDB(t), rd: testenv.NewRedis(t), srv: telegramtest.NewServer(t)}
}

// replica builds a scheduler with its own PostgreSQL pool, Redis store and
// Telegram sender, as a separate process would have.
func (w *world) replica() *reminders.Scheduler {
	w.t.Helper()
	return w.replicaOn(w.rd.Client)
}

// replicaOn builds a replica using rdb for its Redis.
func (w *world) replicaOn(rdb *redis.Client) *reminders.Scheduler {
	w.t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.db.URL)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(st.Close)
	api, err := telegram.Connect(ctx, w.srv.Token(), w.srv.Endpoint())
	if err != nil {
		w.t.Fatal(err)
	}
	o := reminders.Options{
		Store:    st,
		Drafts:   state.New(rdb, w.rd.Prefix).Drafts(),
		Out:      telegram.NewSender(api, telegram.SenderOptions{Unlimited: w.unlimited, RetrySleep: w.retrySleep}),
		Location: paris,
		Hour:     9,
		// The nudge names a draft by its form's title.
		Forms: map[string]*forms.Form{"fiche": {ID: "fiche", Title: forms.Text{FR: "fiche d'accompagnement"}}},
	}
	if w.unnamed {
		o.Forms = nil
	}
	if w.out != nil {
		o.Out = w.out(o.Out)
	}
	return reminders.New(o)
}

// mediator registers a mediator who has started the bot; hour is their reminder hour.
func (w *world) mediator(id int64, hour int) (*store.User, *telegramtest.User) {
	w.t.Helper()
	ctx := context.Background()
	st := w.db.Store
	code, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", ExpiresAt: at(23, 0)})
	if err != nil {
		w.t.Fatal(err)
	}
	u, err := st.RedeemInvitation(ctx, code, ids.TelegramID(id), ids.ChatID(id), "Awa", at(0, 0))
	if err != nil {
		w.t.Fatal(err)
	}
	if err := st.SetUserPreferences(ctx, ids.TelegramID(id), hour, true, true); err != nil {
		w.t.Fatal(err)
	}
	return u, w.srv.NewUser(id, "Awa")
}

// sheet saves a sheet of date with one open request per follow-up date.
func (w *world) sheet(u *store.User, id, ben string, date time.Time, follows ...time.Time) {
	w.t.Helper()
	sh := store.Sheet{ID: id, MediatorID: u.Mediator.ID, Date: date, Beneficiary: ben, Sex: "F", QPV: "oui",
		Resources: "rsa", ContactMode: "aller_vers", Level: "accompagne", SocialProtection: "oui"}
	for i, f := range follows {
		kind, typ := "droits", "css"
		if i%2 == 1 {
			kind, typ = "soins", "depistage"
		}
		sh.Requests = append(sh.Requests, store.Request{Kind: kind, Type: typ, Status: "en_cours", FollowUp: &f})
	}
	if _, _, err := w.db.Store.SaveSheet(context.Background(), sh); err != nil {
		w.t.Fatal(err)
	}
}

func botMessages(u *telegramtest.User) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// serve runs s's job as `relais serve` does, on a jobs.Runner whose clock
// reads now: a pass at start (the catch-up), then every minute. The
// returned stop waits for a pass under way.
func (w *world) serve(s *reminders.Scheduler, now time.Time) (stop func()) {
	w.t.Helper()
	r := &jobs.Runner{Store: w.db.Store, Lock: state.New(w.rd.Client, w.rd.Prefix).Locks(), Location: paris,
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	if err := r.Register(s.Job()); err != nil {
		w.t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	return r.Stop
}

func run(t *testing.T, s *reminders.Scheduler, now time.Time) reminders.Report {
	t.Helper()
	r, err := s.RunDue(context.Background(), now)
	if err != nil {
		t.Fatalf("RunDue(%s): %v", now, err)
	}
	return r
}

func TestDueRemindersGoOnceToTheirMediatorAtTheirHour(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	b, tb := w.mediator(102, 9)
	c, tc := w.mediator(103, 10)
	today := day(2026, 11, 23)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), today)              // due today
	w.sheet(a, "a2", "AAAAAB", day(2026, 10, 1), day(2026, 11, 20))  // overdue
	w.sheet(a, "a3", "AAAAAC", day(2026, 11, 20), day(2026, 11, 24)) // due tomorrow
	w.sheet(b, "b1", "BBBBBB", day(2026, 11, 2), day(2026, 11, 30))  // not yet due
	w.sheet(c, "c1", "CCCCCC", day(2026, 11, 2), today)
	s := w.replica()

	// 08:59 in Paris (07:59 UTC): nobody's hour has come.
	run(t, s, time.Date(2026, 11, 23, 7, 59, 0, 0, time.UTC))
	for _, u := range []*telegramtest.User{ta, tb, tc} {
		if m := botMessages(u); len(m) != 0 {
			t.Fatalf("message before 9:00 Paris time: %v", m)
		}
	}

	for _, now := range []time.Time{at(9, 0), at(9, 1), at(9, 30)} {
		run(t, s, now)
	}
	msgs := botMessages(ta)
	if len(msgs) != 1 {
		t.Fatalf("mediator A got %d messages, want 1:\n%v", len(msgs), msgs)
	}
	m := msgs[0]
	for _, want := range []string{
		"Bonjour ! Des demandes attendent votre suivi aujourd'hui : 1 en retard, 1 aujourd'hui.\n\n",
		"1. Fiche n° 2, demande 1 — 01/10/2026 — AAAAAB\nAccès aux droits · Complémentaire Santé Solidaire — en retard depuis le 20/11",
		"2. Fiche n° 1, demande 1 — 02/11/2026 — AAAAAA\nAccès aux droits · Complémentaire Santé Solidaire — suivi aujourd'hui",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "AAAAAC") {
		t.Errorf("request due tomorrow listed today:\n%s", m.Text)
	}
	wantButtons := []string{"1 · Résolue", "1 · Non résolue", "1 · Abandonnée", "1 · Reporter d'une semaine",
		"2 · Résolue", "2 · Non résolue", "2 · Abandonnée", "2 · Reporter d'une semaine"}
	if got := m.ButtonTexts(); fmt.Sprint(got) != fmt.Sprint(wantButtons) {
		t.Errorf("buttons = %q, want %q", got, wantButtons)
	}
	for _, row := range m.Buttons {
		for _, btn := range row {
			if !strings.HasPrefix(btn.Data, "r:") || len(btn.Data) > 64 {
				t.Errorf("callback data %q", btn.Data)
			}
		}
	}
	if m := botMessages(tb); len(m) != 0 {
		t.Fatalf("mediator B (nothing due) got %v", m)
	}
	if m := botMessages(tc); len(m) != 0 {
		t.Fatalf("mediator C (10 h) got a message at 9 h: %v", m)
	}

	run(t, s, at(10, 0))
	run(t, s, at(17, 0))
	if m := botMessages(tc); len(m) != 1 || !strings.Contains(m[0].Text, "CCCCCC") || strings.Contains(m[0].Text, "AAAAAA") {
		t.Fatalf("mediator C at 10 h: %v", m)
	}
	if len(botMessages(ta)) != 1 || len(botMessages(tb)) != 0 {
		t.Fatal("later runs sent again")
	}

	// The next day, A's request due on the 24th and the ones still open come again.
	run(t, s, time.Date(2026, 11, 24, 9, 0, 0, 0, paris))
	msgs = botMessages(ta)
	if len(msgs) != 2 || !strings.Contains(msgs[1].Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui : 2 en retard, 1 aujourd'hui.") ||
		!strings.Contains(msgs[1].Text, "2. Fiche n° 1, demande 1 — 02/11/2026 — AAAAAA\nAccès aux droits · Complémentaire Santé Solidaire — en retard depuis le 23/11") ||
		!strings.Contains(msgs[1].Text, "3. Fiche n° 3, demande 1 — 20/11/2026 — AAAAAC\nAccès aux droits · Complémentaire Santé Solidaire — suivi aujourd'hui") {
		t.Fatalf("second day: %v", msgs)
	}
}

// A reminder lists five requests at most (one screen of buttons) and points
// to /suivis for the rest: five fit, the sixth is counted in the footer.
func TestOneMessageListsAtMostFiveAndPointsToSuivis(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	for i := range 5 {
		w.sheet(a, fmt.Sprintf("s%d", i), fmt.Sprintf("P%05d", i), day(2026, 10, 1+i), day(2026, 11, 1))
	}
	s := w.replica()
	run(t, s, at(9, 0))
	msgs := botMessages(ta)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	if !strings.Contains(msgs[0].Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui : 5 en retard.") ||
		!strings.HasSuffix(msgs[0].Text, "5. Fiche n° 5, demande 1 — 05/10/2026 — P00004\nAccès aux droits · Complémentaire Santé Solidaire — en retard depuis le 01/11") {
		t.Fatalf("five due:\n%s", msgs[0].Text)
	}
	if n := len(msgs[0].ButtonTexts()); n != 20 {
		t.Fatalf("five due: %d buttons, want 20", n)
	}

	w.sheet(a, "s5", "P00005", day(2026, 10, 6), day(2026, 11, 24))
	run(t, s, time.Date(2026, 11, 24, 9, 0, 0, 0, paris))
	msgs = botMessages(ta)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	if !strings.Contains(msgs[1].Text, "Bonjour ! Des demandes attendent votre suivi aujourd'hui : 5 en retard, 1 aujourd'hui.") ||
		!strings.Contains(msgs[1].Text, "5. Fiche n° 5, demande 1") || strings.Contains(msgs[1].Text, "6. ") || strings.Contains(msgs[1].Text, "P00005") ||
		!strings.HasSuffix(msgs[1].Text, "\n\n… et 1 autre demande : tapez /suivis pour tout voir.") {
		t.Fatalf("six due:\n%s", msgs[1].Text)
	}
	if n := len(msgs[1].ButtonTexts()); n != 20 {
		t.Fatalf("six due: %d buttons, want 20", n)
	}
}

func TestTwoReplicasSendOneMessage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	b, tb := w.mediator(102, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	w.sheet(b, "b1", "BBBBBB", day(2026, 11, 2), day(2026, 11, 23))
	one, two := w.replica(), w.replica()

	var wg sync.WaitGroup
	for _, s := range []*reminders.Scheduler{one, two, one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RunDue(context.Background(), at(9, 0)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// And once more each, one after the other, as their next ticks would.
	run(t, one, at(9, 1))
	run(t, two, at(9, 1))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("mediator A got %d messages from two replicas, want 1", n)
	}
	if n := len(botMessages(tb)); n != 1 {
		t.Fatalf("mediator B got %d messages from two replicas, want 1", n)
	}
}

// Replicas share a pass: each runs it at the same tick (no lock between
// them) and sends the reminders it claims first, at its own share of
// Telegram's rate. Replica one's messages wait here until replica two has
// sent one, which it could not if one's pass held the tick alone.
func TestReplicasShareThePassAtOneTick(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var chats []*telegramtest.User
	for i := range 6 {
		u, tu := w.mediator(int64(201+i), 9)
		w.sheet(u, fmt.Sprintf("s%d", i), fmt.Sprintf("P%05d", i), day(2026, 11, 2), day(2026, 11, 23))
		chats = append(chats, tu)
	}
	twoSent := make(chan struct{})
	w.out = func(s reminders.Sender) reminders.Sender { return testenv.HeldUntil(s, twoSent) }
	one := w.replica()
	w.out = func(s reminders.Sender) reminders.Sender { return testenv.Opening(s, twoSent) }
	two := w.replica()

	stopOne, stopTwo := w.serve(one, at(9, 0)), w.serve(two, at(9, 0)) // each runs the pass at start
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range chats {
		for len(botMessages(c)) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the reminders did not all go: one replica's pass held the tick alone")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	stopOne()
	stopTwo()
	for i, c := range chats {
		if n := len(botMessages(c)); n != 1 {
			t.Errorf("mediator %d got %d reminders from the two replicas, want 1", i+1, n)
		}
	}
	var passes int
	if err := w.db.SQL.QueryRow(context.Background(),
		`SELECT count(*) FROM job_executions WHERE job = 'reminders' AND outcome = 'ok'`).Scan(&passes); err != nil {
		t.Fatal(err)
	}
	if passes != 2 {
		t.Errorf("%d passes recorded at 09:00, want 2 (one per replica)", passes)
	}
}

func TestReplicaWithoutRedisStillSendsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	// A replica whose Redis is unreachable takes no lock: it must neither
	// stay silent nor send twice, job_runs decides.
	noRedis := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() {
		if err := noRedis.Close(); err != nil {
			t.Errorf("close the Redis client: %v", err)
		}
	})
	one, two := w.replica(), w.replicaOn(noRedis)
	var wg sync.WaitGroup
	for _, s := range []*reminders.Scheduler{one, two, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.RunDue(context.Background(), at(9, 0))
			switch {
			case s == one && err != nil:
				t.Errorf("replica with Redis: %v", err)
			case s == two && (err == nil || !strings.Contains(err.Error(), "idle drafts")):
				t.Errorf("replica without Redis: err %v, want its Redis trouble (idle drafts)", err)
			}
		}()
	}
	wg.Wait()
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d messages, want 1", n)
	}

	// Alone, it still sends what is owed.
	b, tb := w.mediator(102, 9)
	w.sheet(b, "b1", "BBBBBB", day(2026, 11, 2), day(2026, 11, 23))
	r, err := two.RunDue(context.Background(), at(9, 5))
	if r.Reminders != 1 || err == nil || !strings.Contains(err.Error(), "idle drafts") {
		t.Fatalf("without Redis: report %+v, err %v", r, err)
	}
	if n := len(botMessages(tb)); n != 1 {
		t.Fatalf("got %d messages, want 1", n)
	}
}

func TestCatchUpAfterDowntimeSendsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))

	// The bot was stopped at 09:00 and starts again at 11:37: the start-up
	// pass sends the morning's reminder.
	s := w.replica()
	stop := w.serve(s, at(11, 37))
	ta.Expect("Bonjour ! Des demandes attendent votre suivi aujourd'hui :")
	stop()

	// A restart later the same day, and the ticks after it, send nothing more.
	again := w.replica()
	w.serve(again, at(11, 40))()
	run(t, again, at(11, 41))
	run(t, again, at(18, 0))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d messages after restarts, want 1", n)
	}
}

func TestFailedSendIsRetriedAtTheNextTick(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	s := w.replica()

	// Telegram refuses the message at 09:00 (not a 403, not retried by the sender).
	w.srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 400, Description: "Bad Request: chat not found"})
	if _, err := s.RunDue(context.Background(), at(9, 0)); err == nil {
		t.Fatal("a failed send was not reported")
	}
	run(t, s, at(9, 1))
	run(t, s, at(9, 2))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d messages, want 1 (retried once)", n)
	}
}

// A mediator who blocked the bot is tried once (403), marked unreachable
// and skipped the next days, without an error each minute; writing to the
// bot again makes them reachable.
func TestBlockedUserTriedOnceThenSkipped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	s := w.replica()
	ta.Block()
	before := w.srv.Stats().ByMethod["sendmessage"]
	run(t, s, at(9, 0)) // a 403 is not an error to retry
	run(t, s, at(9, 1))
	next := time.Date(2026, 11, 24, 9, 0, 0, 0, paris)
	run(t, s, next)
	if tries := w.srv.Stats().ByMethod["sendmessage"] - before; tries != 1 {
		t.Fatalf("sendMessage tried %d times for a blocked user, want 1", tries)
	}
	if u, err := w.db.Store.UserByTelegramID(context.Background(), 101); err != nil || !u.Unreachable {
		t.Fatalf("blocked user not marked unreachable: %+v %v", u, err)
	}
	// The user unblocks the bot and writes: the next day's reminder goes out.
	ta.Unblock()
	if _, err := w.db.Store.MarkReachable(context.Background(), 101); err != nil {
		t.Fatal(err)
	}
	run(t, s, time.Date(2026, 11, 25, 9, 0, 0, 0, paris))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d messages after unblocking, want 1", n)
	}
}

// A 429 storm longer than a minute (the old transaction timeout): two
// answers with retry_after=31 s, delivery after 62 s. The reminder is
// delivered once, and passes running meanwhile (another replica) send
// nothing. The sender's waits are handed to the test, which checks each is
// the 31 s asked and runs the other replica inside it, so the storm takes
// no real time.
func TestTooManyRequestsStormDeliversOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, ta := w.mediator(101, 9)
	w.sheet(a, "a1", "AAAAAA", day(2026, 11, 2), day(2026, 11, 23))
	waiting, resume := make(chan time.Duration), make(chan struct{})
	w.retrySleep = func(ctx context.Context, d time.Duration) bool {
		select {
		case waiting <- d:
		case <-ctx.Done():
			return false
		}
		select {
		case <-resume:
			return true
		case <-ctx.Done():
			return false
		}
	}
	s := w.replica()
	w.retrySleep = nil
	other := w.replica()
	before := w.srv.Stats().ByMethod["sendmessage"]
	w.srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 429, Description: "Too Many Requests: retry after 31", RetryAfter: 31, Times: 2})
	done := make(chan reminders.Report, 1)
	go func() { done <- run(t, s, at(9, 0)) }()
	for i, pass := range []time.Time{at(9, 1), at(9, 2)} {
		select {
		case d := <-waiting:
			if d != 31*time.Second {
				t.Fatalf("429 number %d: the sender waits %v, want the 31 s asked", i+1, d)
			}
		case r := <-done:
			t.Fatalf("the pass ended without waiting out 429 number %d: %+v", i+1, r)
		case <-time.After(30 * time.Second):
			t.Fatalf("the sender did not retry after 429 number %d", i+1)
		}
		if r := run(t, other, pass); r.Reminders != 0 {
			t.Fatalf("another replica sent %d reminders during the storm", r.Reminders)
		}
		resume <- struct{}{}
	}
	if r := <-done; r.Reminders != 1 {
		t.Fatalf("reminders = %d", r.Reminders)
	}
	run(t, other, at(9, 3))
	run(t, s, at(9, 4))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d messages after a 429 storm, want 1", n)
	}
	if tries := w.srv.Stats().ByMethod["sendmessage"] - before; tries != 3 {
		t.Fatalf("sendMessage called %d times, want 3 (two 429s, one success)", tries)
	}
}

func TestNudgeOnceForAnIdleDraftUnlessTurnedOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, ta := w.mediator(101, 9)
	b, tb := w.mediator(102, 9)
	_, tc := w.mediator(103, 9)
	ctx := context.Background()
	if err := w.db.Store.SetUserPreferences(ctx, b.TelegramID, 9, false, true); err != nil {
		t.Fatal(err)
	}
	drafts := state.New(w.rd.Client, w.rd.Prefix).Drafts()
	left := at(9, 12)
	for _, id := range []int64{101, 102} {
		if err := drafts.Save(ctx, ids.ChatID(id), ids.TelegramID(id), state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: left}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := drafts.Save(ctx, 103, 103, state.Draft{State: dialog.State{FormID: "fiche", RecordID: "y", UpdatedAt: at(12, 0)}}); err != nil {
		t.Fatal(err)
	}
	s := w.replica()

	run(t, s, left.Add(3*time.Hour)) // not idle for 4 hours yet
	if n := len(botMessages(ta)); n != 0 {
		t.Fatalf("nudged after 3 hours: %v", botMessages(ta))
	}
	r := run(t, s, left.Add(4*time.Hour+time.Minute))
	run(t, s, left.Add(5*time.Hour))
	run(t, w.replica(), left.Add(6*time.Hour))
	if r.Nudges != 1 {
		t.Fatalf("report = %+v, want 1 nudge", r)
	}
	msgs := botMessages(ta)
	if len(msgs) != 1 || msgs[0].Text != "Vous avez une fiche en cours (fiche d'accompagnement). Voulez-vous la reprendre ?" ||
		fmt.Sprint(msgs[0].Buttons) != fmt.Sprint([][]telegramtest.Button{{{Text: "Reprendre", Data: "b:resume:x"}, {Text: "Abandonner", Data: "b:drop:x:"}}}) {
		t.Fatalf("nudge = %v", msgs)
	}
	if m := botMessages(tb); len(m) != 0 {
		t.Fatalf("nudged a mediator who turned nudges off: %v", m)
	}
	if m := botMessages(tc); len(m) != 0 {
		t.Fatalf("nudged a draft touched 2 hours ago: %v", m)
	}

	// Resumed and left again: a new nudge for the new idle period.
	if err := drafts.Save(ctx, 101, 101, state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: left.Add(6*time.Hour + 30*time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	run(t, s, left.Add(9*time.Hour))                 // 18:12, idle for 2.5 hours
	run(t, s, left.Add(10*time.Hour+31*time.Minute)) // 19:43
	if n := len(botMessages(ta)); n != 2 {
		t.Fatalf("got %d nudges after the draft was left again, want 2", n)
	}
}

// Without the bot's names for drafts, the nudge still says what it is about.
func TestNudgeWithoutDraftNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.unnamed = true
	_, ta := w.mediator(101, 9)
	drafts := state.New(w.rd.Client, w.rd.Prefix).Drafts()
	if err := drafts.Save(context.Background(), 101, 101, state.Draft{State: dialog.State{FormID: "action", RecordID: "x", UpdatedAt: at(9, 12)}}); err != nil {
		t.Fatal(err)
	}
	run(t, w.replica(), at(13, 13))
	msgs := botMessages(ta)
	if len(msgs) != 1 || msgs[0].Text != "Vous avez une saisie en cours. Voulez-vous la reprendre ?" {
		t.Fatalf("nudge = %v", msgs)
	}
}

func TestNudgesWaitForTheMorning(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, ta := w.mediator(101, 9)
	drafts := state.New(w.rd.Client, w.rd.Prefix).Drafts()
	ctx := context.Background()
	if err := drafts.Save(ctx, 101, 101, state.Draft{State: dialog.State{FormID: "fiche", RecordID: "x", UpdatedAt: at(18, 30)}}); err != nil {
		t.Fatal(err)
	}
	s := w.replica()
	run(t, s, time.Date(2026, 11, 23, 23, 0, 0, 0, paris))
	run(t, s, time.Date(2026, 11, 24, 7, 59, 0, 0, paris))
	if n := len(botMessages(ta)); n != 0 {
		t.Fatalf("nudged at night: %v", botMessages(ta))
	}
	run(t, s, time.Date(2026, 11, 24, 8, 0, 0, 0, paris))
	if n := len(botMessages(ta)); n != 1 {
		t.Fatalf("got %d nudges at 8:00, want 1", n)
	}
}
