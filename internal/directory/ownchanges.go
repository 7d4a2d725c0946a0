package directory

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// A change follower (Follow) reads the change log for what other
// processes changed. The rows this Service wrote it has acted on already,
// when they committed (afterUpdate), and with SQLite they are nearly all
// the rows there are: a provisioning call writes a hundred, and reading
// them back again was a tenth of groupd's CPU time in provisioning. A
// store whose transactions say where the rows they appended landed
// (AppendedCursors) lets the Service note those spans of the log, and the
// follower steps over them instead of reading them.

// AppendedCursors is the optional Tx method that says where the rows of
// its last AppendChanges call landed: the first and last cursor, every
// row between them written by that call; ok is false when it cannot tell.
type AppendedCursors interface {
	AppendedCursors() (first, last int64, ok bool)
}

// CursorsWanted is the optional Tx method an update that will append
// change rows calls before its first statement, so that the store can
// prepare to say where they land (PostgreSQL reads the transaction's id
// with BEGIN). Updates that append nothing do not call it, and pay
// nothing for it.
type CursorsWanted interface {
	WantCursors()
}

// ownSpan is a span, a run of cursors this Service wrote, of an update
// that may not have ended yet.
type ownSpan struct {
	CursorRange
	done      chan struct{} // closed when the update has ended
	committed bool          // set before done is closed
}

// maxOwnSpans bounds the spans kept: a follower that falls behind by more
// reads the oldest ones again, which is only slower.
const maxOwnSpans = 4096

// ownSpans are the spans of the change log this Service's updates wrote
// and its follower has not passed. They are kept only while a follower
// runs, or always for checked caches (committedAfter). A span is noted
// before its transaction commits, so that the follower, which may read
// the rows as soon as they are durable, finds it there; the follower
// waits for the update to end before it steps over the span, since the
// rows of a transaction that failed are not there, and their cursors may
// be taken by the next one.
type ownSpans struct {
	mu        sync.Mutex
	followers int
	keep      bool       // kept without a follower too, for checked caches (nestsync.go)
	spans     []*ownSpan // by first cursor
}

// updateLogged runs fn in one store update and appends the change rows it
// returns, before the commit, noting where they landed for the follower
// while the update runs (note, end).
func (s *Service) updateLogged(ctx context.Context, fn func(Tx) ([]Change, error)) error {
	var written *ownSpan
	committed := false
	defer func() { s.own.end(written, committed) }() // also on a panic in fn
	err := s.store.Update(ctx, func(tx Tx) error {
		written = s.own.note(CursorRange{}, written) // a run before this one was undone
		if w, ok := tx.(CursorsWanted); ok {
			w.WantCursors()
		}
		rows, err := fn(tx)
		if err != nil {
			return err
		}
		sp, err := appendChanges(ctx, tx, rows)
		written = s.own.note(sp, written)
		return err
	})
	committed = err == nil
	return err
}

// appendChanges writes rows and says where they landed, if the store can
// tell.
func appendChanges(ctx context.Context, tx Tx, rows []Change) (CursorRange, error) {
	if len(rows) == 0 {
		return CursorRange{}, nil
	}
	if err := tx.AppendChanges(ctx, rows); err != nil {
		return CursorRange{}, err
	}
	if a, ok := tx.(AppendedCursors); ok {
		if first, last, ok := a.AppendedCursors(); ok && first > 0 && last >= first {
			return CursorRange{First: first, Last: last}, nil
		}
	}
	return CursorRange{}, nil
}

// note records sp as written by an update still running, in place of
// prev, the span of an earlier run of the same update function (nil for
// none); it returns what end must be given.
func (o *ownSpans) note(sp CursorRange, prev *ownSpan) *ownSpan {
	o.mu.Lock()
	defer o.mu.Unlock()
	if prev != nil {
		// That run was undone; a follower waiting for it reads its span.
		o.drop(prev)
		close(prev.done)
	}
	if sp.First == 0 || (o.followers == 0 && !o.keep) {
		return nil
	}
	p := &ownSpan{CursorRange: sp, done: make(chan struct{})}
	i, _ := slices.BinarySearchFunc(o.spans, sp.First, func(s *ownSpan, first int64) int {
		return cmp.Compare(s.First, first)
	})
	o.spans = slices.Insert(o.spans, i, p)
	if len(o.spans) > maxOwnSpans {
		// Resliced, not shifted: the list is at its cap on every write
		// until something prunes it.
		o.spans = o.spans[len(o.spans)-maxOwnSpans:]
	}
	return p
}

// end records how the update that wrote p ended.
func (o *ownSpans) end(p *ownSpan, committed bool) {
	if p == nil {
		return
	}
	o.mu.Lock()
	if !committed {
		o.drop(p)
	}
	p.committed = committed
	o.mu.Unlock()
	close(p.done)
}

// drop removes p; o.mu is held.
func (o *ownSpans) drop(p *ownSpan) {
	if i := slices.Index(o.spans, p); p != nil && i >= 0 {
		o.spans = slices.Delete(o.spans, i, i+1)
	}
}

// skip returns the last cursor of the span that holds the row after
// after, when this Service wrote that row (wrote); it forgets the spans
// the follower has passed.
func (o *ownSpans) skip(ctx context.Context, after int64) (int64, bool) {
	o.mu.Lock()
	o.prune(after)
	o.mu.Unlock()
	return o.wrote(ctx, after+1)
}

// prune forgets the leading spans that end at or below pos; o.mu is held.
func (o *ownSpans) prune(pos int64) {
	i := 0
	for i < len(o.spans) && o.spans[i].Last <= pos {
		i++
	}
	o.spans = o.spans[i:]
}

// passed forgets the spans that end at or below pos, the lowest position
// of the checked caches, unless a follower runs, which prunes them as it
// passes them (skip).
func (o *ownSpans) passed(pos int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.followers == 0 {
		o.prune(pos)
	}
}

// foreign returns rows without those this Service wrote (wrote). A read
// can find rows whose spans were noted after skip looked: the update
// noted its span before its commit, but after skip.
func (o *ownSpans) foreign(ctx context.Context, rows []Change) []Change {
	out := make([]Change, 0, len(rows))
	for _, r := range rows {
		if _, own := o.wrote(ctx, r.Cursor); !own {
			out = append(out, r)
		}
	}
	return out
}

// wrote reports whether this Service wrote the row at cursor c, and the
// last cursor of its span, once the update that wrote it has ended: only
// a committed update's span counts, as the cursors of one that failed
// may be taken by the next transaction. Spans of a failed run and of its
// rerun may overlap for a moment, so each is looked at in turn.
func (o *ownSpans) wrote(ctx context.Context, c int64) (int64, bool) {
	for {
		o.mu.Lock()
		var p *ownSpan
		for _, s := range o.spans {
			if s.First <= c && c <= s.Last {
				p = s
				break
			}
		}
		o.mu.Unlock()
		if p == nil {
			return 0, false
		}
		select {
		case <-p.done:
		case <-ctx.Done():
			return 0, false
		}
		if p.committed {
			return p.Last, true
		}
		// Gone from the list: look again.
	}
}

// follow marks a follower running until the returned function is called.
func (o *ownSpans) follow() func() {
	o.mu.Lock()
	o.followers++
	o.mu.Unlock()
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.followers--; o.followers == 0 && !o.keep {
			o.spans = nil
		}
	}
}

// committedAfter returns up to max spans above after whose updates
// committed, lowest first: rows a check of the caches need not read, as
// the Service dropped what they name when they committed (afterUpdate).
// A span whose update is still running is left out; its rows are read if
// they commit before the check looks.
func (o *ownSpans) committedAfter(after int64, max int) []CursorRange {
	o.mu.Lock()
	defer o.mu.Unlock()
	i, _ := slices.BinarySearchFunc(o.spans, after+1, func(s *ownSpan, first int64) int {
		return cmp.Compare(s.First, first)
	})
	var out []CursorRange
	for _, s := range o.spans[i:] {
		if len(out) == max {
			break
		}
		if s.committed {
			out = append(out, s.CursorRange)
		}
	}
	return out
}
