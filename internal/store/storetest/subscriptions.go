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

// testSubscriptions: subscriptions, their change log positions, leases and
// consumer positions.
func testSubscriptions(t *testing.T, f *fixture) {
	ctx := f.ctx
	now := f.now
	a := f.subscription("app-1", now.Add(time.Hour))
	b := f.subscription("app-1", now.Add(2*time.Hour))
	c := f.subscription("app-2", now.Add(time.Hour))
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

	// Only subscriptions the change log has moved past (position below the
	// given cursor) are claimed, each by one owner.
	setPosition := func(sub *directory.Subscription, pos int64) {
		f.update(func(tx directory.Tx) error {
			if _, err := tx.DeleteSubscription(ctx, f.tenant.ID, sub.ID); err != nil {
				return err
			}
			sub.Position = pos
			return tx.InsertSubscription(ctx, *sub)
		})
	}
	setPosition(&b, 50)
	setPosition(&c, 50)
	// Each claim is first asked about by the read that spares idle
	// workers the claim's write; both must agree.
	claim := func(owner string, at time.Time, below int64) []directory.Subscription {
		due := must[bool](t, "SubscriptionsDue")(f.s.SubscriptionsDue(ctx, at, below))
		var subs []directory.Subscription
		f.update(func(tx directory.Tx) error {
			var err error
			subs, err = tx.ClaimSubscriptions(ctx, owner, at, at.Add(time.Minute), below, 10)
			return err
		})
		if due != (len(subs) > 0) {
			t.Errorf("SubscriptionsDue(%v, %d) = %v, and the claim took %d", at, below, due, len(subs))
		}
		return subs
	}
	if got := claim("w1", now, 10); len(got) != 1 || got[0].ID != a.ID || got[0].Position != 0 {
		t.Fatalf("claim: %+v, want only a (b and c are past 10, the other one expired)", got)
	}
	if got := claim("w2", now, 100); len(got) != 2 {
		t.Errorf("second claim while a is leased: %+v, want b and c", got)
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
	position := func() int64 {
		return must[directory.Subscription](t, "Subscription")(f.s.Subscription(ctx, f.tenant.ID, a.ID)).Position
	}
	if finish("w2", 9, 0, time.Time{}) {
		t.Error("FinishDelivery by a non-owner succeeded")
	}
	if position() != 0 {
		t.Errorf("position moved by a non-owner: %d", position())
	}
	if !finish("w1", 5, 0, time.Time{}) {
		t.Error("FinishDelivery by the owner failed")
	}
	if p := position(); p != 5 {
		t.Errorf("position after delivering up to 5: %d", p)
	}
	if got := claim("w1", now, 5); len(got) != 0 {
		t.Errorf("claimed at its position: %+v", got)
	}
	// A failure defers the next attempt and keeps the position, which
	// never moves back.
	claim("w1", now, 10)
	if !finish("w1", 3, 3, now.Add(time.Minute)) {
		t.Error("FinishDelivery (failure) failed")
	}
	if p := position(); p != 5 {
		t.Errorf("position moved back to %d", p)
	}
	if got := claim("w1", now.Add(30*time.Second), 10); len(got) != 0 {
		t.Errorf("claimed before next attempt: %+v", got)
	}
	if got := claim("w1", now.Add(2*time.Minute), 10); len(got) != 1 || got[0].Failures != 3 || got[0].Position != 5 || !got[0].NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Errorf("claim after next attempt: %+v", got)
	}
	// An expired lease may be claimed by another worker.
	if got := claim("w2", now.Add(4*time.Minute), 10); len(got) != 1 {
		t.Errorf("claim after lease expiry: %+v", got)
	}

	// A renewal by the owner records the delivery and keeps the lease; by
	// anyone else it changes nothing. One after the subscription expired
	// records it and lets the lease go.
	renew := func(owner string, upTo int64, at time.Time) (directory.Subscription, bool) {
		var s directory.Subscription
		var kept bool
		f.update(func(tx directory.Tx) error {
			var err error
			s, kept, err = tx.RenewDelivery(ctx, a.ID, owner, upTo, at, at.Add(time.Minute))
			return err
		})
		return s, kept
	}
	at := now.Add(4 * time.Minute) // w2's claim, with 3 failures
	if _, kept := renew("w1", 20, at); kept || position() != 5 {
		t.Errorf("renewal by a non-owner: kept %v, position %d", kept, position())
	}
	if got, kept := renew("w2", 8, at.Add(30*time.Second)); !kept || got.ID != a.ID || got.Position != 8 || got.Failures != 0 ||
		got.ClientState != a.ClientState || position() != 8 {
		t.Errorf("renewal by the owner: kept %v, %+v, position %d", kept, got, position())
	}
	for _, s := range claim("w1", at.Add(80*time.Second), 100) {
		if s.ID == a.ID {
			t.Error("claimed while its lease was renewed")
		}
	}
	if got, kept := renew("w2", 9, now.Add(4*time.Hour)); kept || got.Position != 9 || position() != 9 {
		t.Errorf("renewal after expiry: kept %v, position %d", kept, position())
	}
	if finish("w2", 10, 0, time.Time{}) {
		t.Error("the lease of an expired subscription was kept")
	}

	// Expired, then deleted.
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
	testNotificationChanges(t, f)
}

// testNotificationChanges: NotificationChanges is TenantChanges with the
// fields notifications use, page by page.
func testNotificationChanges(t *testing.T, f *fixture) {
	ctx := f.ctx
	other := f.otherTenant("contoso-notify.example")
	g := directory.NewObjectID()
	var batch []directory.Change
	for i := range 5 {
		for _, tn := range []directory.TenantID{f.tenant.ID, other.ID} {
			batch = append(batch, directory.Change{TenantID: tn, ObjectID: g, ObjectKind: directory.KindGroup,
				Op: directory.OpMemberAdded, RelatedID: directory.NewObjectID(), RelatedKind: directory.KindUser,
				Properties: []string{"members"}, Actor: directory.Actor{Kind: directory.ActorUser, ID: "a", Name: "n"},
				RequestID: "r", ClientAddr: "c", At: f.now.Add(time.Duration(i) * time.Second)})
		}
	}
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, batch) })
	start := must[int64](t, "ChangePosition")(f.s.ChangePosition(ctx)) - int64(len(batch)) - 1
	for _, tn := range []directory.TenantID{f.tenant.ID, other.ID} {
		full := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, tn, max(start, 0), 100))
		var want []directory.Change
		for _, c := range full {
			want = append(want, directory.Change{Cursor: c.Cursor, TenantID: c.TenantID, ObjectID: c.ObjectID,
				ObjectKind: c.ObjectKind, Op: c.Op, RelatedID: c.RelatedID, At: c.At})
		}
		if len(want) < 5 {
			t.Fatalf("TenantChanges: %d rows, want at least 5", len(want))
		}
		var got []directory.Change
		for after := max(start, 0); ; {
			page := must[[]directory.Change](t, "NotificationChanges")(f.s.NotificationChanges(ctx, tn, after, 2))
			got = append(got, page...)
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].Cursor
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("NotificationChanges:\n got %+v\nwant %+v", got, want)
		}
	}
}
