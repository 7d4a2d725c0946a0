package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"groupd/internal/store/sqlite/walvfs"
)

// checkpointEvery is how often the checkpointer copies committed WAL
// frames into the database file. Each pass ends in a sync of the database
// file, and a sync of the WAL issued meanwhile waits behind it on the
// disk: at 250 ms the syncs of a commit of 8 provisioning calls took 30-45
// ms about once a second, and those 8 calls made the p99. A pass a second
// copies each page the commits keep rewriting once instead of four times,
// and provisioning p99 at 8 clients went from 29-37 to 25-28 ms (three
// interleaved runs each, no sync over 16 ms) with member adds unchanged.
var checkpointEvery = time.Second

// walRestartFrames is the length of the WAL, in frames (pages), past which
// the write loop restarts it: 1 GB with SQLite's 4 KB pages. A restart
// holds the writer for about 10 ms (it copies the last frames and syncs
// the database file); at 1 GB it comes every 7 s or more at the highest
// write rates measured.
var walRestartFrames int64 = 262144

// walShrinkSize and walShrinkAfter: the writer never truncates the WAL
// (journal_size_limit is -1, see dsn), because cutting a 1 GB file back
// at the first commit after a restart held that commit 300 ms, the slowest
// requests of every provisioning run that saw a restart. The WAL file is
// reused in place instead, and so is not extended by the commits after a
// restart. Once no commit came for walShrinkAfter, the checkpointer
// truncates a WAL longer than walShrinkSize, so that a burst of writes
// does not leave a large file behind.
var (
	walShrinkSize  int64 = 64 << 20
	walShrinkAfter       = 10 * time.Second
)

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
	lastWrite := time.Now()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
		}
		if n := s.commits.Load(); n != last {
			last, lastWrite = n, time.Now()
			s.checkpoint(db)
		} else if time.Since(lastWrite) >= s.shrinkAfter {
			s.shrinkWAL(db)
		}
	}
}

// shrinkWAL truncates a WAL longer than walShrinkSize with a TRUNCATE
// checkpoint. The writes paused, so the last pass normally left nothing
// to copy, and the checkpoint takes the write lock, waits at most
// restartWaitMillis for readers of the WAL's frames and truncates the
// file. A write that arrives meanwhile waits for the truncation. When it
// has to give up, the next tick tries again; once the file is short, a
// tick costs one stat.
func (s *Store) shrinkWAL(db *sql.DB) {
	if fi, err := os.Stat(s.path + "-wal"); err != nil || fi.Size() <= s.shrinkSize {
		return
	}
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	if resetWAL(ctx, c, "TRUNCATE") {
		s.walShrinks.Add(1)
	}
}

// resetWAL runs a RESTART or TRUNCATE checkpoint on c, waiting at most
// restartWaitMillis for the locks it needs, and reports whether it got
// them and so reset the WAL.
func resetWAL(ctx context.Context, c *sql.Conn, mode string) bool {
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout(%d)", restartWaitMillis)); err != nil {
		return false
	}
	var busy, frames, copied int64
	err := c.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied)
	// Failing, this leaves the short wait in place, which only makes the
	// connection give up sooner on a lock another process holds.
	_, _ = c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout(%d)", busyTimeoutMillis))
	return err == nil && busy == 0
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
//
// Before those passes it writes the database file's dirty pages back
// (writeBack). SQLite syncs the database file only after a pass that
// copied the WAL to its end, and while commits keep coming only the
// passes before a restart do: the first of them then synced everything
// copied since the last restart, with random users in provisioning calls
// some hundred megabytes, in one burst of 100-120 ms that the syncer's
// syncs of the WAL waited behind (60-85 ms), and the commits with them.
// Written back a range at a time, the WAL's syncs go between the ranges.
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
		case pass == 0:
			// Failing, this leaves the pages to the sync of the pass
			// that copies the WAL to its end, as before.
			_ = writeBack(s.path)
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
// the file. SQLite syncs the WAL before copying, so every frame copied is
// durable whatever the syncer has done.
//
// SQLite's sync of the database file after the copy is left out
// (walvfs.WithoutDatabaseSync): the copy is about one commit's pages at
// random places in the file, and with it the restart held the writer
// 20-68 ms in provisioning runs with random users, 3-21 ms without (and
// the next commit 2-32 ms). The sync starts at once beside the next
// batch instead, and the WAL's header, which that batch's commit writes
// first, waits for a sync of the database file of its own (walvfs), so
// no frame is lost before the pages copied from it are durable.
func (s *Store) restartWAL(w *writeConn) {
	if !s.walRestart.Swap(false) {
		return
	}
	var ok bool
	deferred := walvfs.WithoutDatabaseSync(s.path, func() { ok = resetWAL(context.Background(), w.c, "RESTART") })
	if ok {
		s.walRestarts.Add(1)
	}
	if deferred {
		s.walSyncsLeftOut.Add(1)
		// Its failure is the header's to report: it is sticky.
		s.background.Go(func() { _ = walvfs.SyncDatabase(s.path) })
	}
}
