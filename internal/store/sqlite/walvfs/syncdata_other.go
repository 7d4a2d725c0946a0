//go:build !linux

package walvfs

import "os"

// SyncData is (*os.File).Sync where fdatasync(2) is not used.
func SyncData(f *os.File) error { return f.Sync() }
