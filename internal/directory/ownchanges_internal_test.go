package directory

import (
	"context"
	"testing"
	"time"
)

func TestOwnSpans(t *testing.T) {
	ctx := context.Background()
	var o ownSpans
	if p := o.note(CursorRange{10, 20}, nil); p != nil {
		t.Fatal("a span kept with no follower running")
	}
	stop := o.follow()
	defer stop()

	// A span is stepped over once its update committed, not before.
	p := o.note(CursorRange{10, 20}, nil)
	got := make(chan int64, 1)
	go func() {
		last, ok := o.skip(ctx, 9)
		if !ok {
			last = -1
		}
		got <- last
	}()
	select {
	case v := <-got:
		t.Fatalf("skip answered %d before the update ended", v)
	case <-time.After(20 * time.Millisecond):
	}
	o.end(p, true)
	if v := <-got; v != 20 {
		t.Fatalf("skip after the commit: %d, want 20", v)
	}
	if last, ok := o.skip(ctx, 14); !ok || last != 20 {
		t.Fatalf("skip from inside the span: %d %v", last, ok)
	}
	if _, ok := o.skip(ctx, 20); ok {
		t.Fatal("a span the follower passed is still stepped over")
	}

	// A run that was undone and run again: the follower waiting for the
	// first run looks again and waits for the second.
	first := o.note(CursorRange{21, 30}, nil)
	go func() {
		last, ok := o.skip(ctx, 20)
		if !ok {
			last = -1
		}
		got <- last
	}()
	time.Sleep(10 * time.Millisecond)
	second := o.note(CursorRange{21, 25}, first)
	o.end(second, true)
	if v := <-got; v != 25 {
		t.Fatalf("skip over the rerun: %d, want 25", v)
	}

	// A failed update's span is read, not stepped over.
	failed := o.note(CursorRange{26, 40}, nil)
	o.end(failed, false)
	if _, ok := o.skip(ctx, 25); ok {
		t.Fatal("the span of a failed update is stepped over")
	}
	if len(o.spans) != 0 {
		t.Fatalf("spans left: %d", len(o.spans))
	}

	// Rows a read found in a span noted after skip looked are dropped
	// once their update committed; a failed update's are kept.
	done := o.note(CursorRange{41, 42}, nil)
	undone := o.note(CursorRange{44, 44}, nil)
	go func() { o.end(done, true); o.end(undone, false) }()
	var kept []int64
	for _, r := range o.foreign(ctx, []Change{{Cursor: 40}, {Cursor: 41}, {Cursor: 42}, {Cursor: 43}, {Cursor: 44}}) {
		kept = append(kept, r.Cursor)
	}
	if len(kept) != 3 || kept[0] != 40 || kept[1] != 43 || kept[2] != 44 {
		t.Fatalf("foreign rows: %v, want 40, 43 and 44", kept)
	}
}

// TestOwnSpansPrunedByCheckedCaches: with checked caches and no follower,
// the spans of own writes go once the caches of every tenant checked so
// far have passed them, and the list never grows past its cap.
func TestOwnSpansPrunedByCheckedCaches(t *testing.T) {
	s := &Service{checked: &nestSync{tenants: map[TenantID]*tenantSync{}}}
	s.own.keep = true
	n := s.checked
	busy := &tenantSync{known: true, applied: map[int64]bool{}}
	idle := &tenantSync{known: true, pos: 500, applied: map[int64]bool{}}
	fresh := &tenantSync{} // not checked yet: its position means nothing
	n.tenants["busy"], n.tenants["idle"], n.tenants["fresh"] = busy, idle, fresh
	for c := int64(1); c <= maxOwnSpans+100; c++ {
		s.own.end(s.own.note(CursorRange{c * 10, c*10 + 9}, nil), true)
	}
	if len(s.own.spans) != maxOwnSpans || s.own.spans[0].First != 1010 {
		t.Fatalf("spans at the cap: %d from %d, want %d from 1010", len(s.own.spans), s.own.spans[0].First, maxOwnSpans)
	}
	advance := func(ts *tenantSync, to int64) {
		for range pruneEvery {
			to++
			n.apply(s, ts, Pending{Horizon: to})
		}
	}
	advance(busy, 20000)
	if first := s.own.spans[0].First; first != 1010 {
		t.Fatalf("spans pruned from %d while a tenant is at 500", first)
	}
	advance(idle, 30000)
	// The lowest position is now busy's, 20000 + pruneEvery.
	low := 20000 + int64(pruneEvery)
	if first := s.own.spans[0]; first.Last <= low || first.First > low+10 {
		t.Fatalf("first span kept %+v, want the one past %d", first.CursorRange, low)
	}
	if got := s.own.committedAfter(low, 1); len(got) != 1 || got[0] != (CursorRange{20070, 20079}) {
		t.Fatalf("committedAfter(%d): %+v", low, got)
	}

	// A follower prunes as it passes the spans; the checked caches leave
	// its spans alone.
	stop := s.own.follow()
	defer stop()
	before := len(s.own.spans)
	advance(busy, 40000)
	advance(idle, 40000)
	if len(s.own.spans) != before {
		t.Fatalf("spans pruned under a follower: %d, want %d", len(s.own.spans), before)
	}
}
