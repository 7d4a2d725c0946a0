package directory

import (
	"context"
	"slices"
	"sync/atomic"
)

// The plain transitiveMemberOf list (no filter, search, order or
// expansion) is answered from memory when the Service keeps the nesting
// index: the member's groups come from a walk of the index, already in
// the store's keyset order (by id), and the objects of the page from the
// object cache, misses loaded in one round trip. Both are dropped before
// a write is acknowledged and followed for other processes' writes, so the
// answer is the store's. Cursors are the store's (EncodeCursor of the last
// item under the default order), so a nextLink from either path pages on
// in the other.

// defaultListTop is the page size the engines use when Top is unset.
const defaultListTop = 100

// fromIndex reports whether q can be answered from the nesting index.
func (s *Service) fromIndex(ctx context.Context, tenant TenantID, q ListQuery) bool {
	return s.index(ctx, tenant) != nil && s.objects(ctx, tenant) != nil && plainTransitive(q)
}

// plainTransitive reports whether q is the plain transitiveMemberOf list.
func plainTransitive(q ListQuery) bool {
	return q.Source == SourceTransitiveMemberOf &&
		q.Filter == nil && q.Search == nil && q.OrderBy == "" && !q.Desc && q.Expand == 0
}

// checkIndexed checks the caches for a query fromIndex may answer.
func (s *Service) checkIndexed(ctx context.Context, tenant TenantID, q ListQuery) (context.Context, error) {
	if s.checked == nil || !plainTransitive(q) {
		return ctx, nil
	}
	return s.checkCaches(ctx, tenant)
}

// walkEntry is a member's walk: the ids of its groups, in order, and
// their object cache entries as of a cache generation. A page whose
// entries are still current (no invalidation since) is answered without
// looking its groups up: those lookups, dozens of map probes in memory
// the CPU cache rarely holds, were a tenth of the cost of a page.
type walkEntry struct {
	ids      []ObjectID
	resolved atomic.Pointer[resolvedGroups]
	// security is the walk's securityEnabled groups (getMemberGroups with
	// securityEnabledOnly), walked on first use. It is set only on the
	// entry it was walked for, which an invalidation drops from the index.
	security atomic.Pointer[[]ObjectID]
}

// resolvedGroups are the cache entries of a walk's ids, read at gen.
type resolvedGroups struct {
	gen    uint64
	groups []*Group // parallel to the walk's ids
}

// maxResolved bounds the walks whose entries are kept: a longer one is
// paged through, so its pages are looked up one at a time.
const maxResolved = 1000

// indexedGroups is the walk of the groups q lists, in order; false when
// the index cannot answer for this member. Its ids are nil for a cast to
// users.
func (s *Service) indexedGroups(ctx context.Context, tenant TenantID, q ListQuery) (*walkEntry, bool, error) {
	e, ok, err := s.keptWalk(ctx, tenant, q.Of)
	if err != nil || !ok {
		return nil, ok, err
	}
	if q.Kind == KindUser {
		return &walkEntry{}, true, nil // a cast to users of a list of groups
	}
	return e, true, nil
}

// keptWalk is the member's walk (every group, securityEnabled or not),
// kept for the next question about the same member; false when the
// member cannot be walked in memory.
func (s *Service) keptWalk(ctx context.Context, tenant TenantID, member ObjectID) (*walkEntry, bool, error) {
	k := cacheKey{tenant, member}
	e, gen := s.nest.walk(k)
	if e == nil {
		ids, ok, err := s.walkGroups(ctx, tenant, member, false)
		if err != nil || !ok {
			return nil, ok, err
		}
		e = &walkEntry{ids: slices.Clip(ids)}
		s.nest.keepWalk(k, e, gen)
	}
	return e, true, nil
}

// maxWalked bounds the walks kept; a walk holds the member's groups
// (tens of ids sharing the index's strings).
const maxWalked = 50_000

// walk returns the member's kept walk, if any, and the generation to keep
// a new one under. Kept walks are shared: callers only read their ids.
func (n *nestIndex) walk(k cacheKey) (*walkEntry, uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.walked[k], n.gen
}

// keepWalk keeps a walk that started at generation gen, unless the index
// was invalidated since (the walk may predate the write).
func (n *nestIndex) keepWalk(k cacheKey, e *walkEntry, gen uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.gen != gen {
		return
	}
	if len(n.walked) >= maxWalked {
		clear(n.walked)
	}
	n.walked[k] = e
}

// transitivePage answers a page of q from memory; false when the store
// must.
func (s *Service) transitivePage(ctx context.Context, tenant TenantID, q ListQuery) (ListPage, bool, error) {
	e, ok, err := s.indexedGroups(ctx, tenant, q)
	if err != nil || !ok || q.Kind == KindUser {
		// The store answers a cast to users of this list with no page
		// at all, whatever the cursor.
		return ListPage{}, ok, err
	}
	lo, hi := 0, len(e.ids)
	if q.Page.After != "" {
		after, _, err := DecodeCursor(q.Page.After, "")
		if err != nil {
			return ListPage{}, true, err
		}
		i, found := slices.BinarySearch(e.ids, after)
		if found {
			i++
		}
		lo = i
	}
	top := q.Page.Top
	if top <= 0 {
		top = defaultListTop
	}
	var page ListPage
	if hi-lo > top {
		hi = lo + top
		page.Next = string(e.ids[hi-1])
	}
	page.Items, err = s.pageGroups(ctx, tenant, e, lo, hi)
	return page, true, err
}

// pageGroups returns the visible groups among e.ids[lo:hi], in order:
// from the walk's resolved entries while the object cache has not changed
// since they were read, else from the cache (and the store for misses).
func (s *Service) pageGroups(ctx context.Context, tenant TenantID, e *walkEntry, lo, hi int) ([]Object, error) {
	r := e.resolved.Load()
	if r == nil || !s.cache.current(r.gen) {
		r = nil
		if len(e.ids) <= maxResolved {
			if groups, gen, ok := s.cache.resolve(tenant, e.ids); ok {
				r = &resolvedGroups{gen: gen, groups: groups}
				e.resolved.Store(r)
			}
		}
	}
	if r == nil {
		return s.cachedGroups(ctx, tenant, e.ids[lo:hi])
	}
	// The entries were current when checked, and never change. They are
	// handed out, not copied (ListPage): copying them was most of the
	// cost left, as an encoder that has a group's encoding memoized reads
	// one field of it.
	out := make([]Object, hi-lo)
	for i, p := range r.groups[lo:hi] {
		out[i] = Object{Group: p}
	}
	return out, nil
}

// cachedGroups returns the visible groups among ids, in their order, from
// the object cache, loading the misses in one round trip.
func (s *Service) cachedGroups(ctx context.Context, tenant TenantID, ids []ObjectID) ([]Object, error) {
	found := make([]Group, len(ids))
	missing := s.cache.groupsInto(tenant, ids, found)
	if len(missing) > 0 {
		gen := s.cache.generation()
		objs, err := s.store.Objects(ctx, tenant, missing)
		if err != nil {
			return nil, err
		}
		loaded := make(map[ObjectID]Group, len(objs))
		for _, o := range objs {
			if o.Group != nil {
				loaded[o.Group.ID] = *o.Group
				s.cache.putGroup(cacheKey{tenant, o.Group.ID}, *o.Group, gen)
			}
		}
		for i, id := range ids {
			if g, ok := loaded[id]; ok && found[i].ID == "" {
				found[i] = g
			}
		}
	}
	out := make([]Object, 0, len(ids))
	for i := range found {
		if found[i].ID != "" { // deleted since the walk
			out = append(out, Object{Group: &found[i]})
		}
	}
	return out, nil
}

// groupsInto sets found[i] to the cached group ids[i], under one lock for
// the page, and returns the ids not cached.
func (c *objectCache) groupsInto(tenant TenantID, ids []ObjectID, found []Group) []ObjectID {
	var missing []ObjectID
	c.mu.RLock()
	for i, id := range ids {
		p := c.groups[id]
		if p == nil || p.TenantID != tenant {
			missing = append(missing, id)
			continue
		}
		found[i] = *p
	}
	c.mu.RUnlock()
	for i := range found {
		detachGroup(&found[i])
	}
	return missing
}

// resolve returns the cache entries of ids and the generation they were
// read at; false when any is not cached.
func (c *objectCache) resolve(tenant TenantID, ids []ObjectID) ([]*Group, uint64, bool) {
	out := make([]*Group, len(ids))
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, id := range ids {
		p := c.groups[id]
		if p == nil || p.TenantID != tenant {
			return nil, 0, false
		}
		out[i] = p
	}
	return out, c.gen, true
}

// current reports whether nothing was invalidated since generation gen,
// so that every entry read then is still the cached value.
func (c *objectCache) current(gen uint64) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen == gen
}

// copyGroup copies a cache entry out.
func copyGroup(p *Group) Group {
	g := *p
	detachGroup(&g)
	return g
}

// detachGroup gives g slices of its own: callers may append to those of a
// copy, and the cached value must not change.
func detachGroup(g *Group) {
	g.GroupTypes = slices.Clone(g.GroupTypes)
	g.ProxyAddresses = slices.Clone(g.ProxyAddresses)
}
