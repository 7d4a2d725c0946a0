package sqlite

import (
	"os"
	"runtime"
	"testing"

	msqlite "modernc.org/sqlite"

	"groupd/internal/store/sqlite/walvfs"
)

func TestSyncsWithFdatasync(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	if runtime.GOOS == "linux" && !msqlite.FdatasyncEnabled() {
		t.Error("SQLite syncs with fsync after Open, want fdatasync")
	}
	f, err := os.CreateTemp(t.TempDir(), "wal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("frame"); err != nil {
		t.Fatal(err)
	}
	if err := walvfs.SyncData(f); err != nil {
		t.Fatalf("SyncData: %v", err)
	}
	f.Close()
	if err := walvfs.SyncData(f); err == nil {
		t.Error("SyncData of a closed file succeeded")
	}
}
