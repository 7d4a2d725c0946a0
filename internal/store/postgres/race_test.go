package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/pgtest"
)

// seedTenant inserts a default tenant through s.
func seedTenant(t *testing.T, s *Store) directory.TenantID {
	t.Helper()
	tn := directory.Tenant{ID: directory.NewTenantID(), DisplayName: "Contoso", IsDefault: true,
		CreatedAt: time.Now().UTC(), Domains: []directory.Domain{{Name: "contoso.example", IsDefault: true}}}
	if err := s.Update(context.Background(), func(tx directory.Tx) error { return tx.InsertTenant(context.Background(), tn) }); err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// TestTwoInstancesSameMailNickname has two stores (two pools, as two groupd
// instances would have) create a mail-enabled group with the same
// mailNickname at the same moment, many times: each time exactly one wins
// and the other gets the conflict, also when both checked first that the
// name was free (the domain's way), which makes PostgreSQL report a
// serialization failure that the retry turns into the conflict.
func TestTwoInstancesSameMailNickname(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a, b := openURL(t, dsn), openURL(t, dsn)
	tid := seedTenant(t, a)
	ctx := context.Background()
	for round := range 40 {
		nick := fmt.Sprintf("Team%d", round)
		check := round%2 == 1
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, s := range []*Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, DisplayName: nick,
					MailNickname: nick, MailEnabled: true, SecurityEnabled: true, CreatedAt: time.Now().UTC()}
				<-start
				errs[i] = s.Update(ctx, func(tx directory.Tx) error {
					if check {
						taken, err := tx.MailNicknameTaken(ctx, tid, nick, false)
						if err != nil {
							return err
						}
						if taken {
							return &directory.ConflictError{Property: "mailNickname", Value: nick}
						}
					}
					return tx.InsertGroup(ctx, g)
				})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			var ce *directory.ConflictError
			switch {
			case err == nil:
				won++
			case errors.As(err, &ce) && ce.Property == "mailNickname":
			default:
				t.Fatalf("round %d: got %v, want nil or a mailNickname conflict", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d winners (%v)", round, won, errs)
		}
	}
	page, err := b.Groups(ctx, tid, directory.GroupListRequest{Page: directory.PageRequest{Top: 100}})
	if err != nil || len(page.Items) != 40 {
		t.Fatalf("groups after the races: %d, %v; want 40", len(page.Items), err)
	}
}

// TestSerializationRetry makes two updates read the owner count of one
// group and then add an owner, overlapping on their first runs: a write
// skew that SERIALIZABLE refuses. Both must succeed, one after running
// again; with retries off the loser reports ErrUnavailable.
func TestSerializationRetry(t *testing.T) {
	for _, retries := range []int{10, -1} {
		t.Run(fmt.Sprint("retries=", retries), func(t *testing.T) {
			dsn := pgtest.NewDatabase(t)
			s, err := Open(context.Background(), dsn, Options{MaxConns: 4, SerializationRetries: retries})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			tid := seedTenant(t, s)
			g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, DisplayName: "g", SecurityEnabled: true, CreatedAt: time.Now().UTC()}
			users := []directory.User{}
			for i := range 2 {
				users = append(users, directory.User{ID: directory.NewObjectID(), TenantID: tid,
					UserPrincipalName: fmt.Sprintf("u%d@contoso.example", i), CreatedAt: time.Now().UTC()})
			}
			if err := s.Update(ctx, func(tx directory.Tx) error {
				for _, u := range users {
					if err := tx.InsertUser(ctx, u); err != nil {
						return err
					}
				}
				return tx.InsertGroup(ctx, g)
			}); err != nil {
				t.Fatal(err)
			}
			var runs atomic.Int32
			var counted sync.WaitGroup
			counted.Add(2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, u := range users {
				wg.Add(1)
				go func() {
					defer wg.Done()
					first := true
					errs[i] = s.Update(ctx, func(tx directory.Tx) error {
						runs.Add(1)
						if _, err := tx.CountOwners(ctx, tid, g.ID); err != nil {
							return err
						}
						if first { // both first runs read before either writes
							first = false
							counted.Done()
							counted.Wait()
						}
						return tx.AddOwners(ctx, tid, g.ID, []directory.MemberRef{{ID: u.ID, Kind: directory.KindUser}})
					})
				}()
			}
			wg.Wait()
			failed := 0
			for _, err := range errs {
				if err != nil {
					failed++
					if !errors.Is(err, directory.ErrUnavailable) {
						t.Errorf("failed update: got %v, want ErrUnavailable", err)
					}
				}
			}
			if retries > 0 && (failed != 0 || runs.Load() < 3) {
				t.Errorf("with retries: %d failed, %d runs; want 0 failed, at least 3 runs (%v)", failed, runs.Load(), errs)
			}
			if retries < 0 && failed != 1 {
				t.Errorf("without retries: %d failed, want 1 (%v)", failed, errs)
			}
		})
	}
}
