package digest_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

// Replicas share the Monday pass: both run it at the same tick (no lock
// between them), each digest claimed by one. Replica one's messages wait
// until replica two has sent one, which it could not if one's pass held
// the tick alone.
func TestReplicasShareTheDigestPass(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	tg, sender := fakeTelegram(t)
	var users []*telegramtest.User
	for i := range 4 {
		id := int64(31 + i)
		register(t, db, id, store.Invitation{Role: roles.Coordinator, Level: "departement", Departement: "59"})
		users = append(users, tg.NewUser(id, "U").For(t))
	}
	open := make(chan struct{})
	one := &digest.Job{Store: db.Store, Out: testenv.HeldUntil(sender, open), Location: paris}
	two := &digest.Job{Store: db.Store, Out: testenv.Opening(sender, open), Location: paris}

	monday := time.Date(2026, 11, 23, 8, 0, 0, 0, paris)
	rd := testenv.NewRedis(t)
	lock := state.New(rd.Client, rd.Prefix).Locks()
	var stops []func()
	for _, j := range []*digest.Job{one, two} {
		r := &jobs.Runner{Store: db.Store, Lock: lock, Location: paris, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return monday }}
		if err := r.Register(j.Schedule()); err != nil {
			t.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil { // the pass at start
			t.Fatal(err)
		}
		stops = append(stops, r.Stop)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, u := range users {
		for len(u.Messages()) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the digests did not all go: one replica's pass held the tick alone")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, stop := range stops {
		stop()
	}
	for i, u := range users {
		if n := len(u.Messages()); n != 1 {
			t.Errorf("coordinator %d got %d messages from the two replicas, want 1 digest", i+1, n)
		}
	}
	var passes int
	if err := db.SQL.QueryRow(context.Background(),
		`SELECT count(*) FROM job_executions WHERE job = 'digest' AND outcome = 'ok'`).Scan(&passes); err != nil {
		t.Fatal(err)
	}
	if passes != 2 {
		t.Errorf("%d digest passes recorded at Monday 08:00, want 2 (one per replica)", passes)
	}
}
