package directory_test

import (
	"testing"

	"github.com/google/uuid"

	"groupd/internal/directory"
)

// Ids made one after another must sort in that order (the stores' indexes
// rely on it for locality), stay canonical GUIDs and differ in their
// random part even within one millisecond.
func TestNewObjectIDsSortByCreation(t *testing.T) {
	const n = 10000
	ids := make([]directory.ObjectID, n)
	for i := range ids {
		ids[i] = directory.NewObjectID()
	}
	tails := make(map[string]bool, n)
	for i, id := range ids {
		canon, ok := directory.ParseObjectID(string(id))
		if !ok || canon != id {
			t.Fatalf("id %q is not a canonical GUID", id)
		}
		if v := uuid.MustParse(string(id)).Version(); v != 7 {
			t.Fatalf("id %q has version %d, want 7", id, v)
		}
		if i > 0 && ids[i-1] >= id {
			t.Fatalf("id %d %q does not sort after id %d %q", i, id, i-1, ids[i-1])
		}
		tails[string(id)[24:]] = true
	}
	if len(tails) != n {
		t.Fatalf("%d distinct random tails among %d ids", len(tails), n)
	}
}
