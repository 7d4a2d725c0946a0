package walvfs

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

const pageSize = 4096

// open opens path with the pragmas given; through this VFS when shim.
func open(t *testing.T, path string, shim bool, pragmas ...string) *sql.DB {
	t.Helper()
	if err := Register(); err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if shim {
		q.Set("vfs", Name)
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// row is the blob of row i, a page's worth, so that every row dirties a
// page of its own.
func row(i, version int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("%06d-%03d|", i, version)), 300)
}

// insertRows inserts rows lo..hi-1 in one transaction.
func insertRows(t *testing.T, db *sql.DB, lo, hi, version int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := lo; i < hi; i++ {
		if _, err := tx.Exec(`INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = excluded.v`, i, row(i, version)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// check compares the rows of db with want (id to version) and checks the
// database's integrity.
func check(t *testing.T, db *sql.DB, want map[int]int) {
	t.Helper()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	rows, err := db.Query(`SELECT id, v FROM t ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		ver, ok := want[id]
		if !ok || !bytes.Equal(v, row(id, ver)) {
			t.Fatalf("row %d: unexpected content (want version %d, present %v)", id, ver, ok)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("%d rows, want %d", n, len(want))
	}
}

func newDB(t *testing.T, dir string, pragmas ...string) *sql.DB {
	t.Helper()
	db := open(t, filepath.Join(dir, "t.db"), true, append([]string{"journal_mode(WAL)", "synchronous(NORMAL)",
		"wal_autocheckpoint(0)"}, pragmas...)...)
	exec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)`)
	return db
}

// A transaction's frames reach the file in one write, and are in it when
// COMMIT returns.
func TestCommitIsOneWrite(t *testing.T) {
	dir := t.TempDir()
	db := newDB(t, dir)
	insertRows(t, db, 0, 10, 0)
	wal := filepath.Join(dir, "t.db-wal")
	before := fileSize(t, wal)

	n0 := writes.Load()
	insertRows(t, db, 10, 210, 0)
	// The unix VFS writes at most 128 KiB at a time.
	if got, most := writes.Load()-n0, int64(200*(frameHeader+pageSize)/maxWrite+2); got < 1 || got > most {
		t.Errorf("a commit of 200 pages took %d writes, want 1 to %d", got, most)
	}
	// What a process crash leaves is what the kernel has: the commit's
	// frames, each a header and a page, are all there.
	if grown := fileSize(t, wal) - before; grown < 200*(frameHeader+pageSize) {
		t.Errorf("the WAL grew by %d bytes at COMMIT, want at least 200 frames", grown)
	}
	check(t, db, versions(0, 210, 0))
}

// With a page cache of a few pages, SQLite writes frames before COMMIT
// (spills), rewrites frames of the same transaction in place and then
// their checksums, and reads frames back: all of it must read what was
// written, here and from another connection without this VFS.
func TestSpillsAndRewrites(t *testing.T) {
	dir := t.TempDir()
	db := newDB(t, dir, "cache_size(8)")
	want := versions(0, 300, 0)
	insertRows(t, db, 0, 300, 0)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 3; v++ {
		for i := 0; i < 300; i += 3 {
			if _, err := tx.Exec(`UPDATE t SET v = ? WHERE id = ?`, row(i, v), i); err != nil {
				t.Fatal(err)
			}
			want[i] = v
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	check(t, db, want)
	plain := open(t, filepath.Join(dir, "t.db"), false, "query_only(1)")
	check(t, plain, want)
}

// A transaction that fails after spilling frames leaves nothing behind,
// and the next one commits.
func TestRollbackAfterSpill(t *testing.T) {
	dir := t.TempDir()
	db := newDB(t, dir, "cache_size(8)")
	insertRows(t, db, 0, 50, 0)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 50; i < 250; i++ {
		if _, err := tx.Exec(`INSERT INTO t (id, v) VALUES (?, ?)`, i, row(i, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO t (id, v) VALUES (1, x'00')`); err == nil {
		t.Fatal("a duplicate key was accepted")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	insertRows(t, db, 50, 60, 1)
	want := versions(0, 50, 0)
	for i := 50; i < 60; i++ {
		want[i] = 1
	}
	check(t, db, want)
}

// The files as a crash of the process leaves them (the kernel's copy,
// taken while the writer is open and nothing was checkpointed into the
// database file at the end) hold every commit, across WAL restarts.
func TestCrashKeepsCommits(t *testing.T) {
	dir := t.TempDir()
	db := newDB(t, dir)
	ckpt := open(t, filepath.Join(dir, "t.db"), false)
	want := map[int]int{}
	for round := range 4 {
		lo := round * 100
		insertRows(t, db, lo, lo+100, round)
		insertRows(t, db, 0, 20, round) // rewrites pages of earlier rounds
		for i := lo; i < lo+100; i++ {
			want[i] = round
		}
		for i := range 20 {
			want[i] = round
		}
		if round == 1 {
			// The next commit starts the WAL over from its first frame.
			var busy, logged, done int
			if err := ckpt.QueryRow(`PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &logged, &done); err != nil || busy != 0 {
				t.Fatalf("checkpoint: busy %d, %v", busy, err)
			}
		}
	}
	crash := t.TempDir()
	for _, name := range []string{"t.db", "t.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crash, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	check(t, open(t, filepath.Join(crash, "t.db"), false), want)
}

func versions(lo, hi, v int) map[int]int {
	m := map[int]int{}
	for i := lo; i < hi; i++ {
		m[i] = v
	}
	return m
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// The VFS answers the connection it opened: a database that is not in WAL
// mode keeps its rollback journal, which goes straight to the default VFS.
func TestRollbackJournalUntouched(t *testing.T) {
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "t.db"), true, "journal_mode(DELETE)")
	exec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)`)
	n0 := writes.Load()
	insertRows(t, db, 0, 40, 0)
	if got := writes.Load() - n0; got != 0 {
		t.Errorf("%d writes went through the WAL layer of a rollback-journal database", got)
	}
	check(t, db, versions(0, 40, 0))
}
