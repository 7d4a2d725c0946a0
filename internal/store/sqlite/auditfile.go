package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pressly/goose/v3"
)

// The audit log was copied, up to this version, from the change log into
// a database file of its own beside the directory's (AuditFile), so that
// the copy never occupied the directory's single writer. It is now read
// from the change log itself (auditread.go); the audit file keeps the rows
// copied before, until their retention ends, and where the copy stopped
// (audit_copied, audit migration 00003). Trims of those rows run on a
// connection of the file's own.

//go:embed auditmigrations/*.sql
var auditMigrationFiles embed.FS

// AuditFile names the audit log's database file for the directory's file
// at path: same directory, "-audit" before the extension (groupd.db →
// groupd-audit.db). SQLite adds its -wal and -shm files beside it.
func AuditFile(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-audit" + ext
}

// auditFile is the open audit log file.
type auditFile struct {
	path string
	// mu makes the trims of this process take turns, so none waits for
	// another's write lock; other processes wait for the lock.
	mu     sync.Mutex
	closed bool        // guarded by mu
	shut   atomic.Bool // closed, for the readers
	db     *sql.DB
	c      *sql.Conn // the trim's connection
	stmts  map[string]*sql.Stmt
	rdb    *sql.DB
	rstmts *stmtCache
	r      reader // lists the copied rows
	// copied is the last change cursor copied, and shift what numbers a
	// later change's entry (its cursor plus shift): audit_copied, fixed
	// once the copy stopped.
	copied, shift int64
}

// auditDSN: synchronous=FULL syncs every commit (the trims', and the one
// that stops the copy), none of them on the directory's writer.
func auditDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "synchronous(FULL)")
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

func newAuditProvider(db *sql.DB) (*goose.Provider, error) {
	return migrationProvider(db, auditMigrationFiles, "auditmigrations")
}

// openAuditDB opens (creating and migrating) the audit file of the
// directory's file at dirPath on one writable connection.
func openAuditDB(ctx context.Context, dirPath string) (*sql.DB, error) {
	path := AuditFile(dirPath)
	db, err := sql.Open("sqlite", auditDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	keepOpen(db, 1)
	err = setAuditWAL(ctx, db)
	var p *goose.Provider
	if err == nil {
		p, err = newAuditProvider(db)
	}
	if err == nil {
		err = applyMigrations(ctx, p)
	}
	if err != nil {
		db.Close()
		return nil, mapErr("migrate "+path, err)
	}
	return db, nil
}

// setAuditWAL puts the audit file in WAL mode, a property of the file, so
// that its readers never wait for a trim.
func setAuditWAL(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL")
	return err
}

// openAudit opens the audit file for the Store of the directory's file at
// dirPath, whose change log has handed out cursors up to logged.
func openAudit(ctx context.Context, dirPath string, logged int64) (*auditFile, error) {
	a := &auditFile{path: AuditFile(dirPath), stmts: map[string]*sql.Stmt{}}
	var err error
	if a.db, err = openAuditDB(ctx, dirPath); err != nil {
		return nil, err
	}
	if a.c, err = a.db.Conn(ctx); err == nil {
		a.copied, a.shift, err = stopCopying(ctx, a.c, logged)
	}
	if err == nil {
		a.rdb, err = sql.Open("sqlite", auditDSN(a.path, true))
	}
	if err == nil {
		keepOpen(a.rdb, 2)
		err = a.rdb.PingContext(ctx)
	}
	if err != nil {
		a.mu.Lock()
		a.closeLocked()
		return nil, mapErr("open "+a.path, err)
	}
	a.rstmts = &stmtCache{db: a.rdb, closed: &a.shut, m: map[string]*sql.Stmt{}}
	a.r = reader{c: a.rstmts}
	return a, nil
}

// stmt prepares q once on the trim's connection; a.mu is held.
func (a *auditFile) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := a.stmts[q]; st != nil {
		return st, nil
	}
	st, err := a.c.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	a.stmts[q] = st
	return st, nil
}

// stopCopying returns where the copy stopped and the shift of later
// entries' numbers (audit_copied), recording them first if this is the
// first start of a version that reads the change log. That transaction
// also moves the copier's position past every cursor, so that a process
// of an earlier version still running copies nothing more (its copies
// take this file's write lock first, so none is half done), and its
// change log trim no longer keeps rows for it. The shift makes the first
// change after the copy sort after the newest seq the copy ever handed
// out, even if its rows are trimmed since: audit pages already read keep
// their meaning.
//
// A copy position past logged, the last cursor the directory's change log
// has handed out, was not reached in this change log: the audit file was
// kept beside another directory file, or beside an older backup of its
// own. Every row of this change log is then listed (from cursor 0), after
// every copied row, rather than hidden until its cursors pass the copy's.
func stopCopying(ctx context.Context, c *sql.Conn, logged int64) (copied, shift int64, err error) {
	const (
		qCopied = `SELECT cursor, shift FROM audit_copied WHERE id = 1`
		qRecord = `INSERT INTO audit_copied (id, cursor, shift)
SELECT 1, p.cursor, max(0, max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0),
	COALESCE((SELECT max(seq) FROM audit_log), 0)) - p.cursor)
FROM (SELECT CASE WHEN cursor > ?1 THEN 0 ELSE COALESCE(cursor, 0) END AS cursor
	FROM audit_position WHERE id = 1) p WHERE true
ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor, shift = excluded.shift WHERE audit_copied.cursor > ?1`
		qStop = `UPDATE audit_position SET cursor = 9223372036854775807 WHERE id = 1`
	)
	err = c.QueryRowContext(ctx, qCopied).Scan(&copied, &shift)
	if err == nil && copied <= logged || err != nil && !errors.Is(err, sql.ErrNoRows) {
		return copied, shift, err
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return 0, 0, err
	}
	for _, st := range []struct {
		q    string
		args []any
	}{{qRecord, []any{logged}}, {qStop, nil}, {"COMMIT", nil}} {
		if _, err := c.ExecContext(ctx, st.q, st.args...); err != nil {
			// Fails harmlessly when SQLite has already rolled back.
			_, _ = c.ExecContext(context.Background(), "ROLLBACK")
			return 0, 0, err
		}
	}
	err = c.QueryRowContext(ctx, qCopied).Scan(&copied, &shift)
	return copied, shift, err
}

// close waits for a running trim.
func (a *auditFile) close() error {
	a.mu.Lock()
	return a.closeLocked()
}

func (a *auditFile) closeLocked() error {
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	a.shut.Store(true)
	var errs []error
	for _, st := range a.stmts {
		errs = append(errs, st.Close())
	}
	if a.rstmts != nil {
		errs = append(errs, a.rstmts.close())
	}
	if a.rdb != nil {
		errs = append(errs, a.rdb.Close())
	}
	if a.c != nil {
		errs = append(errs, a.c.Close())
	}
	return errors.Join(append(errs, a.db.Close())...)
}

// auditMoveMigration is migration 140 of the directory's file: the audit
// log moves out of it into the audit file. The rows and the copier's
// position are written to the audit file first, in one transaction of
// that file (keyed by seq, insert-or-ignore, the higher position kept),
// and dropped from the directory's file only after that commit: a
// transaction spanning both files would not be atomic (SQLite's WAL mode
// has no super-journal), so a crash in between only makes the next start
// copy the same rows again, which changes nothing.
var auditMoveMigration = goose.NewGoMigration(140, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'`).Scan(&tables); err != nil {
		return err
	}
	if tables == 0 {
		return nil
	}
	var path string
	if err := tx.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		return err
	}
	if path == "" {
		return errors.New("the audit log needs a database file, not an in-memory database")
	}
	if err := moveAuditRows(ctx, path); err != nil {
		return fmt.Errorf("move the audit log to %s: %w", AuditFile(path), err)
	}
	for _, q := range []string{`DROP TABLE audit_log`, `DELETE FROM change_positions WHERE name = 'audit'`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}}, nil)

// moveAuditRows copies the audit rows and the copier's position of the
// directory's file at dirPath into its audit file, in one transaction of
// the audit file. It reads the directory's file on a connection of its
// own, beside the migration's transaction, which has not written yet.
func moveAuditRows(ctx context.Context, dirPath string) error {
	db, err := openAuditDB(ctx, dirPath)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "ATTACH DATABASE ?1 AS dir", dirPath); err != nil {
		return err
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// Fails harmlessly after Commit.
	defer func() { _ = tx.Rollback() }()
	for _, q := range []string{
		`INSERT OR IGNORE INTO audit_log (seq, ` + auditFields + `) SELECT seq, ` + auditFields + ` FROM dir.audit_log`,
		`UPDATE audit_position SET cursor = COALESCE(max(cursor, m), cursor, m)
	FROM (SELECT (SELECT cursor FROM dir.change_positions WHERE name = 'audit') AS m) WHERE id = 1`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}
