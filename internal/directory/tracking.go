package directory

import (
	"context"
	"time"
)

// TrackingReader is what delta queries and the deleted items need to read
// (embedded in Reader).
type TrackingReader interface {
	// TenantChanges returns the tenant's change log rows after the cursor,
	// with the guarantees of Changes (commit order, no late row skipped).
	TenantChanges(ctx context.Context, tenant TenantID, after int64, limit int) ([]Change, error)
	// NotificationChanges is TenantChanges with only what a change
	// notification is made of: cursor, tenant, object, kind, operation,
	// related object and time.
	NotificationChanges(ctx context.Context, tenant TenantID, after int64, limit int) ([]Change, error)
	// ChangePosition is the cursor of the newest row a reader can see now;
	// every row that becomes visible later has a greater cursor.
	ChangePosition(ctx context.Context) (int64, error)
	// ChangeHorizon is the greatest cursor trimmed from the log (0 when
	// nothing was trimmed): a reader positioned below it may have missed
	// rows.
	ChangeHorizon(ctx context.Context) (int64, error)
	// PendingChanges is what a cache positioned at after must apply to
	// answer as of now, in one round trip: every change of the tenant
	// with a cursor above after that a read starting now would see
	// (committed, in cursor order, also those above the new horizon), and
	// a horizon: a cursor at or below which no change can still become
	// visible. More than limit such changes, or changes above after that
	// were trimmed from the log, set TooMany and return none; limit 0
	// asks for the horizon only (TooMany when anything follows after).
	// The changes carry what caches read: object, kind, operation, related
	// object and properties, not actor, request or time. Rows whose
	// cursors fall in one of skip are left out, before limit counts: the
	// caller has applied them already (its own committed writes).
	PendingChanges(ctx context.Context, tenant TenantID, after int64, limit int, skip []CursorRange) (Pending, error)

	// DeletedObjects lists soft-deleted users or groups (req.Kind), ordered
	// by id.
	DeletedObjects(ctx context.Context, tenant TenantID, req DeletedListRequest) (Page[Object], error)
	// DeletedObject finds a soft-deleted user or group; *NotFoundError when
	// id names no soft-deleted object of the tenant.
	DeletedObject(ctx context.Context, tenant TenantID, id ObjectID) (Object, error)
	// ExpiredDeleted lists up to limit objects of any tenant soft-deleted
	// before the given time.
	ExpiredDeleted(ctx context.Context, before time.Time, limit int) ([]DeletedRef, error)

	// ExistingMemberships returns which of the (group, member) pairs are
	// visible memberships now, in one round trip.
	ExistingMemberships(ctx context.Context, tenant TenantID, pairs []Relation) ([]Relation, error)

	// DeltaSecret returns the tenant's key for delta tokens, nil when it
	// has none yet.
	DeltaSecret(ctx context.Context, tenant TenantID) ([]byte, error)
}

// TrackingTx holds the writes of restore, purge and log retention
// (embedded in Tx).
type TrackingTx interface {
	// RestoreObject makes a soft-deleted user or group visible again, with
	// every membership and ownership it kept, and returns those that are
	// visible now (both sides visible). A unique name taken meanwhile
	// fails with *ConflictError naming the property; an id that names no
	// soft-deleted object fails with *NotFoundError.
	RestoreObject(ctx context.Context, tenant TenantID, id ObjectID) (Restored, error)
	// PurgeObject removes a soft-deleted user or group for good, with its
	// memberships, ownerships and search tokens; *NotFoundError as above.
	PurgeObject(ctx context.Context, tenant TenantID, id ObjectID) error
	// TrimChanges removes change log rows written before the given time,
	// up to limit, and raises the horizon to the greatest cursor removed.
	// Rows are appended in time order, so it removes the oldest rows in
	// cursor order up to the first one written between before and now,
	// which needs no index on time. A row dated after now (written while
	// the clock ran ahead) does not stop it; an old row after a newer one
	// (the clock stepped back) waits until the newer one goes.
	TrimChanges(ctx context.Context, before, now time.Time, limit int) (int, error)
	// InsertDeltaSecret stores the tenant's delta token key unless it has
	// one already (then it does nothing).
	InsertDeltaSecret(ctx context.Context, tenant TenantID, secret []byte) error
}

// DeletedListRequest asks for a page of deleted users or groups, optionally
// only those whose displayName equals (or, with Prefix, starts with)
// DisplayName, case-insensitively.
type DeletedListRequest struct {
	Kind        ObjectKind
	Page        PageRequest
	DisplayName string
	Prefix      bool
}

// DeletedRef names a soft-deleted object.
type DeletedRef struct {
	TenantID TenantID
	ID       ObjectID
	Kind     ObjectKind
}

// Relation is a membership or ownership: Related is a member or owner of
// Group.
type Relation struct {
	Group   ObjectID
	Related MemberRef
}

// Restored lists the relations a restore made visible again.
type Restored struct {
	Kind        ObjectKind
	Memberships []Relation
	Ownerships  []Relation
}

const (
	// OpRestored brings a soft-deleted object back.
	OpRestored ChangeOp = "restored"
	// OpPurged removes a soft-deleted object for good.
	OpPurged ChangeOp = "purged"
)

// CursorRange is the change log rows from First to Last, both included.
type CursorRange struct{ First, Last int64 }

// Pending is the answer of PendingChanges.
type Pending struct {
	Changes []Change
	// Horizon is at least after; no change at or below it can still
	// become visible, so a reader may pass it as after next time, once
	// it has applied Changes.
	Horizon int64
	// TooMany says the reader cannot catch up by applying changes and
	// must drop everything it keeps for the tenant.
	TooMany bool
}
