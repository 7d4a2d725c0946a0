package directory

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// Checked caches: on an engine that several processes write (PostgreSQL),
// a follower learns of another instance's write only after that instance
// has acknowledged it, so the object cache and the nesting index cannot
// be trusted as they are. Instead a read that wants them first asks the
// store, in one statement, for the tenant's changes since the position
// the caches were last brought to (PendingChanges) and drops what they
// name. Whatever committed before the read started is then either in the
// caches' entries (loaded after the commit) or was dropped, on whichever
// instance it was written. A read that cannot catch up (too many changes,
// trimmed log) drops everything and asks the store itself.
//
// The position is one below which no change can still commit (the
// store's horizon); changes above it that were already seen are
// remembered by cursor until the horizon passes them, so they are
// dropped once, not on every read.

// pendingLimit is how many changes a read applies before it gives up and
// drops everything instead.
const pendingLimit = 1000

// maxSkip bounds the spans of this Service's own committed writes a check
// asks the store to leave out. Those rows were applied when they
// committed; with one instance they are nearly all the rows there are (a
// hundred a provisioning call), and reading them again was a fifth of
// groupd's CPU in provisioning on PostgreSQL. A check further behind
// reads the rest, which is only slower.
const maxSkip = 64

type nestSync struct {
	mu      sync.Mutex
	tenants map[TenantID]*tenantSync
	moves   int // positions advanced, for pruneOwn
}

// pruneEvery is how many advances of a position pruneOwn lets pass before
// it looks for the lowest one, a walk over every tenant checked so far.
const pruneEvery = 64

type tenantSync struct {
	known   bool           // pos means something
	pos     int64          // every change at or below it is applied
	applied map[int64]bool // changes above pos already applied
	// Requests share statements: one in flight, and the next, which
	// those that arrive meanwhile wait for (the one in flight may have
	// read before they started).
	flight, next *syncRound
}

// syncRound is one PendingChanges statement and the requests it serves.
type syncRound struct {
	done chan struct{}
	ok   bool // applied: the caches may be used
	err  error
}

// WithCheckedReadCache is WithReadCache for engines shared by several
// processes: every read that uses the caches first brings them up to date
// with one round trip (see above), so no Follow is needed for them and a
// write acknowledged by any process is seen by the next read. Reads by id
// and nesting questions check; concurrent reads share the round trip, and
// the reads of one request share one (BeginRequest). Other reads (lists,
// searches) go to the store.
func WithCheckedReadCache(max int) Option {
	return func(s *Service) {
		if max > 0 {
			s.cache = newObjectCache(max)
			s.nest = newNestIndex()
			s.checked = &nestSync{tenants: map[TenantID]*tenantSync{}}
			s.own.keep = true
		}
	}
}

type (
	checkedKey struct{}
	scopeKey   struct{}
)

// requestScope remembers, for one request, the tenant whose caches a read
// of the request has checked, so that its later reads use them without a
// check of their own (see BeginRequest).
type requestScope struct{ checked atomic.Pointer[TenantID] }

// BeginRequest marks ctx as the context of one request, such as an HTTP
// request from its start: once a read through ctx (or a context derived
// from it) has checked the caches for a tenant, the request's later reads
// use them without checking again, whichever context they were given
// (authentication checks, the handler reads). Every read of the request
// still sees every write acknowledged before the request began. Without
// checked caches it returns ctx as it is.
func (s *Service) BeginRequest(ctx context.Context) context.Context {
	if s.checked == nil {
		return ctx
	}
	return context.WithValue(ctx, scopeKey{}, &requestScope{})
}

// checkedFor reports whether reads through ctx may use the checked caches
// of tenant.
func checkedFor(ctx context.Context, tenant TenantID) bool {
	if ctx.Value(checkedKey{}) == tenant {
		return true
	}
	sc, _ := ctx.Value(scopeKey{}).(*requestScope)
	if sc == nil {
		return false
	}
	t := sc.checked.Load()
	return t != nil && *t == tenant
}

// checkCaches brings the caches up to date for tenant, when they must be
// checked, and returns the context that lets this request use them. When
// they cannot be brought up to date the context is returned unchanged,
// and the caches stay unused for the request.
func (s *Service) checkCaches(ctx context.Context, tenant TenantID) (context.Context, error) {
	if s.checked == nil || checkedFor(ctx, tenant) {
		return ctx, nil
	}
	r, err := s.checked.round(ctx, s, tenant)
	if err != nil || !r.ok {
		return ctx, err
	}
	if sc, _ := ctx.Value(scopeKey{}).(*requestScope); sc != nil {
		sc.checked.Store(&tenant)
	}
	return context.WithValue(ctx, checkedKey{}, tenant), nil
}

// CheckedRequest begins a request that reads through the caches: a
// nesting question (checkMemberGroups, getMemberGroups, …) or the
// signed-in user. The returned context lets the request's lookups share
// one check of the caches, so they are answered from memory. Every read
// through it still sees every write acknowledged before this call (and
// this Service's own writes after it), not other instances' later
// writes: the context is for one request, not to be kept.
func (s *Service) CheckedRequest(ctx context.Context, tenant TenantID) (context.Context, error) {
	return s.checkCaches(ctx, tenant)
}

// round returns a statement's outcome whose snapshot was taken after this
// call began: a new one, or one that is about to start (joined), never
// one already in flight.
func (n *nestSync) round(ctx context.Context, s *Service, tenant TenantID) (*syncRound, error) {
	n.mu.Lock()
	t := n.tenants[tenant]
	if t == nil {
		t = &tenantSync{applied: map[int64]bool{}}
		n.tenants[tenant] = t
	}
	if t.flight == nil {
		r := &syncRound{done: make(chan struct{})}
		t.flight = r
		n.mu.Unlock()
		n.run(ctx, s, tenant, t, r)
		return r, r.err
	}
	r, lead, prev := t.next, false, t.flight
	if r == nil {
		r, lead = &syncRound{done: make(chan struct{})}, true
		t.next = r
	}
	n.mu.Unlock()
	if lead {
		<-prev.done
		n.mu.Lock()
		t.flight, t.next = r, nil
		n.mu.Unlock()
		n.run(ctx, s, tenant, t, r)
		return r, r.err
	}
	select {
	case <-r.done:
		return r, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run reads the pending changes for round r and applies them.
func (n *nestSync) run(ctx context.Context, s *Service, tenant TenantID, t *tenantSync, r *syncRound) {
	n.mu.Lock()
	known, pos := t.known, t.pos
	n.mu.Unlock()
	limit := pendingLimit
	if !known {
		limit = 0 // whatever was loaded before is dropped below
	}
	// Other requests wait for this statement: the caller's cancellation
	// must not fail theirs (the statement timeout bounds it).
	p, err := s.store.PendingChanges(context.WithoutCancel(ctx), tenant, pos, limit, s.own.committedAfter(pos, maxSkip))
	n.mu.Lock()
	defer n.mu.Unlock()
	defer close(r.done)
	if t.next == nil {
		t.flight = nil
	}
	switch {
	case err != nil:
		r.err = err
	case p.TooMany:
		// Loads that started before this statement may miss what it
		// could not list; reset drops them as well.
		s.cache.reset()
		s.nest.reset()
		t.known = true
		t.pos = max(t.pos, p.Horizon)
		clear(t.applied)
	default:
		n.apply(s, t, p)
		r.ok = true
	}
}

// apply drops what the pending changes name, each change once, and moves
// the position to the horizon; n.mu is held.
func (n *nestSync) apply(s *Service, t *tenantSync, p Pending) {
	var fresh []Change
	for _, c := range p.Changes {
		if c.Cursor > t.pos && !t.applied[c.Cursor] {
			fresh = append(fresh, c)
			t.applied[c.Cursor] = true
		}
	}
	if len(fresh) > 0 {
		s.cache.invalidate(fresh)
		s.nest.invalidate(fresh)
	}
	if p.Horizon > t.pos {
		t.pos = p.Horizon
		for c := range t.applied {
			if c <= t.pos {
				delete(t.applied, c)
			}
		}
		n.pruneOwn(s)
	}
}

// pruneOwn forgets the spans of this Service's writes that the caches of
// every tenant have passed: a check asks only for the spans above its
// tenant's position (committedAfter), and a tenant whose caches are not
// known yet starts from the store's horizon. Without it the list stays at
// its cap (maxOwnSpans). n.mu is held.
func (n *nestSync) pruneOwn(s *Service) {
	if n.moves++; n.moves%pruneEvery != 0 {
		return
	}
	low := int64(math.MaxInt64)
	for _, t := range n.tenants {
		if t.known {
			low = min(low, t.pos)
		}
	}
	s.own.passed(low)
}

// objects is the object cache if this request may use it for tenant.
func (s *Service) objects(ctx context.Context, tenant TenantID) *objectCache {
	if s.checked != nil && !checkedFor(ctx, tenant) {
		return nil
	}
	return s.cache
}

// index is the nesting index if this request may use it for tenant.
func (s *Service) index(ctx context.Context, tenant TenantID) *nestIndex {
	if s.checked != nil && !checkedFor(ctx, tenant) {
		return nil
	}
	return s.nest
}
