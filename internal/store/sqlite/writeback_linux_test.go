package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteBack: writeBack walks a file of several ranges, dirty in
// each, and names a file it cannot open.
func TestWriteBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	page := make([]byte, 4096)
	for off := int64(0); off < 3*writeBackRange; off += writeBackRange / 2 {
		if _, err := f.WriteAt(page, off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writeBack(path); err != nil {
		t.Fatalf("write back: %v", err)
	}
	if err := writeBack(path + "-missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("write back of a missing file: %v, want not exist", err)
	}
}
