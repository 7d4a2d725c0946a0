package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// writeBackRange is how much of the database file one step of writeBack
// writes back: at most 8 MB of pages that a WAL sync may wait behind.
const writeBackRange = 8 << 20

// writeBack writes the dirty pages of the file at path to the disk, one
// range at a time, each waited for before the next is started
// (sync_file_range(2)), so that other files' syncs go between them. It
// does not make them durable: no device cache flush, no metadata; the
// caller's sync still does that, with less to write.
func writeBack(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	const flags = unix.SYNC_FILE_RANGE_WAIT_BEFORE | unix.SYNC_FILE_RANGE_WRITE | unix.SYNC_FILE_RANGE_WAIT_AFTER
	for off := int64(0); off < fi.Size(); off += writeBackRange {
		if err := unix.SyncFileRange(int(f.Fd()), off, writeBackRange, flags); err != nil && err != unix.EINTR {
			return &os.PathError{Op: "sync_file_range", Path: path, Err: err}
		}
	}
	return nil
}
