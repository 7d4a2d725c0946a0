package directory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The audit log is the change log as people read it: each committed change
// row (signing keys aside), read from the change log itself, so that an
// acknowledged change is listed at once and written once; each change row
// pays for the indexes the audit's filters need. The change log keeps its
// rows for the audit retention too (WithAuditRetention), so that
// TrimChanges trims both. Earlier versions copied the rows to a log of
// their own; a store lists those too, numbered below every later entry,
// until TrimAudit removes them. Entries are listed newest first. Names of
// targets and applications are resolved when the log is read, from the
// objects as they are then; an object that is gone keeps its id only.

// AuditRecord is one stored audit row: a change log row and its number.
type AuditRecord struct {
	Seq int64 // increasing with the change log's order; the entry's id derives from it
	Change
}

// ActivityKey names an activity by the kind of object and the operation.
type ActivityKey struct {
	Kind ObjectKind
	Op   ChangeOp
}

// AuditQuery selects audit rows of one tenant. Zero fields do not filter.
type AuditQuery struct {
	Since, Until time.Time // inclusive bounds on the change's time
	// Activities keeps rows whose (kind, op) is one of these; a non-nil
	// empty list keeps none (a name no activity has).
	Activities []ActivityKey
	Target     ObjectID // the changed object or the related member/owner
	ActorID    string
	RequestID  string
	// Page: at most Top rows (1..999, default 100), newest first, after
	// the cursor of a previous page.
	Page PageRequest
}

// AuditStore is the store's side of the audit log. It works beside Update,
// not inside it: an engine may keep the rows copied by earlier versions
// apart from the directory (SQLite keeps them in a file of its own).
type AuditStore interface {
	// AuditLog lists a tenant's audit rows newest first (by Seq), keyset
	// paged; a cursor that is not one of its own is ErrBadCursor. It lists
	// every change that is committed and durable.
	AuditLog(ctx context.Context, tenant TenantID, q AuditQuery) (Page[AuditRecord], error)
	// TrimAudit deletes at most limit of the rows earlier versions copied
	// that are older than before, oldest first, and reports how many it
	// deleted.
	TrimAudit(ctx context.Context, before time.Time, limit int) (int, error)
}

// Activity is how an audit entry describes its change, in Microsoft
// Graph's words.
type Activity struct {
	DisplayName   string // "Add member to group"
	Category      string // "GroupManagement"
	OperationType string // "Add", "Update", "Delete", "Assign", "Unassign"
	Service       string // loggedByService: "Core Directory", "Invited Users"
}

// Services that log activities, as Entra names them.
const (
	ServiceCoreDirectory = "Core Directory"
	ServiceInvitedUsers  = "Invited Users"
)

// KindSubscription names change notification subscriptions in the change
// log (subscriptions.go).
const KindSubscription ObjectKind = "subscription"

// OpDropped: groupd removed a subscription whose receiver kept failing.
const OpDropped ChangeOp = "dropped"

var kindWords = map[ObjectKind][2]string{
	KindUser:             {"user", "UserManagement"},
	KindGroup:            {"group", "GroupManagement"},
	KindApplication:      {"application", "ApplicationManagement"},
	KindServicePrincipal: {"service principal", "ApplicationManagement"},
	KindSubscription:     {"subscription", "Other"},
	"tenant":             {"company", "DirectoryManagement"},
}

// ActivityOf describes a change.
func ActivityOf(kind ObjectKind, op ChangeOp) Activity {
	a := activityOf(kind, op)
	if a.Service == "" {
		a.Service = ServiceCoreDirectory
	}
	return a
}

// opWords are each change's activity name, its noun in place of %s, and
// operation type.
var opWords = map[ChangeOp][2]string{
	OpCreated:       {"Add %s", "Add"},
	OpUpdated:       {"Update %s", "Update"},
	OpDeleted:       {"Delete %s", "Delete"},
	OpHardDeleted:   {"Delete %s", "Delete"},
	OpRestored:      {"Restore %s", "Update"},
	OpPurged:        {"Hard Delete %s", "Delete"},
	OpInvited:       {"Invite external %s", "Add"},
	OpMemberAdded:   {"Add member to %s", "Assign"},
	OpMemberRemoved: {"Remove member from %s", "Unassign"},
	OpOwnerAdded:    {"Add owner to %s", "Assign"},
	OpOwnerRemoved:  {"Remove owner from %s", "Unassign"},
	OpDropped:       {"Remove %s after failed deliveries", "Delete"},
}

func activityOf(kind ObjectKind, op ChangeOp) Activity {
	w, ok := kindWords[kind]
	if !ok {
		w = [2]string{string(kind), "Other"}
	}
	noun, cat := w[0], w[1]
	words, ok := opWords[op]
	switch {
	case !ok:
		words = [2]string{string(op) + " %s", "Update"}
	case op == OpHardDeleted && kind == KindUser:
		// Entra calls deleting a user for good "Hard Delete user"; a
		// security group's delete, final at once, stays "Delete group".
		words[0] = "Hard Delete %s"
	}
	a := Activity{DisplayName: fmt.Sprintf(words[0], noun), Category: cat, OperationType: words[1]}
	if op == OpInvited {
		a.Service = ServiceInvitedUsers
	}
	return a
}

var auditOps = []ChangeOp{OpCreated, OpUpdated, OpDeleted, OpHardDeleted, OpRestored, OpPurged,
	OpInvited, OpMemberAdded, OpMemberRemoved, OpOwnerAdded, OpOwnerRemoved, OpDropped}

// ActivitiesNamed returns every (kind, op) whose activity has this display
// name (case-insensitive); none for a name no activity has.
func ActivitiesNamed(name string) []ActivityKey {
	out := []ActivityKey{}
	for kind := range kindWords {
		for _, op := range auditOps {
			if strings.EqualFold(ActivityOf(kind, op).DisplayName, name) {
				out = append(out, ActivityKey{kind, op})
			}
		}
	}
	return out
}

// AuditID is the wire id of an audit row.
func AuditID(seq int64) string { return "Directory_" + strconv.FormatInt(seq, 10) }

// AuditEntry is an audit row with what a reader shows of it.
type AuditEntry struct {
	ID string
	AuditRecord
	Activity Activity
	// Initiator is the actor, with the application's appId when it is one.
	InitiatorAppID string
	Targets        []AuditTarget
}

// AuditTarget is an object an entry names: the changed object first, then
// the member or owner of a membership or ownership change, or the manager
// a manager change replaced.
type AuditTarget struct {
	ID                string
	Kind              ObjectKind
	DisplayName       string
	UserPrincipalName string
	Properties        []string // changed properties (first target only)
}

// MaxAuditTop bounds an audit page, as Graph bounds $top.
const MaxAuditTop = 999

// AuditLog lists the tenant's audit entries newest first, with target and
// application names resolved in two round trips per page.
func (s *Service) AuditLog(ctx context.Context, tenant TenantID, q AuditQuery) (Page[AuditEntry], error) {
	if q.Page.Top <= 0 {
		q.Page.Top = 100
	}
	if q.Page.Top > MaxAuditTop {
		return Page[AuditEntry]{}, &ValidationError{Property: "$top", Reason: ReasonInvalidValue,
			Detail: fmt.Sprintf("at most %d", MaxAuditTop)}
	}
	page, err := s.store.AuditLog(ctx, tenant, q)
	if err != nil {
		return Page[AuditEntry]{}, err
	}
	var objIDs, spIDs []ObjectID
	for _, r := range page.Items {
		for _, t := range [][2]string{{string(r.ObjectKind), string(r.ObjectID)}, {string(r.RelatedKind), string(r.RelatedID)}} {
			switch ObjectKind(t[0]) {
			case KindUser, KindGroup:
				objIDs = append(objIDs, ObjectID(t[1]))
			case KindServicePrincipal:
				spIDs = append(spIDs, ObjectID(t[1]))
			}
		}
		if r.Actor.Kind == ActorApp {
			spIDs = append(spIDs, ObjectID(r.Actor.ID))
		}
	}
	names := map[ObjectID][2]string{}
	if len(objIDs) > 0 {
		objs, err := s.store.Objects(ctx, tenant, objIDs)
		if err != nil {
			return Page[AuditEntry]{}, err
		}
		for _, o := range objs {
			if o.User != nil {
				names[o.User.ID] = [2]string{o.User.DisplayName, o.User.UserPrincipalName}
			} else if o.Group != nil {
				names[o.Group.ID] = [2]string{o.Group.DisplayName, ""}
			}
		}
	}
	appIDs := map[ObjectID]Application{}
	if len(spIDs) > 0 {
		apps, err := s.store.ServicePrincipals(ctx, tenant, spIDs)
		if err != nil {
			return Page[AuditEntry]{}, err
		}
		for _, a := range apps {
			appIDs[a.ServicePrincipalID] = a
		}
	}
	out := Page[AuditEntry]{Next: page.Next, Items: make([]AuditEntry, 0, len(page.Items))}
	for _, r := range page.Items {
		e := AuditEntry{ID: AuditID(r.Seq), AuditRecord: r, Activity: ActivityOf(r.ObjectKind, r.Op)}
		if r.Actor.Kind == ActorApp {
			e.InitiatorAppID = appIDs[ObjectID(r.Actor.ID)].AppID
		}
		target := func(kind ObjectKind, id ObjectID) AuditTarget {
			t := AuditTarget{ID: string(id), Kind: kind}
			if n, ok := names[id]; ok {
				t.DisplayName, t.UserPrincipalName = n[0], n[1]
			} else if a, ok := appIDs[id]; ok {
				t.DisplayName = a.DisplayName
			}
			return t
		}
		first := target(r.ObjectKind, r.ObjectID)
		first.Properties = r.Properties
		e.Targets = append(e.Targets, first)
		if r.RelatedID != "" {
			e.Targets = append(e.Targets, target(r.RelatedKind, r.RelatedID))
		}
		out.Items = append(out.Items, e)
	}
	return out, nil
}

// trimBatch bounds one trimming transaction, so that trimming a long
// backlog never holds the writer for long.
const trimBatch = 5000

// TrimAudit deletes the audit rows earlier versions copied that are older
// than before, in batches, and reports how many it deleted.
func (s *Service) TrimAudit(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		n, err := s.store.TrimAudit(ctx, before, trimBatch)
		total += n
		if err != nil || n < trimBatch {
			return total, err
		}
	}
}
