package directory_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// relateSpy records what RelateNewGroupAt was given and answered, for
// stores that have it.
type relateSpy struct {
	directory.Store
	calls [][2]int64 // visibleAt, the count the store read
}

type relateSpyTx struct {
	directory.Tx
	s *relateSpy
}

func (s *relateSpy) UserRemovals(ctx context.Context) (int64, error) {
	return s.Store.(directory.UserRemovalCounter).UserRemovals(ctx)
}

func (s *relateSpy) Update(ctx context.Context, fn func(directory.Tx) error) error {
	return s.Store.Update(ctx, func(tx directory.Tx) error { return fn(relateSpyTx{tx, s}) })
}

func (t relateSpyTx) RelateNewGroupAt(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID,
	owners, members []directory.ObjectID, visibleAt int64) (int64, error) {
	n, err := t.Tx.(directory.NewGroupRelaterAt).RelateNewGroupAt(ctx, tenant, group, app, owners, members, visibleAt)
	t.s.calls = append(t.s.calls, [2]int64{visibleAt, n})
	return n, err
}

// TestProvisionSkipsCheckWhileNoUserWent: names resolved by the store or
// the name cache are related without a check while no user has gone; a
// removal anywhere makes the next call check, and the call after that
// skips it again.
func TestProvisionSkipsCheckWhileNoUserWent(t *testing.T) {
	ctx := context.Background()
	inner := testdb.Open(t)
	if _, ok := inner.(directory.UserRemovalCounter); !ok {
		t.Skipf("the %s store keeps no count of user removals", testdb.Engine())
	}
	spy := &relateSpy{Store: inner}
	svc := directory.New(spy, directory.WithReadCache(1000), directory.WithPasswordCost(4))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: svc, st: inner, tenant: boot.Tenant, admin: boot.Admin}
	e.user("alice")
	e.user("carol")
	gone := e.user("gone")
	provision := func(nick string) (skipped bool) {
		t.Helper()
		spy.calls = nil
		if _, err := svc.ProvisionGroup(ctx, e.tenant.ID, provisionReq(nick, "alice@example.org"), renderID); err != nil {
			t.Fatalf("provision %s: %v", nick, err)
		}
		if len(spy.calls) != 1 {
			t.Fatalf("provision %s: %d calls of RelateNewGroupAt, want 1", nick, len(spy.calls))
		}
		return spy.calls[0][0] == spy.calls[0][1]
	}
	for i, want := range []bool{true, true} { // names from the store, then from the cache
		if got := provision(fmt.Sprint("p", i)); got != want {
			t.Errorf("call %d skipped the check: %v, want %v", i, got, want)
		}
	}
	if err := svc.DeleteUser(ctx, e.tenant.ID, string(gone.ID)); err != nil {
		t.Fatal(err)
	}
	if provision("after-removal") {
		t.Error("the call after a removal skipped the check")
	}
	if !provision("after-check") {
		t.Error("the call after a checked one did not skip the check")
	}
}

// TestProvisionStaleNameFromAnotherProcess: a user another process
// removed is still in this Service's name cache (no follower runs), and
// the call naming it fails as if the user were gone when the names were
// resolved: the cache entry's removal count is older than the store's.
func TestProvisionStaleNameFromAnotherProcess(t *testing.T) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithReadCache(1000), directory.WithPasswordCost(4))
	b := directory.New(open(), directory.WithPasswordCost(4))
	boot, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: a, tenant: boot.Tenant, admin: boot.Admin}
	e.user("alice")
	carol := e.user("carol")
	if _, err := a.ProvisionGroup(ctx, e.tenant.ID, provisionReq("first", "alice@example.org"), renderID); err != nil {
		t.Fatal(err) // carol's name is in a's cache now
	}
	if err := b.DeleteUser(ctx, e.tenant.ID, string(carol.ID)); err != nil {
		t.Fatal(err)
	}
	_, err = a.ProvisionGroup(ctx, e.tenant.ID, provisionReq("second", "alice@example.org"), renderID)
	var upe *directory.UnknownPrincipalError
	if !errors.As(err, &upe) || upe.Relation != "members" || upe.Value != "carol@example.org" {
		t.Fatalf("provision naming a user another process removed: %v, want carol unknown", err)
	}
}
