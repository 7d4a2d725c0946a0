package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "groupd.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) directory.Store { return openTemp(t) })
}
