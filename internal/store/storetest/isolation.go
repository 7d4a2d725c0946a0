package storetest

import (
	"testing"

	"groupd/internal/directory"
)

// testTenantIsolation checks that an object of one tenant is invisible, and
// cannot be changed, through another tenant's id.
func testTenantIsolation(t *testing.T, f *fixture) {
	ctx, a := f.ctx, f.tenant.ID
	b := f.otherTenant("fabrikam.example").ID
	u := f.user()
	g := f.insertGroup(f.newUnified("shared"))
	parent := f.group()
	f.addMembers(g, userRef(u))
	f.addOwners(g, userRef(u))
	f.addMembers(parent, groupRef(g))

	_, err := f.s.User(ctx, b, u.ID)
	wantNotFound(t, "User", err)
	_, err = f.s.UserByUPN(ctx, b, u.UserPrincipalName)
	wantNotFound(t, "UserByUPN", err)
	_, err = f.s.UserBySamAccountName(ctx, b, u.OnPremisesSamAccountName)
	wantNotFound(t, "UserBySamAccountName", err)
	users := must[directory.Page[directory.User]](t, "Users")(f.s.Users(ctx, b, directory.PageRequest{}))
	sameIDs(t, "Users", userIDs(users.Items), nil)
	_, err = f.s.Group(ctx, b, g.ID)
	wantNotFound(t, "Group", err)
	groups := must[directory.Page[directory.Group]](t, "Groups")(f.s.Groups(ctx, b, directory.GroupListRequest{Expand: true}))
	sameIDs(t, "Groups", groupIDs(groups.Items), nil)
	if taken := must[bool](t, "GroupDisplayNameTaken")(f.s.GroupDisplayNameTaken(ctx, b, g.DisplayName, "")); taken {
		t.Error("GroupDisplayNameTaken sees another tenant")
	}
	if taken := must[bool](t, "MailNicknameTaken")(f.s.MailNicknameTaken(ctx, b, g.MailNickname, false)); taken {
		t.Error("MailNicknameTaken sees another tenant")
	}
	objs := must[[]directory.Object](t, "Objects")(f.s.Objects(ctx, b, []directory.ObjectID{u.ID, g.ID}))
	sameIDs(t, "Objects", objectIDs(objs), nil)
	_, err = f.s.Members(ctx, b, g.ID, directory.PageRequest{})
	wantNotFound(t, "Members", err)
	_, err = f.s.Owners(ctx, b, g.ID, directory.PageRequest{})
	wantNotFound(t, "Owners", err)
	_, err = f.s.MemberOf(ctx, b, u.ID, directory.PageRequest{})
	wantNotFound(t, "MemberOf", err)
	ids := must[[]directory.ObjectID](t, "ExistingMembers")(f.s.ExistingMembers(ctx, b, g.ID, []directory.ObjectID{u.ID}))
	sameIDs(t, "ExistingMembers", ids, nil)
	ids = must[[]directory.ObjectID](t, "ExistingOwners")(f.s.ExistingOwners(ctx, b, g.ID, []directory.ObjectID{u.ID}))
	sameIDs(t, "ExistingOwners", ids, nil)
	if n := must[int](t, "CountOwners")(f.s.CountOwners(ctx, b, g.ID)); n != 0 {
		t.Errorf("CountOwners via another tenant = %d", n)
	}
	if in := must[bool](t, "Contains")(f.s.Contains(ctx, b, parent.ID, u.ID)); in {
		t.Error("Contains sees another tenant")
	}

	// Writes through the other tenant find nothing and change nothing.
	uB, gB := u, g
	uB.TenantID, gB.TenantID = b, b
	uB.DisplayName, gB.DisplayName = "hijacked", "hijacked"
	for what, fn := range map[string]func(tx directory.Tx) error{
		"UpdateUser":      func(tx directory.Tx) error { return tx.UpdateUser(ctx, uB) },
		"SoftDeleteUser":  func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, b, u.ID, f.now) },
		"UpdateGroup":     func(tx directory.Tx) error { return tx.UpdateGroup(ctx, gB) },
		"SoftDeleteGroup": func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, b, g.ID, f.now) },
		"DeleteGroup":     func(tx directory.Tx) error { return tx.DeleteGroup(ctx, b, g.ID) },
	} {
		wantNotFound(t, what+" via another tenant", f.s.Update(ctx, fn))
	}
	var removed bool
	f.update(func(tx directory.Tx) error {
		r1, err := tx.RemoveMember(ctx, b, g.ID, u.ID)
		if err != nil {
			return err
		}
		r2, err := tx.RemoveOwner(ctx, b, g.ID, u.ID)
		removed = r1 || r2
		return err
	})
	if removed {
		t.Error("RemoveMember/RemoveOwner via another tenant removed something")
	}

	got := must[directory.User](t, "User in its tenant")(f.s.User(ctx, a, u.ID))
	sameUser(t, "User in its tenant", got, u)
	gotG := must[directory.Group](t, "Group in its tenant")(f.s.Group(ctx, a, g.ID))
	sameGroup(t, "Group in its tenant", gotG, g)
	if in := must[bool](t, "Contains in its tenant")(f.s.Contains(ctx, a, parent.ID, u.ID)); !in {
		t.Error("Contains in its tenant lost the membership")
	}
	if n := must[int](t, "CountOwners in its tenant")(f.s.CountOwners(ctx, a, g.ID)); n != 1 {
		t.Errorf("CountOwners in its tenant = %d, want 1", n)
	}
}
