package directory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestTransitivePagesFromIndex compares the transitiveMemberOf pages a
// Service with the read cache answers from memory with those a Service
// without it reads from the store, on the same database: every page of
// small $top, with and without casts, counts, and cursors carried from
// one Service to the other; after writes through the cached Service, and
// after a write by the other one (another process) once the cached
// Service's follower has read it.
func TestTransitivePagesFromIndex(t *testing.T) {
	e := newEnvWith(t, directory.WithReadCache(1000))
	ctx, tid := e.ctx, e.tenant.ID
	plain := directory.New(e.st, directory.WithPasswordCost(4))

	u1, u2 := e.user("u1"), e.user("u2")
	var gs []directory.Group
	for i := range 8 {
		gs = append(gs, e.group(fmt.Sprintf("g%d", i)))
	}
	add := func(svc *directory.Service, g directory.Group, id directory.ObjectID) {
		t.Helper()
		if err := svc.AddMembers(ctx, tid, string(g.ID), []directory.MemberRef{{ID: id}}, directory.Policy{}); err != nil {
			t.Fatal(err)
		}
	}
	// u1 in g0..g2 directly; g0 in g3, g3 in g4, g1 in g4 and g5, g5 in g6:
	// a diamond, depth 3, and g7 apart.
	for _, g := range gs[:3] {
		add(e.svc, g, u1.ID)
	}
	add(e.svc, gs[3], gs[0].ID)
	add(e.svc, gs[4], gs[3].ID)
	add(e.svc, gs[4], gs[1].ID)
	add(e.svc, gs[5], gs[1].ID)
	add(e.svc, gs[6], gs[5].ID)
	add(e.svc, gs[0], u2.ID)

	members := []struct {
		key    string
		ofKind directory.ObjectKind
	}{{string(u1.ID), directory.KindUser}, {string(u2.ID), directory.KindUser},
		{string(gs[0].ID), directory.KindGroup}, {string(gs[1].ID), directory.KindAny}, {string(gs[7].ID), directory.KindGroup}}
	compare := func(stage string, want map[string]int) {
		t.Helper()
		for _, m := range members {
			for _, kind := range []directory.ObjectKind{directory.KindAny, directory.KindGroup, directory.KindUser} {
				q := directory.ListQuery{Source: directory.SourceTransitiveMemberOf, Of: directory.ObjectID(m.key), Kind: kind}
				n, err := e.svc.Count(ctx, tid, q, m.ofKind)
				pn, perr := plain.Count(ctx, tid, q, m.ofKind)
				if err != nil || perr != nil || n != pn {
					t.Errorf("%s: count of %s cast %q: %d %v, store %d %v", stage, m.key, kind, n, err, pn, perr)
				}
				if w, ok := want[m.key]; ok && kind != directory.KindUser && n != w {
					t.Errorf("%s: count of %s = %d, want %d", stage, m.key, n, w)
				}
				for top := 1; top <= 3; top++ {
					comparePages(t, stage, e.svc, plain, tid, q, m.ofKind, top)
				}
			}
		}
	}
	compare("start", map[string]int{string(u1.ID): 7, string(u2.ID): 3, string(gs[0].ID): 2, string(gs[7].ID): 0})

	// Writes through the cached Service are seen by its next read.
	add(e.svc, gs[7], gs[6].ID)
	compare("nested", map[string]int{string(u1.ID): 8, string(gs[1].ID): 4})
	if err := e.svc.RemoveMember(ctx, tid, string(gs[4].ID), string(gs[3].ID)); err != nil {
		t.Fatal(err)
	}
	compare("unnested", map[string]int{string(u1.ID): 8, string(u2.ID): 2, string(gs[0].ID): 1})
	if err := e.svc.RemoveMember(ctx, tid, string(gs[1].ID), string(u1.ID)); err != nil {
		t.Fatal(err)
	}
	add(e.svc, gs[7], u2.ID)
	compare("member changes", map[string]int{string(u1.ID): 3, string(u2.ID): 3})
	if err := e.svc.UpdateGroup(ctx, tid, string(gs[3].ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("renamed")}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteGroup(ctx, tid, string(gs[2].ID)); err != nil {
		t.Fatal(err)
	}
	compare("renamed and deleted", map[string]int{string(u1.ID): 2})
	p, err := e.svc.TransitiveMemberOf(ctx, tid, string(u1.ID), directory.KindUser, directory.PageRequest{})
	want := sortedCopy([]directory.ObjectID{gs[0].ID, gs[3].ID})
	if err != nil || !slices.Equal(objIDs(p.Items), want) {
		t.Fatalf("after the rename: %v %v", objIDs(p.Items), err)
	}
	if i := slices.Index(want, gs[3].ID); p.Items[i].Group.DisplayName != "renamed" {
		t.Errorf("after the rename: %+v", p.Items[i].Group)
	}

	// A write by another process: seen once the follower has read it.
	fctx, stop := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() { defer close(followed); _ = e.svc.Follow(fctx, 5*time.Millisecond) }()
	defer func() { stop(); <-followed }()
	waitABit() // the follower starts from the end of the log
	add(plain, gs[5], gs[0].ID)
	for i := 0; ; i++ {
		n, err := e.svc.Count(ctx, tid, directory.ListQuery{Source: directory.SourceTransitiveMemberOf, Of: u1.ID}, directory.KindUser)
		if err == nil && n == 5 {
			break
		}
		if i > 400 {
			t.Fatalf("the other process's nesting is not seen: %d %v", n, err)
		}
		e.svc.Wake()
		waitABit()
	}
	compare("other process", map[string]int{string(u1.ID): 5, string(u2.ID): 5})
}

// TestTransitivePageSeesChangedGroups: a page answered from a kept walk
// whose groups were looked up before shows a group changed since, by this
// Service or by another process, although the walk itself (the
// memberships) did not change.
func TestTransitivePageSeesChangedGroups(t *testing.T) {
	e := newEnvWith(t, directory.WithReadCache(1000))
	ctx, tid := e.ctx, e.tenant.ID
	plain := directory.New(e.st, directory.WithPasswordCost(4))
	u, g0, g1 := e.user("u"), e.group("g0"), e.group("g1")
	for _, m := range [][2]directory.ObjectID{{g0.ID, u.ID}, {g1.ID, g0.ID}} {
		if err := e.svc.AddMembers(ctx, tid, string(m[0]), []directory.MemberRef{{ID: m[1]}}, directory.Policy{}); err != nil {
			t.Fatal(err)
		}
	}
	names := func() map[directory.ObjectID]string {
		t.Helper()
		p, err := e.svc.TransitiveMemberOf(ctx, tid, string(u.ID), directory.KindUser, directory.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[directory.ObjectID]string{}
		for _, o := range p.Items {
			out[o.Group.ID] = o.Group.DisplayName
		}
		return out
	}
	for range 3 { // the first reads and keeps, the next answer from what was kept
		if n := names(); n[g0.ID] != "g0" || n[g1.ID] != "g1" {
			t.Fatalf("before: %v", n)
		}
	}
	if err := e.svc.UpdateGroup(ctx, tid, string(g1.ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("g1 renamed")}}); err != nil {
		t.Fatal(err)
	}
	if n := names(); n[g1.ID] != "g1 renamed" || n[g0.ID] != "g0" {
		t.Fatalf("after a rename through this Service: %v", n)
	}
	names() // kept again

	fctx, stop := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() { defer close(followed); _ = e.svc.Follow(fctx, 5*time.Millisecond) }()
	defer func() { stop(); <-followed }()
	waitABit() // the follower starts from the end of the log
	if err := plain.UpdateGroup(ctx, tid, string(g0.ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("g0 renamed")}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; names()[g0.ID] != "g0 renamed"; i++ {
		if i > 400 {
			t.Fatalf("the other process's rename is not seen: %v", names())
		}
		e.svc.Wake()
		waitABit()
	}
}

// TestSecurityWalkFollowsWrites: getMemberGroups with securityEnabledOnly
// is answered from the member's kept walk, and a membership, nesting or
// securityEnabled change is seen by the next call.
func TestSecurityWalkFollowsWrites(t *testing.T) {
	e := newEnvWith(t, directory.WithReadCache(1000))
	ctx, tid := e.ctx, e.tenant.ID
	u, g1, g2 := e.user("u"), e.group("g1"), e.group("g2")
	m, err := e.svc.CreateGroup(ctx, tid, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("m"), MailNickname: s("m"), MailEnabled: b(true), SecurityEnabled: b(false),
		GroupTypes: &[]string{"Unified"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		g  directory.Group
		id directory.ObjectID
	}{{g1, u.ID}, {g2, g1.ID}, {m, u.ID}} {
		if err := e.add(step.g, step.id); err != nil {
			t.Fatal(err)
		}
	}
	want := func(stage string, security bool, ids ...directory.ObjectID) {
		t.Helper()
		for range 2 { // the second answers from the kept walk
			got, err := e.svc.GetMemberGroups(ctx, tid, string(u.ID), security, 0)
			if err != nil || !slices.Equal(got, sortedCopy(ids)) || got == nil {
				t.Fatalf("%s: GetMemberGroups(security %v) = %v, %v; want %v", stage, security, got, err, sortedCopy(ids))
			}
		}
	}
	want("start", true, g1.ID, g2.ID)
	want("start", false, g1.ID, g2.ID, m.ID)
	if err := e.svc.UpdateGroup(ctx, tid, string(m.ID), directory.GroupUpdate{Fields: directory.GroupFields{SecurityEnabled: b(true)}}); err != nil {
		t.Fatal(err)
	}
	want("m made a security group", true, g1.ID, g2.ID, m.ID)
	if err := e.svc.RemoveMember(ctx, tid, string(g2.ID), string(g1.ID)); err != nil {
		t.Fatal(err)
	}
	want("unnested", true, g1.ID, m.ID)
	if err := e.svc.RemoveMember(ctx, tid, string(g1.ID), string(u.ID)); err != nil {
		t.Fatal(err)
	}
	want("removed", true, m.ID)
	want("removed", false, m.ID)
}

// comparePages pages through q with top items a page on both Services,
// then again switching Service at every page, and wants the same items,
// cursors and ends.
func comparePages(t *testing.T, stage string, fast, plain *directory.Service, tid directory.TenantID, q directory.ListQuery, ofKind directory.ObjectKind, top int) {
	t.Helper()
	ctx := context.Background()
	q.Page = directory.PageRequest{Top: top}
	qp := q
	var all []directory.ObjectID
	for i := 0; ; i++ {
		fp, err := fast.List(ctx, tid, q, ofKind)
		pp, perr := plain.List(ctx, tid, qp, ofKind)
		if err != nil || perr != nil {
			t.Fatalf("%s: page %d of %s: %v, %v", stage, i, q.Of, err, perr)
		}
		if !slices.Equal(objIDs(fp.Items), objIDs(pp.Items)) || fp.Next != pp.Next {
			t.Errorf("%s: page %d of %s (top %d, cast %q): %v next %q; store %v next %q",
				stage, i, q.Of, top, q.Kind, objIDs(fp.Items), fp.Next, objIDs(pp.Items), pp.Next)
			return
		}
		for j := range fp.Items {
			if fg, pg := fp.Items[j].Group, pp.Items[j].Group; fg == nil || pg == nil || fg.DisplayName != pg.DisplayName {
				t.Errorf("%s: item %s differs: %+v, %+v", stage, fp.Items[j].ID(), fg, pg)
			}
		}
		all = append(all, objIDs(fp.Items)...)
		if fp.Next == "" {
			break
		}
		// Carry each Service's cursor to the other.
		q.Page.After, qp.Page.After = pp.Next, fp.Next
	}
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Errorf("%s: pages of %s are not in id order without repeats: %v", stage, q.Of, all)
	}
	q.Page.After = "not a cursor"
	_, err := fast.List(ctx, tid, q, ofKind)
	_, perr := plain.List(ctx, tid, q, ofKind)
	if errors.Is(err, directory.ErrBadCursor) != errors.Is(perr, directory.ErrBadCursor) ||
		(q.Kind != directory.KindUser && !errors.Is(err, directory.ErrBadCursor)) {
		t.Errorf("%s: bad cursor: %v; store %v", stage, err, perr)
	}
}
