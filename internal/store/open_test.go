package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
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
	if _, err := os.Stat(filepath.Join(dir, "groupd.db")); err != nil {
		t.Errorf("database file: %v", err)
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

func TestOpenPostgresNotBuilt(t *testing.T) {
	for _, url := range []string{"postgres://u@localhost/groupd", "postgresql://localhost/groupd"} {
		_, err := Open(context.Background(), t.TempDir(), url)
		if !errors.Is(err, ErrPostgresNotBuilt) {
			t.Errorf("Open(%q): got %v, want ErrPostgresNotBuilt", url, err)
		}
	}
	if _, err := Open(context.Background(), t.TempDir(), "mysql://x"); err == nil {
		t.Error("Open of an unknown engine succeeded")
	}
}
