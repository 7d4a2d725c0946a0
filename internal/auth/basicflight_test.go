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

// Concurrent requests share the password check of their credential; each
// still gets the answer for its own credential, right or wrong.
func TestBasicConcurrentLogins(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dir := directory.New(st, directory.WithPasswordCost(4))
	if _, err := dir.Bootstrap(ctx, "example.org", "Adm1n-pass"); err != nil {
		t.Fatal(err)
	}
	// A short TTL makes the later rounds verify again while others wait.
	b := auth.NewBasic(dir, time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for round := 0; round < 5; round++ {
		for i := 0; i < 20; i++ {
			for _, pw := range []string{"Adm1n-pass", "wrong-pass"} {
				wg.Add(1)
				go func(pw string) {
					defer wg.Done()
					r := httptest.NewRequest("GET", "/", nil)
					r.SetBasicAuth("admin@example.org", pw)
					p, err := b.Authenticate(ctx, r)
					switch {
					case pw == "Adm1n-pass" && (err != nil || !p.IsAdmin):
						errs <- errors.Join(errors.New("right password refused"), err)
					case pw != "Adm1n-pass" && !errors.Is(err, directory.ErrUnauthorized):
						errs <- errors.Join(errors.New("wrong password not refused"), err)
					}
				}(pw)
			}
		}
		wg.Wait()
		time.Sleep(2 * time.Millisecond)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
