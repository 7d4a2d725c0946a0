package directory_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"groupd/internal/directory"
)

// readCounter counts the statements a Service sends for reads by id and
// for checks of its caches.
type readCounter struct {
	directory.Store
	groups, users, objects, checks atomic.Int64
	pendingRows, skipRanges        atomic.Int64 // what the checks returned and left out
}

func (c *readCounter) Group(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Group, error) {
	c.groups.Add(1)
	return c.Store.Group(ctx, tenant, id)
}

func (c *readCounter) User(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.User, error) {
	c.users.Add(1)
	return c.Store.User(ctx, tenant, id)
}

func (c *readCounter) Objects(ctx context.Context, tenant directory.TenantID, ids []directory.ObjectID) ([]directory.Object, error) {
	c.objects.Add(1)
	return c.Store.Objects(ctx, tenant, ids)
}

func (c *readCounter) PendingChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int, skip []directory.CursorRange) (directory.Pending, error) {
	c.checks.Add(1)
	c.skipRanges.Add(int64(len(skip)))
	p, err := c.Store.PendingChanges(ctx, tenant, after, limit, skip)
	c.pendingRows.Add(int64(len(p.Changes)))
	return p, err
}

// checkedPair returns two Services on one database, as two servers: the
// env's writes through one, reads through b, whose statements are counted
// and whose caches are checked.
func checkedPair(t *testing.T) (*env, *directory.Service, *readCounter) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithPasswordCost(4))
	counted := &readCounter{Store: open()}
	b := directory.New(counted, directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	res, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, svc: a, tenant: res.Tenant, admin: res.Admin}, b, counted
}

// readNames reads a user and a group by id through b, and the group as a
// directory object, and fails unless they carry the names wanted.
func readNames(t *testing.T, b *directory.Service, tid directory.TenantID, user, group directory.ObjectID, step, wantUser, wantGroup string) {
	t.Helper()
	ctx := context.Background()
	gotG, err := b.Group(ctx, tid, string(group))
	if err != nil || gotG.DisplayName != wantGroup {
		t.Fatalf("%s: group on the other instance = %q, %v; want %q", step, gotG.DisplayName, err, wantGroup)
	}
	gotU, err := b.User(ctx, tid, string(user))
	if err != nil || gotU.DisplayName != wantUser {
		t.Fatalf("%s: user on the other instance = %q, %v; want %q", step, gotU.DisplayName, err, wantUser)
	}
	o, err := b.DirectoryObject(ctx, tid, string(group))
	if err != nil || o.Group == nil || o.Group.DisplayName != wantGroup {
		t.Fatalf("%s: directory object on the other instance = %+v, %v; want group %q", step, o, err, wantGroup)
	}
}

// TestCheckedReadsByIDAcrossInstances: with checked caches (instances
// sharing one database), reads by id are answered from the cache after a
// check of the change log, and every write acknowledged by the other
// instance is seen by the next read: renames, deletions, a restore.
func TestCheckedReadsByIDAcrossInstances(t *testing.T) {
	ctx := context.Background()
	e, b, counted := checkedPair(t)
	a, tid := e.svc, e.tenant.ID
	// Unified, so that its deletion can be restored.
	u, g := e.user("ann"), e.group("team", "Unified")

	names := func(step, wantUser, wantGroup string) {
		t.Helper()
		readNames(t, b, tid, u.ID, g.ID, step, wantUser, wantGroup)
	}
	names("start", "ann", "team")
	names("again", "ann", "team")

	// Warm: the next reads by id send checks only.
	g0, u0, o0, c0 := counted.groups.Load(), counted.users.Load(), counted.objects.Load(), counted.checks.Load()
	names("warm", "ann", "team")
	if dg, du, do := counted.groups.Load()-g0, counted.users.Load()-u0, counted.objects.Load()-o0; dg+du+do != 0 {
		t.Errorf("warm reads by id read the store (%d groups, %d users, %d objects); want the cache", dg, du, do)
	}
	if n := counted.checks.Load() - c0; n != 3 {
		t.Errorf("three warm reads outside a request sent %d checks; want one each", n)
	}

	if err := a.UpdateGroup(ctx, tid, string(g.ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("renamed team")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateUser(ctx, tid, string(u.ID), directory.UserFields{DisplayName: s("Ann B.")}); err != nil {
		t.Fatal(err)
	}
	names("renamed", "Ann B.", "renamed team")

	if err := a.DeleteGroup(ctx, tid, string(g.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Group(ctx, tid, string(g.ID)); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("deleted group on the other instance: %v; want not found", err)
	}
	if _, err := a.RestoreDeleted(ctx, tid, string(g.ID)); err != nil {
		t.Fatal(err)
	}
	names("restored", "Ann B.", "renamed team")
}

// TestRequestScopeSharesOneCheck: the reads of one request (as the
// authentication's read of the signed-in user and the handler's reads)
// share one check of the caches, whichever derived context they get; the
// next request checks again and sees what was acknowledged meanwhile.
func TestRequestScopeSharesOneCheck(t *testing.T) {
	ctx := context.Background()
	e, b, counted := checkedPair(t)
	a, tid := e.svc, e.tenant.ID
	u, g := e.user("ann"), e.group("team")

	request := func(wantGroup string) {
		t.Helper()
		rctx := b.BeginRequest(ctx)
		before := counted.checks.Load()
		actx, err := b.CheckedRequest(rctx, tid) // as authentication does
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.User(actx, tid, string(u.ID)); err != nil {
			t.Fatal(err)
		}
		// The handler gets the request's context, not authentication's.
		type handlerKey struct{}
		hctx := context.WithValue(rctx, handlerKey{}, 1)
		got, err := b.Group(hctx, tid, string(g.ID))
		if err != nil || got.DisplayName != wantGroup {
			t.Fatalf("group in the request = %q, %v; want %q", got.DisplayName, err, wantGroup)
		}
		if _, err := b.GetMemberGroups(hctx, tid, string(u.ID), false, 0); err != nil {
			t.Fatal(err)
		}
		if n := counted.checks.Load() - before; n != 1 {
			t.Errorf("one request sent %d checks; want 1", n)
		}
	}
	// The first check of a tenant only learns where the change log is.
	if _, err := b.Group(ctx, tid, string(g.ID)); err != nil {
		t.Fatal(err)
	}
	request("team")
	if err := a.UpdateGroup(ctx, tid, string(g.ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("renamed")}}); err != nil {
		t.Fatal(err)
	}
	request("renamed")

	// A scope checked for one tenant does not open another's caches.
	other, err := a.CreateTenant(ctx, "Other", "other.example")
	if err != nil {
		t.Fatal(err)
	}
	rctx := b.BeginRequest(ctx)
	if _, err := b.Group(rctx, tid, string(g.ID)); err != nil {
		t.Fatal(err)
	}
	before := counted.checks.Load()
	if _, err := b.Group(rctx, other.ID, string(g.ID)); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("another tenant's read of the group: %v; want not found", err)
	}
	if n := counted.checks.Load() - before; n != 1 {
		t.Errorf("a read of another tenant in the scope sent %d checks; want 1", n)
	}
}

// TestCheckedCachesSkipOwnWrites: a check of the caches leaves out the
// rows of this instance's own committed writes, which it applied when
// they committed, and still reads the other instance's; every read sees
// both.
func TestCheckedCachesSkipOwnWrites(t *testing.T) {
	ctx := context.Background()
	e, b, counted := checkedPair(t)
	a, tid := e.svc, e.tenant.ID
	u, g := e.user("ann"), e.group("team")
	read := func(step, wantUser, wantGroup string) {
		t.Helper()
		readNames(t, b, tid, u.ID, g.ID, step, wantUser, wantGroup)
	}
	read("start", "ann", "team")

	rows, ranges := counted.pendingRows.Load(), counted.skipRanges.Load()
	if err := b.UpdateGroup(ctx, tid, string(g.ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("team by b")}}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddMembers(ctx, tid, string(g.ID), []directory.MemberRef{{ID: u.ID, Kind: directory.KindUser}}, directory.Policy{}); err != nil {
		t.Fatal(err)
	}
	read("own writes", "ann", "team by b")
	if n := counted.pendingRows.Load() - rows; n != 0 {
		t.Errorf("checks after own writes only read %d rows; want none", n)
	}
	if n := counted.skipRanges.Load() - ranges; n < 2 {
		t.Errorf("checks after two own writes left out %d ranges; want them", n)
	}
	if m, err := b.IsMemberOf(ctx, tid, g.ID, u.ID); err != nil || !m {
		t.Fatalf("own added member, nesting read: %v, %v", m, err)
	}

	rows = counted.pendingRows.Load()
	if _, err := a.UpdateUser(ctx, tid, string(u.ID), directory.UserFields{DisplayName: s("Ann B.")}); err != nil {
		t.Fatal(err)
	}
	if err := b.UpdateGroup(ctx, tid, string(g.ID), directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s("team again")}}); err != nil {
		t.Fatal(err)
	}
	read("both", "Ann B.", "team again")
	if n := counted.pendingRows.Load() - rows; n != 1 {
		t.Errorf("checks after one write on each instance read %d rows; want the other's one", n)
	}
}
