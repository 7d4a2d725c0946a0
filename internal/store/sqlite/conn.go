package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	msqlite "modernc.org/sqlite"
)

// conn hands out prepared statements. Every query text is fixed (id lists
// travel as one JSON parameter), so each is parsed once per connection.
type conn interface {
	// prepare returns the statement for q and the context to run it with.
	prepare(ctx context.Context, q string) (*sql.Stmt, context.Context, error)
}

// stmtCache prepares statements on the reader pool; database/sql prepares
// each again lazily on every pooled connection that runs it.
type stmtCache struct {
	db     *sql.DB
	closed *atomic.Bool
	mu     sync.RWMutex
	m      map[string]*sql.Stmt
}

func (c *stmtCache) prepare(ctx context.Context, q string) (*sql.Stmt, context.Context, error) {
	if c.closed.Load() {
		return nil, nil, errClosed
	}
	c.mu.RLock()
	st := c.m[q]
	c.mu.RUnlock()
	if st != nil {
		return st, ctx, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st = c.m[q]; st != nil {
		return st, ctx, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	c.m[q] = st
	return st, ctx, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	c.m = map[string]*sql.Stmt{}
	return errors.Join(errs...)
}

// writeConn prepares statements on the pinned writer connection. It is used
// by the write loop goroutine only, so it needs no lock.
type writeConn struct {
	c *sql.Conn
	m map[string]*sql.Stmt
	// rolledBack is set by SQLite's rollback hook whenever a transaction
	// ends in a rollback (ours, or SQLite's own after an I/O error); a
	// ROLLBACK TO a savepoint does not set it.
	rolledBack atomic.Bool
}

// newWriteConn wraps the writer connection and installs the rollback hook.
func newWriteConn(c *sql.Conn) (*writeConn, error) {
	w := &writeConn{c: c, m: map[string]*sql.Stmt{}}
	err := c.Raw(func(dc any) error {
		h, ok := dc.(interface {
			RegisterRollbackHook(msqlite.RollbackHookFn)
		})
		if !ok {
			return fmt.Errorf("sqlite driver connection %T has no rollback hook", dc)
		}
		h.RegisterRollbackHook(func() { w.rolledBack.Store(true) })
		if _, ok := dc.(msqlite.DBStatus); !ok {
			return fmt.Errorf("sqlite driver connection %T has no status counters", dc)
		}
		return nil
	})
	return w, err
}

// deferredFKs reports whether the open transaction holds rows that break a
// deferred foreign key (see deferfk.go).
func (w *writeConn) deferredFKs() (bool, error) {
	var n int
	err := w.c.Raw(func(dc any) error {
		var err error
		n, _, err = dc.(msqlite.DBStatus).Status(msqlite.DBStatusDeferredFKs, false)
		return err
	})
	if err != nil {
		return false, mapErr("read deferred foreign keys", err)
	}
	return n > 0, nil
}

// prepare checks ctx once, before the statement, and runs the statement
// under a context that cannot be cancelled: an interrupted write inside an
// open transaction makes SQLite roll back the whole transaction, which may
// hold other callers' updates committed in the same batch.
//
// After SQLite has rolled back a transaction by itself, every statement
// fails with errLost until the write loop begins the next one: it would
// otherwise commit on its own.
func (w *writeConn) prepare(ctx context.Context, q string) (*sql.Stmt, context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if w.rolledBack.Load() {
		return nil, nil, errLost
	}
	st := w.m[q]
	if st == nil {
		var err error
		if st, err = w.c.PrepareContext(context.Background(), q); err != nil {
			return nil, nil, err
		}
		w.m[q] = st
	}
	return st, context.WithoutCancel(ctx), nil
}

func (w *writeConn) close() error {
	var errs []error
	for _, st := range w.m {
		errs = append(errs, st.Close())
	}
	w.m = map[string]*sql.Stmt{}
	return errors.Join(errs...)
}

// reader implements directory.Reader over a conn; the Store uses the pool,
// a transaction the writer connection.
type reader struct {
	c conn
	// durable waits until the change log up to a cursor is durable; nil
	// inside a transaction, whose reads go no further than the database.
	durable func(ctx context.Context, cursor int64) error
}

func (r reader) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, ctx, err := r.c.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (r reader) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, ctx, err := r.c.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// scanRow runs q and scans its first row into dest; sql.ErrNoRows when
// there is none.
func (r reader) scanRow(ctx context.Context, q string, args []any, dest ...any) error {
	st, ctx, err := r.c.prepare(ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// exists runs a query of the form SELECT EXISTS (...).
func (r reader) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var ok bool
	err := r.scanRow(ctx, q, args, &ok)
	return ok, err
}
