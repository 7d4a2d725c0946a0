package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"groupd/internal/directory"
)

// listenAll collects what Listen announces on s, after its first connect.
func listenAll(t *testing.T, s *Store) (got func(quiet time.Duration) []directory.TenantID) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan directory.TenantID, 1024)
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, func(tn directory.TenantID) { ch <- tn }) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	select {
	case tn := <-ch:
		if tn != "" {
			t.Fatalf("first call %q, want \"\"", tn)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Listen did not connect")
	}
	// got returns what came until nothing more came for quiet.
	return func(quiet time.Duration) []directory.TenantID {
		var out []directory.TenantID
		for {
			select {
			case tn := <-ch:
				out = append(out, tn)
			case <-time.After(quiet):
				return out
			}
		}
	}
}

// TestNotifyCoalesces: tenants queued while no send is under way go out in
// one send, each tenant once, however many commits named it.
func TestNotifyCoalesces(t *testing.T) {
	s := openTest(t)
	got := listenAll(t, s)
	a, b := directory.NewTenantID(), directory.NewTenantID()
	n := newNotifier(s.pool) // not started: everything queues
	for range 100 {
		n.add([]directory.TenantID{a})
		n.add([]directory.TenantID{b, a})
	}
	n.start()
	defer n.close()
	tenants := got(500 * time.Millisecond)
	if len(tenants) != 2 || !(tenants[0] == a && tenants[1] == b || tenants[0] == b && tenants[1] == a) {
		t.Fatalf("announced %v, want %s and %s once each", tenants, a, b)
	}
}

// TestNotifyAfterCommit: the tenants of a committed update are announced;
// those of a rolled-back update and of a run that failed and ran again
// are not, as a commit sends only what its own run appended.
func TestNotifyAfterCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, DisplayName: "g", SecurityEnabled: true, CreatedAt: time.Now().UTC()}
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.InsertGroup(ctx, g) }); err != nil {
		t.Fatal(err)
	}
	got := listenAll(t, s)

	rolledBack, errRefused := directory.NewTenantID(), errors.New("refused")
	if err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.AppendChanges(ctx, []directory.Change{change(rolledBack, "x")}); err != nil {
			return err
		}
		return errRefused
	}); err != errRefused {
		t.Fatal(err)
	}

	// Two updates read the owner count and add an owner, overlapping on
	// their first runs (TestSerializationRetry): one commits its first
	// run, the other runs again. Each first run appends a change of a
	// tenant of its own.
	firsts := []directory.TenantID{directory.NewTenantID(), directory.NewTenantID()}
	runs := make([]int, 2)
	var counted, wg sync.WaitGroup
	counted.Add(2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(tx directory.Tx) error {
				runs[i]++
				if _, err := tx.CountOwners(ctx, tid, g.ID); err != nil {
					return err
				}
				rows := []directory.Change{change(tid, "owner")}
				if runs[i] == 1 {
					rows = append(rows, change(firsts[i], "first run"))
					counted.Done()
					counted.Wait()
				}
				if err := tx.AppendChanges(ctx, rows); err != nil {
					return err
				}
				return tx.AddOwners(ctx, tid, g.ID, []directory.MemberRef{{ID: directory.NewObjectID(), Kind: directory.KindGroup}})
			})
		}()
	}
	wg.Wait()
	want := map[directory.TenantID]bool{tid: true}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if runs[i] == 1 {
			want[firsts[i]] = true
		}
	}
	if runs[0]+runs[1] < 3 {
		t.Fatalf("runs %v: the updates did not collide", runs)
	}
	announced := map[directory.TenantID]bool{}
	for _, tn := range got(500 * time.Millisecond) {
		announced[tn] = true
	}
	for tn := range want {
		if !announced[tn] {
			t.Errorf("tenant %s of a commit not announced", tn)
		}
	}
	for tn := range announced {
		if !want[tn] {
			t.Errorf("tenant %s announced, of no commit (rolled back: %s, first runs: %v)", tn, rolledBack, firsts)
		}
	}
}
