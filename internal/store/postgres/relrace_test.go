package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
)

// orphanRows counts the relation rows whose group row is missing or of
// another tenant: what the dropped keys to groups kept out (migration 130).
func orphanRows(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	err := s.pool.QueryRow(context.Background(), `SELECT
	(SELECT count(*) FROM memberships m WHERE NOT EXISTS
		(SELECT 1 FROM groups g WHERE g.id = m.group_id AND g.tenant_id = m.tenant_id))
	+ (SELECT count(*) FROM ownerships m WHERE NOT EXISTS
		(SELECT 1 FROM groups g WHERE g.id = m.group_id AND g.tenant_id = m.tenant_id))`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// raceUsers inserts n users of tid.
func raceUsers(t *testing.T, s *Store, tid directory.TenantID, n int) []directory.ObjectID {
	t.Helper()
	ctx := context.Background()
	ids := make([]directory.ObjectID, n)
	if err := s.Update(ctx, func(tx directory.Tx) error {
		for i := range ids {
			ids[i] = directory.NewObjectID()
			u := directory.User{ID: ids[i], TenantID: tid, DisplayName: fmt.Sprint("u", i),
				UserPrincipalName: fmt.Sprintf("u%d@contoso.example", i), CreatedAt: time.Now().UTC()}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func raceGroup(tid directory.TenantID, id directory.ObjectID) directory.Group {
	return directory.Group{ID: id, TenantID: tid, DisplayName: "g" + string(id)[24:], SecurityEnabled: true, CreatedAt: time.Now().UTC()}
}

// TestAddRacingPurge overlaps an add of members with the purge of their
// group: each runs its statements while the other's transaction is open,
// and only then do both commit. Without a key to groups one of the two
// must fail with a serialization failure and run again: the adder then
// finds no group, or the purge finds the new rows and deletes them.
func TestAddRacingPurge(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	users := raceUsers(t, s, tid, 4)
	for round := range 6 {
		g := raceGroup(tid, directory.NewObjectID())
		if err := s.Update(ctx, func(tx directory.Tx) error { return tx.InsertGroup(ctx, g) }); err != nil {
			t.Fatal(err)
		}
		var both sync.WaitGroup
		both.Add(2)
		meet := func(first *bool) {
			if *first { // only the first runs wait: retries run alone
				*first = false
				both.Done()
				both.Wait()
			}
		}
		errs := make([]error, 2)
		var runs atomic.Int32
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			first := true
			errs[0] = s.Update(ctx, func(tx directory.Tx) error {
				runs.Add(1)
				var err error
				switch round % 3 {
				case 0:
					err = tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{{ID: users[0], Kind: directory.KindUser}, {ID: users[1]}})
				case 1:
					err = tx.AddOwners(ctx, tid, g.ID, []directory.MemberRef{{ID: users[2]}})
				default:
					_, err = tx.(directory.UserMemberAdder).AddUserMembers(ctx, tid,
						[]directory.GroupUser{{Group: g.ID, User: users[3]}})
				}
				meet(&first)
				return err
			})
		}()
		go func() {
			defer wg.Done()
			first := true
			errs[1] = s.Update(ctx, func(tx directory.Tx) error {
				runs.Add(1)
				err := tx.DeleteGroup(ctx, tid, g.ID)
				meet(&first)
				return err
			})
		}()
		wg.Wait()
		var nf *directory.NotFoundError
		if errs[0] != nil && !(errors.As(errs[0], &nf) && nf.ID == string(g.ID)) {
			t.Errorf("round %d: add: %v, want nil or *NotFoundError of the group", round, errs[0])
		}
		if errs[1] != nil {
			t.Errorf("round %d: purge: %v", round, errs[1])
		}
		if runs.Load() < 3 {
			t.Errorf("round %d: %d runs, want a third: both committed what they did unaware of the other", round, runs.Load())
		}
		if n := orphanRows(t, s); n != 0 {
			t.Fatalf("round %d: %d relation rows name a missing group", round, n)
		}
	}
}

// TestRelationsRacingDeletes runs member and owner adds and provisioning
// calls against soft deletes and purges of the same groups, from two
// stores (two instances), with no order forced: afterwards no relation row
// names a missing group.
func TestRelationsRacingDeletes(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a, b := openURL(t, dsn), openURL(t, dsn)
	ctx := context.Background()
	tid := seedTenant(t, a)
	users := raceUsers(t, a, tid, 12)
	const rounds, groups = 8, 6
	for round := range rounds {
		var failures sync.Map
		ids := make([]directory.ObjectID, groups)
		for i := range ids {
			ids[i] = directory.NewObjectID()
		}
		// The first half exist before the round; the others are provisioned
		// during it, racing deletes that may come before they exist.
		if err := a.Update(ctx, func(tx directory.Tx) error {
			for _, id := range ids[:groups/2] {
				if err := tx.InsertGroup(ctx, raceGroup(tid, id)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		run := func(s *Store, what string, fn func(tx directory.Tx) error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := s.Update(ctx, fn)
				var nf *directory.NotFoundError
				var re *directory.ReferenceExistsError
				switch {
				case err == nil, errors.As(err, &nf), errors.As(err, &re), errors.Is(err, directory.ErrUnavailable):
					// Unavailable: still conflicting after every retry.
				default:
					failures.Store(what, err)
				}
			}()
		}
		for i, id := range ids {
			pick := func(n int) []directory.ObjectID {
				out := make([]directory.ObjectID, 0, n)
				for _, k := range rand.Perm(len(users))[:n] {
					out = append(out, users[k])
				}
				return out
			}
			if i < groups/2 {
				m, o := pick(3), pick(1)
				run(a, "add members", func(tx directory.Tx) error {
					refs := make([]directory.MemberRef, len(m))
					for k, u := range m {
						refs[k] = directory.MemberRef{ID: u}
					}
					return tx.AddMembers(ctx, tid, id, refs)
				})
				run(b, "add owners", func(tx directory.Tx) error {
					return tx.AddOwners(ctx, tid, id, []directory.MemberRef{{ID: o[0], Kind: directory.KindUser}})
				})
				run(a, "add user member", func(tx directory.Tx) error {
					_, err := tx.(directory.UserMemberAdder).AddUserMember(ctx, tid, id, m[0])
					return err
				})
			} else {
				m, o := pick(8), pick(2)
				run(b, "provision", func(tx directory.Tx) error {
					if err := tx.InsertGroup(ctx, raceGroup(tid, id)); err != nil {
						return err
					}
					return tx.RelateNewGroup(ctx, tid, id, "", o, m)
				})
			}
			s := []*Store{a, b}[i%2]
			if i%3 == 0 {
				run(s, "soft delete", func(tx directory.Tx) error {
					return tx.SoftDeleteGroup(ctx, tid, id, time.Now().UTC())
				})
			}
			run(s, "purge", func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, id) })
		}
		close(start)
		wg.Wait()
		failures.Range(func(what, err any) bool {
			t.Errorf("round %d: %s: %v", round, what, err)
			return true
		})
		if n := orphanRows(t, a); n != 0 {
			t.Fatalf("round %d: %d relation rows name a missing group", round, n)
		}
	}
}

// TestProvisioningRunsOnce: calls that each insert a group and relate its
// owners, its members and the application creating it, eight at a time,
// almost all run once. Added on its own (AddOwners), the creator read the
// index pages where the other calls insert their owners, and about half
// of the calls failed with a serialization failure and ran again.
func TestProvisioningRunsOnce(t *testing.T) {
	s := openURL(t, pgtest.NewDatabase(t))
	ctx := context.Background()
	tid := seedTenant(t, s)
	users := raceUsers(t, s, tid, 20)
	app := directory.NewObjectID()
	const calls, clients = 64, 8
	var runs, next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= calls {
				id := directory.NewObjectID()
				if err := s.Update(ctx, func(tx directory.Tx) error {
					runs.Add(1)
					if err := tx.InsertGroup(ctx, raceGroup(tid, id)); err != nil {
						return err
					}
					return tx.RelateNewGroup(ctx, tid, id, app, users[:2], users)
				}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if again := runs.Load() - calls; again > calls/16 {
		t.Errorf("%d calls ran %d times more", calls, again)
	}
}
