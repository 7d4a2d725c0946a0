package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"groupd/internal/directory"
)

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	tid := seedTenant(t, s)
	u := testUser(tid, "kept")
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.User(ctx, tid, u.ID); err != nil {
		t.Errorf("user after reopen: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if !errors.Is(err, ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("open of a newer schema: got %v, want ErrSchemaTooNew", err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	tid := seedTenant(t, s)
	u := testUser(tid, "saved")
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Error("backup over an existing file succeeded")
	}
	b, err := Open(ctx, dest)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer b.Close()
	if _, err := b.User(ctx, tid, u.ID); err != nil {
		t.Errorf("user in backup: %v", err)
	}
}

// migratedTo opens a new database file through dsnOf(path), migrated up to
// version by the returned provider, and an exec that fails the test when a
// statement fails.
func migratedTo(t *testing.T, dsnOf func(path string) string, version int64) (*sql.DB, *goose.Provider, func(q string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsnOf(filepath.Join(t.TempDir(), "groupd.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := newProvider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return db, p, func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
