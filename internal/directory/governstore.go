package directory

import (
	"context"
	"time"
)

// Object kinds of the governance records, as change log rows name them.
const (
	KindTeam         ObjectKind = "team"
	KindGroupSetting ObjectKind = "groupSetting"
)

// GroupSetting is a tenant's values for one settings template (Microsoft
// Graph's groupSetting). A tenant has at most one per template.
type GroupSetting struct {
	ID       ObjectID
	TenantID TenantID
	// GroupID names the Microsoft 365 group a group-specific setting
	// belongs to; "" for the tenant's settings.
	GroupID     ObjectID
	TemplateID  string
	DisplayName string
	Values      []SettingValue
	CreatedAt   time.Time
}

// SettingValue is one named value of a setting; values are strings, as in
// Entra ("true", "false", comma-separated lists).
type SettingValue struct {
	Name  string
	Value string
}

// Team is the collaboration space of a Microsoft 365 group; it shares the
// group's id, and its name, description and visibility are the group's.
type Team struct {
	GroupID    ObjectID
	TenantID   TenantID
	InternalID string
	IsArchived bool
	Settings   TeamSettings
	CreatedAt  time.Time

	// Group is the team's group, filled in by Service reads.
	Group Group
}

// IdempotencyRecord is the stored outcome of a call made with an
// idempotency key: a retry with the same key returns Response unchanged.
type IdempotencyRecord struct {
	TenantID  TenantID
	Principal string // who called: the service principal or user id
	Key       string
	// Fingerprint identifies the request body; a key reused for another
	// request is refused.
	Fingerprint string
	GroupID     ObjectID
	Response    []byte
	CreatedAt   time.Time
}

// UPNUser is a user named by its userPrincipalName.
type UPNUser struct {
	ID                ObjectID
	UserPrincipalName string
	Guest             bool // userType is Guest
}

// GovernanceReader reads tenant policies, teams and idempotency records.
type GovernanceReader interface {
	// GroupSettings returns the settings of group, or the tenant's own
	// when group is "", ordered by id (at most one per template, so a
	// handful).
	GroupSettings(ctx context.Context, tenant TenantID, group ObjectID) ([]GroupSetting, error)
	// Team returns the team of a visible group; *NotFoundError (KindTeam)
	// when the group has none or is not visible.
	Team(ctx context.Context, tenant TenantID, group ObjectID) (Team, error)
	// TeamGroups returns a page of the visible groups that have a team,
	// ordered by id.
	TeamGroups(ctx context.Context, tenant TenantID, page PageRequest) (Page[Group], error)
	// UsersByUPN resolves userPrincipalNames (case-insensitive) in one
	// round trip; names of no visible user are left out. Order is not
	// defined.
	UsersByUPN(ctx context.Context, tenant TenantID, upns []string) ([]User, error)
	// UserIDsByUPN is UsersByUPN for callers that need only the ids, as
	// provisioning does for its owners and members: one statement for
	// any number of names, reading three columns.
	UserIDsByUPN(ctx context.Context, tenant TenantID, upns []string) ([]UPNUser, error)
	// IdempotencyRecord returns the record of key for principal;
	// *NotFoundError when there is none.
	IdempotencyRecord(ctx context.Context, tenant TenantID, principal, key string) (IdempotencyRecord, error)
}

// GovernanceTx is the write side, used inside Store.Update.
type GovernanceTx interface {
	// InsertGroupSetting fails with *ConflictError naming templateId when
	// the tenant has a setting of that template.
	InsertGroupSetting(ctx context.Context, s GroupSetting) error
	// ReplaceGroupSetting replaces the values of the setting with s's id;
	// *NotFoundError when there is none.
	ReplaceGroupSetting(ctx context.Context, s GroupSetting) error
	// DeleteGroupSetting removes a setting; *NotFoundError when there is none.
	DeleteGroupSetting(ctx context.Context, tenant TenantID, id ObjectID) error
	// InsertTeam fails with *ConflictError naming team when the group has
	// one. The team is removed with its group (DeleteGroup).
	InsertTeam(ctx context.Context, t Team) error
	// UpdateTeam replaces the stored properties of the group's team;
	// *NotFoundError when there is none.
	UpdateTeam(ctx context.Context, t Team) error
	// PutIdempotencyRecord stores r, replacing a record of the same key.
	PutIdempotencyRecord(ctx context.Context, r IdempotencyRecord) error
	// RelateNewGroup makes users the owners and the members of a group
	// inserted earlier in the same transaction, with one statement per
	// relation at most. The group has no relations yet and users break no
	// nesting rule, so the store checks only that every id names a visible
	// user of the tenant: when one does not, the call fails with
	// *NotFoundError (KindUser) naming the first such id, owners before
	// members, and relates nothing. An id repeated within one list fails
	// with *ReferenceExistsError. app, unless empty, is the service
	// principal of the calling application, made an owner too (an
	// application allowed only to create groups owns what it creates);
	// it is the caller's own, so it is not checked.
	RelateNewGroup(ctx context.Context, tenant TenantID, group, app ObjectID, owners, members []ObjectID) error
}

// RepeatedRelations names an id given twice in the owners or the members
// of a new group: the group is new, so that is the only way one of its
// relations could already exist (RelateNewGroup's stores check it).
func RepeatedRelations(owners, members []ObjectID) error {
	for _, l := range []struct {
		rel string
		ids []ObjectID
	}{{"owners", owners}, {"members", members}} {
		seen := make(map[ObjectID]bool, len(l.ids))
		for _, id := range l.ids {
			if seen[id] {
				return &ReferenceExistsError{Relation: l.rel, ID: id}
			}
			seen[id] = true
		}
	}
	return nil
}
