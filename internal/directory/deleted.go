package directory

import (
	"context"
	"time"
)

// Defaults of the deleted items and the change log, as in Entra.
const (
	DefaultDeletedRetention = 30 * 24 * time.Hour
	DefaultChangeRetention  = 30 * 24 * time.Hour
	// DefaultAuditRetention: Entra keeps directory audits for 30 days.
	DefaultAuditRetention = 30 * 24 * time.Hour
)

// tracking holds the options of deletion and change log retention.
type tracking struct {
	keepSecurityGroups bool
	deletedRetention   time.Duration
	changeRetention    time.Duration
	auditRetention     time.Duration
}

// WithKeepDeletedSecurityGroups makes deleted security groups restorable
// like Microsoft 365 groups, instead of removing them at once.
func WithKeepDeletedSecurityGroups(keep bool) Option {
	return func(s *Service) { s.tracking.keepSecurityGroups = keep }
}

// WithDeletedRetention sets how long deleted users and groups stay
// restorable before PurgeExpired removes them.
func WithDeletedRetention(d time.Duration) Option {
	return func(s *Service) { s.tracking.deletedRetention = d }
}

// WithChangeRetention sets how long change log rows are kept; delta tokens
// older than that must resync.
func WithChangeRetention(d time.Duration) Option {
	return func(s *Service) { s.tracking.changeRetention = d }
}

// WithAuditRetention sets how long audit entries are kept: the change log,
// which they are read from, keeps its rows this long too, and TrimAudit
// removes the entries earlier versions copied after it.
func WithAuditRetention(d time.Duration) Option {
	return func(s *Service) { s.tracking.auditRetention = d }
}

func (s *Service) deletedRetention() time.Duration {
	if s.tracking.deletedRetention > 0 {
		return s.tracking.deletedRetention
	}
	return DefaultDeletedRetention
}

func (s *Service) changeRetention() time.Duration {
	if s.tracking.changeRetention > 0 {
		return s.tracking.changeRetention
	}
	return DefaultChangeRetention
}

func (s *Service) auditRetention() time.Duration {
	if s.tracking.auditRetention > 0 {
		return s.tracking.auditRetention
	}
	return DefaultAuditRetention
}

// changeLogKept is how long the change log keeps a row: its own
// retention, or the audit's, which is read from it, if longer.
func (s *Service) changeLogKept() time.Duration {
	return max(s.changeRetention(), s.auditRetention())
}

// softDeletes reports whether deleting g keeps it restorable.
func (s *Service) softDeletes(g Group) bool {
	return g.IsUnified() || s.tracking.keepSecurityGroups
}

// DeletedItems lists deleted users or groups (req.Kind), ordered by id.
func (s *Service) DeletedItems(ctx context.Context, tenant TenantID, req DeletedListRequest) (Page[Object], error) {
	if req.Kind != KindUser && req.Kind != KindGroup {
		return Page[Object]{}, &ValidationError{Property: "type", Reason: ReasonInvalidValue}
	}
	return s.store.DeletedObjects(ctx, tenant, req)
}

// DeletedItem finds one deleted user or group.
func (s *Service) DeletedItem(ctx context.Context, tenant TenantID, key string) (Object, error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return Object{}, &NotFoundError{Kind: KindAny, ID: key}
	}
	return s.store.DeletedObject(ctx, tenant, id)
}

// RestoreDeleted brings a deleted user or group back with the memberships
// and ownerships it had, as they were. Its unique names must still be free
// (*ConflictError otherwise), and a group may not come back into a group it
// meanwhile contains (*RuleError with RuleCycle). The change log records
// the restore and every relation that became visible again, so delta
// readers and caches see them.
func (s *Service) RestoreDeleted(ctx context.Context, tenant TenantID, key string) (Object, error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return Object{}, &NotFoundError{Kind: KindAny, ID: key}
	}
	var out Object
	err := s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		r, err := tx.RestoreObject(ctx, tenant, id)
		if err != nil {
			return err
		}
		for _, m := range r.Memberships {
			if m.Related.ID != id || m.Related.Kind != KindGroup {
				continue
			}
			// id is back in m.Group; that closes a cycle if id contains it.
			cycle, err := tx.Contains(ctx, tenant, id, m.Group)
			if err != nil {
				return err
			}
			if cycle {
				return &RuleError{Rule: RuleCycle, GroupID: m.Group, MemberID: id}
			}
		}
		log.add(r.Kind, id, OpRestored, nil)
		for _, m := range r.Memberships {
			log.relate(m.Group, OpMemberAdded, m.Related)
		}
		for _, o := range r.Ownerships {
			log.relate(o.Group, OpOwnerAdded, o.Related)
		}
		if r.Kind == KindUser {
			u, err := tx.User(ctx, tenant, id)
			out = Object{User: &u}
			return err
		}
		g, err := tx.Group(ctx, tenant, id)
		out = Object{Group: &g}
		return err
	})
	return out, err
}

// PurgeDeleted removes a deleted user or group for good.
func (s *Service) PurgeDeleted(ctx context.Context, tenant TenantID, key string) error {
	id, ok := ParseObjectID(key)
	if !ok {
		return &NotFoundError{Kind: KindAny, ID: key}
	}
	return s.purge(ctx, tenant, id)
}

func (s *Service) purge(ctx context.Context, tenant TenantID, id ObjectID) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		o, err := tx.DeletedObject(ctx, tenant, id)
		if err != nil {
			return err
		}
		if err := tx.PurgeObject(ctx, tenant, id); err != nil {
			return err
		}
		log.add(o.Kind(), id, OpPurged, nil)
		return nil
	})
}

// purgeBatch bounds the rows one retention pass reads or removes at once.
const purgeBatch = 500

// PurgeExpired removes every object deleted longer ago than the retention,
// one transaction each (an object restored meanwhile is left alone), and
// returns how many it removed.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	n := 0
	for {
		refs, err := s.store.ExpiredDeleted(ctx, s.clock().Add(-s.deletedRetention()), purgeBatch)
		if err != nil || len(refs) == 0 {
			return n, err
		}
		for _, r := range refs {
			err := s.purge(ctx, r.TenantID, r.ID)
			if err != nil && !isNotFound(err) {
				return n, err
			}
			if err == nil {
				n++
			}
		}
		if len(refs) < purgeBatch {
			return n, nil
		}
	}
}

// TrimChanges removes change log rows older than the retention and returns
// how many it removed.
func (s *Service) TrimChanges(ctx context.Context) (int, error) {
	n := 0
	now := s.clock()
	before := now.Add(-s.changeLogKept())
	for {
		var k int
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			k, err = tx.TrimChanges(ctx, before, now, purgeBatch*10)
			return err
		})
		n += k
		if err != nil || k < purgeBatch*10 {
			return n, err
		}
	}
}

// RunRetention purges expired deleted items and trims the change log every
// interval until ctx ends. Several processes may run it on one database:
// each purge and trim is its own transaction and tolerates the others'.
func (s *Service) RunRetention(ctx context.Context, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		if _, err := s.TrimChanges(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
