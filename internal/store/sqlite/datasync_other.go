//go:build !linux

package sqlite

import "os"

// syncData is (*os.File).Sync where fdatasync(2) is not used.
func syncData(f *os.File) error { return f.Sync() }
