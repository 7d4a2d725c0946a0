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
	if sel != nil || g.Revision == 0 {
		e.str(groupSchema.odata)
		groupSchema.write(e, g, sel)
		return
	}
	if b, ok := memo.get(g.Revision); ok {
		e.sep()
		e.b = append(e.b, b...)
		e.comma = true
		return
	}
	e.sep()
	start := len(e.b)
	e.comma = false
	e.str(groupSchema.odata)
	groupSchema.write(e, g, nil)
	memo.put(g.Revision, append([]byte(nil), e.b[start:]...))
}
