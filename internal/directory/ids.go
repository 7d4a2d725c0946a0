package directory

import (
	"strings"

	"github.com/google/uuid"
)

// TenantID identifies a tenant (a GUID). It is a type of its own so that a
// tenant id is never passed where an object id is meant.
type TenantID string

// ObjectID identifies a directory object (user or group) within a tenant; a
// lower-case GUID.
type ObjectID string

// ObjectKind tells users from groups where a relationship may hold either.
type ObjectKind string

const (
	// KindAny is used in references that do not say which kind they name
	// (".../directoryObjects/{id}").
	KindAny   ObjectKind = ""
	KindUser  ObjectKind = "user"
	KindGroup ObjectKind = "group"
)

// NewObjectID returns a fresh random GUID.
func NewObjectID() ObjectID { return ObjectID(uuid.NewString()) }

// NewTenantID returns a fresh random GUID.
func NewTenantID() TenantID { return TenantID(uuid.NewString()) }

// ParseObjectID accepts a GUID in any case and returns its canonical form; ok
// is false for anything that is not a GUID, so that callers can answer
// "not found" without asking the store.
func ParseObjectID(s string) (ObjectID, bool) {
	if len(s) != 36 {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return ObjectID(u.String()), true
}

// ParseTenantID is ParseObjectID for tenants.
func ParseTenantID(s string) (TenantID, bool) {
	id, ok := ParseObjectID(s)
	return TenantID(id), ok
}

// MemberRef names a prospective member or owner. Kind is KindAny when the
// caller did not say what the id is; otherwise the object must be of that
// kind, or it counts as not found.
type MemberRef struct {
	ID   ObjectID
	Kind ObjectKind
}

func foldKey(s string) string { return strings.ToLower(s) }
