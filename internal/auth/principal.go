package auth

import (
	"context"
	"slices"

	"groupd/internal/directory"
)

// Principal is an authenticated caller within one tenant: a user signed in
// with Basic credentials, or an application with a bearer token.
type Principal struct {
	TenantID directory.TenantID
	Kind     directory.ActorKind
	// ID is the user's object id, or the app's service principal id.
	ID   string
	Name string
	// IsAdmin: a Global Administrator may read and change everything in its
	// tenant; other users may only read.
	IsAdmin bool
	// IsGuest: a guest user who is not an administrator may read only
	// itself and its memberships (Entra's restricted guest access), not
	// list or read the directory.
	IsGuest bool
	// AppID and Roles are set for applications: the client id and the
	// application permissions of its token.
	AppID string
	Roles []directory.Permission
}

// Actor is the principal as the change log records it.
func (p Principal) Actor() directory.Actor {
	return directory.Actor{Kind: p.Kind, ID: p.ID, Name: p.Name}
}

// userReadRoles are what a signed-in user who is not an administrator may
// do: read the directory, as members of an Entra tenant can.
var userReadRoles = []directory.Permission{
	directory.PermUserReadAll, directory.PermGroupReadAll, directory.PermDirectoryReadAll,
	directory.PermGroupMemberReadAll,
}

// Has reports whether the principal holds the permission p.
func (p Principal) Has(perm directory.Permission) bool {
	switch p.Kind {
	case directory.ActorUser:
		return p.IsAdmin || (!p.IsGuest && slices.Contains(userReadRoles, perm))
	case directory.ActorApp:
		return slices.Contains(p.Roles, perm)
	}
	return false
}

// CanRead reports whether the principal may read the directory at all.
func (p Principal) CanRead() bool { return p.ID != "" }

// CanWrite reports whether the principal may change the directory as a
// whole (an administrator, or an app with Directory.ReadWrite.All).
func (p Principal) CanWrite() bool { return p.IsAdmin || p.Has(directory.PermDirectoryReadWriteAll) }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of the request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
