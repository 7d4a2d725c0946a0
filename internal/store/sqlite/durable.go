package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"groupd/internal/directory"
	"groupd/internal/store/sqlite/walvfs"
)

// Durability without making the writer wait for the disk. The writer
// connection runs with synchronous=NORMAL: COMMIT writes the transaction's
// frames to the WAL file but does not sync it, so the write loop can start
// the next batch at once. The syncer goroutine syncs the WAL file (one
// fsync makes every frame written before it durable, whichever connection
// or process wrote it) and only then answers the callers whose batches were
// committed before that fsync began. While one batch waits for the disk the
// next one runs, so the commit rate is bound by the writer's CPU instead of
// by the latency of the disk, and nothing is acknowledged before it is
// durable. Checkpoints stay safe: SQLite syncs the WAL before copying
// frames into the database file, and the database file is synced before
// the WAL is reused, truncated or deleted (by SQLite, or by walvfs when a
// restart left that sync out), whatever the synchronous setting.
//
// Other connections can read a commit up to one fsync before it is
// durable, as with any WAL database at synchronous=NORMAL. The change log
// is the exception, because positions in it are handed out (delta tokens)
// and consumed (audit, webhooks) as promises: a change log read outside the
// writer returns only after the rows it read are durable (waitDurable).

// maxPendingSyncs bounds the batches committed but not yet synced; the
// writer waits when the syncer falls that far behind.
const maxPendingSyncs = 64

// syncItem is one thing waiting for the next fsync: a committed batch, or a
// reader that read the change log up to cursor.
type syncItem struct {
	batch  []*writeReq
	cursor int64
	done   chan struct{} // closed after the fsync, for readers
}

// syncer makes commits durable in the order they were made.
type syncer struct {
	path    string // the WAL file
	items   chan syncItem
	quit    chan struct{} // closed after the write loop has ended
	stopped chan struct{} // closed when run has answered everything

	durable atomic.Int64  // change log cursor known to be durable
	pending atomic.Int64  // committed batches not yet answered
	wake    chan struct{} // a round ended; the writer looks at idle again
	mu      sync.Mutex    // guards failed
	failed  error         // sticky: after a failed fsync nothing is acknowledged
	file    *os.File      // used by run only
	// syncFile is walvfs.SyncData; tests hold or fail it.
	syncFile func(*os.File) error
}

func newSyncer(dbPath string) *syncer {
	return &syncer{path: dbPath + "-wal", items: make(chan syncItem, maxPendingSyncs),
		quit: make(chan struct{}), stopped: make(chan struct{}), wake: make(chan struct{}, 1),
		syncFile: walvfs.SyncData}
}

// err is the sticky failure, if any.
func (y *syncer) err() error {
	y.mu.Lock()
	defer y.mu.Unlock()
	return y.failed
}

// run syncs what is handed to it until quit, then answers what is left
// with one last sync.
func (y *syncer) run() {
	defer close(y.stopped)
	defer func() {
		if y.file != nil {
			y.file.Close()
		}
	}()
	var round []syncItem
	for {
		quitting := false
		select {
		case it := <-y.items:
			round = append(round[:0], it)
		case <-y.quit:
			round, quitting = round[:0], true
		}
	drain:
		for {
			select {
			case it := <-y.items:
				round = append(round, it)
			default:
				break drain
			}
		}
		if len(round) > 0 {
			y.answer(round, y.sync())
		}
		if quitting {
			return
		}
	}
}

// answer tells everything of one round how its fsync went. The durable
// cursor moves first, so that a reader woken here finds it moved.
func (y *syncer) answer(round []syncItem, err error) {
	if err == nil {
		var high int64
		for _, it := range round {
			high = max(high, it.cursor)
		}
		for cur := y.durable.Load(); high > cur; cur = y.durable.Load() {
			if y.durable.CompareAndSwap(cur, high) {
				break
			}
		}
	}
	for _, it := range round {
		for _, r := range it.batch {
			if err != nil && r.err == nil && !r.panicked {
				r.err = err
			}
			close(r.done)
		}
		if it.batch != nil {
			y.pending.Add(-1)
		}
		if it.done != nil {
			close(it.done)
		}
	}
	select {
	case y.wake <- struct{}{}:
	default:
	}
}

// sync fsyncs the WAL file. A failure is sticky: after a failed fsync the
// kernel may have dropped the dirty pages, so no later sync can tell
// whether earlier commits reached the disk, and the store stops
// acknowledging writes (as PostgreSQL does).
func (y *syncer) sync() error {
	if err := y.err(); err != nil {
		return err
	}
	var err error
	if y.file == nil {
		y.file, err = os.OpenFile(y.path, os.O_RDWR, 0)
	}
	if err == nil {
		err = y.syncFile(y.file)
	}
	if err != nil {
		err = fmt.Errorf("sync %s: %w: %w", y.path, directory.ErrUnavailable, err)
		y.mu.Lock()
		y.failed = err
		y.mu.Unlock()
	}
	return err
}

// syncIfExists syncs the WAL file when there is one; it runs before run.
func (y *syncer) syncIfExists() error {
	if _, err := os.Stat(y.path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return y.sync()
}

// commitBatch hands a committed batch to the syncer, which answers its
// callers after the next fsync. Only the write loop calls it, before quit.
func (y *syncer) commitBatch(batch []*writeReq) {
	y.pending.Add(1)
	y.items <- syncItem{batch: batch}
}

// idle reports whether every committed batch has been answered.
func (y *syncer) idle() bool { return y.pending.Load() == 0 }

// waitDurable returns once the change log up to cursor is durable. It does
// not wait when that is already known.
func (y *syncer) waitDurable(ctx context.Context, cursor int64) error {
	if cursor <= y.durable.Load() {
		return nil
	}
	if err := y.flush(ctx, cursor); err != nil {
		return err
	}
	if cursor > y.durable.Load() {
		return errors.New("change log not durable")
	}
	return nil
}

// flush returns after an fsync that began after the call, which makes
// everything committed before the call durable; cursor is a change log
// position committed before the call.
func (y *syncer) flush(ctx context.Context, cursor int64) error {
	if err := y.err(); err != nil {
		return err
	}
	it := syncItem{cursor: cursor, done: make(chan struct{})}
	select {
	case y.items <- it:
	case <-ctx.Done():
		return ctx.Err()
	case <-y.stopped:
		return errClosed
	}
	select {
	case <-it.done:
	case <-ctx.Done():
		return ctx.Err()
	case <-y.stopped:
		// Handed over after the last round: nobody will answer it.
		select {
		case <-it.done:
		default:
			return errClosed
		}
	}
	return y.err()
}
