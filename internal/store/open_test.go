package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
	"groupd/internal/store/postgres"
)

func TestOpenDefaultCreatesDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "groupd")
	for _, url := range []string{"", "sqlite"} {
		s, err := Open(context.Background(), dir, url)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("data dir mode %o, want 700", perm)
	}
	for _, f := range []string{"groupd.db", "groupd-audit.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("database file: %v", err)
		}
	}
}

func TestOpenSQLiteURL(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct{ url, file string }{
		{"sqlite:" + filepath.Join(tmp, "a.db"), "a.db"},
		{"sqlite://" + filepath.Join(tmp, "b.db"), "b.db"},
		{"file:" + filepath.Join(tmp, "c.db"), "c.db"},
	} {
		s, err := Open(context.Background(), filepath.Join(tmp, "unused"), tc.url)
		if err != nil {
			t.Fatalf("Open(%q): %v", tc.url, err)
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(tmp, tc.file)); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", tc.url, tc.file, err)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "unused")); err == nil {
		t.Error("an explicit database URL created the data dir database")
	}
}

// TestMain gives the PostgreSQL tests a throwaway cluster (see pgtest).
func TestMain(m *testing.M) {
	pgtest.Main(m, func(ctx context.Context, dsn string) error {
		s, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
		if err != nil {
			return err
		}
		return s.Close()
	})
}

func TestOpenPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	for _, url := range []string{dsn, "postgresql" + strings.TrimPrefix(dsn, "postgres")} {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "unused"), url)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if _, ok := s.(*postgres.Store); !ok {
			t.Errorf("Open(%q) opened %T", url, s)
		}
		if _, ok := s.(ChangeListener); !ok {
			t.Errorf("the PostgreSQL store is no ChangeListener")
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
		s.Close()
	}
}

func TestOpenUnknownEngine(t *testing.T) {
	// Nothing listens on port 1: a PostgreSQL URL that cannot be reached
	// fails as unavailable, not as an unknown engine.
	_, err := Open(context.Background(), t.TempDir(), "postgres://u@127.0.0.1:1/groupd?connect_timeout=2")
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("Open of an unreachable database: got %v, want ErrUnavailable", err)
	}
	if _, err := Open(context.Background(), t.TempDir(), "mysql://x"); err == nil {
		t.Error("Open of an unknown engine succeeded")
	}
}

// SQLiteFile names the file Open opens for each form of URL, and no file
// for the other engines.
func TestSQLiteFile(t *testing.T) {
	for url, want := range map[string]string{
		"": "dd/groupd.db", "sqlite": "dd/groupd.db", "sqlite:/tmp/x.db": "/tmp/x.db", "sqlite:///tmp/x.db": "/tmp/x.db",
		"sqlite://rel/x.db": "rel/x.db", "file:x.db": "x.db", "sqlite:": "",
	} {
		if got, ok := SQLiteFile("dd", url); !ok || got != want {
			t.Errorf("SQLiteFile(%q) = %q, %v; want %q", url, got, ok, want)
		}
	}
	for _, url := range []string{"postgres://u@h/db", "postgresql://u@h/db", "mysql://x"} {
		if got, ok := SQLiteFile("dd", url); ok {
			t.Errorf("SQLiteFile(%q) = %q, true; want no SQLite file", url, got)
		}
	}
}
