package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Change notifications flow in two steps. DispatchNotifications reads the
// change log after a stored position and, in one transaction, appends a
// notification to the outbox for every subscription a change matches and
// moves the position: a change is queued exactly once, even with several
// instances dispatching (they conflict on the position row and one
// retries), and a restart resumes where the last commit left off. Delivery
// claims subscriptions with leases, so each subscription's queue is sent
// by one worker at a time, in order.

// webhookConsumer names the dispatcher's change log position.
const webhookConsumer = "webhooks"

// maxActiveSubscriptions bounds the subscriptions matched per dispatch.
const maxActiveSubscriptions = 10000

// DispatchNotifications queues the notifications of up to batch changes
// after the dispatcher's position and reports how many changes it read and
// how many notifications it queued. The first run ever starts at the end
// of the log.
func (s *Service) DispatchNotifications(ctx context.Context, batch int) (read, queued int, err error) {
	var n int
	fresh := false
	err = s.store.Update(ctx, func(tx Tx) error {
		n, queued = 0, 0
		pos, ok, err := tx.ConsumerPosition(ctx, webhookConsumer)
		if err != nil {
			return err
		}
		if fresh = !ok; fresh {
			return nil
		}
		changes, err := tx.Changes(ctx, pos, batch)
		if err != nil || len(changes) == 0 {
			return err
		}
		subs, err := tx.ActiveSubscriptions(ctx, s.clock(), maxActiveSubscriptions)
		if err != nil {
			return err
		}
		notes := matchChanges(changes, subs)
		if len(notes) > 0 {
			if err := tx.EnqueueNotifications(ctx, notes); err != nil {
				return err
			}
		}
		queued = len(notes)
		n = len(changes)
		return tx.SetConsumerPosition(ctx, webhookConsumer, changes[len(changes)-1].Cursor)
	})
	if err != nil || !fresh {
		return n, queued, err
	}
	var last int64
	if lc, ok := s.store.(lastChanger); ok {
		if last, err = lc.LastChange(ctx); err != nil {
			return 0, 0, err
		}
	}
	return 0, 0, s.store.Update(ctx, func(tx Tx) error {
		if _, ok, err := tx.ConsumerPosition(ctx, webhookConsumer); err != nil || ok {
			return err // another instance started it
		}
		return tx.SetConsumerPosition(ctx, webhookConsumer, last)
	})
}

// subscriptionChangeType maps a change to a subscription change type ("" for none).
func subscriptionChangeType(op ChangeOp) string {
	switch op {
	case OpCreated:
		return ChangeCreated
	case OpDeleted, OpHardDeleted:
		return ChangeDeleted
	case OpUpdated, OpMemberAdded, OpMemberRemoved, OpOwnerAdded, OpOwnerRemoved:
		return ChangeUpdated
	}
	return ""
}

// matchChanges returns the notifications of changes, in change order per
// subscription. A subscription sees changes made from its creation on.
func matchChanges(changes []Change, subs []Subscription) []Notification {
	var out []Notification
	for _, c := range changes {
		if c.ObjectKind != KindUser && c.ObjectKind != KindGroup {
			continue
		}
		ct := subscriptionChangeType(c.Op)
		if ct == "" {
			continue
		}
		member := c.Op == OpMemberAdded || c.Op == OpMemberRemoved
		for _, sub := range subs {
			if sub.TenantID != c.TenantID || c.At.Before(sub.CreatedAt) || !slices.Contains(sub.ChangeTypes, ct) {
				continue
			}
			switch {
			case sub.Resource == "users" && c.ObjectKind == KindUser:
			case sub.Resource == "groups" && c.ObjectKind == KindGroup:
			case strings.HasPrefix(sub.Resource, "groups/") && c.ObjectKind == KindGroup &&
				sub.Resource == "groups/"+string(c.ObjectID)+"/members" && (member || ct == ChangeDeleted):
			default:
				continue
			}
			out = append(out, notificationOf(sub, c, ct, member))
		}
	}
	return out
}

func notificationOf(sub Subscription, c Change, ct string, member bool) Notification {
	set, typ := "Users", "#Microsoft.Graph.User"
	if c.ObjectKind == KindGroup {
		set, typ = "Groups", "#Microsoft.Graph.Group"
	}
	res := set + "/" + string(c.ObjectID)
	data := map[string]any{"@odata.type": typ, "@odata.id": res, "id": c.ObjectID, "organizationId": c.TenantID}
	if member {
		d := map[string]any{"id": c.RelatedID}
		if c.Op == OpMemberRemoved {
			d["@removed"] = "deleted"
		}
		data["members@delta"] = []any{d}
	}
	b, err := json.Marshal(data)
	if err != nil {
		panic(fmt.Sprintf("notification data: %v", err)) // strings only; cannot fail
	}
	return Notification{SubscriptionID: sub.ID, ChangeType: ct, Resource: res, ResourceData: string(b), CreatedAt: c.At}
}

// LastChange is the cursor of the newest change log row a reader sees,
// for consumers that skip their work while nothing was written; ok is
// false when the store cannot tell cheaply.
func (s *Service) LastChange(ctx context.Context) (cursor int64, ok bool, err error) {
	lc, ok := s.store.(lastChanger)
	if !ok {
		return 0, false, nil
	}
	cursor, err = lc.LastChange(ctx)
	return cursor, err == nil, err
}

// ClaimDeliveries leases up to limit subscriptions whose notifications are
// due to owner for lease.
func (s *Service) ClaimDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]Subscription, error) {
	var subs []Subscription
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock()
		var err error
		subs, err = tx.ClaimSubscriptions(ctx, owner, now, now.Add(lease), limit)
		return err
	})
	return subs, err
}

// PendingNotifications returns up to limit queued notifications of a
// subscription, oldest first.
func (s *Service) PendingNotifications(ctx context.Context, sub ObjectID, limit int) ([]Notification, error) {
	return s.store.PendingNotifications(ctx, sub, limit)
}

// FinishDelivery ends owner's lease on sub: notifications up to upTo are
// delivered (0: none), failures and next attempt are recorded. A lease
// lost meanwhile (it expired and another worker took over) changes
// nothing: that worker delivers again, which at-least-once allows.
func (s *Service) FinishDelivery(ctx context.Context, sub ObjectID, owner string, upTo int64, failures int, next time.Time) error {
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.FinishDelivery(ctx, sub, owner, upTo, failures, next)
		return err
	})
}

// DropSubscription removes a subscription whose receiver kept failing,
// with an audit entry by groupd naming the failures.
func (s *Service) DropSubscription(ctx context.Context, sub Subscription) error {
	ctx = WithCaller(ctx, Caller{Actor: Actor{Kind: ActorSystem, ID: "groupd"}})
	return s.update(ctx, sub.TenantID, func(tx Tx, log *changeLog) error {
		ok, err := tx.DeleteSubscription(ctx, sub.TenantID, sub.ID)
		if err != nil || !ok {
			return err
		}
		log.add(KindSubscription, sub.ID, OpDropped, []string{"notificationUrl"})
		return nil
	})
}

// RemoveExpiredSubscriptions deletes subscriptions past their expiry
// (their queued notifications go too) and reports how many.
func (s *Service) RemoveExpiredSubscriptions(ctx context.Context) (int, error) {
	ctx = WithCaller(ctx, Caller{Actor: Actor{Kind: ActorSystem, ID: "groupd"}})
	expired, err := func() ([]Subscription, error) {
		var out []Subscription
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			out, err = tx.ExpiredSubscriptions(ctx, s.clock(), 1000)
			return err
		})
		return out, err
	}()
	n := 0
	for _, sub := range expired {
		if err != nil {
			break
		}
		removed := false
		err = s.update(ctx, sub.TenantID, func(tx Tx, log *changeLog) error {
			ok, err := tx.DeleteSubscription(ctx, sub.TenantID, sub.ID)
			if removed = ok; err != nil || !ok {
				return err
			}
			log.add(KindSubscription, sub.ID, OpHardDeleted, []string{"expirationDateTime"})
			return nil
		})
		if err == nil && removed {
			n++
		}
	}
	return n, err
}
