package walvfs

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// watchSyncs replaces syncDatabase for the test with one that records,
// at each call, the first 32 bytes of the WAL (its header) as they are
// then, and fails while failing is set.
type syncWatch struct {
	wal     string
	headers [][]byte
	failing bool
}

func watchSyncs(t *testing.T, dir string) *syncWatch {
	w := &syncWatch{wal: filepath.Join(dir, "t.db-wal")}
	prev := syncDatabase
	syncDatabase = func(path string) error {
		if !strings.HasSuffix(path, string(filepath.Separator)+"t.db") {
			return prev(path)
		}
		b, _ := os.ReadFile(w.wal)
		w.headers = append(w.headers, bytes.Clone(b[:min(len(b), 32)]))
		if w.failing {
			return errors.New("injected")
		}
		return prev(path)
	}
	t.Cleanup(func() { syncDatabase = prev })
	return w
}

func walHeader(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b[:32]
}

// The database file is synced before each way a WAL's frames are lost:
// its header written again after a restart, its truncation, its deletion
// at the last close. A restart's own sync of the database file, left out,
// is made before the next commit writes the header.
func TestDatabaseSyncedBeforeFramesAreLost(t *testing.T) {
	dir := t.TempDir()
	w := watchSyncs(t, dir)
	db := newDB(t, dir)
	if len(w.headers) != 1 {
		t.Fatalf("%d syncs of the database at the first commit, want 1 (the WAL's first header)", len(w.headers))
	}
	insertRows(t, db, 0, 50, 0)
	if len(w.headers) != 1 {
		t.Fatalf("%d syncs after a commit that appended frames, want still 1", len(w.headers))
	}

	before := walHeader(t, w.wal)
	var busy, frames, copied int64
	left := WithoutDatabaseSync(filepath.Join(dir, "t.db"), func() {
		if err := db.QueryRow(`PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &frames, &copied); err != nil {
			t.Fatal(err)
		}
	})
	if busy != 0 || copied != frames || frames == 0 {
		t.Fatalf("restart: busy %d, frames %d, copied %d", busy, frames, copied)
	}
	if !left {
		t.Error("WithoutDatabaseSync reports no sync left out of a restart that copied frames")
	}
	insertRows(t, db, 50, 60, 0)
	if len(w.headers) != 2 {
		t.Fatalf("%d syncs after the commit that started the WAL over, want 2", len(w.headers))
	}
	if !bytes.Equal(w.headers[1], before) {
		t.Error("the WAL's header was written before the database file was synced")
	}
	if bytes.Equal(walHeader(t, w.wal), before) {
		t.Error("the commit after the restart did not write the WAL from its start")
	}

	exec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	if len(w.headers) != 3 {
		t.Fatalf("%d syncs after a truncation, want 3", len(w.headers))
	}
	check(t, db, versions(0, 60, 0))
	db.Close()
	if len(w.headers) != 4 {
		t.Fatalf("%d syncs after the last close deleted the WAL, want 4", len(w.headers))
	}
	if _, err := os.Stat(w.wal); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the WAL is still there after the last close: %v", err)
	}
	check(t, newDBAt(t, dir), versions(0, 60, 0))
}

// When the database file cannot be synced, the commit that would write
// the WAL from its start fails, and the frames stay.
func TestFailedDatabaseSyncKeepsFrames(t *testing.T) {
	dir := t.TempDir()
	w := watchSyncs(t, dir)
	db := newDB(t, dir)
	insertRows(t, db, 0, 20, 0)
	WithoutDatabaseSync(filepath.Join(dir, "t.db"), func() { exec(t, db, `PRAGMA wal_checkpoint(RESTART)`) })
	before, err := os.ReadFile(w.wal)
	if err != nil {
		t.Fatal(err)
	}
	w.failing = true
	if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (100, ?)`, row(100, 0)); err == nil {
		t.Fatal("a commit that starts the WAL over succeeded without the database file synced")
	}
	if after, _ := os.ReadFile(w.wal); !bytes.Equal(after, before) {
		t.Error("the WAL changed although the database file was not synced")
	}
	w.failing = false
	insertRows(t, db, 20, 30, 0)
	check(t, db, versions(0, 30, 0))
}

// Only the syncs of the file named are left out, and only while f runs.
func TestWithoutDatabaseSyncNamesOneFile(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	dba, dbb := newDB(t, a), newDB(t, b)
	insertRows(t, dba, 0, 20, 0)
	insertRows(t, dbb, 0, 20, 0)
	if WithoutDatabaseSync(filepath.Join(a, "t.db"), func() { exec(t, dbb, `PRAGMA wal_checkpoint(FULL)`) }) {
		t.Error("a checkpoint of another database had its sync left out")
	}
	if !WithoutDatabaseSync(filepath.Join(a, "t.db"), func() { exec(t, dba, `PRAGMA wal_checkpoint(FULL)`) }) {
		t.Error("the checkpoint of the database named kept its sync")
	}
	insertRows(t, dba, 20, 30, 0)
	n := leftOut.Load()
	exec(t, dba, `PRAGMA wal_checkpoint(FULL)`)
	if leftOut.Load() != n {
		t.Error("a sync was left out after WithoutDatabaseSync returned")
	}
	if WithoutDatabaseSync(filepath.Join(a, "none.db"), func() {}) {
		t.Error("a file that is not there had a sync left out")
	}
}

// newDBAt opens the database newDB made in dir.
func newDBAt(t *testing.T, dir string) *sql.DB {
	t.Helper()
	return open(t, filepath.Join(dir, "t.db"), true, "journal_mode(WAL)", "synchronous(NORMAL)", "wal_autocheckpoint(0)")
}

// Once a sync of a database file failed, later ones fail too, whatever
// name the file is given; other files sync.
func TestDatabaseSyncFailureSticks(t *testing.T) {
	dir := t.TempDir()
	path, other := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	for _, p := range []string{path, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	injected := errors.New("injected")
	prev := syncData
	syncData = func(*os.File) error { return injected }
	err := SyncDatabase(path)
	syncData = prev
	if !errors.Is(err, injected) {
		t.Fatalf("SyncDatabase = %v, want the injected failure", err)
	}
	if err := SyncDatabase(filepath.Join(dir, ".", "a.db")); !errors.Is(err, injected) {
		t.Errorf("the next sync of the file = %v, want the first failure again", err)
	}
	if err := SyncDatabase(other); err != nil {
		t.Errorf("another file: %v", err)
	}
	if err := SyncDatabase(filepath.Join(dir, "none.db")); err != nil {
		t.Errorf("a file that is not there: %v", err)
	}
}
