package directory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// followedStore is a real store that records the change rows its change
// follower reads.
type followedStore struct {
	directory.Store
	mu    sync.Mutex
	read  []directory.Change
	reads int // calls of ChangeKeys
}

func (s *followedStore) LastChange(ctx context.Context) (int64, error) {
	return s.Store.(interface {
		LastChange(context.Context) (int64, error)
	}).LastChange(ctx)
}

func (s *followedStore) ChangeKeys(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	rows, err := s.Store.(directory.ChangeKeyReader).ChangeKeys(ctx, after, limit)
	s.mu.Lock()
	s.read = append(s.read, rows...)
	s.reads++
	s.mu.Unlock()
	return rows, err
}

func (s *followedStore) readObjects() map[directory.ObjectID]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[directory.ObjectID]bool{}
	for _, r := range s.read {
		out[r.ObjectID] = true
	}
	return out
}

// TestFollowStepsOverOwnRows: the change follower does not read back the
// rows its own Service wrote, where the store says where they landed
// (SQLite), and still reads those of another process.
func TestFollowStepsOverOwnRows(t *testing.T) {
	if testdb.Engine() != "sqlite" {
		t.Skip("only SQLite's transactions say where their change rows landed")
	}
	e := newEnv(t)
	fs := &followedStore{Store: e.st}
	svc := directory.New(fs, directory.WithPasswordCost(4), directory.WithReadCache(100))
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	done := make(chan error, 1)
	// The follower reads when woken, not on its own: a read that a write
	// of this Service overtakes may return the write's rows, which the
	// follower then drops unread (TestOwnSpans); here no read overlaps a
	// write.
	go func() { done <- svc.Follow(ctx, time.Hour) }()
	// Its first read comes after it has started noting this Service's
	// spans and found the end of the log.
	for started := false; !started; time.Sleep(time.Millisecond) {
		svc.Wake()
		fs.mu.Lock()
		started = fs.reads > 0
		fs.mu.Unlock()
	}

	own := map[directory.ObjectID]bool{}
	for i := range 20 {
		u, err := svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{AccountEnabled: b(true),
			DisplayName: s(fmt.Sprint("own ", i)), MailNickname: s(fmt.Sprint("own", i)),
			UserPrincipalName: s(fmt.Sprintf("own%d@example.org", i)), Password: s("Secr3t-pass")}, directory.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		own[u.ID] = true
	}
	other := e.user("elsewhere") // written by another Service
	deadline := time.Now().Add(10 * time.Second)
	for !fs.readObjects()[other.ID] {
		if time.Now().After(deadline) {
			t.Fatal("the follower never read the other process's row")
		}
		svc.Wake()
		time.Sleep(5 * time.Millisecond)
	}
	for id := range fs.readObjects() {
		if own[id] {
			t.Errorf("the follower read back the row of user %s, written by its own Service", id)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// appFollowedStore is a followedStore that also offers AppChangeKeys,
// the store's own where it has one (PostgreSQL), ChangeKeys filtered
// where it has not.
type appFollowedStore struct {
	followedStore
	appReads int
}

func (s *appFollowedStore) AppChangeKeys(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	var rows []directory.Change
	var err error
	if a, ok := s.Store.(directory.AppChangeReader); ok {
		rows, err = a.AppChangeKeys(ctx, after, limit)
	} else {
		all, e := s.Store.(directory.ChangeKeyReader).ChangeKeys(ctx, after, limit)
		for _, r := range all {
			if r.ObjectKind == directory.KindApplication || r.ObjectKind == directory.KindSigningKey {
				rows = append(rows, r)
			}
		}
		err = e
	}
	s.mu.Lock()
	s.read = append(s.read, rows...)
	s.appReads++
	s.mu.Unlock()
	return rows, err
}

// TestFollowReadsAppRowsOnly: a follower with no cache of objects to keep
// reads only application and signing key rows, where the store offers
// that, and still acts on them; one with a cache reads every row.
func TestFollowReadsAppRowsOnly(t *testing.T) {
	e := newEnv(t)
	for _, cache := range []bool{false, true} {
		fs := &appFollowedStore{followedStore: followedStore{Store: e.st}}
		opts := []directory.Option{directory.WithPasswordCost(4)}
		if cache {
			opts = append(opts, directory.WithReadCache(100))
		}
		svc := directory.New(fs, opts...)
		ctx, cancel := context.WithCancel(e.ctx)
		done := make(chan error, 1)
		go func() { done <- svc.Follow(ctx, 5*time.Millisecond) }()
		// Its first read comes after it has found the end of the log,
		// which the writes below must not precede.
		for started := false; !started; time.Sleep(time.Millisecond) {
			fs.mu.Lock()
			started = fs.reads+fs.appReads > 0
			fs.mu.Unlock()
		}
		gen := svc.SigningKeysGeneration()
		user := e.user(fmt.Sprint("followed-", cache))
		if _, err := e.svc.RotateSigningKeys(e.ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); svc.SigningKeysGeneration() == gen; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("cache %v: the follower never saw the signing key's row", cache)
			}
		}
		if cache {
			for deadline := time.Now().Add(10 * time.Second); !fs.readObjects()[user.ID]; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the caching follower never read the user's row")
				}
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		fs.mu.Lock()
		keys, apps, sawUser := fs.reads, fs.appReads, false
		for _, r := range fs.read {
			sawUser = sawUser || r.ObjectID == user.ID
		}
		fs.mu.Unlock()
		if !cache && (keys != 0 || apps == 0 || sawUser) {
			t.Errorf("without a cache: %d reads of every row, %d of application rows, user's row read: %v; want application rows only", keys, apps, sawUser)
		}
		if cache && (keys == 0 || apps != 0) {
			t.Errorf("with a cache: %d reads of every row, %d of application rows; want every row", keys, apps)
		}
	}
}
