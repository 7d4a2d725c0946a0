package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// testCountsConcurrent: unfiltered counts stay exact while writers create
// and delete groups and users at once and readers count meanwhile (on
// engines that fold their counters when reading, the reads fold while
// the writes go on), and no writer fails because another one counted.
// A transaction's count sees its own writes; a rolled-back one changes
// nothing.
func testCountsConcurrent(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	const writers, perWriter = 6, 30
	count := func(src directory.Source) int {
		t.Helper()
		n, err := f.s.Count(ctx, tid, directory.ListQuery{Source: src})
		if err != nil {
			t.Fatalf("count: %v", err)
		}
		return n
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, src := range []directory.Source{directory.SourceGroups, directory.SourceUsers} {
					if _, err := f.s.Count(ctx, tid, directory.ListQuery{Source: src}); err != nil {
						t.Errorf("count while writing: %v", err)
						return
					}
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				g := f.newGroup(fmt.Sprintf("c%d-%d", w, i))
				u := f.newUser(fmt.Sprintf("c%d-%d", w, i))
				err := f.s.Update(ctx, func(tx directory.Tx) error {
					if err := tx.InsertGroup(ctx, g); err != nil {
						return err
					}
					return tx.InsertUser(ctx, u)
				})
				if err == nil && i%3 == 0 { // every third pair goes again
					err = f.s.Update(ctx, func(tx directory.Tx) error {
						if err := tx.SoftDeleteUser(ctx, tid, u.ID, f.now); err != nil {
							return err
						}
						if i%2 == 0 {
							return tx.DeleteGroup(ctx, tid, g.ID)
						}
						return tx.SoftDeleteGroup(ctx, tid, g.ID, f.now)
					})
				}
				if err != nil {
					t.Errorf("writer %d, %d: %v", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	want := writers * (perWriter - perWriter/3)
	if n := count(directory.SourceGroups); n != want {
		t.Errorf("groups: %d, want %d", n, want)
	}
	if n := count(directory.SourceUsers); n != want {
		t.Errorf("users: %d, want %d", n, want)
	}
	// The same number by the general path: a filter every group matches.
	all := parse(t, directory.SourceGroups, odata.GroupSchema, "$filter=securityEnabled eq true")
	if n, err := f.s.Count(ctx, tid, all); err != nil || n != want {
		t.Errorf("groups by filter: %d, %v; want %d", n, err, want)
	}

	failure := errors.New("roll back")
	err := f.s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertGroup(ctx, f.newGroup("inside")); err != nil {
			return err
		}
		n, err := tx.Count(ctx, tid, directory.ListQuery{Source: directory.SourceGroups})
		if err != nil {
			return err
		}
		if n != want+1 {
			t.Errorf("count inside the transaction: %d, want %d", n, want+1)
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("update: %v", err)
	}
	if n := count(directory.SourceGroups); n != want {
		t.Errorf("groups after a rollback: %d, want %d", n, want)
	}
}

// testSecrets: the paging key exists from migration, is at least 32
// bytes and reads the same every time; an unknown name is not found.
func testSecrets(t *testing.T, f *fixture) {
	k1, err := f.s.Secret(f.ctx, directory.SecretPaging)
	if err != nil || len(k1) < 32 {
		t.Fatalf("paging key: %d bytes, %v", len(k1), err)
	}
	k2, err := f.s.Secret(f.ctx, directory.SecretPaging)
	if err != nil || string(k1) != string(k2) {
		t.Errorf("paging key read twice differs (%v)", err)
	}
	if string(k1) == string(make([]byte, len(k1))) {
		t.Errorf("paging key is all zero")
	}
	if _, err := f.s.Secret(f.ctx, "nope"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("unknown secret: %v", err)
	}
}
