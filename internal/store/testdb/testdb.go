// Package testdb lets every test suite run on every storage engine. A
// package's TestMain calls Main, which runs the package's tests once per
// engine; the suite's harness opens its store with Open, which opens a
// fresh, migrated, empty store of the engine of the current run. Test code
// only.
//
// PostgreSQL comes from pgtest: a throwaway cluster started on first use
// and stopped when the tests end (or the server GROUPD_TEST_POSTGRES
// names). Without PostgreSQL its run is skipped loudly, or fails when
// CI=true. GROUPD_TEST_ENGINES=sqlite (or postgres) limits the runs to
// those engines, for a quick local run.
package testdb

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/pgtest"
	"groupd/internal/store/postgres"
)

// The engines, by the name Engine returns.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Engines lists every engine, in the order Main runs them.
var Engines = []string{SQLite, Postgres}

var current atomic.Value // string: the engine of the current run

// Main runs m once per engine (see the package doc), then stops the
// PostgreSQL cluster if one was started, and exits with a failure if any
// run failed. Each run is announced on stdout, so that a failure in `go
// test` output can be told apart by engine; Open also logs the engine in
// every test.
func Main(m *testing.M) {
	flag.Parse()
	pgtest.Use(MigratePostgres)
	code := 0
	for _, e := range selected() {
		current.Store(e)
		fmt.Printf("=== testdb: tests on %s\n", e)
		if c := m.Run(); c != 0 {
			code = c
		}
		if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
			break // listing the tests once is enough
		}
	}
	pgtest.Shutdown()
	os.Exit(code)
}

func selected() []string {
	v := os.Getenv("GROUPD_TEST_ENGINES")
	if v == "" {
		return Engines
	}
	var out []string
	for _, e := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(e))
	}
	return out
}

// Engine returns the engine of the current run: SQLite when the package
// has no TestMain calling Main.
func Engine() string {
	if e, ok := current.Load().(string); ok {
		return e
	}
	return SQLite
}

// Open opens a fresh, migrated, empty store on the current engine; it is
// closed when t ends.
func Open(t testing.TB) directory.Store {
	t.Helper()
	return OpenEngine(t, Engine())
}

// OpenEngine is Open on a named engine.
func OpenEngine(t testing.TB, engine string) directory.Store {
	t.Helper()
	t.Logf("store engine: %s", engine)
	ctx := context.Background()
	var st directory.Store
	var err error
	switch engine {
	case SQLite:
		st, err = store.Open(ctx, t.TempDir(), "")
	case Postgres:
		// A small pool: a test needs few connections, and a whole package
		// of tests shares the cluster's connection limit. A benchmark
		// measures what groupd serve runs, with the default pool.
		opts := postgres.Options{MaxConns: 4}
		if _, bench := t.(*testing.B); bench {
			opts = postgres.Options{}
		}
		var s *postgres.Store
		if s, err = postgres.Open(ctx, pgtest.NewDatabase(t), opts); err == nil {
			st = s
		}
	default:
		t.Fatalf("testdb: unknown engine %q", engine)
	}
	if err != nil {
		t.Fatalf("testdb: open %s store: %v", engine, err)
	}
	t.Cleanup(func() { _ = st.Close() }) // a test may have closed it already
	return st
}

// URL returns the database URL of a fresh, migrated, empty database of the
// engine, for code that opens the store itself (store.Open, --database).
func URL(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), store.DefaultFile)
	case Postgres:
		return pgtest.NewDatabase(t)
	}
	t.Fatalf("testdb: unknown engine %q", engine)
	return ""
}

// Settle readies the current engine for a timed benchmark: on
// PostgreSQL it gives a throwaway cluster the spare WAL segments of a
// server in service (pgtest.WarmWAL); SQLite needs nothing.
func Settle(b *testing.B) {
	b.Helper()
	if Engine() == Postgres {
		pgtest.WarmWAL(b)
	}
}

// MigratePostgres migrates the database dsn names; it is how pgtest
// prepares its template.
func MigratePostgres(ctx context.Context, dsn string) error {
	s, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	return s.Close()
}
