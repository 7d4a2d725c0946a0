package directory

import (
	"context"
	"time"
)

// Store is what the domain needs from a storage engine. Engines live in
// internal/store/<engine> and must pass internal/store/storetest.
//
// Reads on the Store see the latest committed state. Soft-deleted users and
// groups are invisible to every read (as if they did not exist), and so are
// memberships and ownerships that involve them.
//
// Every read error that is not ErrNotFound is either ErrUnavailable (the
// engine cannot be reached) or an internal error; errors wrap with %w.
type Store interface {
	Reader

	// Update runs fn in one transaction and commits when fn returns nil; any
	// error from fn rolls everything back and is returned unchanged (so
	// typed domain errors survive). A nil return means the transaction is
	// durable. fn may run more than once when the engine reports a
	// serialization failure, so it must not act outside tx.
	Update(ctx context.Context, fn func(tx Tx) error) error

	// The audit log (audit.go), filled and read beside Update.
	AuditStore

	// Ping reports whether the engine is reachable (ErrUnavailable if not).
	Ping(ctx context.Context) error
	Close() error
}

// Reader answers whole questions in one round trip. Methods that return many
// rows are bounded by a PageRequest; none returns an unbounded list.
type Reader interface {
	// Applications, service principals, signing keys and the tenant list
	// (apps.go).
	AppReader
	TenantLister
	// Delta and deleted items (tracking.go).
	TrackingReader
	// Group settings, teams and idempotency records (governstore.go).
	GovernanceReader
	// Keys kept in the database (secrets.go).
	SecretReader
	// Subscriptions and their notification outbox (subscriptions.go).
	SubscriptionReader

	Tenant(ctx context.Context, id TenantID) (Tenant, error)
	// TenantByDomain finds the tenant that verified domain (case-insensitive).
	TenantByDomain(ctx context.Context, domain string) (Tenant, error)
	// DefaultTenant is the tenant created at first start.
	DefaultTenant(ctx context.Context) (Tenant, error)

	User(ctx context.Context, tenant TenantID, id ObjectID) (User, error)
	// UserByUPN matches userPrincipalName case-insensitively.
	UserByUPN(ctx context.Context, tenant TenantID, upn string) (User, error)
	// UserBySamAccountName matches onPremisesSamAccountName case-insensitively.
	UserBySamAccountName(ctx context.Context, tenant TenantID, sam string) (User, error)
	// Users lists users ordered by id.
	Users(ctx context.Context, tenant TenantID, page PageRequest) (Page[User], error)

	Group(ctx context.Context, tenant TenantID, id ObjectID) (Group, error)
	// Groups lists groups ordered by id; with Expand set, each group carries
	// up to ExpandLimit members (all when ExpandLimit is 0), ordered by id,
	// loaded for the whole page at once.
	Groups(ctx context.Context, tenant TenantID, req GroupListRequest) (Page[Group], error)
	// GroupDisplayNameTaken reports whether a group other than except has this
	// displayName (case-insensitive).
	GroupDisplayNameTaken(ctx context.Context, tenant TenantID, displayName string, except ObjectID) (bool, error)
	// MailNicknameTaken reports whether a group has this mailNickname
	// (case-insensitive): any group, or with mailOnly one that is
	// mail-enabled or Microsoft 365, the groups whose nicknames are unique.
	MailNicknameTaken(ctx context.Context, tenant TenantID, nickname string, mailOnly bool) (bool, error)

	// Objects resolves ids of either kind in one round trip; ids that do not
	// name a visible object are left out. Order is not defined.
	Objects(ctx context.Context, tenant TenantID, ids []ObjectID) ([]Object, error)

	// Members lists direct members of a group, ordered by id.
	Members(ctx context.Context, tenant TenantID, group ObjectID, page PageRequest) (Page[Object], error)
	// Owners lists owners of a group, ordered by id.
	Owners(ctx context.Context, tenant TenantID, group ObjectID, page PageRequest) (Page[Object], error)
	// MemberOf lists the groups the object is a direct member of, ordered by id.
	MemberOf(ctx context.Context, tenant TenantID, member ObjectID, page PageRequest) (Page[Group], error)
	// ExistingMembers returns which of ids are direct members of group.
	ExistingMembers(ctx context.Context, tenant TenantID, group ObjectID, ids []ObjectID) ([]ObjectID, error)
	// ExistingOwners returns which of ids are owners of group.
	ExistingOwners(ctx context.Context, tenant TenantID, group ObjectID, ids []ObjectID) ([]ObjectID, error)
	// CountOwners counts the visible owners of a group.
	CountOwners(ctx context.Context, tenant TenantID, group ObjectID) (int, error)
	// Contains reports whether member is a member of group, directly or
	// through any nesting (following visible memberships only).
	Contains(ctx context.Context, tenant TenantID, group, member ObjectID) (bool, error)

	// Transitive membership (transitive.go).
	TransitiveReader

	// List and Count answer list queries: filters, search, orders, casts
	// and counts (see Querier).
	Querier

	// Changes returns change log rows after the cursor, in commit order, at
	// most limit of them. A row that commits late is never skipped: every
	// row returned has a cursor greater than after, and no row with a
	// smaller cursor becomes visible later.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
}

// Tx is a write transaction. Its reads see its own writes.
type Tx interface {
	Reader
	AppTx
	TrackingTx
	GovernanceTx
	SubscriptionTx

	InsertTenant(ctx context.Context, t Tenant) error
	// InsertUser fails with *ConflictError naming userPrincipalName,
	// onPremisesSamAccountName or mail when a visible user has that value
	// (case-insensitive).
	InsertUser(ctx context.Context, u User) error
	// UpdateUser replaces every stored property of the user; same conflicts
	// as InsertUser.
	UpdateUser(ctx context.Context, u User) error
	// SoftDeleteUser hides the user and frees its unique names; memberships
	// and ownerships stay stored for a later restore.
	SoftDeleteUser(ctx context.Context, tenant TenantID, id ObjectID, at time.Time) error

	// InsertGroup fails with *ConflictError naming mailNickname (among
	// mail-enabled and Unified groups) or mail when a visible group has it.
	InsertGroup(ctx context.Context, g Group) error
	UpdateGroup(ctx context.Context, g Group) error
	// SoftDeleteGroup hides a group like SoftDeleteUser.
	SoftDeleteGroup(ctx context.Context, tenant TenantID, id ObjectID, at time.Time) error
	// DeleteGroup removes a group for good, with every membership and
	// ownership it takes part in.
	DeleteGroup(ctx context.Context, tenant TenantID, id ObjectID) error

	// AddMembers adds direct members in one statement. The caller has checked
	// the rules; a duplicate fails with *ReferenceExistsError.
	AddMembers(ctx context.Context, tenant TenantID, group ObjectID, members []MemberRef) error
	// RemoveMember reports whether the membership existed.
	RemoveMember(ctx context.Context, tenant TenantID, group, member ObjectID) (bool, error)
	AddOwners(ctx context.Context, tenant TenantID, group ObjectID, owners []MemberRef) error
	RemoveOwner(ctx context.Context, tenant TenantID, group, owner ObjectID) (bool, error)

	// AppendChanges writes change log rows; the store assigns Cursor.
	AppendChanges(ctx context.Context, changes []Change) error
}

// PageRequest asks for at most Top items after the cursor After ("" = from
// the start). Cursors are opaque strings produced by the store.
type PageRequest struct {
	Top   int
	After string
}

// Page is one page of a keyset-paged list; Next is the cursor of the next
// page, "" when this is the last.
type Page[T any] struct {
	Items []T
	Next  string
}

// GroupListRequest asks for a page of groups, optionally with members.
type GroupListRequest struct {
	Page        PageRequest
	Expand      bool
	ExpandLimit int
}

// ChangeOp is what happened to an object.
type ChangeOp string

const (
	OpCreated       ChangeOp = "created"
	OpUpdated       ChangeOp = "updated"
	OpDeleted       ChangeOp = "deleted"     // soft delete
	OpHardDeleted   ChangeOp = "hardDeleted" // gone for good
	OpMemberAdded   ChangeOp = "memberAdded"
	OpMemberRemoved ChangeOp = "memberRemoved"
	OpOwnerAdded    ChangeOp = "ownerAdded"
	OpOwnerRemoved  ChangeOp = "ownerRemoved"
)

// Change is one row of the change log: enough for delta queries, audit,
// webhooks and cache invalidation to work from it alone.
type Change struct {
	Cursor      int64 // assigned by the store, increasing in commit order
	TenantID    TenantID
	ObjectID    ObjectID
	ObjectKind  ObjectKind // KindUser, KindGroup, or "tenant"
	Op          ChangeOp
	RelatedID   ObjectID   // the member or owner for membership/ownership ops
	RelatedKind ObjectKind // its kind
	Properties  []string   // names of changed properties (created/updated)
	Actor       Actor
	RequestID   string
	ClientAddr  string
	At          time.Time
}

// SameOrigin reports whether c and o share their tenant, actor, request,
// client and time, as the rows one request writes do; stores send those
// values once for such rows.
func (c Change) SameOrigin(o Change) bool {
	return c.TenantID == o.TenantID && c.Actor == o.Actor && c.RequestID == o.RequestID &&
		c.ClientAddr == o.ClientAddr && c.At.Equal(o.At)
}
