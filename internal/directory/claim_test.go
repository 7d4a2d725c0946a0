package directory_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// updateCounter counts the store's write transactions.
type updateCounter struct {
	directory.Store
	updates atomic.Int64
}

func (c *updateCounter) Update(ctx context.Context, fn func(directory.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(ctx, fn)
}

// TestClaimDeliveriesReadsFirst: a claim with nothing due, every poll of
// an idle server, is a read and no write transaction; a due subscription
// is claimed as before.
func TestClaimDeliveriesReadsFirst(t *testing.T) {
	ctx := context.Background()
	st := &updateCounter{Store: testdb.Open(t)}
	svc := directory.New(st, directory.WithPasswordCost(4))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	claim := func() ([]directory.Subscription, int64) {
		t.Helper()
		before := st.updates.Load()
		subs, err := svc.ClaimDeliveries(ctx, "w", time.Minute, math.MaxInt64, 10)
		if err != nil {
			t.Fatal(err)
		}
		return subs, st.updates.Load() - before
	}
	if subs, writes := claim(); len(subs) != 0 || writes != 0 {
		t.Fatalf("claim with no subscription: %d claimed, %d write transactions, want none", len(subs), writes)
	}
	now := time.Now()
	sub := directory.Subscription{ID: directory.NewObjectID(), TenantID: boot.Tenant.ID, Resource: "users",
		ChangeTypes: []string{directory.ChangeCreated}, NotificationURL: "https://receiver.example/hook",
		ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := st.Update(ctx, func(tx directory.Tx) error { return tx.InsertSubscription(ctx, sub) }); err != nil {
		t.Fatal(err)
	}
	if subs, writes := claim(); len(subs) != 1 || subs[0].ID != sub.ID || writes != 1 {
		t.Fatalf("claim of a due subscription: %+v in %d write transactions, want it in 1", subs, writes)
	}
	// Leased now: nothing is due until the lease ends.
	if subs, writes := claim(); len(subs) != 0 || writes != 0 {
		t.Fatalf("claim while leased: %d claimed, %d write transactions, want none", len(subs), writes)
	}
}
