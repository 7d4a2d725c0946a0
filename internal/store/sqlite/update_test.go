package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
)

func seedTenant(t *testing.T, s *Store) directory.TenantID {
	t.Helper()
	tn := directory.Tenant{ID: directory.NewTenantID(), DisplayName: "t", IsDefault: true, CreatedAt: time.Now(),
		Domains: []directory.Domain{{Name: "contoso.example", IsDefault: true}}}
	if err := s.Update(context.Background(), func(tx directory.Tx) error { return tx.InsertTenant(context.Background(), tn) }); err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func testUser(tid directory.TenantID, name string) directory.User {
	return directory.User{ID: directory.NewObjectID(), TenantID: tid, UserPrincipalName: name + "@contoso.example", CreatedAt: time.Now()}
}

// holdWriter runs an update that blocks the write loop until release is
// closed, so that updates started meanwhile queue up for one batch (which
// may be the held update's own: it may therefore run again).
func holdWriter(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	started, unblock, finished := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	go func() {
		finished <- s.Update(context.Background(), func(directory.Tx) error {
			once.Do(func() { close(started) })
			<-unblock
			return nil
		})
	}()
	<-started
	return func() { close(unblock) }, finished
}

// queued starts fn as an update and waits (best effort) until it is queued.
func queued(s *Store, wg *sync.WaitGroup, fn func(directory.Tx) error, result *error, panicked *any) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { *panicked = recover() }()
		*result = s.Update(context.Background(), fn)
	}()
}

// inOneBatch runs fns as updates queued, in this order, behind a held
// writer, so that they share its batch; it returns each one's error and
// panic.
func inOneBatch(t *testing.T, s *Store, fns ...func(directory.Tx) error) (errs []error, panics []any) {
	t.Helper()
	release, held := holdWriter(t, s)
	errs, panics = make([]error, len(fns)), make([]any, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		queued(s, &wg, fn, &errs[i], &panics[i])
		time.Sleep(50 * time.Millisecond) // keeps the order
	}
	time.Sleep(50 * time.Millisecond)
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	return errs, panics
}

func TestGroupCommitIsolatesFailures(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	taken := testUser(tid, "taken")
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.InsertUser(ctx, taken) }); err != nil {
		t.Fatal(err)
	}

	release, held := holdWriter(t, s)
	const n = 12
	users := make([]directory.User, n)
	results := make([]error, n)
	panics := make([]any, n)
	refused := errors.New("refused")
	var wg sync.WaitGroup
	for i := range n {
		users[i] = testUser(tid, fmt.Sprintf("u%d", i))
		u := users[i]
		queued(s, &wg, func(tx directory.Tx) error {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			switch i % 4 {
			case 1:
				return refused
			case 2:
				panic("boom")
			case 3:
				dup := testUser(tid, "taken")
				return tx.InsertUser(ctx, dup)
			}
			return nil
		}, &results[i], &panics[i])
	}
	time.Sleep(200 * time.Millisecond) // let every update reach the queue
	before := s.commits.Load()
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := s.commits.Load() - before; got != 1 {
		t.Errorf("%d updates and the held one took %d commits, want 1", n, got)
	}

	for i, u := range users {
		_, err := s.User(ctx, tid, u.ID)
		switch i % 4 {
		case 0:
			if results[i] != nil || panics[i] != nil || err != nil {
				t.Errorf("update %d: result %v, panic %v, read %v; want it committed", i, results[i], panics[i], err)
			}
		case 1:
			if results[i] != refused { // identity: "returned unchanged"
				t.Errorf("update %d: got %v, want its own error", i, results[i])
			}
		case 2:
			if panics[i] == nil {
				t.Errorf("update %d: panic did not reach the caller", i)
			}
		case 3:
			if !errors.Is(results[i], directory.ErrConflict) {
				t.Errorf("update %d: got %v, want a conflict", i, results[i])
			}
		}
		if i%4 != 0 && !errors.Is(err, directory.ErrNotFound) {
			t.Errorf("update %d failed but its user is there (%v)", i, err)
		}
	}
}

// TestGroupCommitSurvivesLostTransaction simulates SQLite rolling back the
// shared transaction in the middle of a batch (it may after an I/O error):
// nothing may be committed twice or reported committed when it is not.
func TestGroupCommitSurvivesLostTransaction(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)

	a, b, c := testUser(tid, "a"), testUser(tid, "b"), testUser(tid, "c")
	var runsA, runsC atomic.Int32
	errs, panics := inOneBatch(t, s, func(tx directory.Tx) error {
		runsA.Add(1)
		return tx.InsertUser(ctx, a)
	}, func(dtx directory.Tx) error {
		if _, err := dtx.(*tx).exec(ctx, "ROLLBACK"); err != nil {
			return err
		}
		// With the transaction gone this would commit on its own.
		err := dtx.InsertUser(ctx, b)
		if err == nil {
			t.Error("a write after the lost transaction succeeded")
		}
		return err
	}, func(tx directory.Tx) error {
		runsC.Add(1)
		return tx.InsertUser(ctx, c)
	})
	errA, errB, errC, pA, pC := errs[0], errs[1], errs[2], panics[0], panics[2]
	if errA != nil || errC != nil || pA != nil || pC != nil {
		t.Fatalf("updates next to the lost transaction failed: %v %v %v %v", errA, errC, pA, pC)
	}
	if errB == nil {
		t.Error("the update whose transaction was lost reported success")
	}
	for _, u := range []directory.User{a, c} {
		if _, err := s.User(ctx, tid, u.ID); err != nil {
			t.Errorf("user %s: %v", u.UserPrincipalName, err)
		}
	}
	if _, err := s.User(ctx, tid, b.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("user written after the lost transaction: %v", err)
	}
	if runsA.Load() < 1 || runsC.Load() < 1 {
		t.Errorf("runs: a %d, c %d", runsA.Load(), runsC.Load())
	}
}

func TestUpdateAfterClose(t *testing.T) {
	s := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.Update(context.Background(), func(directory.Tx) error { return nil })
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("Update after Close: got %v, want ErrUnavailable", err)
	}
	_, err = s.Users(context.Background(), directory.NewTenantID(), directory.PageRequest{})
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("read after Close: got %v, want ErrUnavailable", err)
	}
	if err := s.Ping(context.Background()); !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("Ping after Close: got %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestGroupCommitReplayFailsChangedMind covers a request that succeeded
// in the shared transaction and fails when its chunk is run again after a
// later request failed: its own failure must stand and nothing of it stay.
func TestGroupCommitReplayFailsChangedMind(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	a, c := testUser(tid, "a"), testUser(tid, "c")
	changed := errors.New("changed its mind")
	refused := errors.New("refused")
	var runsA atomic.Int32
	errs, panics := inOneBatch(t, s, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, a); err != nil {
			return err
		}
		if runsA.Add(1) > 1 {
			return changed
		}
		return nil
	}, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, testUser(tid, "b")); err != nil {
			return err
		}
		return refused
	}, func(tx directory.Tx) error { return tx.InsertUser(ctx, c) })
	errA, errB, errC := errs[0], errs[1], errs[2]
	pA, pB, pC := panics[0], panics[1], panics[2]
	if errA != changed || errB != refused || errC != nil || pA != nil || pB != nil || pC != nil {
		t.Fatalf("results: a %v, b %v, c %v (panics %v %v %v)", errA, errB, errC, pA, pB, pC)
	}
	if _, err := s.User(ctx, tid, a.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("a failed but is there (%v)", err)
	}
	if _, err := s.User(ctx, tid, c.ID); err != nil {
		t.Errorf("c: %v", err)
	}
}

func TestStatementRollbackKeepsTransaction(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	u := testUser(tid, "dup")
	err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u); err == nil {
			t.Error("duplicate insert succeeded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.w.rolledBack.Load() {
		t.Error("statement rollback set the flag")
	}
}
