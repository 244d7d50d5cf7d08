package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A disabled user gets no digest, whatever their role.
func TestDisabledUsersGetNoDigest(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st := db.Store
	tg, sender := fakeTelegram(t)
	ctx := context.Background()
	register(t, db, 31, store.Invitation{Role: roles.Coordinator, Level: "region"})
	register(t, db, 32, store.Invitation{Role: roles.Coordinator, Level: "region"})
	gone := tg.NewUser(31, "U").For(t)
	kept := tg.NewUser(32, "U").For(t)
	if err := st.SetUserDisabled(ctx, 31, true, nil); err != nil {
		t.Fatal(err)
	}
	job := &digest.Job{Store: st, Out: sender, Location: paris}
	n, err := job.Run(ctx, time.Date(2026, 11, 23, 8, 0, 0, 0, paris))
	if err != nil || n != 1 {
		t.Fatalf("sent %d, %v; want 1 (the enabled coordinator)", n, err)
	}
	kept.Expect("Votre semaine")
	if msgs := gone.Messages(); len(msgs) != 0 {
		t.Fatalf("digest sent to a disabled user: %v", msgs)
	}
}
