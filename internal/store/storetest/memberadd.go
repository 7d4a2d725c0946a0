package storetest

import (
	"testing"

	"groupd/internal/directory"
)

// testAddUserMember checks the one-statement add of a user member: it adds
// exactly when the group and the user are visible in the tenant and the
// user is not yet a member, and otherwise changes nothing.
func testAddUserMember(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	add := func(tenant directory.TenantID, g, u directory.ObjectID) bool {
		t.Helper()
		var added bool
		f.update(func(tx directory.Tx) error {
			a, ok := tx.(directory.UserMemberAdder)
			if !ok {
				t.Fatal("the store's Tx does not implement directory.UserMemberAdder")
			}
			var err error
			added, err = a.AddUserMember(ctx, tenant, g, u)
			return err
		})
		return added
	}
	g, u := f.group(), f.user()
	if !add(tid, g.ID, u.ID) {
		t.Fatal("AddUserMember of a visible user to a visible group reported false")
	}
	page := must[directory.Page[directory.Object]](t, "Members")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members", objectIDs(page.Items), sorted(u.ID))
	if page.Items[0].User == nil {
		t.Errorf("member %s: want a user, got %+v", u.ID, page.Items[0])
	}

	// Each refusal leaves the group's members as they were.
	child := f.group()
	gone, ghost := f.user(), f.group()
	unified, guest := f.insertGroup(f.newUnified("guestless")), f.guest()
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, gone.ID, f.now) })
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, ghost.ID, f.now) })
	other := f.otherTenant("fabrikam.example").ID
	refused := []struct {
		name   string
		tenant directory.TenantID
		g, u   directory.ObjectID
	}{
		{"already a member", tid, g.ID, u.ID},
		{"a group, not a user", tid, g.ID, child.ID},
		{"unknown user", tid, g.ID, directory.NewObjectID()},
		{"deleted user", tid, g.ID, gone.ID},
		{"unknown group", tid, directory.NewObjectID(), u.ID},
		{"deleted group", tid, ghost.ID, u.ID},
		{"other tenant", other, g.ID, f.user().ID},
		// Left to the full path, which applies the guest policy.
		{"a guest into a Microsoft 365 group", tid, unified.ID, guest.ID},
	}
	for _, c := range refused {
		if add(c.tenant, c.g, c.u) {
			t.Errorf("%s: AddUserMember reported true", c.name)
		}
	}
	page = must[directory.Page[directory.Object]](t, "Members after refusals")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members after refusals", objectIDs(page.Items), sorted(u.ID))
	page = must[directory.Page[directory.Object]](t, "Members of the Microsoft 365 group")(f.s.Members(ctx, tid, unified.ID, directory.PageRequest{}))
	sameIDs(t, "Members of the Microsoft 365 group", objectIDs(page.Items), nil)
	if !add(tid, g.ID, guest.ID) {
		t.Error("AddUserMember of a guest to a security group reported false")
	}
	if !add(tid, unified.ID, u.ID) {
		t.Error("AddUserMember of a member user to a Microsoft 365 group reported false")
	}
}

// testAddUserMembers checks the set-based add: each pair is added under
// the conditions of AddUserMember, the answer is in the order of the
// pairs, a pair given twice is added once, and the refused pairs change
// nothing.
func testAddUserMembers(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	addAll := func(tenant directory.TenantID, pairs []directory.GroupUser) []bool {
		t.Helper()
		var added []bool
		f.update(func(tx directory.Tx) error {
			a, ok := tx.(directory.UserMemberAdder)
			if !ok {
				t.Fatal("the store's Tx does not implement directory.UserMemberAdder")
			}
			var err error
			added, err = a.AddUserMembers(ctx, tenant, pairs)
			return err
		})
		if len(added) != len(pairs) {
			t.Fatalf("AddUserMembers answered %d results for %d pairs", len(added), len(pairs))
		}
		return added
	}
	if got := addAll(tid, nil); len(got) != 0 {
		t.Errorf("AddUserMembers of no pairs: %v", got)
	}
	g1, g2, child, ghost := f.group(), f.group(), f.group(), f.group()
	u1, u2, u3, gone := f.user(), f.user(), f.user(), f.user()
	unified, guest := f.insertGroup(f.newUnified("guestless")), f.guest()
	f.update(func(tx directory.Tx) error {
		return tx.AddMembers(ctx, tid, g1.ID, []directory.MemberRef{userRef(u1)})
	})
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, gone.ID, f.now) })
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, ghost.ID, f.now) })
	cases := []struct {
		name string
		p    directory.GroupUser
		want bool
	}{
		{"new member", directory.GroupUser{Group: g1.ID, User: u2.ID}, true},
		{"already a member", directory.GroupUser{Group: g1.ID, User: u1.ID}, false},
		{"same user, other group", directory.GroupUser{Group: g2.ID, User: u1.ID}, true},
		{"a group, not a user", directory.GroupUser{Group: g1.ID, User: child.ID}, false},
		{"unknown user", directory.GroupUser{Group: g1.ID, User: directory.NewObjectID()}, false},
		{"deleted user", directory.GroupUser{Group: g2.ID, User: gone.ID}, false},
		{"unknown group", directory.GroupUser{Group: directory.NewObjectID(), User: u3.ID}, false},
		{"deleted group", directory.GroupUser{Group: ghost.ID, User: u3.ID}, false},
		{"given twice, first", directory.GroupUser{Group: g2.ID, User: u3.ID}, true},
		{"given twice, again", directory.GroupUser{Group: g2.ID, User: u3.ID}, false},
		{"a guest into a Microsoft 365 group", directory.GroupUser{Group: unified.ID, User: guest.ID}, false},
		{"a guest into a security group", directory.GroupUser{Group: g2.ID, User: guest.ID}, true},
		{"a member into a Microsoft 365 group", directory.GroupUser{Group: unified.ID, User: u2.ID}, true},
	}
	pairs := make([]directory.GroupUser, len(cases))
	for i, c := range cases {
		pairs[i] = c.p
	}
	got := addAll(tid, pairs)
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: AddUserMembers reported %v, want %v", c.name, got[i], c.want)
		}
	}
	members := func(g directory.ObjectID) []directory.ObjectID {
		t.Helper()
		page := must[directory.Page[directory.Object]](t, "Members")(f.s.Members(ctx, tid, g, directory.PageRequest{}))
		return objectIDs(page.Items)
	}
	sameIDs(t, "Members of g1", members(g1.ID), sorted(u1.ID, u2.ID))
	sameIDs(t, "Members of g2", members(g2.ID), sorted(u1.ID, u3.ID, guest.ID))
	sameIDs(t, "Members of the Microsoft 365 group", members(unified.ID), sorted(u2.ID))
	sameIDs(t, "Members of child", members(child.ID), nil)

	// Another tenant sees none of these objects.
	other := f.otherTenant("fabrikam.example").ID
	for i, added := range addAll(other, []directory.GroupUser{{Group: child.ID, User: u1.ID}, {Group: g1.ID, User: u3.ID}}) {
		if added {
			t.Errorf("other tenant, pair %d: AddUserMembers reported true", i)
		}
	}
	sameIDs(t, "Members of g1 after other tenant", members(g1.ID), sorted(u1.ID, u2.ID))
	sameIDs(t, "Members of child after other tenant", members(child.ID), nil)
}
