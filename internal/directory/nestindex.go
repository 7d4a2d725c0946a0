package directory

import (
	"context"
	"slices"
	"sync"
)

// nestIndex keeps each tenant's nesting graph (which group is in which
// group) in memory, and the direct groups of the members asked about, so
// that the groups a principal is in through nesting are a walk in memory.
// The graph holds only group-in-group edges and the securityEnabled flag
// of parents (tens of thousands of entries in a large directory); direct
// groups are kept for at most maxDirect members, their group ids shared
// with the graph's (a million memberships take tens of megabytes).
//
// Entries are dropped, like the object cache's, after the commit of a
// write through this Service and before it is acknowledged, and by Follow
// for other processes' writes (or, on engines shared by several
// processes, by the check each read makes first: nestsync.go): a member's direct groups when it joins or
// leaves a group, everything when a nesting, a group's visibility or its
// securityEnabled changes. A value loaded while any such write committed
// is used for the read that loaded it (which ran concurrently with the
// write) but not kept.
type nestIndex struct {
	mu     sync.Mutex
	gen    uint64
	graphs map[TenantID]*nestGraph
	direct map[cacheKey][]GroupRef
	intern map[ObjectID]ObjectID
	// walked holds the last walks of transitiveMemberOf pages
	// (transitivepage.go), dropped with the member's direct groups.
	walked map[cacheKey]*walkEntry
	// loading holds the graph loads in progress: the requests that miss
	// a graph at the same moment (all of them, after a start or a
	// nesting change) wait for one load instead of each loading it.
	loading map[TenantID]*graphLoad
}

// graphLoad is one load of a tenant's graph; kept says the graph went
// into the index (no invalidation meanwhile), so waiters may use it.
type graphLoad struct {
	done chan struct{}
	g    *nestGraph
	kept bool
}

// maxDirect bounds the members whose direct groups are kept.
const maxDirect = 200_000

type nestGraph struct {
	parents  map[ObjectID][]ObjectID
	security map[ObjectID]bool
}

// nestPage is how many edges one store round trip loads.
const nestPage = 5000

// directCap bounds the direct groups read for a walk in memory; a member
// of more groups is walked by the store instead.
const directCap = 2000

func newNestIndex() *nestIndex {
	return &nestIndex{graphs: map[TenantID]*nestGraph{}, direct: map[cacheKey][]GroupRef{}, intern: map[ObjectID]ObjectID{},
		walked: map[cacheKey]*walkEntry{}, loading: map[TenantID]*graphLoad{}}
}

// directGroups returns the member's direct groups, from memory when kept.
func (n *nestIndex) directGroups(ctx context.Context, st TransitiveReader, tenant TenantID, member ObjectID) ([]GroupRef, error) {
	k := cacheKey{tenant, member}
	n.mu.Lock()
	refs, ok := n.direct[k]
	gen := n.gen
	n.mu.Unlock()
	if ok {
		return refs, nil
	}
	refs, err := st.DirectGroups(ctx, tenant, member, directCap)
	if err != nil || len(refs) >= directCap {
		return refs, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.gen != gen {
		return refs, nil
	}
	if len(n.direct) >= maxDirect {
		clear(n.direct) // bounded memory without bookkeeping on the hot path
		clear(n.intern)
	}
	kept := make([]GroupRef, len(refs))
	for i, r := range refs {
		id, ok := n.intern[r.ID]
		if !ok {
			id = r.ID
			n.intern[id] = id
		}
		kept[i] = GroupRef{ID: id, SecurityEnabled: r.SecurityEnabled}
	}
	n.direct[k] = kept
	return kept, nil
}

func (n *nestIndex) graph(ctx context.Context, st TransitiveReader, tenant TenantID) (*nestGraph, error) {
	n.mu.Lock()
	g, gen := n.graphs[tenant], n.gen
	if g != nil {
		n.mu.Unlock()
		return g, nil
	}
	if l := n.loading[tenant]; l != nil {
		n.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if l.kept {
			return l.g, nil
		}
		n.mu.Lock()
		gen = n.gen // loaded while something changed: load again
	}
	l := &graphLoad{done: make(chan struct{})}
	if n.loading[tenant] == nil {
		n.loading[tenant] = l
	}
	n.mu.Unlock()
	g, err := loadGraph(ctx, st, tenant)
	n.mu.Lock()
	if err == nil && n.gen == gen {
		n.graphs[tenant] = g
		l.g, l.kept = g, true
	}
	if n.loading[tenant] == l {
		delete(n.loading, tenant)
	}
	n.mu.Unlock()
	close(l.done)
	return g, err
}

// loadGraph reads a tenant's nesting edges, a page per round trip.
func loadGraph(ctx context.Context, st TransitiveReader, tenant TenantID) (*nestGraph, error) {
	g := &nestGraph{parents: map[ObjectID][]ObjectID{}, security: map[ObjectID]bool{}}
	var after NestEdge
	for {
		edges, err := st.NestingEdges(ctx, tenant, after, nestPage)
		if err != nil {
			return nil, err
		}
		for _, e := range edges {
			g.parents[e.Child] = append(g.parents[e.Child], e.Parent)
			g.security[e.Parent] = e.ParentSecurity
		}
		if len(edges) < nestPage {
			break
		}
		after = edges[len(edges)-1]
	}
	return g, nil
}

// reset drops everything, and values being loaded meanwhile.
func (n *nestIndex) reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.gen++
	clear(n.graphs)
	clear(n.direct)
	clear(n.walked)
}

// invalidate drops the graphs of the tenants whose nesting rows changed.
func (n *nestIndex) invalidate(rows []Change) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, r := range rows {
		switch {
		case changesNesting(r):
			n.gen++
			delete(n.graphs, r.TenantID)
			clear(n.direct)
			clear(n.walked)
		case r.Op == OpMemberAdded || r.Op == OpMemberRemoved:
			n.gen++
			delete(n.direct, cacheKey{r.TenantID, r.RelatedID})
			delete(n.walked, cacheKey{r.TenantID, r.RelatedID})
		case r.ObjectKind == KindUser:
			// A deleted or restored user: its groups are read again.
			n.gen++
			delete(n.direct, cacheKey{r.TenantID, r.ObjectID})
			delete(n.walked, cacheKey{r.TenantID, r.ObjectID})
		}
	}
}

// changesNesting reports whether a change row may change a nesting graph:
// anything done to a group except user memberships and owners, and only
// those updates that touch securityEnabled (or do not say what they
// touched).
func changesNesting(r Change) bool {
	if r.ObjectKind != KindGroup {
		return false
	}
	switch r.Op {
	case OpMemberAdded, OpMemberRemoved:
		return r.RelatedKind != KindUser
	case OpOwnerAdded, OpOwnerRemoved:
		return false
	case OpUpdated:
		return len(r.Properties) == 0 || slices.Contains(r.Properties, "securityEnabled")
	}
	return true
}

// memberGroups is store.MemberGroups (every group member is in, ordered by
// id, at most limit; 0: all), answered from the nesting graph when the
// Service keeps one. The caller must not change the slice: it may be a
// kept walk.
func (s *Service) memberGroups(ctx context.Context, tenant TenantID, member ObjectID, securityOnly bool, limit int) ([]ObjectID, error) {
	if s.index(ctx, tenant) == nil {
		return s.store.MemberGroups(ctx, tenant, member, securityOnly, limit)
	}
	// The walk a transitiveMemberOf page keeps serves the directory
	// functions too: a sign-in asks both about the same member.
	e, ok, err := s.keptWalk(ctx, tenant, member)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.store.MemberGroups(ctx, tenant, member, securityOnly, limit)
	}
	out := e.ids
	if securityOnly {
		if out, err = s.securityWalk(ctx, tenant, member, e); err != nil {
			return nil, err
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// securityWalk is the securityEnabled groups of the kept walk e of member.
func (s *Service) securityWalk(ctx context.Context, tenant TenantID, member ObjectID, e *walkEntry) ([]ObjectID, error) {
	if p := e.security.Load(); p != nil {
		return *p, nil
	}
	ids, ok, err := s.walkGroups(ctx, tenant, member, true)
	if err != nil || !ok {
		// e was walked in memory, so the member has not too many direct
		// groups; a write since may have given it more.
		if err == nil {
			ids, err = s.store.MemberGroups(ctx, tenant, member, true, 0)
		}
		return ids, err
	}
	ids = slices.Clip(ids)
	e.security.Store(&ids)
	return ids, nil
}

// walkGroups is every group member is in, ordered by id, walked in the
// nesting index; false when the member is in too many groups directly to
// be walked in memory (the store answers instead).
func (s *Service) walkGroups(ctx context.Context, tenant TenantID, member ObjectID, securityOnly bool) ([]ObjectID, bool, error) {
	g, err := s.nest.graph(ctx, s.store, tenant)
	if err != nil {
		return nil, false, err
	}
	direct, err := s.nest.directGroups(ctx, s.store, tenant, member)
	if err != nil {
		return nil, false, err
	}
	if len(direct) >= directCap {
		return nil, false, nil
	}
	seen := make(map[ObjectID]bool, 4*len(direct))
	queue := make([]ObjectID, 0, 4*len(direct))
	var out []ObjectID
	for _, d := range direct {
		seen[d.ID] = true
		queue = append(queue, d.ID)
		if !securityOnly || d.SecurityEnabled {
			out = append(out, d.ID)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, p := range g.parents[queue[i]] {
			if seen[p] {
				continue
			}
			seen[p] = true
			queue = append(queue, p)
			if !securityOnly || g.security[p] {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out, true, nil
}
