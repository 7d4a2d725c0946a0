package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
)

// TestWritersTakeTurns: no more than MaxWriters write transactions run at
// once, the others wait for a turn instead of failing, and reads do not
// wait behind them.
func TestWritersTakeTurns(t *testing.T) {
	ctx := context.Background()
	s := openWriters(t, Options{MaxConns: 6, MaxWriters: 2})

	var running, most atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 6)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx directory.Tx) error {
				n := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				if _, err := tx.Changes(ctx, 0, 1); err != nil {
					return err
				}
				started <- struct{}{}
				<-release
				return nil
			})
		})
	}
	for range 2 {
		<-started
	}
	// Two writers hold their turns; the other four wait, and a read
	// still gets a connection.
	time.Sleep(50 * time.Millisecond)
	if n := running.Load(); n != 2 {
		t.Errorf("%d writers running, want 2", n)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	if _, err := s.Changes(rctx, 0, 1); err != nil {
		t.Errorf("read while the writers are busy: %v", err)
	}
	cancel()
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if m := most.Load(); m != 2 {
		t.Errorf("at most %d writers ran at once, want 2", m)
	}
}

// TestWriterGivesUpWaiting: a writer whose context ends while it waits for
// a turn returns the context's error and never runs its function.
func TestWriterGivesUpWaiting(t *testing.T) {
	ctx := context.Background()
	s := openWriters(t, Options{MaxConns: 4, MaxWriters: 1})
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(directory.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	ran := false
	err := s.Update(wctx, func(directory.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Errorf("waiting writer: err %v, ran %v; want the deadline and no run", err, ran)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("holding writer: %v", err)
	}
}

// openWriters opens a store on a fresh database with opts.
func openWriters(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
