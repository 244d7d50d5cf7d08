package digest_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/digest"
	"github.com/relais-sante/relais/internal/jobs"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// The Monday digest announces its recipients: the logs say how many are
// to be handled and when all are.
func TestDigestPassShowsItsProgress(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	tg, sender := fakeTelegram(t)
	ctx := context.Background()
	for _, id := range []int64{31, 32, 33} {
		register(t, db, id, store.Invitation{Role: roles.Coordinator, Level: "region"})
		tg.NewUser(id, "U")
	}
	var logs strings.Builder
	sends := &jobs.Sends{Store: db.Store, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	job := &digest.Job{Store: db.Store, Out: sender, Location: paris, Sends: sends}
	if n, err := job.Run(ctx, time.Date(2026, 11, 23, 8, 0, 0, 0, paris)); err != nil || n != 3 {
		t.Fatalf("sent %d, %v", n, err)
	}
	for _, want := range []string{`msg="scheduled messages to handle" kind=digest total=3 handled=1`, `msg="scheduled messages progress" kind=digest handled=3 total=3`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
}
