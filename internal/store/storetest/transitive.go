package storetest

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// nestModel is the membership graph as plain maps; its breadth-first
// searches are what the store's recursive queries must agree with.
type nestModel struct {
	mu       sync.Mutex
	edges    map[directory.ObjectID]map[directory.ObjectID]directory.ObjectKind // group → member → kind
	deleted  map[directory.ObjectID]bool
	security map[directory.ObjectID]bool
}

func (m *nestModel) set(g, member directory.ObjectID, kind directory.ObjectKind, on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if on {
		m.edges[g][member] = kind
	} else {
		delete(m.edges[g], member)
	}
}

// up is every visible group x is in through visible groups.
func (m *nestModel) up(x directory.ObjectID) []directory.ObjectID {
	seen := map[directory.ObjectID]bool{}
	queue := []directory.ObjectID{x}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for g, ms := range m.edges {
			if _, ok := ms[cur]; ok && !m.deleted[g] && !seen[g] {
				seen[g] = true
				queue = append(queue, g)
			}
		}
	}
	out := make([]directory.ObjectID, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// down is every visible object under g through visible groups.
func (m *nestModel) down(g directory.ObjectID) []directory.ObjectID {
	seen := map[directory.ObjectID]bool{}
	queue := []directory.ObjectID{g}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for id, kind := range m.edges[cur] {
			if seen[id] || m.deleted[id] {
				continue
			}
			seen[id] = true
			if kind == directory.KindGroup {
				queue = append(queue, id)
			}
		}
	}
	out := make([]directory.ObjectID, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func testTransitiveRandom(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	rng := rand.New(rand.NewPCG(7, uint64(len(t.Name()))))
	m := &nestModel{edges: map[directory.ObjectID]map[directory.ObjectID]directory.ObjectKind{},
		deleted: map[directory.ObjectID]bool{}, security: map[directory.ObjectID]bool{}}
	var users, groups []directory.ObjectID
	for range 12 {
		users = append(users, f.user().ID)
	}
	for i := range 10 {
		g := f.newGroup(fmt.Sprintf("nest%02d", i))
		g.SecurityEnabled = i%3 != 0
		f.insertGroup(g)
		groups = append(groups, g.ID)
		m.edges[g.ID] = map[directory.ObjectID]directory.ObjectKind{}
		m.security[g.ID] = g.SecurityEnabled
	}
	// Each writer owns the groups with its index modulo writers, so that
	// changes to one edge come from one writer, in order, and the final
	// graph does not depend on how the writers interleave. Cycles are
	// allowed: the store must end its walks on them.
	const writers = 4
	var wg sync.WaitGroup
	for w := range writers {
		seed := rng.Uint64()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			for range 40 {
				g := groups[w+writers*r.IntN((len(groups)-w+writers-1)/writers)]
				member, kind := users[r.IntN(len(users))], directory.KindUser
				if r.IntN(3) == 0 {
					member, kind = groups[r.IntN(len(groups))], directory.KindGroup
				}
				if member == g {
					continue
				}
				m.mu.Lock()
				_, has := m.edges[g][member]
				m.mu.Unlock()
				err := f.s.Update(ctx, func(tx directory.Tx) error {
					if has {
						_, err := tx.RemoveMember(ctx, tid, g, member)
						return err
					}
					return tx.AddMembers(ctx, tid, g, []directory.MemberRef{{ID: member, Kind: kind}})
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				m.set(g, member, kind, !has)
			}
		}()
	}
	wg.Wait()
	compareNesting(t, f, m, users, groups)

	// A deleted group hides itself and cuts the paths through it.
	gone := groups[rng.IntN(len(groups))]
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, gone, f.now) })
	m.deleted[gone] = true
	compareNesting(t, f, m, users, slices.DeleteFunc(slices.Clone(groups), func(g directory.ObjectID) bool { return g == gone }))
}

// compareNesting asks the store every transitive question about every
// object and compares with the model.
func compareNesting(t *testing.T, f *fixture, m *nestModel, users, groups []directory.ObjectID) {
	t.Helper()
	ctx, tid := f.ctx, f.tenant.ID
	for _, x := range append(slices.Clone(users), groups...) {
		want := m.up(x)
		got := must[[]directory.ObjectID](t, "MemberGroups")(f.s.MemberGroups(ctx, tid, x, false, 0))
		sameIDs(t, fmt.Sprintf("MemberGroups(%s)", x), got, want)
		var sec []directory.ObjectID
		for _, g := range want {
			if m.security[g] {
				sec = append(sec, g)
			}
		}
		got = must[[]directory.ObjectID](t, "MemberGroups security")(f.s.MemberGroups(ctx, tid, x, true, 0))
		sameIDs(t, fmt.Sprintf("MemberGroups(%s, securityOnly)", x), got, sec)
		if len(want) > 1 {
			got = must[[]directory.ObjectID](t, "MemberGroups limit")(f.s.MemberGroups(ctx, tid, x, false, 1))
			sameIDs(t, "MemberGroups limit 1", got, want[:1])
		}
		q := directory.ListQuery{Source: directory.SourceTransitiveMemberOf, Of: x, Page: directory.PageRequest{Top: 3}}
		sameIDs(t, fmt.Sprintf("transitiveMemberOf(%s)", x), objectIDs(f.all(q)), want)
		if n := must[int](t, "Count")(f.s.Count(ctx, tid, q)); n != len(want) {
			t.Errorf("count transitiveMemberOf(%s) = %d, want %d", x, n, len(want))
		}
		for _, g := range groups {
			in := must[bool](t, "Contains")(f.s.Contains(ctx, tid, g, x))
			if in != slices.Contains(want, g) {
				t.Errorf("Contains(%s, %s) = %v, model says %v", g, x, in, !in)
			}
		}
	}
	// The direct groups and the nesting edges the in-memory graph loads.
	for _, x := range append(slices.Clone(users), groups...) {
		var want []directory.GroupRef
		for g, ms := range m.edges {
			if _, ok := ms[x]; ok && !m.deleted[g] {
				want = append(want, directory.GroupRef{ID: g, SecurityEnabled: m.security[g]})
			}
		}
		slices.SortFunc(want, func(a, b directory.GroupRef) int { return strings.Compare(string(a.ID), string(b.ID)) })
		got := must[[]directory.GroupRef](t, "DirectGroups")(f.s.DirectGroups(ctx, tid, x, 0))
		if len(got)+len(want) > 0 && !slices.Equal(got, want) {
			t.Errorf("DirectGroups(%s) = %v, want %v", x, got, want)
		}
	}
	var wantEdges, gotEdges []directory.NestEdge
	for g, ms := range m.edges {
		for x, kind := range ms {
			if kind == directory.KindGroup && !m.deleted[g] && !m.deleted[x] {
				wantEdges = append(wantEdges, directory.NestEdge{Parent: g, Child: x, ParentSecurity: m.security[g]})
			}
		}
	}
	slices.SortFunc(wantEdges, func(a, b directory.NestEdge) int {
		return strings.Compare(string(a.Child)+string(a.Parent), string(b.Child)+string(b.Parent))
	})
	var after directory.NestEdge
	for i := 0; ; i++ {
		page := must[[]directory.NestEdge](t, "NestingEdges")(f.s.NestingEdges(ctx, tid, after, 3))
		gotEdges = append(gotEdges, page...)
		if len(page) < 3 || i > 100 {
			break
		}
		after = page[len(page)-1]
	}
	if len(gotEdges)+len(wantEdges) > 0 && !slices.Equal(gotEdges, wantEdges) {
		t.Errorf("NestingEdges = %v\nwant %v", gotEdges, wantEdges)
	}
	for _, g := range groups {
		want := m.down(g)
		q := directory.ListQuery{Source: directory.SourceTransitiveMembers, Of: g, Page: directory.PageRequest{Top: 4}}
		sameIDs(t, fmt.Sprintf("transitiveMembers(%s)", g), objectIDs(f.all(q)), want)
		if n := must[int](t, "Count")(f.s.Count(ctx, tid, q)); n != len(want) {
			t.Errorf("count transitiveMembers(%s) = %d, want %d", g, n, len(want))
		}
		var wantUsers []directory.ObjectID
		for _, id := range want {
			if slices.Contains(users, id) {
				wantUsers = append(wantUsers, id)
			}
		}
		q.Kind = directory.KindUser
		sameIDs(t, fmt.Sprintf("transitiveMembers(%s)/user", g), objectIDs(f.all(q)), wantUsers)
	}
}

// testTransitiveQuery runs the list pipeline (filter, order, casts) over
// the transitive sources.
func testTransitiveQuery(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	top, mid, leaf := f.insertGroup(f.newGroup("Top")), f.insertGroup(f.newGroup("Middle")), f.insertGroup(f.newGroup("Leaf"))
	ada, bob := f.insertUser(f.newUser("Ada")), f.insertUser(f.newUser("Bob"))
	f.addMembers(top, groupRef(mid))
	f.addMembers(mid, groupRef(leaf), userRef(bob))
	f.addMembers(leaf, userRef(ada))

	q := parse(t, directory.SourceTransitiveMemberOf, odata.GroupSchema, "$filter=startswith(displayName,'M')+or+displayName+eq+'Top'&$orderby=displayName+desc&$top=1")
	q.Of = ada.ID
	sameSet(t, "ada's groups filtered", f.names(q), []string{"Top", "Middle"})
	if got := f.names(q); !equalStrings(got, []string{"Top", "Middle"}) {
		t.Errorf("ordered desc: %v", got)
	}
	q = parse(t, directory.SourceTransitiveMembers, odata.DirectoryObjectSchema,
		"$filter="+url.QueryEscape("startswith(displayName,'L') or startswith(displayName,'A') or displayName eq 'Middle'")+"&$orderby=displayName")
	q.Of = top.ID
	if got := f.names(q); !equalStrings(got, []string{"Ada", "Leaf", "Middle"}) {
		t.Errorf("top's members filtered: %v", got)
	}
	q.Kind = directory.KindGroup
	if got := f.names(q); !equalStrings(got, []string{"Leaf", "Middle"}) {
		t.Errorf("top's groups filtered: %v", got)
	}
	q = parse(t, directory.SourceTransitiveMembers, odata.DirectoryObjectSchema, "$search="+url.QueryEscape(`"displayName:Ad"`))
	q.Of = top.ID
	if got := f.names(q); !equalStrings(got, []string{"Ada"}) {
		t.Errorf("top's members searched: %v", got)
	}
	q = directory.ListQuery{Source: directory.SourceTransitiveMemberOf, Of: ada.ID, Kind: directory.KindUser}
	if n := must[int](t, "Count")(f.s.Count(ctx, tid, q)); n != 0 {
		t.Errorf("transitiveMemberOf cast to user counts %d", n)
	}
	// Another tenant's query sees nothing of this one.
	other := f.otherTenant("fabrikam.example")
	q = directory.ListQuery{Source: directory.SourceTransitiveMembers, Of: top.ID}
	if p := must[directory.ListPage](t, "List other tenant")(f.s.List(ctx, other.ID, q)); len(p.Items) != 0 {
		t.Errorf("other tenant sees %d transitive members", len(p.Items))
	}
	if ids := must[[]directory.ObjectID](t, "MemberGroups other tenant")(f.s.MemberGroups(ctx, other.ID, ada.ID, false, 0)); len(ids) != 0 {
		t.Errorf("other tenant sees groups %v", ids)
	}
}
