package indicators_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/testenv"
)

// Every report, the digest's three included, is planned for its own values
// (a generic plan read every post's month rows for one département: 1 s
// instead of 20 ms over 10 000 000 requests), without JIT, in one read-only
// snapshot.
func TestSnapshotIsSetForReports(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	want := map[string]string{
		"plan_cache_mode":       "force_custom_plan",
		"jit":                   "off",
		"work_mem":              "64MB",
		"transaction_read_only": "on",
		"transaction_isolation": "repeatable read",
	}
	err := indicators.Snapshot(ctx, db.Store.Reports(), func(tx pgx.Tx) error {
		for name, v := range want {
			var got string
			if err := tx.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got); err != nil {
				return err
			}
			if got != v {
				t.Errorf("%s in a report's snapshot = %q, want %q", name, got, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	// SET LOCAL: the connection goes back to the pool as it was (the pool
	// hands out its last released connection, the snapshot's).
	var mode string
	if err := db.Store.Reports().QueryRow(ctx, "SELECT current_setting('plan_cache_mode')").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "auto" {
		t.Errorf("plan_cache_mode outside the snapshot = %q, want auto", mode)
	}

	// Inside a transaction there is no snapshot of its own to open.
	tx, err := db.SQL.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tx.Rollback(ctx); err != nil {
			t.Errorf("rollback: %v", err)
		}
	}()
	ran := false
	if err := indicators.Snapshot(ctx, tx, func(pgx.Tx) error { ran = true; return nil }); err == nil || ran {
		t.Errorf("Snapshot in a transaction: err %v, ran %v; want a refusal before running", err, ran)
	}
}
