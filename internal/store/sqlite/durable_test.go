package sqlite

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"groupd/internal/directory"
)

// heldSync makes the store's fsyncs wait until a value arrives on release
// (nil: sync for real; an error: fail with it) and reports each fsync that
// starts on started. free lets every fsync run freely again; defer it after
// the store's Close, so that closing never waits for a held fsync.
func heldSync(s *Store) (release chan error, started chan struct{}, free func()) {
	release, started = make(chan error), make(chan struct{}, 100)
	freed := make(chan struct{})
	s.sync.syncFile = func(f *os.File) error {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case err := <-release:
			if err != nil {
				return err
			}
		case <-freed:
		}
		return f.Sync()
	}
	var once sync.Once
	return release, started, func() { once.Do(func() { close(freed) }) }
}

// insertUser inserts a user in an update of its own; ran is closed when
// its function has run (not yet committed or durable).
func insertUser(s *Store, tid directory.TenantID, name string) (done chan error, ran chan struct{}) {
	done, ran = make(chan error, 1), make(chan struct{})
	u := testUser(tid, name)
	go func() {
		done <- s.Update(context.Background(), func(tx directory.Tx) error {
			defer close(ran)
			return tx.InsertUser(context.Background(), u)
		})
	}()
	return done, ran
}

func within(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(5 * time.Second):
		t.Fatal(what + " did not happen")
	}
}

func notAnswered(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s was answered (err %v)", what, err)
	case <-time.After(50 * time.Millisecond):
	}
}

// A commit is answered only after an fsync that began after it, and the
// writer runs the next updates while that fsync runs.
func TestCommitAnsweredAfterSyncAndPipelined(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	tid := seedTenant(t, s)
	release, started, free := heldSync(s)
	defer free()

	first, _ := insertUser(s, tid, "first")
	within(t, started, "the first fsync")
	second, ran := insertUser(s, tid, "second")
	within(t, ran, "running the second update while the first fsync is held")
	notAnswered(t, first, "the first update, before its fsync ended,")
	notAnswered(t, second, "the second update, before any fsync covering it,")

	release <- nil // the first fsync ends; it began before the second commit
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	within(t, started, "the second fsync")
	notAnswered(t, second, "the second update, before its own fsync ended,")
	release <- nil
	if err := <-second; err != nil {
		t.Fatal(err)
	}
}

// A change log read outside the writer returns only rows already durable.
func TestChangeLogReadWaitsForDurability(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	pos, err := s.ChangePosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	release, started, free := heldSync(s)
	defer free()
	change := directory.Change{TenantID: tid, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
		Op: directory.OpCreated, At: time.Now()}
	wrote := make(chan error, 1)
	go func() {
		wrote <- s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{change}) })
	}()
	within(t, started, "the fsync of the change")
	read := make(chan []directory.Change, 1)
	go func() {
		rows, err := s.Changes(ctx, pos, 10)
		if err != nil {
			t.Error(err)
		}
		read <- rows
	}()
	select {
	case rows := <-read:
		t.Fatalf("read %d change rows before they were durable", len(rows))
	case <-time.After(50 * time.Millisecond):
	}
	release <- nil
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	// The reader may have asked for an fsync of its own after the writer's.
	for {
		select {
		case rows := <-read:
			if len(rows) != 1 || rows[0].ObjectID != change.ObjectID {
				t.Fatalf("rows = %+v", rows)
			}
			return
		case <-started:
			release <- nil
		case <-time.After(5 * time.Second):
			t.Fatal("change log read never returned")
		}
	}
}

// After a failed fsync nothing more is acknowledged: the caller of the
// commit and every later writer get ErrUnavailable.
func TestFailedSyncIsSticky(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	tid := seedTenant(t, s)
	release, started, free := heldSync(s)
	defer free()
	done, _ := insertUser(s, tid, "lost")
	within(t, started, "the fsync")
	release <- syscall.EIO
	if err := <-done; !errors.Is(err, directory.ErrUnavailable) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("commit whose fsync failed: err = %v, want ErrUnavailable wrapping EIO", err)
	}
	later, _ := insertUser(s, tid, "later")
	if err := <-later; !errors.Is(err, directory.ErrUnavailable) {
		t.Fatalf("update after a failed fsync: err = %v, want ErrUnavailable", err)
	}
}
