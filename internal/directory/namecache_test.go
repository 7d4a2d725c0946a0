package directory_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// nameCountingStore is a real store that counts the names it is asked to
// resolve.
type nameCountingStore struct {
	directory.Store
	names atomic.Int64
}

func (s *nameCountingStore) UserIDsByUPN(ctx context.Context, tenant directory.TenantID, upns []string) ([]directory.UPNUser, error) {
	s.names.Add(int64(len(upns)))
	return s.Store.UserIDsByUPN(ctx, tenant, upns)
}

// provisionedOwner provisions a group owned by owner with member and
// returns the id of its one user owner.
func provisionedOwner(t *testing.T, e *env, nick, owner, member string) (directory.ObjectID, error) {
	t.Helper()
	p := provisionReq(nick, owner)
	p.Members, p.CreateTeam = []string{member}, false
	out, err := e.svc.ProvisionGroup(e.ctx, e.tenant.ID, p, renderID)
	if err != nil {
		return "", err
	}
	owners, err := e.st.Owners(e.ctx, e.tenant.ID, out.Group.ID, directory.PageRequest{Top: 10})
	if err != nil || len(owners.Items) != 1 {
		t.Fatalf("owners of %s: %+v, %v", nick, owners.Items, err)
	}
	return owners.Items[0].ID(), nil
}

// TestProvisionNamesFromCache: names resolved once are answered from the
// read cache; a rename, a delete and a new user taking a freed name are
// seen by the next call.
func TestProvisionNamesFromCache(t *testing.T) {
	ctx := context.Background()
	st := &nameCountingStore{Store: testdb.Open(t)}
	svc := directory.New(st, directory.WithPasswordCost(4), directory.WithReadCache(100))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: svc, st: st.Store, tenant: boot.Tenant, admin: boot.Admin}
	alice, carol := e.user("alice"), e.user("carol")

	if id, err := provisionedOwner(t, e, "p1", "alice@example.org", "carol@example.org"); err != nil || id != alice.ID {
		t.Fatalf("p1: owner %s, %v", id, err)
	}
	if n := st.names.Load(); n != 2 {
		t.Fatalf("first call resolved %d names in the store, want 2", n)
	}
	if id, err := provisionedOwner(t, e, "p2", "ALICE@example.org", "carol@example.org"); err != nil || id != alice.ID {
		t.Fatalf("p2: owner %s, %v", id, err)
	}
	if n := st.names.Load(); n != 2 {
		t.Fatalf("second call went to the store: %d names resolved, want 2", n)
	}

	// Renamed: the old name is unknown, the new one is alice.
	if _, err := svc.UpdateUser(ctx, e.tenant.ID, string(alice.ID), directory.UserFields{UserPrincipalName: s("alice2@example.org")}); err != nil {
		t.Fatal(err)
	}
	var upe *directory.UnknownPrincipalError
	if _, err := provisionedOwner(t, e, "p3", "alice@example.org", "carol@example.org"); !errors.As(err, &upe) || upe.Value != "alice@example.org" {
		t.Fatalf("old name after the rename: %v", err)
	}
	if id, err := provisionedOwner(t, e, "p4", "alice2@example.org", "carol@example.org"); err != nil || id != alice.ID {
		t.Fatalf("new name: owner %s, %v", id, err)
	}
	// The freed name goes to a new user, who owns the next group.
	again := e.user("alice")
	if id, err := provisionedOwner(t, e, "p5", "alice@example.org", "carol@example.org"); err != nil || id != again.ID {
		t.Fatalf("freed name: owner %s, %v, want the new user %s", id, err, again.ID)
	}
	// Deleted: its cached name leads nowhere.
	if err := svc.DeleteUser(ctx, e.tenant.ID, string(carol.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := provisionedOwner(t, e, "p6", "alice@example.org", "carol@example.org"); !errors.As(err, &upe) || upe.Relation != "members" {
		t.Fatalf("deleted member: %v", err)
	}
}

// TestProvisionNamesFollowOtherWriters: a rename made by another process
// (another Service on the same store) reaches the cached names through
// Follow, as it reaches cached reads by id.
func TestProvisionNamesFollowOtherWriters(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice")
	e.user("carol")
	cached := directory.New(e.st, directory.WithPasswordCost(4), directory.WithReadCache(100))
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cached.Follow(ctx, 10*time.Millisecond) }()
	c := &env{t: t, ctx: e.ctx, svc: cached, st: e.st, tenant: e.tenant}
	if id, err := provisionedOwner(t, c, "warm", "alice@example.org", "carol@example.org"); err != nil || id != alice.ID {
		t.Fatalf("first call: owner %s, %v", id, err)
	}
	// The follower starts from the end of the log as it finds it; the
	// rename is repeated until one lands after that start.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		name := fmt.Sprintf("alice%d@example.org", i)
		if _, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(alice.ID), directory.UserFields{UserPrincipalName: s(name)}); err != nil {
			t.Fatal(err)
		}
		seen := false
		for wait := time.Now().Add(200 * time.Millisecond); time.Now().Before(wait); time.Sleep(5 * time.Millisecond) {
			if _, err := provisionedOwner(t, c, fmt.Sprintf("p%d-%d", i, time.Now().UnixNano()), "alice@example.org", "carol@example.org"); err != nil {
				var upe *directory.UnknownPrincipalError
				if !errors.As(err, &upe) {
					t.Fatal(err)
				}
				seen = true
				break
			}
		}
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the follower never dropped the renamed user's name")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestProvisionNamesChecked: with the checked cache of engines shared by
// several processes, a rename by another process is seen by the very
// next call.
func TestProvisionNamesChecked(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice")
	e.user("carol")
	cached := directory.New(e.st, directory.WithPasswordCost(4), directory.WithCheckedReadCache(100))
	c := &env{t: t, ctx: e.ctx, svc: cached, st: e.st, tenant: e.tenant}
	for _, nick := range []string{"c1", "c2"} {
		if id, err := provisionedOwner(t, c, nick, "alice@example.org", "carol@example.org"); err != nil || id != alice.ID {
			t.Fatalf("%s: owner %s, %v", nick, id, err)
		}
	}
	if _, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(alice.ID), directory.UserFields{UserPrincipalName: s("alice2@example.org")}); err != nil {
		t.Fatal(err)
	}
	var upe *directory.UnknownPrincipalError
	if _, err := provisionedOwner(t, c, "c3", "alice@example.org", "carol@example.org"); !errors.As(err, &upe) {
		t.Fatalf("old name after another process renamed the user: %v", err)
	}
}
