package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// checkpointEvery is how often the checkpointer copies committed WAL
// frames into the database file.
var checkpointEvery = 250 * time.Millisecond

// walRestartFrames is the length of the WAL, in frames (pages), past which
// the write loop restarts it: 1 GB with SQLite's 4 KB pages. A restart
// holds the writer for 20-30 ms (it copies the last frames and syncs both
// files); at 64 MB it came every 0.7 s under 8 provisioning clients and
// raised their p99 from about 55 to 80 ms. At 1 GB it comes every 10 s or
// more at the highest write rates measured, and delays fewer than 1 % of
// the requests.
var walRestartFrames int64 = 262144

// walSizeLimit is the writer's journal_size_limit: a WAL that grew past it
// is cut back to it when it restarts, so a burst does not leave a large
// file behind.
const walSizeLimit = 64 << 20

// restartWaitMillis bounds how long a restart waits for the readers of the
// WAL's frames to finish. Reads are short; a restart that has to give up
// (a long read, another process) is asked for again at the next tick.
const restartWaitMillis = 20

// checkpointer copies the WAL into the database file on a connection of
// its own, so that the write loop never does. SQLite's automatic
// checkpoint (disabled on the writer, see dsn) runs inside the commit that
// crosses 1,000 WAL pages: on a large database it writes and syncs pages
// all over the file while every waiting update waits too. A PASSIVE
// checkpoint runs beside the writer and readers and never blocks them;
// commits stay durable through the WAL, which the syncer (durable.go)
// syncs before any commit is acknowledged.
//
// A PASSIVE checkpoint never restarts the WAL, though: SQLite writes from
// the start of the file again only when a write transaction begins on a
// WAL that is checkpointed to its end, and under a steady stream of
// commits the writer never finds it so, because frames arrive while the
// checkpoint runs. The WAL then grew by every commit until the writes
// paused: 60 MB a second at 7,000 member adds a second, 1.9 GB in the
// 20 s of TestWALRestartsUnderSteadyWrites. So when the WAL is longer than
// walRestartFrames, the checkpointer asks the write loop to restart it
// between two batches (restartWAL).
func (s *Store) checkpointer(db *sql.DB) {
	defer close(s.ckptDone)
	defer db.Close()
	t := time.NewTicker(s.ckptEvery)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
		}
		if n := s.commits.Load(); n != last {
			last = n
			s.checkpoint(db)
		}
	}
}

// restartLag is how many frames past the checkpointed ones the write loop
// may have to copy itself when it restarts the WAL: about 4 MB, a few
// milliseconds of the writer's time.
const restartLag = 1024

// checkpoint runs a PASSIVE checkpoint and, when the WAL has grown past
// restartFrames, asks the write loop to restart it. So that the writer
// copies little itself, it first runs more passes, each copying what the
// commits added during the one before, until a pass had fewer than
// restartLag frames to copy: then about as few arrived during it. A pass
// copies frames faster than commits add them, so a few passes do.
func (s *Store) checkpoint(db *sql.DB) {
	before := int64(-1) // frames checkpointed by the pass before
	for pass := 0; pass < 8; pass++ {
		// An error (SQLITE_BUSY from another process's checkpoint) leaves
		// the frames for the next tick.
		var busy, frames, copied int64
		err := db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		switch {
		case err != nil || frames < s.restartFrames:
			return
		case before >= 0 && copied == frames && frames-before < restartLag:
			s.walRestart.Store(true)
			return
		}
		before = copied
	}
}

// restartWAL runs a RESTART checkpoint on the writer connection, between
// batches, when the checkpointer asked for one. Holding the write lock,
// it copies the frames committed since the checkpointer's last pass, so
// that the WAL is checkpointed to its end, and waits (briefly) for the
// readers of older frames; the next batch then writes from the start of
// the file. SQLite syncs the WAL before copying and the database file
// after, so every commit stays durable whatever the syncer has done.
func (s *Store) restartWAL(w *writeConn) {
	if !s.walRestart.Swap(false) {
		return
	}
	ctx := context.Background()
	if _, err := w.c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout(%d)", restartWaitMillis)); err != nil {
		return
	}
	var busy, frames, copied int64
	if err := w.c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &copied); err == nil && busy == 0 {
		s.walRestarts.Add(1)
	}
	// Failing, this leaves the short wait in place, which only makes the
	// writer give up sooner on a lock another process holds.
	_, _ = w.c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout(%d)", busyTimeoutMillis))
}
