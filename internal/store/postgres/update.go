package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"groupd/internal/directory"
)

// reader implements directory.Reader over a querier: the pool for the
// Store, the open transaction for a tx.
type reader struct {
	q  querier
	tx *txState // nil outside Update
}

// txState is what one run of an update function has learned.
type txState struct {
	ord   int     // ordinal of the next change row
	retry bool    // a statement failed in a way a new run may avoid
	first error   // the first statement error; PostgreSQL aborts the rest
	keys  []int64 // what the run touched, locked by the next run (locks.go)
	// count changes not yet written (counts.go)
	counts map[countKey]int
	// tenants whose change rows the run appended, announced after its
	// commit (notify.go)
	tenants []directory.TenantID
	// groups the run inserted and has not deleted (provision.go)
	newGroups []groupKey
	// statements sent with the next one or the COMMIT, and whether BEGIN
	// was sent (pipeline.go)
	deferred []deferred
	begun    bool
	// the transaction's id once the first batch has read it (qXid), and
	// the ords of the last AppendChanges call's rows
	xid      int64
	appended struct{ first, n int }
}

type groupKey struct {
	tenant directory.TenantID
	id     directory.ObjectID
}

// fail maps err like mapErr and, inside a transaction, remembers it: after
// a failed statement PostgreSQL refuses everything but ROLLBACK, and a
// serialization failure means the whole function must run again.
func (r reader) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if r.tx != nil {
		if r.tx.first == nil {
			r.tx.first = err
		}
		if isRetryable(err) {
			r.tx.retry = true
		}
	}
	return mapErr(op, err)
}

// tx is the directory.Tx handed to an update function. It is not safe for
// concurrent use and must not be used after the function returns.
type tx struct {
	reader
}

var _ directory.Tx = (*tx)(nil)

// rollbackTimeout bounds the ROLLBACK sent after a failed run; a dead
// connection is dropped by the pool anyway.
const rollbackTimeout = 5 * time.Second

// Update runs fn in one SERIALIZABLE transaction and commits when fn
// returns nil. When PostgreSQL reports a serialization failure or a
// deadlock (SQLSTATE 40001, 40P01), at any statement or at COMMIT, the
// transaction is rolled back and fn runs again in a new one, up to
// Options.SerializationRetries more times; after that Update fails with
// directory.ErrUnavailable. Any other error of fn rolls back and is
// returned unchanged; a panic in fn rolls back and reaches the caller.
//
// A run after a failure first locks what the failed run touched, so that
// retries of colliding updates queue instead of colliding again (locks.go).
//
// SERIALIZABLE makes every check-then-write rule of the domain (no cycles,
// owner limits, the last owner, free names) hold under concurrency without
// the store knowing the rules; uniqueness is also enforced by unique
// indexes, so of two racing inserts of one name exactly one commits and the
// other ends with *directory.ConflictError.
//
// After a store method fails inside fn, PostgreSQL has aborted the
// transaction: fn must return an error (the domain always does). If it
// returns nil anyway, the commit is refused and Update reports the first
// failure.
func (s *Store) Update(ctx context.Context, fn func(directory.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return errClosed
	}
	retries := max(s.opts.SerializationRetries, 0)
	var locks []int64
	for attempt := 0; ; attempt++ {
		again, touched, err := s.run(ctx, fn, locks)
		if !again {
			return err
		}
		locks = touched
		if attempt >= retries {
			return fmt.Errorf("update: still conflicting after %d runs: %w: %w", attempt+1, directory.ErrUnavailable, err)
		}
		// Jittered exponential backoff, so that the transactions that
		// collided do not collide again in lock step.
		d := time.Duration(float64(time.Millisecond<<min(attempt, 6)) * (0.5 + rand.Float64()))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run is one attempt of Update, holding locks (advisory lock keys) for its
// duration; again says whether to try once more, touched what to lock then.
func (s *Store) run(ctx context.Context, fn func(directory.Tx) error, locks []int64) (again bool, touched []int64, err error) {
	// The turn is kept through COMMIT, which also runs the statements the
	// pipeline held back (the change rows, the heaviest of a call).
	select {
	case s.writers <- struct{}{}:
	case <-ctx.Done():
		return false, nil, unavailable("begin", ctx.Err())
	}
	defer func() { <-s.writers }()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, nil, unavailable("begin", err)
	}
	defer conn.Release()
	if len(locks) > 0 {
		defer unlockKeys(context.WithoutCancel(ctx), conn)
		if err := lockKeys(ctx, conn, locks); err != nil {
			return isRetryable(err), locks, mapErr("lock", err)
		}
	}
	st := &txState{}
	pipe := begin(conn, st)
	done := false
	defer func() {
		if !done { // also on a panic in fn
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
			pipe.rollback(rctx)
			cancel()
		}
	}()
	t := &tx{reader: reader{q: pipe, tx: st}}
	fnErr := fn(t)
	if fnErr == nil && st.first == nil {
		t.flushCounts()
	}
	if st.retry {
		return true, st.keys, mapErr("update", st.first)
	}
	if fnErr != nil {
		return false, nil, fnErr
	}
	if err := ctx.Err(); err != nil {
		return false, nil, err
	}
	if st.first != nil {
		// fn went on after a failed statement: PostgreSQL has aborted the
		// transaction, which the deferred rollback ends.
		return false, nil, fmt.Errorf("commit refused: the transaction failed before: %w", mapErr("update", st.first))
	}
	// Once COMMIT is sent, cancelling it would leave the outcome unknown
	// to the caller; the statement timeout still bounds it.
	aborted, err := pipe.commit(context.WithoutCancel(ctx))
	if aborted { // a deferred statement failed; nothing was committed
		return st.retry, st.keys, err
	}
	done = true
	switch {
	case err == nil:
		s.notify.add(st.tenants)
		return false, nil, nil
	case isRetryable(err):
		return true, st.keys, mapErr("commit", err)
	}
	// The connection may have died after COMMIT reached the server: the
	// outcome is unknown, so the function is not run again.
	return false, nil, unavailable("commit", err)
}
