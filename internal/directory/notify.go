package directory

import (
	"context"
	"slices"
	"strings"
	"time"

	"groupd/internal/jsonx"
)

// Change notifications are read from the change log, with no queue of
// their own: each subscription keeps a position in the log, and its
// pending notifications are the changes after that position that concern
// it. A write costs nothing for them. A worker leases a subscription,
// reads its next notifications, posts them, and only when the receiver
// acknowledges them moves the position past them, in the same write that
// ends the lease or, while the subscription has more to send, renews it:
// delivery is at least once and in order, several
// instances share the work (one lease per subscription at a time), and a
// restart sends again what was not acknowledged. The change log keeps
// every row a subscription has not passed (TrimChanges).

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

// notificationFor is the notification of c for sub, if c concerns it. A
// subscription sees changes made from its creation on.
func notificationFor(sub Subscription, c Change) (Notification, bool) {
	if c.TenantID != sub.TenantID || (c.ObjectKind != KindUser && c.ObjectKind != KindGroup) || c.At.Before(sub.CreatedAt) {
		return Notification{}, false
	}
	ct := subscriptionChangeType(c.Op)
	if ct == "" || !slices.Contains(sub.ChangeTypes, ct) {
		return Notification{}, false
	}
	member := c.Op == OpMemberAdded || c.Op == OpMemberRemoved
	switch {
	case sub.Resource == "users" && c.ObjectKind == KindUser:
	case sub.Resource == "groups" && c.ObjectKind == KindGroup:
	case strings.HasPrefix(sub.Resource, "groups/") && c.ObjectKind == KindGroup &&
		sub.Resource == "groups/"+string(c.ObjectID)+"/members" && (member || ct == ChangeDeleted):
	default:
		return Notification{}, false
	}
	n := notificationOf(sub, c, ct, member)
	n.Seq = c.Cursor
	return n, true
}

// notificationOf builds the resource data by hand: it is written once per
// notification while writes run, and the JSON encoder with a map per
// notification cost as much as reading the change log for it. Keys are in
// the order encoding/json gives a map's.
func notificationOf(sub Subscription, c Change, ct string, member bool) Notification {
	set, typ := "Users", "#Microsoft.Graph.User"
	if c.ObjectKind == KindGroup {
		set, typ = "Groups", "#Microsoft.Graph.Group"
	}
	res := set + "/" + string(c.ObjectID)
	// Room for every part and the keys, so that the buffer is not grown.
	b := make([]byte, 0, 2*len(res)+len(typ)+len(c.RelatedID)+len(c.TenantID)+128)
	b = append(b, `{"@odata.id":`...)
	b = jsonx.AppendString(b, res)
	b = append(b, `,"@odata.type":`...)
	b = jsonx.AppendString(b, typ)
	b = append(b, `,"id":`...)
	b = jsonx.AppendString(b, string(c.ObjectID))
	if member {
		b = append(b, `,"members@delta":[{`...)
		if c.Op == OpMemberRemoved {
			b = append(b, `"@removed":"deleted",`...)
		}
		b = append(b, `"id":`...)
		b = jsonx.AppendString(b, string(c.RelatedID))
		b = append(b, `}]`...)
	}
	b = append(b, `,"organizationId":`...)
	b = jsonx.AppendString(b, string(c.TenantID))
	b = append(b, '}')
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

// ClaimDeliveries leases to owner for lease up to limit due subscriptions
// whose position is below the cursor below (a LastChange): those the
// change log has moved past.
//
// It reads first: a worker with nothing due, as on every poll of an idle
// server, then writes nothing (on SQLite a write transaction costs a sync
// of the WAL, and a checkpoint pass after it). Whatever becomes due after
// the read is claimed at the next poll.
func (s *Service) ClaimDeliveries(ctx context.Context, owner string, lease time.Duration, below int64, limit int) ([]Subscription, error) {
	if due, err := s.store.SubscriptionsDue(ctx, s.clock(), below); err != nil || !due {
		return nil, err
	}
	var subs []Subscription
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock()
		var err error
		subs, err = tx.ClaimSubscriptions(ctx, owner, now, now.Add(lease), below, limit)
		return err
	})
	return subs, err
}

// maxChangeScan: change log rows read per call at most, and per round trip
// at most maxChangeRead, so a subscription whose resource rarely changes
// in a busy tenant still moves on in bounded steps.
const (
	maxChangeScan = 20000
	maxChangeRead = 1000
)

// PendingNotifications returns up to limit notifications of sub after its
// position, oldest first, and the cursor its position may move to once
// they are acknowledged: past every change read that did not concern it.
// Only durable changes are read, so nothing is announced that a crash
// could take back.
func (s *Service) PendingNotifications(ctx context.Context, sub Subscription, limit int) ([]Notification, int64, error) {
	var notes []Notification
	pos := sub.Position
	// The first read is no longer than the notifications wanted, so
	// that a subscription that matches most changes reads nothing twice;
	// reads grow while changes do not match.
	scan := max(limit, 1)
	for read := 0; read < maxChangeScan; scan = min(2*scan, maxChangeRead) {
		// Every change that becomes visible after this has a greater
		// cursor, so a short read below covers the log up to end.
		end, err := s.store.ChangePosition(ctx)
		if err != nil {
			return nil, sub.Position, err
		}
		changes, err := s.store.NotificationChanges(ctx, sub.TenantID, pos, scan)
		if err != nil {
			return nil, sub.Position, err
		}
		read += len(changes)
		for _, c := range changes {
			if n, ok := notificationFor(sub, c); ok {
				notes = append(notes, n)
			}
			pos = c.Cursor
			if len(notes) == limit {
				return notes, pos, nil
			}
		}
		if len(changes) < scan {
			return notes, max(pos, end), nil
		}
	}
	return notes, pos, nil
}

// FinishDelivery ends owner's lease on sub: its position moves up to upTo
// (0: stays), failures and next attempt are recorded. A lease lost
// meanwhile (it expired and another worker took over) changes nothing:
// that worker delivers again, which at-least-once allows.
func (s *Service) FinishDelivery(ctx context.Context, sub ObjectID, owner string, upTo int64, failures int, next time.Time) error {
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.FinishDelivery(ctx, sub, owner, upTo, failures, next)
		return err
	})
}

// RenewDelivery records that sub's receiver acknowledged everything up to
// upTo and keeps owner's lease for lease more, in one write: a worker goes
// on with a subscription that has more to send without claiming it again.
// It returns the subscription as stored now, and whether the lease is kept:
// not when another worker took it over after it ran out, nor once the
// subscription has expired (then it is released).
func (s *Service) RenewDelivery(ctx context.Context, sub ObjectID, owner string, upTo int64, lease time.Duration) (Subscription, bool, error) {
	var (
		out  Subscription
		kept bool
	)
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock()
		var err error
		out, kept, err = tx.RenewDelivery(ctx, sub, owner, upTo, now, now.Add(lease))
		return err
	})
	return out, kept && err == nil, err
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

// RemoveExpiredSubscriptions deletes subscriptions past their expiry and
// reports how many.
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
