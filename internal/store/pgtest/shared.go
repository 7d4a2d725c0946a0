package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Prepare migrates the template database dsn names; every test database
// is a copy of it, so per-test setup costs one CREATE DATABASE.
type Prepare func(ctx context.Context, dsn string) error

// shared is the cluster of this test binary, started on first use.
var shared struct {
	mu       sync.Mutex
	prepare  Prepare
	started  bool
	admin    string // URL of the "postgres" database
	template string // name of the migrated template database
	stop     func()
	err      error
	warned   sync.Once
}

var dbSeq atomic.Int64

// Use sets how the template is migrated. Call it from TestMain, before
// m.Run; Main does.
func Use(p Prepare) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.prepare = p
}

// Main runs the tests of a package with a cluster started on first use of
// NewDatabase and stopped when the tests end, whatever their outcome.
func Main(m *testing.M, p Prepare) {
	Use(p)
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown drops the template and stops the cluster, if one was started.
func Shutdown() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started || shared.err != nil {
		return
	}
	if shared.template != "" && os.Getenv(EnvURL) != "" {
		// An external server outlives us: leave nothing behind on it.
		_ = admin(context.Background(), shared.admin, "DROP DATABASE IF EXISTS "+shared.template+" WITH (FORCE)")
	}
	shared.stop()
	shared.started, shared.err = false, nil
}

// NewDatabase returns the URL of a new database for t, a copy of the
// migrated template, dropped when t ends. Without PostgreSQL it skips t,
// loudly, or fails it when CI=true: CI must always run these tests.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, true)
}

// NewEmptyDatabase is NewDatabase without the schema, for tests of
// migrating itself.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, false)
}

func newDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	adminURL, tmpl, err := sharedCluster()
	if err != nil {
		unavailable(t, err)
	}
	name := fmt.Sprintf("groupd_t%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stmt := "CREATE DATABASE " + name
	if migrated {
		stmt += " TEMPLATE " + tmpl
	}
	if err := admin(ctx, adminURL, stmt); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		// FORCE ends sessions a test left open (a store it did not close).
		if err := admin(context.Background(), adminURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return withDatabase(adminURL, name)
}

// Available reports whether NewDatabase would work, starting the cluster
// if needed.
func Available() error {
	_, _, err := sharedCluster()
	return err
}

// unavailable skips (or, under CI, fails) t with the reason, and says so on
// stderr once per test binary, since `go test` hides the skips of passing
// packages.
func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL tests NOT RUN: %v", err)
	if errors.Is(err, ErrNotInstalled) {
		msg += fmt.Sprintf(" (install the PostgreSQL server, e.g. apt-get install postgresql, or set %s)", EnvURL)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("pgtest: %s; CI=true, so this fails instead of skipping", msg)
	}
	shared.warned.Do(func() { fmt.Fprintln(os.Stderr, "WARNING: "+msg) })
	t.Skip(msg)
}

// sharedCluster starts the shared cluster and migrates its template, once.
func sharedCluster() (adminURL, template string, err error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.started || shared.err != nil {
		return shared.admin, shared.template, shared.err
	}
	shared.started = true
	shared.admin, shared.stop, shared.err = Start()
	if shared.err != nil {
		return "", "", shared.err
	}
	if shared.prepare == nil {
		shared.err = fmt.Errorf("pgtest: no Prepare set: call pgtest.Use or pgtest.Main from TestMain")
		shared.stop()
		return "", "", shared.err
	}
	shared.template = fmt.Sprintf("groupd_template_%d", os.Getpid())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := admin(ctx, shared.admin, "CREATE DATABASE "+shared.template); err != nil {
		shared.err = fmt.Errorf("create template: %w", err)
	} else if err := shared.prepare(ctx, withDatabase(shared.admin, shared.template)); err != nil {
		shared.err = fmt.Errorf("migrate template: %w", err)
	}
	if shared.err != nil {
		shared.stop()
	}
	return shared.admin, shared.template, shared.err
}

// admin runs one statement on a short-lived connection to the admin
// database (CREATE DATABASE cannot run in a transaction).
func admin(ctx context.Context, adminURL, stmt string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt)
	return err
}

// withDatabase returns adminURL naming database name instead.
func withDatabase(adminURL, name string) string {
	u, err := url.Parse(adminURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: admin URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}
