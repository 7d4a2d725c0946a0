package sqlite

import (
	"os"
	"syscall"
)

// syncData makes the data of f durable with fdatasync(2), for the reasons
// given at useFdatasync.
func syncData(f *os.File) error {
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
