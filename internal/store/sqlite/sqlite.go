// Package sqlite is the embedded storage engine: one SQLite file in WAL mode,
// one writer connection that commits concurrent updates together, and a pool
// of read-only connections, with the audit log in a second file beside it
// (auditfile.go). See README.md for its caveats.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/sqlite/walvfs"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another process (a CLI command on the same data dir) before SQLITE_BUSY.
const busyTimeoutMillis = 5000

// Store is a directory.Store on one SQLite database file.
type Store struct {
	reader // reads through the pool of read-only connections

	path    string
	writer  *sql.DB   // exactly one connection, pinned as wconn
	wconn   *sql.Conn // used only by the write loop
	w       *writeConn
	readers *sql.DB
	rstmts  *stmtCache
	audit   *auditFile // the audit log's own file (auditfile.go)

	writes   chan *writeReq
	closing  chan struct{}
	loopDone chan struct{}
	ckptDone chan struct{}
	once     sync.Once
	closed   atomic.Bool
	commits  atomic.Int64 // transactions committed by the write loop
	// The checkpointer's settings, read at Open (checkpoint.go).
	ckptEvery       time.Duration
	restartFrames   int64
	shrinkSize      int64
	shrinkAfter     time.Duration
	walRestart      atomic.Bool    // the checkpointer asks the write loop to restart the WAL
	background      sync.WaitGroup // syncs of the database file a restart started (restartWAL)
	walRestarts     atomic.Int64   // restarts done, for tests
	walSyncsLeftOut atomic.Int64   // restarts that left their database sync to walvfs, for tests
	walShrinks      atomic.Int64   // truncations done, for tests
	sync            *syncer        // makes commits durable off the write loop (durable.go)
}

var _ directory.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path, applies pending
// migrations and starts the write loop. It refuses a database whose schema
// is newer than this binary.
func Open(ctx context.Context, path string) (*Store, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := useFdatasync(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := walvfs.Register(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	keepOpen(writer, 1)
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, mapErr("migrate "+path, err)
	}
	if err := dropSmallChangeStats(ctx, writer); err != nil {
		writer.Close()
		return nil, mapErr("open "+path, err)
	}
	// The last cursor the change log handed out, for the audit file.
	var logged int64
	if err := writer.QueryRowContext(ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)`).Scan(&logged); err != nil {
		writer.Close()
		return nil, mapErr("open "+path, err)
	}
	wconn, err := writer.Conn(ctx)
	if err != nil {
		writer.Close()
		return nil, mapErr("open "+path, err)
	}
	w, err := newWriteConn(wconn)
	if err != nil {
		wconn.Close()
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}

	audit, err := openAudit(ctx, path, logged)
	if err != nil {
		wconn.Close()
		writer.Close()
		return nil, err
	}
	readers, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		audit.close()
		wconn.Close()
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := 2 * runtime.GOMAXPROCS(0)
	keepOpen(readers, n)
	if err := readers.PingContext(ctx); err != nil {
		readers.Close()
		audit.close()
		wconn.Close()
		writer.Close()
		return nil, mapErr("open "+path, err)
	}

	s := &Store{
		path:     path,
		writer:   writer,
		wconn:    wconn,
		w:        w,
		readers:  readers,
		audit:    audit,
		writes:   make(chan *writeReq),
		closing:  make(chan struct{}),
		loopDone: make(chan struct{}),
		ckptDone: make(chan struct{}),

		ckptEvery:     checkpointEvery,
		restartFrames: walRestartFrames,
		shrinkSize:    walShrinkSize,
		shrinkAfter:   walShrinkAfter,
	}
	s.rstmts = &stmtCache{db: readers, closed: &s.closed, m: map[string]*sql.Stmt{}}
	s.sync = newSyncer(path)
	s.reader = reader{c: s.rstmts, durable: s.sync.waitDurable}
	// What an earlier process committed without syncing (it crashed, the
	// machine did not) is made durable before anything is built on it.
	if err := s.sync.syncIfExists(); err != nil {
		readers.Close()
		audit.close()
		wconn.Close()
		writer.Close()
		return nil, err
	}
	ckpt, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		readers.Close()
		audit.close()
		wconn.Close()
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	go s.sync.run()
	go s.writeLoop()
	go s.checkpointer(ckpt)
	return s, nil
}

// keepOpen holds n connections of db open for the life of the Store: each
// connection carries its statement cache and page cache.
func keepOpen(db *sql.DB, n int) {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
}

// dsn sets every pragma through the DSN so that each pooled connection gets
// them, not only the first one.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// NORMAL: COMMIT does not sync the WAL; the syncer does, beside
		// the writer, and a commit is acknowledged only after that
		// (durable.go), so nothing acknowledged is lost on power failure.
		q.Add("_pragma", "synchronous(NORMAL)")
		// Savepoint journals of group commit stay in memory instead of
		// going to a temp file on every first write of a page.
		q.Add("_pragma", "temp_store(MEMORY)")
		// 32 MB of page cache (SQLite's default is 2 MB): a batch of
		// provisioning calls touches more pages than 2 MB hold, and SQLite
		// then spills pages to the WAL before COMMIT, writes them again at
		// COMMIT and reads the WAL back to recompute its checksums. The
		// cache grows only as pages are used.
		q.Add("_pragma", "cache_size(-32768)")
		// The checkpointer does this off the commit path (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// A restart reuses the WAL file as it is; the checkpointer
		// truncates it once the writes pause (walShrinkSize).
		q.Add("_pragma", "journal_size_limit(-1)")
		// Makes the migration library's transactions take the write lock
		// at BEGIN; the write loop says BEGIN IMMEDIATE itself.
		q.Set("_txlock", "immediate")
		writeWALAtOnce(q)
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// writeWALAtOnce makes a writing connection hand each commit's WAL frames
// to the kernel in one write instead of two per frame (walvfs). Open
// reports a failure to register the VFS; here it only stays away.
func writeWALAtOnce(q url.Values) {
	if walvfs.Register() == nil {
		q.Set("vfs", walvfs.Name)
	}
}

// Ping reports whether the database file can be read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.scanRow(ctx, "SELECT 1", nil, &one); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Close stops the write loop (pending updates fail with ErrUnavailable) and
// closes every connection. It is safe to call more than once.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		s.closed.Store(true)
		close(s.closing)
		<-s.loopDone
		s.background.Wait()
		close(s.sync.quit)
		<-s.sync.stopped
		<-s.ckptDone
		// Lets SQLite refresh the statistics its planner uses, as its
		// documentation advises before closing a connection that wrote.
		_, optErr := s.wconn.ExecContext(context.Background(), "PRAGMA optimize")
		err = errors.Join(optErr, s.audit.close(), s.rstmts.close(), s.wconn.Close(), s.readers.Close(), s.writer.Close())
	})
	return err
}

// unavailable makes err match directory.ErrUnavailable unless it already
// says something more specific (cancellation).
func unavailable(op string, err error) error {
	err = mapErr(op, err)
	if errors.Is(err, directory.ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s: %w: %w", op, directory.ErrUnavailable, err)
}
