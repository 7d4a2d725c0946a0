package directory

import (
	"context"
	"errors"
	"slices"
)

// ServicePrincipal is an application as a directory object: the owner of
// the groups it created with Group.Create.
type ServicePrincipal struct {
	ID          ObjectID
	AppID       string
	DisplayName string
}

// mustOwn reports whether the caller may change a group only where it is
// an owner: an application whose only grant for the change is
// Group.Create (the router let it through on that permission alone).
// memberChange: GroupMember.ReadWrite.All also allows member changes.
func (c Caller) mustOwn(memberChange bool) bool {
	if c.Actor.Kind != ActorApp {
		return false
	}
	if slices.Contains(c.Roles, PermGroupReadWriteAll) || slices.Contains(c.Roles, PermDirectoryReadWriteAll) {
		return false
	}
	return !(memberChange && slices.Contains(c.Roles, PermGroupMemberReadWriteAll))
}

// checkOwned refuses a change of g by a Group.Create-only application that
// does not own g. The group was found first, so a foreign or missing group
// is still not found rather than forbidden.
func (s *Service) checkOwned(ctx context.Context, tx Tx, g Group, memberChange bool) error {
	c := CallerFrom(ctx)
	if !c.mustOwn(memberChange) {
		return nil
	}
	at, err := appTx(tx)
	if err != nil {
		return err
	}
	owners, err := at.AppOwners(ctx, g.TenantID, g.ID)
	if err != nil {
		return err
	}
	for _, a := range owners {
		if string(a.ServicePrincipalID) == c.Actor.ID {
			return nil
		}
	}
	return &ForbiddenError{Action: "change a group the application does not own"}
}

// ownCreated makes a Group.Create-only application an owner of the group it
// just created, so that it can manage that group afterwards.
func (s *Service) ownCreated(ctx context.Context, tx Tx, log *changeLog, g Group) error {
	ref, ok := creatorOwner(ctx)
	if !ok {
		return nil
	}
	if err := tx.AddOwners(ctx, g.TenantID, g.ID, []MemberRef{ref}); err != nil {
		return err
	}
	log.relate(g.ID, OpOwnerAdded, ref)
	return nil
}

// creatorOwner is the calling application's service principal when it
// must own the group it creates.
func creatorOwner(ctx context.Context) (MemberRef, bool) {
	c := CallerFrom(ctx)
	if !c.mustOwn(false) {
		return MemberRef{}, false
	}
	return MemberRef{ID: ObjectID(c.Actor.ID), Kind: KindServicePrincipal}, true
}

// AnyObject is DirectoryObject that also finds an application's service
// principal by its object id: owners lists name service principals (apps
// that created a group holding Group.Create only), and a client reading
// such an owner by its id must find it. Only the reads of one object by id
// take it; the rules and the nesting questions keep to users and groups.
func (s *Service) AnyObject(ctx context.Context, tenant TenantID, key string) (Object, error) {
	o, err := s.DirectoryObject(ctx, tenant, key)
	if !errors.Is(err, ErrNotFound) {
		return o, err
	}
	r, ok := s.store.(AppReader)
	id, valid := ParseObjectID(key)
	if !ok || !valid {
		return o, err
	}
	apps, serr := r.ServicePrincipals(ctx, tenant, []ObjectID{id})
	if serr != nil {
		return Object{}, serr
	}
	if len(apps) == 0 {
		return o, err
	}
	a := apps[0]
	return Object{ServicePrincipal: &ServicePrincipal{ID: a.ServicePrincipalID, AppID: a.AppID, DisplayName: a.DisplayName}}, nil
}

// withAppOwners appends the applications owning group to the last page of
// its owners. Owners are at most MaxOwners, so the extra items keep pages
// bounded.
func (s *Service) withAppOwners(ctx context.Context, tenant TenantID, group ObjectID, page Page[Object]) (Page[Object], error) {
	r, ok := s.store.(AppReader)
	if !ok || page.Next != "" {
		return page, nil
	}
	apps, err := r.AppOwners(ctx, tenant, group)
	if err != nil {
		return Page[Object]{}, err
	}
	for _, a := range apps {
		page.Items = append(page.Items, Object{ServicePrincipal: &ServicePrincipal{
			ID: a.ServicePrincipalID, AppID: a.AppID, DisplayName: a.DisplayName}})
	}
	return page, nil
}

// userReadRoles are the permissions that let an application name users.
var userReadRoles = []Permission{PermUserReadAll, PermUserReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll}

// checkUserRefs refuses a group created with user members or owners by an
// application that may not read users: the reference's permission table
// asks for a User (or Directory) permission on top of the group one.
func checkUserRefs(ctx context.Context, tx Tx, tenant TenantID, refs []MemberRef) error {
	c := CallerFrom(ctx)
	if c.Actor.Kind != ActorApp || len(refs) == 0 {
		return nil
	}
	for _, p := range userReadRoles {
		if slices.Contains(c.Roles, p) {
			return nil
		}
	}
	ids := make([]ObjectID, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	objs, err := tx.Objects(ctx, tenant, ids)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.User != nil {
			return &ForbiddenError{Action: "reference users without a permission to read users"}
		}
	}
	return nil
}

// removeAppOwner removes an application's service principal from g's
// owners; removed is false when key names no application owning g, so the
// caller answers as for any other non-owner. The last owner of a
// Microsoft 365 group stays, whatever its kind.
func (s *Service) removeAppOwner(ctx context.Context, tx Tx, log *changeLog, g Group, key string) (removed bool, err error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return false, nil
	}
	at, err := appTx(tx)
	if err != nil {
		return false, err
	}
	apps, err := at.AppOwners(ctx, g.TenantID, g.ID)
	if err != nil {
		return false, err
	}
	if !slices.ContainsFunc(apps, func(a Application) bool { return a.ServicePrincipalID == id }) {
		return false, nil
	}
	if g.IsUnified() {
		n, err := tx.CountOwners(ctx, g.TenantID, g.ID)
		if err != nil {
			return false, err
		}
		if n <= 1 { // CountOwners counts application owners too
			return false, &RuleError{Rule: RuleLastOwner, GroupID: g.ID, MemberID: id}
		}
	}
	if _, err := tx.RemoveOwner(ctx, g.TenantID, g.ID, id); err != nil {
		return false, err
	}
	log.relate(g.ID, OpOwnerRemoved, MemberRef{ID: id, Kind: KindServicePrincipal})
	return true, nil
}
