package storetest

import (
	"errors"
	"testing"

	"groupd/internal/directory"
)

func testMembersAddRemove(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	g := f.group()
	u1, u2 := f.user(), f.user()
	child := f.group()
	// One call, mixed kinds, one of them not named by the caller.
	f.addMembers(g, userRef(u1), directory.MemberRef{ID: u2.ID}, groupRef(child))

	page := must[directory.Page[directory.Object]](t, "Members")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members", objectIDs(page.Items), sorted(u1.ID, u2.ID, child.ID))
	for _, o := range page.Items {
		switch o.ID() {
		case u1.ID, u2.ID:
			want := u1
			if o.ID() == u2.ID {
				want = u2
			}
			if o.User == nil || o.Group != nil {
				t.Errorf("member %s: want a user, got %+v", o.ID(), o)
			} else {
				sameUser(t, "member user", *o.User, want)
			}
		case child.ID:
			if o.Group == nil || o.User != nil {
				t.Errorf("member %s: want a group, got %+v", o.ID(), o)
			} else {
				sameGroup(t, "member group", *o.Group, child)
			}
		}
	}

	var removed bool
	f.update(func(tx directory.Tx) error {
		var err error
		removed, err = tx.RemoveMember(ctx, tid, g.ID, u2.ID)
		return err
	})
	if !removed {
		t.Error("RemoveMember of a member reported false")
	}
	f.update(func(tx directory.Tx) error {
		var err error
		removed, err = tx.RemoveMember(ctx, tid, g.ID, u2.ID)
		return err
	})
	if removed {
		t.Error("RemoveMember of a non-member reported true")
	}
	page = must[directory.Page[directory.Object]](t, "Members after remove")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members after remove", objectIDs(page.Items), sorted(u1.ID, child.ID))

	// An empty group lists no members; a missing one is not found.
	empty := f.group()
	page = must[directory.Page[directory.Object]](t, "Members of empty group")(f.s.Members(ctx, tid, empty.ID, directory.PageRequest{}))
	if len(page.Items) != 0 || page.Next != "" {
		t.Errorf("Members of an empty group: %+v", page)
	}
	_, err := f.s.Members(ctx, tid, directory.NewObjectID(), directory.PageRequest{})
	wantNotFound(t, "Members of unknown group", err)
}

func testMembersDuplicate(t *testing.T, f *fixture) {
	for _, rel := range []string{"members", "owners"} {
		t.Run(rel, func(t *testing.T) {
			ctx, tid := f.ctx, f.tenant.ID
			g := f.group()
			u1, u2, u3 := f.user(), f.user(), f.user()
			add := func(refs ...directory.MemberRef) error {
				return f.s.Update(ctx, func(tx directory.Tx) error {
					if rel == "owners" {
						return tx.AddOwners(ctx, tid, g.ID, refs)
					}
					return tx.AddMembers(ctx, tid, g.ID, refs)
				})
			}
			existing := func(ids ...directory.ObjectID) []directory.ObjectID {
				if rel == "owners" {
					return must[[]directory.ObjectID](t, "ExistingOwners")(f.s.ExistingOwners(ctx, tid, g.ID, ids))
				}
				return must[[]directory.ObjectID](t, "ExistingMembers")(f.s.ExistingMembers(ctx, tid, g.ID, ids))
			}
			if err := add(userRef(u1)); err != nil {
				t.Fatal(err)
			}
			err := add(userRef(u2), userRef(u1))
			var re *directory.ReferenceExistsError
			if !errors.As(err, &re) {
				t.Fatalf("adding an existing %s: got %v, want *directory.ReferenceExistsError", rel, err)
			}
			if re.Relation != rel || re.ID != u1.ID {
				t.Errorf("ReferenceExistsError{%q, %s}, want {%q, %s}", re.Relation, re.ID, rel, u1.ID)
			}
			// The call is one statement: the new ref of the failed call is not added.
			sameIDs(t, "after failed add", sorted(existing(u1.ID, u2.ID)...), []directory.ObjectID{u1.ID})

			err = add(userRef(u3), userRef(u3))
			if !errors.As(err, &re) || re.Relation != rel || re.ID != u3.ID {
				t.Errorf("same %s twice in one call: got %v, want ReferenceExistsError for %s", rel, err, u3.ID)
			}
		})
	}
}

func testOwners(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	g := f.insertGroup(f.newUnified("owned"))
	u1, u2, u3 := f.user(), f.user(), f.user()
	f.addOwners(g, userRef(u1), directory.MemberRef{ID: u2.ID})
	f.addMembers(g, userRef(u3))

	page := must[directory.Page[directory.Object]](t, "Owners")(f.s.Owners(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Owners", objectIDs(page.Items), sorted(u1.ID, u2.ID))
	for _, o := range page.Items {
		if o.User == nil {
			t.Errorf("owner %s is not a user: %+v", o.ID(), o)
		}
	}
	if n := must[int](t, "CountOwners")(f.s.CountOwners(ctx, tid, g.ID)); n != 2 {
		t.Errorf("CountOwners = %d, want 2", n)
	}
	// Owners and members are separate relations.
	members := must[directory.Page[directory.Object]](t, "Members")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members", objectIDs(members.Items), []directory.ObjectID{u3.ID})

	var removed bool
	f.update(func(tx directory.Tx) error {
		var err error
		removed, err = tx.RemoveOwner(ctx, tid, g.ID, u1.ID)
		return err
	})
	if !removed {
		t.Error("RemoveOwner of an owner reported false")
	}
	f.update(func(tx directory.Tx) error {
		var err error
		removed, err = tx.RemoveOwner(ctx, tid, g.ID, u3.ID)
		return err
	})
	if removed {
		t.Error("RemoveOwner of a member who is no owner reported true")
	}
	if n := must[int](t, "CountOwners")(f.s.CountOwners(ctx, tid, g.ID)); n != 1 {
		t.Errorf("CountOwners after remove = %d, want 1", n)
	}
	_, err := f.s.Owners(ctx, tid, directory.NewObjectID(), directory.PageRequest{})
	wantNotFound(t, "Owners of unknown group", err)
}

func testMembersExisting(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	g := f.group()
	u1, u2, child := f.user(), f.user(), f.group()
	f.addMembers(g, userRef(u1), groupRef(child))
	f.addOwners(g, userRef(u2))

	got := must[[]directory.ObjectID](t, "ExistingMembers")(f.s.ExistingMembers(ctx, tid, g.ID,
		[]directory.ObjectID{u1.ID, u2.ID, child.ID, directory.NewObjectID()}))
	sameIDs(t, "ExistingMembers", sorted(got...), sorted(u1.ID, child.ID))
	got = must[[]directory.ObjectID](t, "ExistingOwners")(f.s.ExistingOwners(ctx, tid, g.ID,
		[]directory.ObjectID{u1.ID, u2.ID}))
	sameIDs(t, "ExistingOwners", got, []directory.ObjectID{u2.ID})
	got = must[[]directory.ObjectID](t, "ExistingMembers of none")(f.s.ExistingMembers(ctx, tid, g.ID, nil))
	sameIDs(t, "ExistingMembers of none", got, nil)
}

func testMemberOf(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u := f.user()
	var want []directory.ObjectID
	for range 3 {
		g := f.group()
		f.addMembers(g, userRef(u))
		want = append(want, g.ID)
	}
	f.group() // not u's
	want = sorted(want...)
	got := allPages(t, 2, func(p directory.PageRequest) (directory.Page[directory.Group], error) {
		return f.s.MemberOf(ctx, tid, u.ID, p)
	})
	sameIDs(t, "MemberOf", groupIDs(got), want)

	// A group is a member too.
	parent, child := f.group(), f.group()
	f.addMembers(parent, groupRef(child))
	page := must[directory.Page[directory.Group]](t, "MemberOf group")(f.s.MemberOf(ctx, tid, child.ID, directory.PageRequest{}))
	sameIDs(t, "MemberOf group", groupIDs(page.Items), []directory.ObjectID{parent.ID})
	if len(page.Items) == 1 {
		sameGroup(t, "MemberOf item", page.Items[0], parent)
	}
	_, err := f.s.MemberOf(ctx, tid, directory.NewObjectID(), directory.PageRequest{})
	wantNotFound(t, "MemberOf of unknown object", err)
}

func testContains(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	// g1 ⊃ g2 ⊃ g3 ⊃ g4 ⊃ u
	g := []directory.Group{f.group(), f.group(), f.group(), f.group()}
	u, stranger := f.user(), f.user()
	for i := range 3 {
		f.addMembers(g[i], groupRef(g[i+1]))
	}
	f.addMembers(g[3], userRef(u))
	side := f.group()
	f.addMembers(g[1], userRef(stranger), groupRef(side))

	check := func(group, member directory.ObjectID, want bool, what string) {
		t.Helper()
		got := must[bool](t, "Contains")(f.s.Contains(ctx, tid, group, member))
		if got != want {
			t.Errorf("Contains %s = %v, want %v", what, got, want)
		}
	}
	check(g[0].ID, u.ID, true, "(g1, u), 4 deep")
	check(g[1].ID, u.ID, true, "(g2, u)")
	check(g[3].ID, u.ID, true, "(g4, u), direct")
	check(g[0].ID, g[3].ID, true, "(g1, g4)")
	check(g[3].ID, g[0].ID, false, "(g4, g1)")
	check(g[2].ID, stranger.ID, false, "(g3, stranger)")
	check(g[0].ID, g[0].ID, false, "(g1, g1) without a cycle")
	check(side.ID, u.ID, false, "(side, u)")
	check(g[0].ID, directory.NewObjectID(), false, "(g1, unknown)")

	// Only visible memberships count.
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, g[2].ID, f.now) })
	check(g[0].ID, u.ID, false, "(g1, u) through a deleted group")
	check(g[3].ID, u.ID, true, "(g4, u) below the deleted group")

	// A cycle (refused by the domain, but the store must not loop on one).
	a, b := f.group(), f.group()
	f.addMembers(a, groupRef(b))
	f.addMembers(b, groupRef(a))
	check(a.ID, stranger.ID, false, "(a, stranger) in a cycle")
	check(a.ID, a.ID, true, "(a, a) in a cycle")
}

func testObjects(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u, g := f.user(), f.group()
	gone := f.user()
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, gone.ID, f.now) })
	other := f.otherTenant("fabrikam.example")
	foreign := f.newUser("foreign")
	foreign.TenantID = other.ID
	foreign.UserPrincipalName = "foreign@fabrikam.example"
	f.insertUser(foreign)

	objs := must[[]directory.Object](t, "Objects")(f.s.Objects(ctx, tid,
		[]directory.ObjectID{g.ID, directory.NewObjectID(), u.ID, gone.ID, foreign.ID}))
	sameIDs(t, "Objects", sorted(objectIDs(objs)...), sorted(u.ID, g.ID))
	for _, o := range objs {
		switch {
		case o.ID() == u.ID && o.User != nil:
			sameUser(t, "Objects user", *o.User, u)
		case o.ID() == g.ID && o.Group != nil:
			sameGroup(t, "Objects group", *o.Group, g)
		default:
			t.Errorf("Objects: wrong kind for %s: %+v", o.ID(), o)
		}
	}
	objs = must[[]directory.Object](t, "Objects of none")(f.s.Objects(ctx, tid, nil))
	if len(objs) != 0 {
		t.Errorf("Objects of no ids: %v", objs)
	}
}
