package sqlite

import (
	"context"
	"fmt"
	"slices"

	"groupd/internal/directory"
)

// maxBatch bounds how many updates share one commit.
const maxBatch = 512

// tx is the directory.Tx handed to an update function. Its reads and writes
// run on the writer connection inside the open transaction. It is not safe
// for concurrent use and must not be used after the function returns.
type tx struct {
	reader
	w *writeConn
	// where the rows of the last AppendChanges landed (appendchanges.go)
	appended span
}

var _ directory.Tx = (*tx)(nil)

// writeReq is one Update waiting for the write loop.
type writeReq struct {
	ctx      context.Context
	fn       func(directory.Tx) error
	err      error
	panicked bool
	pval     any
	done     chan struct{}
}

// Update runs fn on the single writer connection. Updates that arrive while
// a commit is in progress are run one after another in the next transaction
// and committed together (group commit): a fn error undoes only that fn's
// writes (see runBatch), and every caller returns only
// after the commit that holds its writes is durable. When the shared
// transaction itself fails, each fn runs again in a transaction of its own,
// which the Store contract allows.
//
// fn must not call Update: it runs on the write loop, which would wait for
// itself. A panic in fn is raised again in the caller's goroutine.
func (s *Store) Update(ctx context.Context, fn func(directory.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return errClosed
	}
	if err := s.sync.err(); err != nil {
		return err
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return errClosed
	}
	// Wait even when ctx ends now: fn may already be committed, and the
	// caller must not hear otherwise.
	<-req.done
	if req.panicked {
		panic(req.pval)
	}
	return req.err
}

func (s *Store) writeLoop() {
	defer close(s.loopDone)
	w := s.w
	defer w.close()
	for {
		var first *writeReq
		select {
		case first = <-s.writes:
		case <-s.closing:
			return
		}
		batch, err := s.runBatch(w, first, s.nextInBatch)
		s.settle(w, batch, err)
		s.restartWAL(w)
	}
}

// nextInBatch decides how long a batch stays open: while the syncer is
// still making the previous commit durable, requests that arrive join the
// open transaction, so the writer works during the fsync instead of
// waiting for it, and each commit carries what arrived meanwhile. Once the
// syncer is idle the batch commits at once, so a lone request waits for
// one fsync only.
func (s *Store) nextInBatch(n int) *writeReq {
	for n < maxBatch {
		select {
		case r := <-s.writes:
			return r
		default:
		}
		if s.sync.idle() {
			return nil
		}
		select {
		case r := <-s.writes:
			return r
		case <-s.sync.wake:
		case <-s.closing:
			return nil
		}
	}
	return nil
}

// settle answers a batch after runBatch. When the shared transaction
// failed, each request runs again in a transaction of its own.
func (s *Store) settle(w *writeConn, batch []*writeReq, err error) {
	if err == nil {
		s.answer(batch)
		return
	}
	if len(batch) == 1 {
		batch[0].err, batch[0].panicked = err, false
		close(batch[0].done)
		return
	}
	for _, r := range batch {
		if _, err := s.runBatch(w, r, nil); err != nil {
			r.err, r.panicked = err, false
		}
		s.answer([]*writeReq{r})
	}
}

// answer answers the failed requests of a committed batch at once and
// hands the others to the syncer, which answers them after the fsync that
// makes them durable.
func (s *Store) answer(batch []*writeReq) {
	var durable []*writeReq
	for _, r := range batch {
		if r.err != nil || r.panicked {
			close(r.done)
			continue
		}
		durable = append(durable, r)
	}
	if len(durable) > 0 {
		s.sync.commitBatch(durable)
	}
}

// A batch runs without savepoints until one of its requests fails. Any
// open savepoint makes SQLite copy each page the transaction first
// touches under it into the savepoint journal, in memory chunks of 1 KB
// that are all freed again at the end: at 8 provisioning clients on a
// grown directory that copying and freeing was a quarter of all CPU. With
// no savepoint open nothing is copied, and a failed request is undone by
// rolling back the transaction and running the batch's earlier requests
// again; a failure thus costs their work twice, once per batch, because
// the rest of that batch runs in chunks under savepoints.
//
// chunk is how many requests share one savepoint then: when one fails, its
// chunk is rolled back and the chunk's earlier requests run again. A
// savepoint per request copied each page once per request (about 2,800
// member adds per second where chunks of 64 managed 4,100-4,500).
const chunk = 64

// runBatch runs first and then, while more (given the count so far)
// returns requests, those too, in one transaction; it returns the requests
// it ran. Its error says the transaction as a whole failed; a failing fn
// sets its request's err.
//
// Layout: BEGIN IMMEDIATE and the requests' fns, then COMMIT. When a fn
// fails, ROLLBACK, BEGIN IMMEDIATE and the earlier requests again; from
// then on SAVEPOINT c before each chunk of requests, and when a fn fails,
// ROLLBACK TO c, the chunk's earlier requests again and a new chunk after
// the failed one. Savepoints are never released: COMMIT ends them all, and
// ROLLBACK TO c goes back to the newest one. After an I/O error SQLite may
// roll the transaction back by itself; its rollback hook tells, and the
// writer connection then refuses every statement (writeConn.prepare), so
// that none of the batch commits on its own.
func (s *Store) runBatch(w *writeConn, first *writeReq, more func(n int) *writeReq) ([]*writeReq, error) {
	batch := []*writeReq{first}
	run := func(q string) error {
		st, ctx, err := w.prepare(context.Background(), q)
		if err == nil {
			_, err = st.ExecContext(ctx)
		}
		return err
	}
	begin := func() error {
		w.rolledBack.Store(false)
		return mapErr("begin", run("BEGIN IMMEDIATE"))
	}
	if err := begin(); err != nil {
		return batch, err
	}
	committed := false
	defer func() {
		if !committed {
			// Fails harmlessly when SQLite has already rolled back.
			_ = run("ROLLBACK")
		}
	}()
	// Each takes the transaction back to where open began.
	undoAll := func() error {
		if err := run("ROLLBACK"); err != nil {
			return mapErr("rollback", err)
		}
		return begin()
	}
	undoChunk := func() error { return mapErr("rollback to savepoint", run("ROLLBACK TO c")) }
	t := &tx{reader: reader{c: w}, w: w}
	var open []*writeReq // requests that succeeded since BEGIN or SAVEPOINT c
	chunked, inChunk := false, false
	for r := first; r != nil; {
		if err := r.ctx.Err(); err != nil {
			r.err, r.panicked, r.pval = err, false, nil
		} else {
			if chunked && !inChunk {
				if err := run("SAVEPOINT c"); err != nil {
					return batch, mapErr("savepoint", err)
				}
				open, inChunk = open[:0], true
			}
			r.call(t)
			if w.rolledBack.Load() {
				return batch, errLost
			}
			switch {
			case r.failed() && !chunked:
				if err := replay(undoAll, w, t, open); err != nil {
					return batch, err
				}
				chunked = true
			case r.failed():
				if err := replay(undoChunk, w, t, open); err != nil {
					return batch, err
				}
				inChunk = false
			default:
				if open = append(open, r); chunked && len(open) == chunk {
					inChunk = false
				}
			}
		}
		if r = nil; more != nil {
			if r = more(len(batch)); r != nil {
				batch = append(batch, r)
			}
		}
	}
	succeeded := 0
	for _, r := range batch {
		if !r.failed() {
			succeeded++
		}
	}
	if succeeded == 0 {
		return batch, nil
	}
	if w.rolledBack.Load() {
		return batch, errLost
	}
	if err := run("COMMIT"); err != nil {
		if sqliteCode(err) == codeForeignKey {
			// call lets no such update through; should one get past it,
			// settle runs each alone and only that one fails again.
			return batch, fmt.Errorf("commit: %w", errDangling)
		}
		return batch, unavailable("commit", err)
	}
	committed = true
	s.commits.Add(1)
	return batch, nil
}

// replay undoes the requests since the last undo point (undo) after a
// request that failed, and runs the earlier ones (ok) again. They see the
// state they saw the first time and so normally succeed again; one that
// fails now keeps its error, and they are undone and run once more
// without it.
func replay(undo func() error, w *writeConn, t *tx, ok []*writeReq) error {
	ok = slices.Clone(ok)
	for {
		if err := undo(); err != nil {
			return err
		}
		i := slices.IndexFunc(ok, func(r *writeReq) bool {
			r.call(t)
			return r.failed()
		})
		if w.rolledBack.Load() {
			return errLost
		}
		if i < 0 {
			return nil
		}
		ok = slices.Delete(ok, i, i+1)
	}
}

// errLost says SQLite rolled the shared transaction back under a request
// (after an I/O error): statements after it would each commit on their
// own, so the batch stops at once and nothing of it is committed.
var errLost = fmt.Errorf("transaction lost: %w", directory.ErrUnavailable)

func (r *writeReq) failed() bool { return r.err != nil || r.panicked }

// call runs fn and keeps its error or panic for the caller. An fn that
// returns nil but leaves a relation row without its group fails here (see
// deferfk.go): it is undone like any failed fn, where at COMMIT it would
// fail the whole batch.
func (r *writeReq) call(t *tx) {
	r.err, r.panicked, r.pval = nil, false, nil
	defer func() {
		if p := recover(); p != nil {
			r.panicked, r.pval = true, p
		}
	}()
	if r.err = r.fn(t); r.err == nil {
		dangling, err := t.w.deferredFKs()
		if r.err = err; err == nil && dangling {
			r.err = errDangling
		}
	}
}
