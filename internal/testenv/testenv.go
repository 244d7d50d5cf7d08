// Package testenv gives each test its own PostgreSQL database and Redis key
// prefix on the real servers, so parallel runs never collide. Migrations run
// once per process into a template database; each test database is a cheap
// copy of it (the mailroom testsuite way).
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/migrations"
)

// AdminURL is the server used to create test databases; RELAIS_TEST_PG overrides it.
func AdminURL() string {
	if u := os.Getenv("RELAIS_TEST_PG"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis used by tests; RELAIS_TEST_REDIS overrides it.
func RedisURL() string {
	if u := os.Getenv("RELAIS_TEST_REDIS"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func dbURL(name string) string {
	u := AdminURL()
	i := strings.LastIndex(u, "/")
	q := ""
	if j := strings.Index(u[i:], "?"); j >= 0 {
		q = u[i+j:]
	}
	return u[:i+1] + name + q
}

// RandomName returns a short random lowercase name with the given prefix.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails
	}
	return prefix + hex.EncodeToString(b)
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template builds the migrated template database once per test binary. Its
// name is unique to the process so concurrent `go test` runs do not race on it.
func template(ctx context.Context) (string, error) {
	templateOnce.Do(func() {
		templateName = RandomName("relais_template_")
		templateErr = createDB(ctx, templateName, "")
		if templateErr == nil {
			templateErr = store.Migrate(ctx, dbURL(templateName))
		}
	})
	return templateName, templateErr
}

func createDB(ctx context.Context, name, tmpl string) error {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("connect to test PostgreSQL (%s): %w", AdminURL(), err)
	}
	defer conn.Close(ctx)
	q := "CREATE DATABASE " + name
	if tmpl != "" {
		q += " TEMPLATE " + tmpl
	}
	_, err = conn.Exec(ctx, q)
	return err
}

func dropDB(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}

// DropTemplate removes the template database; call it from TestMain after m.Run.
func DropTemplate() {
	if templateName != "" {
		if err := dropDB(context.Background(), templateName); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: drop template %s: %v\n", templateName, err)
		}
	}
}

// DB is a fresh migrated database for one test, dropped when the test ends.
type DB struct {
	Name  string
	URL   string
	Store *store.Store
	// SQL is the test's own connection pool on the same database, for
	// arranging and checking rows with SQL: store keeps its pool to itself.
	SQL *pgxpool.Pool
}

// NewDB creates a migrated database for t.
func NewDB(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	tmpl, err := template(ctx)
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	name := RandomName("t_")
	if err := createDB(ctx, name, tmpl); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	url := dbURL(name)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		st.Close()
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		st.Close()
		if err := dropDB(context.Background(), name); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return &DB{Name: name, URL: url, Store: st, SQL: pool}
}

// Redis is a client and a key prefix unique to one test; keys under the
// prefix are deleted when the test ends.
type Redis struct {
	Client *redis.Client
	Prefix string
}

// NewRedis connects to the test Redis with a fresh prefix.
func NewRedis(t testing.TB) *Redis {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("redis url: %v", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("connect to test Redis (%s): %v", RedisURL(), err)
	}
	prefix := RandomName("t") + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		// a leftover key only costs space in the test Redis: log, do not fail
		if err := iter.Err(); err != nil {
			t.Logf("list test Redis keys %s*: %v", prefix, err)
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Logf("delete test Redis keys %s*: %v", prefix, err)
			}
		}
		if err := c.Close(); err != nil {
			t.Logf("close test Redis client: %v", err)
		}
	})
	return &Redis{Client: c, Prefix: prefix}
}

// Main runs a package's tests, then drops its template database:
// `func TestMain(m *testing.M) { testenv.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	DropTemplate()
	os.Exit(code)
}

// Paris is RELAIS_TZ's default, the zone tests reason in.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Cached opens the database name, building it first with seed when it does
// not exist yet, and keeps it when t ends: a benchmark's large dataset (ten
// million requests take minutes to generate) is built once per machine and
// reused. Put the data's version in name (relais_bench_10m_v1), and bump it
// when seed changes. The database is built under a temporary name and
// renamed only once seed returned, so an interrupted build is started
// again, never reused half made. Migrations run on every open, so a new
// migration reaches the cached data; callers must only read it.
func Cached(t testing.TB, name string, seed func(ctx context.Context, db *DB) error) *DB {
	t.Helper()
	ctx := context.Background()
	exists, err := databaseExists(ctx, name)
	if err != nil {
		t.Fatalf("cached database %s: %v", name, err)
	}
	if !exists {
		building := name + "_building"
		if err := dropDB(ctx, building); err != nil {
			t.Fatalf("cached database %s: drop a previous build: %v", name, err)
		}
		if err := createDB(ctx, building, ""); err != nil {
			t.Fatalf("cached database %s: %v", name, err)
		}
		if err := store.Migrate(ctx, dbURL(building)); err != nil {
			t.Fatalf("cached database %s: migrate: %v", name, err)
		}
		db, err := openDB(ctx, building)
		if err != nil {
			t.Fatalf("cached database %s: %v", name, err)
		}
		err = seed(ctx, db)
		db.close()
		if err != nil {
			t.Fatalf("cached database %s: seed: %v", name, err)
		}
		if err := renameDB(ctx, building, name); err != nil {
			t.Fatalf("cached database %s: %v", name, err)
		}
	}
	if err := store.Migrate(ctx, dbURL(name)); err != nil {
		t.Fatalf("cached database %s: migrate: %v", name, err)
	}
	db, err := openDB(ctx, name)
	if err != nil {
		t.Fatalf("cached database %s: %v", name, err)
	}
	t.Cleanup(db.close)
	return db
}

func openDB(ctx context.Context, name string) (*DB, error) {
	url := dbURL(name)
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &DB{Name: name, URL: url, Store: st, SQL: pool}, nil
}

func (db *DB) close() {
	db.SQL.Close()
	db.Store.Close()
}

func databaseExists(ctx context.Context, name string) (bool, error) {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return false, fmt.Errorf("connect to test PostgreSQL (%s): %w", AdminURL(), err)
	}
	defer conn.Close(ctx)
	var ok bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&ok)
	return ok, err
}

func renameDB(ctx context.Context, from, to string) error {
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "ALTER DATABASE "+from+" RENAME TO "+to)
	return err
}

// Migrations is a goose provider on db's schema, for a test that moves it
// down and up again (a migration's effect on rows written before it); its
// connection closes when the test ends.
func (db *DB) Migrations(t testing.TB) *goose.Provider {
	t.Helper()
	cfg, err := pgx.ParseConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	t.Cleanup(func() {
		if err := sqlDB.Close(); err != nil {
			t.Errorf("close the migrations' connection: %v", err)
		}
	})
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
