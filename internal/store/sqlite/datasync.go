package sqlite

import (
	"errors"
	"sync"

	msqlite "modernc.org/sqlite"
)

// useFdatasync makes SQLite sync with fdatasync(2) where the platform has
// it, as SQLite's own builds for Linux do; the library keeps fsync(2)
// unless asked. fdatasync writes the data and the metadata needed to read
// it back (the size), but not the file's times, which fsync forces through
// the file system's journal: on ext4 a checkpoint's sync of the database
// file then no longer queues the syncer's sync of the WAL behind a journal
// commit. It is process-wide and set once.
var useFdatasync = sync.OnceValue(func() error {
	if _, err := msqlite.Fdatasync(true); err != nil && !errors.Is(err, msqlite.ErrFdatasyncUnavailable) {
		return err
	}
	return nil
})
