package auth

import (
	"context"
	"strings"

	"groupd/internal/directory"
)

// AnyOf is satisfied by any one of its permissions.
type AnyOf []directory.Permission

// Need is what an endpoint requires: every AnyOf must be satisfied, so a
// call that needs two permissions (a user's memberOf needs a User and a
// Group permission) lists two. An empty Need asks only for a signed-in
// principal.
type Need []AnyOf

// Allowed reports whether p satisfies n.
func (p Principal) Allowed(n Need) bool { return p.AllowedFor(n, "") }

// permSelf, in an AnyOf, is held by a signed-in user for its own object:
// the one the endpoint's subject (its {id}) names. It lets every user,
// a guest too, read itself and its memberships.
const permSelf directory.Permission = "self"

// AllowedFor reports whether p satisfies n for the object subject (""
// when the endpoint names none).
func (p Principal) AllowedFor(n Need, subject string) bool {
	if p.ID == "" {
		return false
	}
	self := p.Kind == directory.ActorUser && subject != "" && (subject == p.ID || strings.EqualFold(subject, p.Name))
	for _, set := range n {
		ok := false
		for _, perm := range set {
			if p.Has(perm) || (perm == permSelf && self) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Allowed reports whether the request's principal satisfies n (false
// without one). Handlers use it for needs that depend on the body, such as
// a group created with user members.
func Allowed(ctx context.Context, n Need) bool {
	p, ok := PrincipalFrom(ctx)
	return ok && p.Allowed(n)
}

// MayReadMemberships reports whether the caller may ask about o's
// memberships (the membership functions under /directoryObjects/{id}),
// which needs what the same call needs under o's own kind's route.
func MayReadMemberships(ctx context.Context, o directory.Object) bool {
	if o.User != nil {
		return Allowed(ctx, NeedUserMemberOf)
	}
	return Allowed(ctx, NeedGroupRead)
}

// The permission sets of the reference, per kind of call. Write
// permissions include the matching read, as in Microsoft Graph.
var (
	groupRead = AnyOf{directory.PermGroupReadAll, directory.PermGroupReadWriteAll,
		directory.PermGroupMemberReadAll, directory.PermGroupMemberReadWriteAll,
		directory.PermDirectoryReadAll, directory.PermDirectoryReadWriteAll}
	// Group.Create may change a group only where the app owns it; the
	// directory enforces that (directory.Caller.OwnedGroupsOnly).
	groupWrite  = AnyOf{directory.PermGroupReadWriteAll, directory.PermDirectoryReadWriteAll, directory.PermGroupCreate}
	groupCreate = AnyOf{directory.PermGroupCreate, directory.PermGroupReadWriteAll, directory.PermDirectoryReadWriteAll}
	memberWrite = AnyOf{directory.PermGroupMemberReadWriteAll, directory.PermGroupReadWriteAll,
		directory.PermDirectoryReadWriteAll, directory.PermGroupCreate}
	userRead = AnyOf{directory.PermUserReadAll, directory.PermUserReadWriteAll,
		directory.PermDirectoryReadAll, directory.PermDirectoryReadWriteAll}
	userWrite = AnyOf{directory.PermUserReadWriteAll, directory.PermDirectoryReadWriteAll}
	dirRead   = AnyOf{directory.PermDirectoryReadAll, directory.PermDirectoryReadWriteAll}
	dirWrite  = AnyOf{directory.PermDirectoryReadWriteAll}
	anyRead   = AnyOf{directory.PermDirectoryReadAll, directory.PermDirectoryReadWriteAll,
		directory.PermUserReadAll, directory.PermUserReadWriteAll, directory.PermGroupReadAll,
		directory.PermGroupReadWriteAll, directory.PermGroupMemberReadAll, directory.PermGroupMemberReadWriteAll}
	auditRead = AnyOf{directory.PermAuditLogReadAll, directory.PermDirectoryReadAll, directory.PermDirectoryReadWriteAll}
	teamRead  = AnyOf{directory.PermGroupReadAll, directory.PermGroupReadWriteAll, directory.PermDirectoryReadAll, directory.PermDirectoryReadWriteAll}
	teamWrite = AnyOf{directory.PermGroupReadWriteAll, directory.PermDirectoryReadWriteAll}
)

// Needs of the endpoints, named by what they do; dialects map their routes
// to these in their routers.
var (
	NeedSignedIn    = Need{}
	NeedGroupRead   = Need{groupRead}
	NeedGroupCreate = Need{groupCreate}
	NeedGroupWrite  = Need{groupWrite}
	NeedMemberWrite = Need{memberWrite}
	NeedOwnerWrite  = Need{groupWrite}
	NeedUserRead    = Need{userRead}
	NeedUserWrite   = Need{userWrite}
	// NeedInvite invites guests (POST /invitations).
	NeedInvite       = Need{AnyOf{directory.PermUserInviteAll, directory.PermUserReadWriteAll, directory.PermDirectoryReadWriteAll}}
	NeedUserMemberOf = Need{userRead, groupRead}
	// NeedUserReadSelf and NeedUserMemberOfSelf are NeedUserRead and
	// NeedUserMemberOf that a user also meets for its own object
	// (AllowedFor): a guest, who holds no read permission, may still
	// read itself and the groups it is in.
	NeedUserReadSelf     = Need{append(AnyOf{permSelf}, userRead...)}
	NeedUserMemberOfSelf = Need{append(AnyOf{permSelf}, userRead...), append(AnyOf{permSelf}, groupRead...)}
	// NeedObjectRead reads an object of either kind; the handler asks for
	// the kind's own permission once it knows it.
	NeedObjectRead   = Need{anyRead}
	NeedOrganization = Need{anyRead}
	NeedDirRead      = Need{dirRead}
	NeedDirWrite     = Need{dirWrite}
	NeedAuditRead    = Need{auditRead}
	NeedTeamRead     = Need{teamRead}
	NeedTeamWrite    = Need{teamWrite}
	// NeedDeletedGroupWrite restores or purges a deleted group; Group.Create
	// does not reach groups that are deleted.
	NeedDeletedGroupWrite = Need{AnyOf{directory.PermGroupReadWriteAll, directory.PermDirectoryReadWriteAll}}
	// NeedUsersReferenced is added when a group is created or changed with
	// user members or owners: the caller must be able to read users.
	NeedUsersReferenced = Need{userRead}
	// NeedProvision is GT365's ProvisionGroup.
	NeedProvision = Need{AnyOf{directory.PermGroupReadWriteAll, directory.PermGroupCreate}, userRead}
)
