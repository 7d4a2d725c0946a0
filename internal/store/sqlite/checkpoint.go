package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the checkpointer copies committed WAL
// frames into the database file.
const checkpointEvery = 250 * time.Millisecond

// checkpointer copies the WAL into the database file on a connection of
// its own, so that the write loop never does. SQLite's automatic
// checkpoint (disabled on the writer, see dsn) runs inside the commit that
// crosses 1,000 WAL pages: on a large database it writes and syncs pages
// all over the file while every waiting update waits too. A PASSIVE
// checkpoint runs beside the writer and readers and never blocks them;
// commits stay durable through the WAL, which the syncer (durable.go)
// syncs before any commit is acknowledged.
func (s *Store) checkpointer(db *sql.DB) {
	defer close(s.ckptDone)
	defer db.Close()
	t := time.NewTicker(checkpointEvery)
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
			// An error (SQLITE_BUSY from another process's checkpoint)
			// leaves the frames for the next tick.
			_, _ = db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}
