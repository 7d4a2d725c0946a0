package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"groupd/internal/directory"
)

func (f *fixture) subscription(creator string, expires time.Time) directory.Subscription {
	s := directory.Subscription{
		ID: directory.NewObjectID(), TenantID: f.tenant.ID, Resource: "groups",
		ChangeTypes: []string{"created", "updated"}, NotificationURL: "https://hooks.example/n",
		LifecycleURL: "https://hooks.example/l", ClientState: "secret",
		Creator:   directory.Actor{Kind: directory.ActorApp, ID: creator},
		ExpiresAt: expires, CreatedAt: f.now,
	}
	f.update(func(tx directory.Tx) error { return tx.InsertSubscription(f.ctx, s) })
	return s
}

// testSubscriptions: subscriptions, the outbox, leases and positions.
func testSubscriptions(t *testing.T, f *fixture) {
	ctx := f.ctx
	now := f.now
	a := f.subscription("app-1", now.Add(time.Hour))
	b := f.subscription("app-1", now.Add(2*time.Hour))
	f.subscription("app-2", now.Add(time.Hour))
	expired := f.subscription("app-2", now.Add(-time.Minute))

	got := must[directory.Subscription](t, "Subscription")(f.s.Subscription(ctx, f.tenant.ID, a.ID))
	if got.NextAttemptAt.Before(now) {
		got.NextAttemptAt = time.Time{} // any time in the past means due
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("Subscription:\n got %+v\nwant %+v", got, a)
	}
	other := f.otherTenant("fabrikam.example")
	if _, err := f.s.Subscription(ctx, other.ID, a.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("other tenant: %v", err)
	}
	p1 := must[directory.Page[directory.Subscription]](t, "Subscriptions")(f.s.Subscriptions(ctx, f.tenant.ID, "app-1", directory.PageRequest{Top: 1}))
	p2 := must[directory.Page[directory.Subscription]](t, "Subscriptions")(f.s.Subscriptions(ctx, f.tenant.ID, "app-1", directory.PageRequest{Top: 1, After: p1.Next}))
	if len(p1.Items) != 1 || len(p2.Items) != 1 || p2.Next != "" || p1.Items[0].ID == p2.Items[0].ID {
		t.Errorf("pages %+v %+v", p1, p2)
	}
	active := must[[]directory.Subscription](t, "ActiveSubscriptions")(f.s.ActiveSubscriptions(ctx, now, 100))
	if len(active) != 3 {
		t.Errorf("active: %d, want 3", len(active))
	}

	// Renew, and an unknown id.
	f.update(func(tx directory.Tx) error {
		return tx.SetSubscriptionExpiry(ctx, f.tenant.ID, a.ID, now.Add(3*time.Hour))
	})
	if got := must[directory.Subscription](t, "Subscription")(f.s.Subscription(ctx, f.tenant.ID, a.ID)); !got.ExpiresAt.Equal(now.Add(3 * time.Hour)) {
		t.Errorf("renewed expiry %v", got.ExpiresAt)
	}
	if err := f.s.Update(ctx, func(tx directory.Tx) error {
		return tx.SetSubscriptionExpiry(ctx, f.tenant.ID, directory.NewObjectID(), now)
	}); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("renew unknown: %v", err)
	}

	// Positions.
	f.update(func(tx directory.Tx) error {
		if _, ok, err := tx.ConsumerPosition(ctx, "p"); ok || err != nil {
			t.Errorf("missing position: ok %v err %v", ok, err)
		}
		if err := tx.SetConsumerPosition(ctx, "p", 7); err != nil {
			return err
		}
		return tx.SetConsumerPosition(ctx, "p", 9)
	})
	f.update(func(tx directory.Tx) error {
		if c, ok, err := tx.ConsumerPosition(ctx, "p"); c != 9 || !ok || err != nil {
			t.Errorf("position %d %v %v, want 9", c, ok, err)
		}
		return nil
	})

	// Outbox in order; only subscriptions with pending notifications are
	// claimed, each by one owner.
	var notes []directory.Notification
	for i, r := range []string{"Groups/1", "Groups/2", "Groups/3"} {
		notes = append(notes, directory.Notification{SubscriptionID: a.ID, ChangeType: "updated", Resource: r,
			ResourceData: `{"id":"` + r + `"}`, CreatedAt: now.Add(time.Duration(i) * time.Second)})
	}
	notes = append(notes, directory.Notification{SubscriptionID: expired.ID, ChangeType: "created", Resource: "Groups/x", ResourceData: "{}", CreatedAt: now})
	f.update(func(tx directory.Tx) error { return tx.EnqueueNotifications(ctx, notes) })
	pending := must[[]directory.Notification](t, "PendingNotifications")(f.s.PendingNotifications(ctx, a.ID, 10))
	if len(pending) != 3 {
		t.Fatalf("pending %d, want 3", len(pending))
	}
	for i, n := range pending {
		w := notes[i]
		w.Seq = n.Seq
		n.CreatedAt, w.CreatedAt = normTime(n.CreatedAt), normTime(w.CreatedAt)
		if !reflect.DeepEqual(n, w) || (i > 0 && n.Seq <= pending[i-1].Seq) {
			t.Errorf("pending %d: %+v, want %+v", i, n, w)
		}
	}
	claim := func(owner string, at time.Time) []directory.Subscription {
		var subs []directory.Subscription
		f.update(func(tx directory.Tx) error {
			var err error
			subs, err = tx.ClaimSubscriptions(ctx, owner, at, at.Add(time.Minute), 10)
			return err
		})
		return subs
	}
	if got := claim("w1", now); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("claim: %+v, want only a (b has nothing queued, the other one expired)", got)
	}
	if got := claim("w2", now); len(got) != 0 {
		t.Errorf("second claim while leased: %+v", got)
	}
	finish := func(owner string, upTo int64, failures int, next time.Time) bool {
		var ok bool
		f.update(func(tx directory.Tx) error {
			var err error
			ok, err = tx.FinishDelivery(ctx, a.ID, owner, upTo, failures, next)
			return err
		})
		return ok
	}
	if finish("w2", pending[2].Seq, 0, time.Time{}) {
		t.Error("FinishDelivery by a non-owner succeeded")
	}
	if !finish("w1", pending[0].Seq, 0, time.Time{}) {
		t.Error("FinishDelivery by the owner failed")
	}
	if left := must[[]directory.Notification](t, "PendingNotifications")(f.s.PendingNotifications(ctx, a.ID, 10)); len(left) != 2 || left[0].Seq != pending[1].Seq {
		t.Errorf("after delivering the first: %+v", left)
	}
	// A failure defers the next attempt.
	claim("w1", now)
	if !finish("w1", 0, 3, now.Add(time.Minute)) {
		t.Error("FinishDelivery (failure) failed")
	}
	if got := claim("w1", now.Add(30*time.Second)); len(got) != 0 {
		t.Errorf("claimed before next attempt: %+v", got)
	}
	if got := claim("w1", now.Add(2*time.Minute)); len(got) != 1 || got[0].Failures != 3 || !got[0].NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Errorf("claim after next attempt: %+v", got)
	}
	// An expired lease may be claimed by another worker.
	if got := claim("w2", now.Add(4*time.Minute)); len(got) != 1 {
		t.Errorf("claim after lease expiry: %+v", got)
	}

	// Expired, then deleted with the outbox.
	exp := must[[]directory.Subscription](t, "ExpiredSubscriptions")(func() ([]directory.Subscription, error) {
		var out []directory.Subscription
		err := f.s.Update(ctx, func(tx directory.Tx) error {
			var err error
			out, err = tx.ExpiredSubscriptions(ctx, now, 10)
			return err
		})
		return out, err
	}())
	if len(exp) != 1 || exp[0].ID != expired.ID {
		t.Errorf("expired: %+v", exp)
	}
	for _, id := range []directory.ObjectID{a.ID, b.ID} {
		f.update(func(tx directory.Tx) error {
			ok, err := tx.DeleteSubscription(ctx, f.tenant.ID, id)
			if !ok {
				t.Errorf("delete %s: not found", id)
			}
			return err
		})
	}
	f.update(func(tx directory.Tx) error {
		if ok, err := tx.DeleteSubscription(ctx, f.tenant.ID, a.ID); ok || err != nil {
			t.Errorf("second delete: %v %v", ok, err)
		}
		return nil
	})
	if left := must[[]directory.Notification](t, "PendingNotifications")(f.s.PendingNotifications(ctx, a.ID, 10)); len(left) != 0 {
		t.Errorf("outbox of a deleted subscription: %+v", left)
	}
}
