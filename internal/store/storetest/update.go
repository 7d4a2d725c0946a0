package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"groupd/internal/directory"
)

func testUpdateRollback(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	sentinel := errors.New("changed my mind")
	u := f.newUser("rolled")
	g := f.group()
	err := f.s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{userRef(u)}); err != nil {
			return err
		}
		if err := tx.AppendChanges(ctx, sampleChanges(f)); err != nil {
			return err
		}
		return sentinel
	})
	// Identity, not errors.Is: the contract is "returned unchanged".
	if err != sentinel {
		t.Fatalf("Update returned %v, want the function's error unchanged", err)
	}
	_, err = f.s.User(ctx, tid, u.ID)
	wantNotFound(t, "User after rollback", err)
	members := must[directory.Page[directory.Object]](t, "Members")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members after rollback", objectIDs(members.Items), nil)
	if rows := must[[]directory.Change](t, "Changes")(f.s.Changes(ctx, 0, 100)); len(rows) != 0 {
		t.Errorf("Changes after rollback: %d rows", len(rows))
	}

	// A typed error from the store itself also rolls back what came before.
	alice := f.insertUser(f.newUser("alice"))
	v := f.newUser("victor")
	dup := f.newUser("alice2")
	dup.UserPrincipalName = alice.UserPrincipalName
	err = f.s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, v); err != nil {
			return err
		}
		return tx.InsertUser(ctx, dup)
	})
	wantConflict(t, "Update with a conflict", err, "userPrincipalName", dup.UserPrincipalName)
	_, err = f.s.User(ctx, tid, v.ID)
	wantNotFound(t, "user inserted before the conflict", err)

	// A panic rolls back too.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a panic in fn did not reach the caller")
			}
		}()
		_ = f.s.Update(ctx, func(tx directory.Tx) error {
			if err := tx.InsertUser(ctx, v); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	_, err = f.s.User(ctx, tid, v.ID)
	wantNotFound(t, "user inserted before a panic", err)
	f.insertUser(v) // the store still works
}

func testUpdateReadsOwnWrites(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u := f.newUser("own")
	g := f.group()
	f.update(func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{userRef(u)}); err != nil {
			return err
		}
		if err := tx.AppendChanges(ctx, sampleChanges(f)[:1]); err != nil {
			return err
		}
		got, err := tx.UserByUPN(ctx, tid, u.UserPrincipalName)
		if err != nil {
			return fmt.Errorf("reading a user by UPN in the tx: %w", err)
		}
		sameUser(t, "user read in its tx", got, u)
		in, err := tx.Contains(ctx, tid, g.ID, u.ID)
		if err != nil || !in {
			return fmt.Errorf("membership in the tx = %v, %v", in, err)
		}
		rows, err := tx.Changes(ctx, 0, 10)
		if err != nil || len(rows) != 1 {
			return fmt.Errorf("the change log in the tx: %d rows, %v", len(rows), err)
		}
		return nil
	})
}

func testUpdateCancel(t *testing.T, f *fixture) {
	tid := f.tenant.ID
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := f.newUser("cancelled")
	err := f.s.Update(ctx, func(tx directory.Tx) error { return tx.InsertUser(ctx, u) })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a cancelled context: got %v, want context.Canceled", err)
	}
	_, err = f.s.User(f.ctx, tid, u.ID)
	wantNotFound(t, "user of a cancelled update", err)

	_, err = f.s.User(ctx, tid, u.ID)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("read with a cancelled context: got %v, want context.Canceled", err)
	}
	_, err = f.s.Users(ctx, tid, directory.PageRequest{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("list with a cancelled context: got %v, want context.Canceled", err)
	}

	// Cancelled while the function runs: its next store call fails and
	// nothing is written.
	ctx, cancel = context.WithCancel(context.Background())
	err = f.s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		cancel()
		return tx.AppendChanges(ctx, sampleChanges(f))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update cancelled midway: got %v, want context.Canceled", err)
	}
	_, err = f.s.User(f.ctx, tid, u.ID)
	wantNotFound(t, "user of an update cancelled midway", err)
}

// testConcurrentWriters runs 8 writers, each adding members one update at a
// time and also running updates that fail; every successful update must
// stay and no failed one may leave a trace.
func testConcurrentWriters(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	const writers, perWriter = 8, 25
	g := f.group()
	users := make([][]directory.User, writers)
	ghosts := make([]directory.User, writers)
	f.update(func(tx directory.Tx) error {
		for w := range writers {
			for i := range perWriter {
				u := f.newUser(fmt.Sprintf("w%d-%d", w, i))
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
				users[w] = append(users[w], u)
			}
			ghosts[w] = f.newUser(fmt.Sprintf("ghost%d", w))
			if err := tx.InsertUser(ctx, ghosts[w]); err != nil {
				return err
			}
		}
		return nil
	})
	failure := errors.New("refused")
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, u := range users[w] {
				err := f.s.Update(ctx, func(tx directory.Tx) error {
					return tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{userRef(u)})
				})
				if err != nil {
					t.Errorf("writer %d add %d: %v", w, i, err)
					return
				}
				if i%5 == 0 {
					err := f.s.Update(ctx, func(tx directory.Tx) error {
						if err := tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{userRef(ghosts[w])}); err != nil {
							return err
						}
						return failure
					})
					if err != failure { // identity: "returned unchanged"
						t.Errorf("writer %d failing update: got %v, want its own error", w, err)
					}
				}
			}
		}()
	}
	wg.Wait()

	var want []directory.ObjectID
	for _, list := range users {
		for _, u := range list {
			want = append(want, u.ID)
		}
	}
	got := allPages(t, 50, func(p directory.PageRequest) (directory.Page[directory.Object], error) {
		return f.s.Members(ctx, tid, g.ID, p)
	})
	sameIDs(t, "members after concurrent adds", objectIDs(got), sorted(want...))
}
