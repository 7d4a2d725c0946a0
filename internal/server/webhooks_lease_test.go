package server

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/testdb"
	"groupd/internal/webhook"
)

// leaseFixture is a directory with webhooks on a fresh store of this run's
// engine, and a subscription to new users whose receiver accepts all.
type leaseFixture struct {
	svc    *directory.Service
	tenant directory.TenantID
	sub    directory.Subscription
	rc     *receiver
	users  int
}

func newLeaseFixture(t *testing.T) *leaseFixture {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := testdb.URL(t, testdb.Engine())
	if testdb.Engine() == testdb.SQLite {
		dsn = "sqlite:" + filepath.Join(dir, store.DefaultFile)
	}
	st, err := store.Open(ctx, dir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := directory.New(st, append(readCache(st), webhooks(Config{WebhookAllowHTTP: true, WebhookAllowPrivate: true}), directory.WithPasswordCost(4))...)
	boot, err := bootstrap(ctx, svc, testDomain, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	f := &leaseFixture{svc: svc, tenant: boot.Tenant.ID, rc: newReceiver(t)}
	f.sub, err = svc.CreateSubscription(ctx, f.tenant, directory.NewSubscription{Resource: "users",
		ChangeType: "created", NotificationURL: f.rc.srv.URL, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// newUser creates a user and returns its id.
func (f *leaseFixture) newUser(t *testing.T) string {
	t.Helper()
	f.users++
	yes := true
	n, upn, pw := fmt.Sprintf("lease%d", f.users), fmt.Sprintf("lease%d@%s", f.users, testDomain), "Passw0rd!x"
	u, err := f.svc.CreateUser(context.Background(), f.tenant, directory.UserFields{DisplayName: &n, MailNickname: &n,
		UserPrincipalName: &upn, AccountEnabled: &yes, Password: &pw}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	return string(u.ID)
}

// claimable reports whether another worker could lease the subscription
// now, and if so gives the lease straight back.
func (f *leaseFixture) claimable(t *testing.T) bool {
	t.Helper()
	ctx := context.Background()
	subs, err := f.svc.ClaimDeliveries(ctx, "other", time.Minute, math.MaxInt64, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if err := f.svc.FinishDelivery(ctx, s.ID, "other", 0, s.Failures, s.NextAttemptAt); err != nil {
			t.Fatal(err)
		}
	}
	return len(subs) == 1 && subs[0].ID == f.sub.ID
}

// TestWebhookLeaseKeptUntilShutdown: after a round its receiver
// acknowledged, the worker keeps the subscription's lease (no other
// worker can claim it) and hands it back when it stops.
func TestWebhookLeaseKeptUntilShutdown(t *testing.T) {
	f := newLeaseFixture(t)
	uid := f.newUser(t)
	// The round runs at the start, then none for an hour.
	w := webhook.NewWorker(f.svc, webhook.Config{PollInterval: time.Hour, Lease: time.Hour, Policy: webhook.Policy{AllowPrivate: true}}, quietLogger())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the delivery to be recorded", func() bool {
		s, err := f.svc.Subscription(context.Background(), f.tenant, f.sub.ID)
		return err == nil && s.Position > f.sub.Position
	})
	if got := f.rc.delivered(); len(got) != 1 || len(got[0].body.Value) != 1 || got[0].body.Value[0].Resource != "Users/"+uid {
		t.Fatalf("delivered %+v", got)
	}
	if f.claimable(t) {
		t.Fatal("another worker claimed the subscription while the lease was kept")
	}
	cancel()
	<-done
	if !f.claimable(t) {
		t.Error("the kept lease was not released when the worker stopped")
	}
}

// TestWebhookKeptLeaseTakenOver: a worker that kept a lease after an
// acknowledged round and then died holds the subscription until the lease
// runs out; then another worker sends what came after the recorded
// position, and nothing before it.
func TestWebhookKeptLeaseTakenOver(t *testing.T) {
	f := newLeaseFixture(t)
	ctx := context.Background()
	f.newUser(t)
	subs, err := f.svc.ClaimDeliveries(ctx, "dead", time.Minute, math.MaxInt64, 10)
	if err != nil || len(subs) != 1 {
		t.Fatalf("claim: %v %+v", err, subs)
	}
	// On PostgreSQL a change is read once every transaction older than
	// its own has ended, in any database of the cluster, which tests of
	// other packages may share.
	var notes []directory.Notification
	var upTo int64
	waitFor(t, "the first user's notification", func() bool {
		notes, upTo, err = f.svc.PendingNotifications(ctx, subs[0], 10)
		if err != nil || len(notes) > 1 {
			t.Fatalf("pending: %v %+v", err, notes)
		}
		return len(notes) == 1
	})
	const lease = 1500 * time.Millisecond
	if _, kept, err := f.svc.RenewDelivery(ctx, f.sub.ID, "dead", upTo, lease); err != nil || !kept {
		t.Fatalf("renew: kept %v, %v", kept, err)
	}
	until := time.Now().Add(lease)
	second := f.newUser(t)

	w := webhook.NewWorker(f.svc, webhook.Config{PollInterval: 10 * time.Millisecond, Policy: webhook.Policy{AllowPrivate: true}}, quietLogger())
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(wctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the delivery after the lease ran out", func() bool { return len(f.rc.delivered()) >= 1 })
	time.Sleep(100 * time.Millisecond) // a second POST would show by now
	got := f.rc.delivered()
	if len(got) != 1 || len(got[0].body.Value) != 1 || got[0].body.Value[0].Resource != "Users/"+second {
		t.Fatalf("delivered %+v, want only the user after the recorded position", got)
	}
	if got[0].at.Before(until) {
		t.Errorf("delivered %v before the kept lease ran out", until.Sub(got[0].at))
	}
}
