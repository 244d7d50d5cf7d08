package store_test

import (
	"context"
	"testing"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// A database that ran the old job_runs (one subject column) and a later
// migration (00020) before 00018 was merged: Migrate applies 00018 out of
// order, and each recorded message keeps its subject under the right kind —
// follow-ups and review reminders a post, nudges and digests a person.
func TestMigrationSplitsJobRunsSubjectOutOfOrder(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	p := db.Migrations(t)
	if _, err := p.DownTo(ctx, 16); err != nil {
		t.Fatalf("down to 16: %v", err)
	}
	if _, err := p.ApplyVersion(ctx, 20, true); err != nil {
		t.Fatalf("apply 20 first: %v", err)
	}
	if _, err := db.SQL.Exec(ctx, `INSERT INTO job_runs (job, period, subject, state) VALUES
		('followups', '2026-11-23', 3, 'sent'), ('review_reminder', '2026', 3, 'sent'), ('review_reminder_2', '2026', 4, 'skipped'),
		('nudge', '2026-11-23T10:00:00Z', 3, 'sent'), ('digest', '2026-W48', 42, 'failed')`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, db.URL); err != nil {
		t.Fatalf("migrate with 00018 missing: %v", err)
	}
	var rows string
	if err := db.SQL.QueryRow(ctx, `SELECT string_agg(concat_ws('|', job, period, COALESCE(mediator_id::text, '-'), COALESCE(telegram_id::text, '-'), state), ',' ORDER BY job)
		FROM job_runs`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	want := "digest|2026-W48|-|42|failed,followups|2026-11-23|3|-|sent,nudge|2026-11-23T10:00:00Z|-|3|sent," +
		"review_reminder|2026|3|-|sent,review_reminder_2|2026|4|-|skipped"
	if rows != want {
		t.Errorf("job_runs after 00018:\n got %s\nwant %s", rows, want)
	}
	// The store reads the converted rows: the post's follow-up of the day is
	// sent, and the person with the same number has had no follow-up.
	st := db.Store
	if s, err := st.SendState(ctx, store.SendKey{Job: "followups", Period: "2026-11-23", MediatorID: 3}); err != nil || s != "sent" {
		t.Errorf("post 3 follow-up = %q, %v", s, err)
	}
	if s, err := st.SendState(ctx, store.SendKey{Job: "followups", Period: "2026-11-23", TelegramID: 3}); err != nil || s != "" {
		t.Errorf("user 3 follow-up = %q, %v; want none", s, err)
	}
}
