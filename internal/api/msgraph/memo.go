package msgraph

import (
	"sync"

	"groupd/internal/directory"
)

// groupMemo keeps the default encoding of groups the read cache served,
// by their Revision: a transitive answer lists tens of groups, and most
// of its cost would otherwise be encoding the same few thousand groups
// over and over. A revision names one value for the life of the process,
// so an entry never goes stale; entries of replaced values are dropped
// with everything else when the memo reaches its size.
type groupMemo struct {
	mu    sync.RWMutex
	m     map[uint64][]byte
	bytes int
	max   int // bytes
}

// memoBytes bounds the memo: about 30,000 groups of a usual size.
const memoBytes = 32 << 20

var memo = &groupMemo{m: map[uint64][]byte{}, max: memoBytes}

func (m *groupMemo) get(rev uint64) ([]byte, bool) {
	m.mu.RLock()
	b, ok := m.m[rev]
	m.mu.RUnlock()
	return b, ok
}

func (m *groupMemo) put(rev uint64, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bytes+len(b) > m.max {
		clear(m.m) // bounded memory without bookkeeping on the hot path
		m.bytes = 0
	}
	if _, ok := m.m[rev]; !ok {
		m.m[rev] = b
		m.bytes += len(b)
	}
}

// writeGroup writes @odata.type's value and g's properties (sel nil: the
// default ones) after the key "@odata.type".
func writeGroup(e *enc, g *directory.Group, sel []int) {
	e.str(groupSchema.odata)
	writeGroupProps(e, g, sel)
}

// writeGroupProps writes g's properties (sel nil: the default ones) after
// something else of the object, from the memo when it has them: the
// memo's bytes begin with the comma that separates them from what comes
// before, so they serve list items (after @odata.type) and entities
// (after @odata.context) alike.
func writeGroupProps(e *enc, g *directory.Group, sel []int) {
	if sel != nil || g.Revision == 0 || !e.comma {
		groupSchema.write(e, g, sel)
		return
	}
	if b, ok := memo.get(g.Revision); ok {
		e.b = append(e.b, b...)
		return
	}
	start := len(e.b)
	groupSchema.write(e, g, nil)
	memo.put(g.Revision, append([]byte(nil), e.b[start:]...))
}

func init() {
	groupSchema.memoized = func(e *enc, g *directory.Group) { writeGroupProps(e, g, nil) }
}
