package auth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/store"
)

// Concurrent first uses of credentials share one verification per
// credential: each caller still gets its own answer, a wrong password
// never rides on a right one's verification, and a caller that gives up
// does not fail the others.
func TestBasicConcurrentVerifications(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := directory.New(st, directory.WithPasswordCost(4), directory.WithReadCache(100))
	boot, err := dir.Bootstrap(ctx, "example.org", "Adm1n-pass")
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		b := auth.NewBasic(dir, time.Hour) // nothing verified yet
		var wg sync.WaitGroup
		for i := range 48 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := ctx
				if i%8 == 7 {
					cc, cancel := context.WithCancel(ctx)
					cancel()
					c = cc
				}
				r := httptest.NewRequest("GET", "/", nil)
				pw := "Adm1n-pass"
				if i%3 == 2 {
					pw = "wrong-pass"
				}
				r.SetBasicAuth("admin@example.org", pw)
				p, err := b.Authenticate(c, r)
				switch {
				case pw == "wrong-pass" && !errors.Is(err, directory.ErrUnauthorized):
					t.Errorf("round %d, caller %d: wrong password: %+v %v", round, i, p, err)
				case pw != "wrong-pass" && i%8 != 7 && (err != nil || p.ID != string(boot.Admin.ID) || !p.IsAdmin):
					t.Errorf("round %d, caller %d: %+v %v", round, i, p, err)
				}
			}()
		}
		wg.Wait()
	}
}
