package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/testenv"
)

// A job's error is kept to its first 2 000 characters, never cut inside a
// character: French messages are full of accents, and half an « é » is
// text PostgreSQL refuses, which lost the whole record.
func TestFinishExecutionKeepsTheErrorsFirst2000Characters(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	ctx := context.Background()
	id, err := db.Store.StartExecution(ctx, "j", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), "h")
	if err != nil {
		t.Fatal(err)
	}
	msg := strings.Repeat("a", 1999) + "éé"
	if err := db.Store.FinishExecution(ctx, id, "failed", msg); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.SQL.QueryRow(ctx, `SELECT outcome || ' ' || error FROM job_executions WHERE id = $1`, id).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "failed " + strings.Repeat("a", 1999) + "é"; got != want {
		t.Errorf("recorded %d characters ending %q, want %d ending %q", len([]rune(got)), got[len(got)-4:], len([]rune(want)), want[len(want)-4:])
	}
}
