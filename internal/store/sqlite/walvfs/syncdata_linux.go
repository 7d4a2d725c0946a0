package walvfs

import (
	"os"
	"syscall"
)

// SyncData makes the data of f durable with fdatasync(2), which, unlike
// fsync(2), does not force the file's times through the file system's
// journal (see the sqlite package's useFdatasync).
func SyncData(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}
