package digest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var paris = testenv.Paris

// fakeTelegram is a fake Bot API without rate limits and a Sender to it.
func fakeTelegram(t *testing.T) (*telegramtest.Server, *telegram.Sender) {
	t.Helper()
	tg := telegramtest.NewServer(t, telegramtest.WithoutRateLimits())
	api, err := telegram.Connect(context.Background(), tg.Token(), tg.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	return tg, telegram.NewSender(api, telegram.SenderOptions{Unlimited: true})
}

func register(t *testing.T, db *testenv.DB, id int64, inv store.Invitation) *store.User {
	t.Helper()
	ctx := context.Background()
	st := db.Store
	inv.ExpiresAt = time.Now().Add(time.Hour)
	code, err := st.CreateInvitation(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.RedeemInvitation(ctx, code, ids.TelegramID(id), ids.ChatID(id), "X", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Registered well before the digests below were due.
	if _, err := db.SQL.Exec(ctx, `UPDATE users SET created_at = '2026-01-01' WHERE telegram_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return u
}

func sheets(t *testing.T, st *store.Store, med *store.User, n int, day string, resolved bool) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	status := "en_cours"
	if resolved {
		status = "resolue"
	}
	for i := range n {
		_, _, err := st.SaveSheet(context.Background(), store.Sheet{
			ID: fmt.Sprintf("%s-%d-%d", day, med.TelegramID, i), MediatorID: med.Mediator.ID, Date: d,
			Beneficiary: fmt.Sprintf("B%s%d%d", day[8:], med.TelegramID, i), Sex: "M", QPV: "non", Resources: "salaire",
			ContactMode: "contact_direct", Level: "informe", SocialProtection: "oui",
			Requests: []store.Request{{Kind: "soins", Type: "rdv", Status: status}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestDigestSentOnceToTheRightPeopleWithTheRightFigures(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	tg, sender := fakeTelegram(t)
	ctx := context.Background()

	nordMed := register(t, db, 11, store.Invitation{Role: roles.Mediator, Departement: "59"})
	pdcMed := register(t, db, 12, store.Invitation{Role: roles.Mediator, Departement: "62"})
	register(t, db, 21, store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59"})
	register(t, db, 22, store.Invitation{Role: roles.Coordinator, Level: "region"})
	off := register(t, db, 23, store.Invitation{Role: roles.Coordinator, Level: "region"})
	if err := st.SetDigest(ctx, off.TelegramID, false); err != nil {
		t.Fatal(err)
	}
	users := map[int64]*telegramtest.User{}
	for _, id := range []int64{11, 12, 21, 22, 23} {
		users[id] = tg.NewUser(id, "U").For(t)
	}
	// Week of 16–22 November 2026: Nord 3 sheets (2 resolved), Pas-de-Calais 2.
	sheets(t, st, nordMed, 2, "2026-11-17", true)
	sheets(t, st, nordMed, 1, "2026-11-18", false)
	sheets(t, st, pdcMed, 2, "2026-11-20", false)
	// The week before: Nord 1 sheet.
	sheets(t, st, nordMed, 1, "2026-11-10", false)

	if _, err := db.SQL.Exec(ctx, `UPDATE requests SET resolved_at = '2026-11-18 10:00+01' WHERE status = 'resolue'`); err != nil {
		t.Fatal(err)
	}
	job := &digest.Job{Store: st, Out: sender, Location: paris}
	if n, err := job.Run(ctx, time.Date(2026, 11, 23, 7, 59, 0, 0, paris)); err != nil || n != 4 {
		// Before 08:00 the due digest is the previous week's (catch-up).
		t.Fatalf("catch-up run: sent %d, %v", n, err)
	}
	monday := time.Date(2026, 11, 23, 8, 0, 0, 0, paris)
	n, err := job.Run(ctx, monday)
	if err != nil || n != 4 {
		t.Fatalf("monday run: sent %d (want 4: two mediators, two coordinators), err %v", n, err)
	}
	other := &digest.Job{Store: st, Out: sender, Location: paris} // a second process
	if n, err := other.Run(ctx, monday.Add(10*time.Minute)); err != nil || n != 0 {
		t.Fatalf("second process sent %d, %v", n, err)
	}

	nord := users[21].Expect("Votre semaine")
	if !strings.Contains(nord.Text, "du 16/11/2026 au 22/11/2026") || !strings.Contains(nord.Text, "Fiches : 3 (+2 par rapport à la semaine précédente)") ||
		!strings.Contains(nord.Text, "Demandes résolues : 2") {
		t.Fatalf("Nord digest:\n%s", nord.Text)
	}
	region := users[22].Expect("Votre semaine")
	if !strings.Contains(region.Text, "Fiches : 5") {
		t.Fatalf("region digest:\n%s", region.Text)
	}
	mine := users[12].Expect("Votre semaine")
	if !strings.Contains(mine.Text, "Fiches : 2") || !strings.HasPrefix(mine.Text, "Résumé du lundi\nVotre semaine, du 16/11/2026") ||
		!strings.HasPrefix(nord.Text, "Résumé du lundi – Nord\n") { // a mediator's own week names no post
		t.Fatalf("mediator digest:\n%s", mine.Text)
	}
	// The chart's caption names no post either: never « Médiateur M-… ».
	if chart := users[12].Expect("Demandes par type depuis le 1er janvier"); chart.Text != "Demandes par type depuis le 1er janvier — vos chiffres" {
		t.Fatalf("mediator chart caption = %q", chart.Text)
	}
	if msgs := users[23].Messages(); len(msgs) != 0 {
		t.Fatalf("digest sent to a user who turned it off: %v", msgs)
	}
	count := 0
	for _, m := range users[21].Messages() {
		if strings.Contains(m.Text, "du 16/11/2026 au 22/11/2026") {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("Nord coordinator got this week's digest %d times", count)
	}
}

func TestDueWeek(t *testing.T) {
	t.Parallel()
	for now, want := range map[time.Time]string{
		time.Date(2026, 11, 23, 8, 0, 0, 0, paris):  "2026-11-16",
		time.Date(2026, 11, 23, 7, 0, 0, 0, paris):  "2026-11-09",
		time.Date(2026, 11, 29, 23, 0, 0, 0, paris): "2026-11-16",
	} {
		if got := digest.DueWeek(now).From.Format(time.DateOnly); got != want {
			t.Errorf("DueWeek(%v) = %s, want %s", now, got, want)
		}
	}
}

// cutAfterSend delivers the message, then never answers: as a process
// killed (or stopped) after Telegram took the message and before the
// digest was recorded.
type cutAfterSend struct {
	out  digest.Sender
	sent chan struct{}
}

func (c *cutAfterSend) Post(ctx context.Context, m chat.Message) (int, error) {
	id, err := c.out.Post(ctx, m)
	if err != nil {
		return id, err
	}
	close(c.sent)
	<-ctx.Done()
	return 0, ctx.Err()
}

func TestDigestAfterShutdownMidSendNotSentTwice(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	tg, sender := fakeTelegram(t)
	ctx := context.Background()
	register(t, db, 21, store.Invitation{Role: roles.Coordinator, Level: "region"})
	coord := tg.NewUser(21, "X")
	monday := time.Date(2026, 11, 23, 8, 30, 0, 0, paris)

	runCtx, shutdown := context.WithCancel(ctx)
	cut := &cutAfterSend{out: sender, sent: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := (&digest.Job{Store: st, Out: cut, Location: paris}).Run(runCtx, monday)
		done <- err
	}()
	<-cut.sent
	shutdown() // the process stops while the digest is in flight
	<-done

	// The restart's catch-up, and the passes of the day. (A message cut
	// mid-send is recorded unknown and never sent again: see docs/operator.md.)
	for _, now := range []time.Time{monday.Add(10 * time.Minute), monday.Add(20 * time.Minute), monday.Add(5 * time.Hour)} {
		n, err := (&digest.Job{Store: st, Out: sender, Location: paris}).Run(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("digest sent again at %s", now)
		}
	}
	got := 0
	for _, m := range coord.Messages() {
		if m.FromBot && strings.Contains(m.Text, "semaine") {
			got++
		}
	}
	if got != 1 {
		t.Fatalf("coordinator got %d digests, want 1", got)
	}
}
