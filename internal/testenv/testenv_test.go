package testenv

import (
	"context"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	DropTemplate()
	os.Exit(code)
}

func TestNewDBIsMigratedAndIsolated(t *testing.T) {
	t.Parallel()
	a, b := NewDB(t), NewDB(t)
	ctx := context.Background()
	if _, err := a.SQL.Exec(ctx, `INSERT INTO users (telegram_id, role, chat_id) VALUES (1, 'admin', 1)`); err != nil {
		t.Fatalf("insert into migrated db: %v", err)
	}
	// The test's pool and the store are on the same database.
	if u, err := a.Store.UserByTelegramID(ctx, 1); err != nil || u.Role != "admin" {
		t.Fatalf("store does not see the row the test's pool wrote: %+v, %v", u, err)
	}
	var n int
	if err := b.SQL.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second test database sees %d users from the first", n)
	}
}
