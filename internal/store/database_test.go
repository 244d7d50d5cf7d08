package store_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// An existing database is left alone even for a role that may not create
// databases (the server checks that right before the name, so creating
// blindly would fail); an unreadable URL is a BadURLError; a server that
// cannot be reached is left for Open to report.
func TestCreateDatabaseIfMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.NewDB(t)
	role := testenv.RandomName("relais_nocreate_")
	if _, err := db.SQL.Exec(ctx, `CREATE ROLE `+role+` LOGIN NOCREATEDB`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.SQL.Exec(context.Background(), `DROP ROLE `+role); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	if err := store.CreateDatabaseIfMissing(ctx, u.String()); err != nil {
		t.Errorf("existing database, role without CREATEDB: %v", err)
	}

	u.Path = "/" + testenv.RandomName("relais_never_")
	err = store.CreateDatabaseIfMissing(ctx, u.String())
	if err == nil || !strings.Contains(err.Error(), "n'existe pas et n'a pas pu être créée") {
		t.Errorf("missing database, role without CREATEDB: %v", err)
	}

	var bad *store.BadURLError
	if err := store.CreateDatabaseIfMissing(ctx, "postgres://%zz"); !errors.As(err, &bad) {
		t.Errorf("unreadable URL: %v, want a BadURLError", err)
	}
	if err := store.CreateDatabaseIfMissing(ctx, "postgres://postgres@127.0.0.1:1/relais_x?sslmode=disable&connect_timeout=2"); err != nil {
		t.Errorf("unreachable server: %v, want nil (Open reports it)", err)
	}
}
