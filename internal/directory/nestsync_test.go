package directory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// walkCounter counts the nesting walks its store is asked for, so a test
// can tell that the Service answered from its index.
type walkCounter struct {
	directory.Store
	walks atomic.Int64
}

func (w *walkCounter) MemberGroups(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, securityOnly bool, limit int) ([]directory.ObjectID, error) {
	w.walks.Add(1)
	return w.Store.MemberGroups(ctx, tenant, member, securityOnly, limit)
}

// TestCheckedCachesAcrossInstances: two Services with checked caches on one
// database, as two servers. Every write acknowledged by the first is seen
// by the very next read of the second, which answers from its index:
// adds, removes, nestings, a security flag, deletions and a restore.
// sharedStore returns a function that opens another store on one
// database of the engine under test, as a second server would.
func sharedStore(t *testing.T) func() directory.Store {
	url := testdb.URL(t, testdb.Engine())
	return func() directory.Store {
		st, err := openURL(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

func TestCheckedCachesAcrossInstances(t *testing.T) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	counted := &walkCounter{Store: open()}
	b := directory.New(counted, directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	res, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tid := res.Tenant.ID
	e := &env{t: t, ctx: ctx, svc: a, st: counted.Store, tenant: res.Tenant, admin: res.Admin}
	u := e.user("ann").ID
	inner, outer, team := e.group("inner").ID, e.group("outer").ID, e.group("team", "Unified").ID
	all := []directory.ObjectID{inner, outer, team}

	step := "start"
	deleted := map[directory.ObjectID]bool{}
	ask := func(want ...directory.ObjectID) {
		t.Helper()
		want = sortedCopy(want)
		got, err := b.GetMemberGroups(ctx, tid, string(u), false, 0)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: getMemberGroups on the other instance = %v, %v; want %v", step, got, err, want)
		}
		checked, err := b.CheckMemberGroups(ctx, tid, string(u), all)
		if err != nil || !slices.Equal(sortedCopy(checked), want) {
			t.Fatalf("%s: checkMemberGroups on the other instance = %v, %v; want %v", step, checked, err, want)
		}
		p, err := b.TransitiveMemberOf(ctx, tid, string(u), directory.KindUser, directory.PageRequest{Top: 10})
		if err != nil || !slices.Equal(objIDs(p.Items), want) {
			t.Fatalf("%s: transitiveMemberOf on the other instance = %v, %v; want %v", step, objIDs(p.Items), err, want)
		}
		for _, g := range all {
			in, err := b.IsMemberOf(ctx, tid, g, u)
			if deleted[g] {
				if !errors.Is(err, directory.ErrNotFound) {
					t.Fatalf("%s: IsMemberOf(%s), deleted, on the other instance: %v", step, g, err)
				}
				continue
			}
			if err != nil || in != slices.Contains(want, g) {
				t.Fatalf("%s: IsMemberOf(%s) on the other instance = %v, %v", step, g, in, err)
			}
		}
	}
	do := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		step = name
	}
	add := func(g, x directory.ObjectID) error {
		return a.AddMembers(ctx, tid, string(g), []directory.MemberRef{{ID: x}}, directory.Policy{})
	}
	remove := func(g, x directory.ObjectID) error { return a.RemoveMember(ctx, tid, string(g), string(x)) }

	ask()
	do("user into inner", add(inner, u))
	ask(inner)
	do("inner into outer", add(outer, inner))
	ask(inner, outer)
	do("user into team", add(team, u))
	ask(inner, outer, team)
	secOnly, err := b.GetMemberGroups(ctx, tid, string(u), true, 0)
	if want := sortedCopy(all); err != nil || !slices.Equal(secOnly, want) {
		t.Fatalf("security groups: %v, %v; want %v", secOnly, err, want)
	}
	do("outer no longer a security group", a.UpdateGroup(ctx, tid, string(outer),
		directory.GroupUpdate{Fields: directory.GroupFields{SecurityEnabled: b2(false)}}))
	secOnly, err = b.GetMemberGroups(ctx, tid, string(u), true, 0)
	if want := sortedCopy([]directory.ObjectID{inner, team}); err != nil || !slices.Equal(secOnly, want) {
		t.Fatalf("%s: security groups %v, %v; want %v", step, secOnly, err, want)
	}
	do("inner out of outer", remove(outer, inner))
	ask(inner, team)
	do("inner into outer again", add(outer, inner))
	ask(inner, outer, team)
	do("user out of inner", remove(inner, u))
	ask(team)
	do("user into inner again", add(inner, u))
	ask(inner, outer, team)
	do("team deleted", a.DeleteGroup(ctx, tid, string(team)))
	deleted[team] = true
	ask(inner, outer)
	_, err = a.RestoreDeleted(ctx, tid, string(team))
	do("team restored", err)
	deleted[team] = false
	ask(inner, outer, team)
	do("inner deleted", a.DeleteGroup(ctx, tid, string(inner)))
	deleted[inner] = true
	ask(team)
	do("user deleted", a.DeleteUser(ctx, tid, string(u)))
	if _, err := b.GetMemberGroups(ctx, tid, string(u), false, 0); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("%s: getMemberGroups of a deleted user on the other instance: %v", step, err)
	}
	_, err = a.RestoreDeleted(ctx, tid, string(u))
	do("user restored", err)
	ask(team)

	// Warm now: the next answers come from the index alone.
	before := counted.walks.Load()
	ask(team)
	if n := counted.walks.Load() - before; n != 0 {
		t.Errorf("the other instance walked the store %d times on warm reads; want its index", n)
	}
}

func b2(v bool) *bool { return &v }

// slowPending answers PendingChanges late, as over a slow network: the
// snapshot was taken well before the answer arrives.
type slowPending struct{ directory.Store }

func (s slowPending) PendingChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int, skip []directory.CursorRange) (directory.Pending, error) {
	p, err := s.Store.PendingChanges(ctx, tenant, after, limit, skip)
	time.Sleep(2 * time.Millisecond)
	return p, err
}

// TestCheckedCachesConcurrentReaders: readers on a second instance share
// change log statements; each still sees every add acknowledged before it
// asked, also one acknowledged while a statement was on its way.
func TestCheckedCachesConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithPasswordCost(4))
	b := directory.New(slowPending{open()}, directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	res, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tid := res.Tenant.ID
	e := &env{t: t, ctx: ctx, svc: a, tenant: res.Tenant, admin: res.Admin}
	u := e.user("ann").ID
	var groups []directory.ObjectID
	for i := range 30 {
		groups = append(groups, e.group(fmt.Sprintf("g%d", i)).ID)
	}
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := int(acked.Load())
				got, err := b.GetMemberGroups(ctx, tid, string(u), false, 0)
				if err != nil {
					t.Error(err)
					return
				}
				for _, g := range groups[:n] {
					if !slices.Contains(got, g) {
						t.Errorf("a reader that started after %d adds sees %v, without %s", n, got, g)
						return
					}
				}
			}
		})
	}
	for i, g := range groups {
		if err := a.AddMembers(ctx, tid, string(g), []directory.MemberRef{{ID: u}}, directory.Policy{}); err != nil {
			t.Fatal(err)
		}
		acked.Store(int64(i + 1))
	}
	close(stop)
	wg.Wait()
}

// gatedPending holds the answer of one PendingChanges statement, once
// armed, until released: the statement has read, its answer is on the way.
type gatedPending struct {
	directory.Store
	armed   atomic.Bool
	reached chan struct{}
	release chan struct{}
}

func (g *gatedPending) PendingChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int, skip []directory.CursorRange) (directory.Pending, error) {
	p, err := g.Store.PendingChanges(ctx, tenant, after, limit, skip)
	if g.armed.CompareAndSwap(true, false) {
		close(g.reached)
		<-g.release
	}
	return p, err
}

// TestCheckedCachesDoNotShareAnEarlierRead: a read that starts while
// another read's statement is on its way (its snapshot taken before a
// write was acknowledged) waits for a statement of its own.
func TestCheckedCachesDoNotShareAnEarlierRead(t *testing.T) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithPasswordCost(4))
	gate := &gatedPending{Store: open(), reached: make(chan struct{}), release: make(chan struct{})}
	b := directory.New(gate, directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	res, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tid := res.Tenant.ID
	e := &env{t: t, ctx: ctx, svc: a, tenant: res.Tenant, admin: res.Admin}
	u, g := e.user("ann").ID, e.group("g").ID
	for range 2 { // the first read only learns the position
		if got, err := b.GetMemberGroups(ctx, tid, string(u), false, 0); err != nil || len(got) != 0 {
			t.Fatalf("before the add: %v, %v", got, err)
		}
	}
	gate.armed.Store(true)
	early := make(chan error, 1)
	go func() {
		_, err := b.GetMemberGroups(ctx, tid, string(u), false, 0)
		early <- err
	}()
	<-gate.reached
	if err := a.AddMembers(ctx, tid, string(g), []directory.MemberRef{{ID: u}}, directory.Policy{}); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		ids []directory.ObjectID
		err error
	}
	late := make(chan answer, 1)
	go func() {
		ids, err := b.GetMemberGroups(ctx, tid, string(u), false, 0)
		late <- answer{ids, err}
	}()
	time.Sleep(50 * time.Millisecond) // the late read is waiting by now
	close(gate.release)
	if err := <-early; err != nil {
		t.Fatal(err)
	}
	if got := <-late; got.err != nil || !slices.Equal(got.ids, []directory.ObjectID{g}) {
		t.Fatalf("a read that started after the add: %v, %v; want [%s]", got.ids, got.err, g)
	}
}
