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
	}
	for _, c := range refused {
		if add(c.tenant, c.g, c.u) {
			t.Errorf("%s: AddUserMember reported true", c.name)
		}
	}
	page = must[directory.Page[directory.Object]](t, "Members after refusals")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members after refusals", objectIDs(page.Items), sorted(u.ID))
}
