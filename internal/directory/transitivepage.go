package directory

import (
	"context"
	"slices"
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

// indexedGroups is the ids of the groups q lists, in order; false when
// the index cannot answer for this member.
func (s *Service) indexedGroups(ctx context.Context, tenant TenantID, q ListQuery) ([]ObjectID, bool, error) {
	k := cacheKey{tenant, q.Of}
	ids, ok, gen := s.nest.walk(k)
	if !ok {
		var err error
		if ids, ok, err = s.walkGroups(ctx, tenant, q.Of, false); err != nil || !ok {
			return nil, ok, err
		}
		s.nest.keepWalk(k, ids, gen)
	}
	if q.Kind == KindUser {
		return nil, true, nil // a cast to users of a list of groups
	}
	return ids, true, nil
}

// maxWalked bounds the walks kept; a walk holds the member's groups
// (tens of ids sharing the index's strings).
const maxWalked = 50_000

// walk returns the member's kept walk, if any, and the generation to keep
// a new one under. Kept walks are shared: callers only read them.
func (n *nestIndex) walk(k cacheKey) ([]ObjectID, bool, uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ids, ok := n.walked[k]
	return ids, ok, n.gen
}

// keepWalk keeps a walk that started at generation gen, unless the index
// was invalidated since (the walk may predate the write).
func (n *nestIndex) keepWalk(k cacheKey, ids []ObjectID, gen uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.gen != gen {
		return
	}
	if len(n.walked) >= maxWalked {
		clear(n.walked)
	}
	n.walked[k] = slices.Clip(ids)
}

// transitivePage answers a page of q from memory; false when the store
// must.
func (s *Service) transitivePage(ctx context.Context, tenant TenantID, q ListQuery) (ListPage, bool, error) {
	ids, ok, err := s.indexedGroups(ctx, tenant, q)
	if err != nil || !ok || q.Kind == KindUser {
		// The store answers a cast to users of this list with no page
		// at all, whatever the cursor.
		return ListPage{}, ok, err
	}
	if q.Page.After != "" {
		after, _, err := DecodeCursor(q.Page.After, "")
		if err != nil {
			return ListPage{}, true, err
		}
		i, found := slices.BinarySearch(ids, after)
		if found {
			i++
		}
		ids = ids[i:]
	}
	top := q.Page.Top
	if top <= 0 {
		top = defaultListTop
	}
	var page ListPage
	if len(ids) > top {
		ids = ids[:top]
		page.Next = string(ids[top-1])
	}
	page.Items, err = s.cachedGroups(ctx, tenant, ids)
	return page, true, err
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
		// Callers may append to these; the cached value must not change.
		found[i].GroupTypes = slices.Clone(found[i].GroupTypes)
		found[i].ProxyAddresses = slices.Clone(found[i].ProxyAddresses)
	}
	return missing
}
