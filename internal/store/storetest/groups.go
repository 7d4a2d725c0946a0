package storetest

import (
	"testing"
	"time"

	"groupd/internal/directory"
)

func fullGroup(f *fixture) directory.Group {
	exp := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	return directory.Group{
		ID:                            directory.NewObjectID(),
		TenantID:                      f.tenant.ID,
		DisplayName:                   "Mark 8 Project Team",
		Description:                   "Everyone on the Mark 8 project",
		MailNickname:                  "Mark8ProjectTeam",
		MailEnabled:                   true,
		GroupTypes:                    []string{directory.GroupTypeUnified, directory.GroupTypeDynamicMembership},
		Visibility:                    directory.VisibilityPublic,
		Classification:                "Confidential",
		Mail:                          "Mark8ProjectTeam@contoso.example",
		ProxyAddresses:                []string{"SMTP:Mark8ProjectTeam@contoso.example", "smtp:mark8@contoso.example"},
		MembershipRule:                `user.department -eq "Retail"`,
		MembershipRuleProcessingState: "On",
		IsAssignableToRole:            true,
		SecurityIdentifier:            "S-1-12-1-1-2-3-4",
		CreatedAt:                     time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC),
		RenewedAt:                     time.Date(2025, 5, 6, 7, 8, 9, 654321000, time.UTC),
		ExpirationAt:                  &exp,
	}
}

func testGroupsCRUD(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	g := f.insertGroup(fullGroup(f))
	got := must[directory.Group](t, "Group")(f.s.Group(ctx, tid, g.ID))
	sameGroup(t, "Group", got, g)

	upd := g
	upd.DisplayName = "Mark 9"
	upd.Description = ""
	upd.GroupTypes = nil
	upd.MailEnabled = false
	upd.SecurityEnabled = true
	upd.Mail = ""
	upd.ProxyAddresses = nil
	upd.ExpirationAt = nil
	upd.RenewedAt = time.Time{}
	upd.IsAssignableToRole = false
	f.update(func(tx directory.Tx) error { return tx.UpdateGroup(ctx, upd) })
	got = must[directory.Group](t, "Group after update")(f.s.Group(ctx, tid, g.ID))
	sameGroup(t, "Group after update", got, upd)

	page := must[directory.Page[directory.Group]](t, "Groups")(f.s.Groups(ctx, tid, directory.GroupListRequest{}))
	if len(page.Items) != 1 || page.Next != "" {
		t.Fatalf("Groups: got %d items, next %q; want 1, \"\"", len(page.Items), page.Next)
	}
	sameGroup(t, "Groups item", page.Items[0], upd)
	if page.Items[0].Members != nil {
		t.Errorf("Groups without Expand filled Members: %v", page.Items[0].Members)
	}

	_, err := f.s.Group(ctx, tid, directory.NewObjectID())
	wantNotFound(t, "Group of unknown id", err)
	ghost := f.newGroup("ghost")
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateGroup(ctx, ghost) })
	wantNotFound(t, "UpdateGroup of unknown id", err)
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, ghost.ID, f.now) })
	wantNotFound(t, "SoftDeleteGroup of unknown id", err)
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, ghost.ID) })
	wantNotFound(t, "DeleteGroup of unknown id", err)
}

func testGroupsMailNickname(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	insert := func(g directory.Group) error {
		return f.s.Update(ctx, func(tx directory.Tx) error { return tx.InsertGroup(ctx, g) })
	}
	// Security groups that are not mail-enabled may share a mailNickname.
	f.insertGroup(f.newGroup("team"))
	f.insertGroup(f.newGroup("Team"))

	mes := f.newGroup("TEAM")
	mes.MailEnabled = true
	f.insertGroup(mes)

	u := f.newUnified("team")
	u.Mail = "team-unified@contoso.example"
	wantConflict(t, "Unified group with a mail-enabled group's nickname", insert(u), "mailNickname", "team")
	mes2 := f.newGroup("tEAm")
	mes2.MailEnabled = true
	wantConflict(t, "second mail-enabled group", insert(mes2), "mailNickname", "tEAm")

	for _, nick := range []string{"team", "TEAM", "Team"} {
		if taken := must[bool](t, "MailNicknameTaken")(f.s.MailNicknameTaken(ctx, tid, nick, false)); !taken {
			t.Errorf("MailNicknameTaken(%q) = false, want true", nick)
		}
	}
	if taken := must[bool](t, "MailNicknameTaken")(f.s.MailNicknameTaken(ctx, tid, "nobody", false)); taken {
		t.Error("MailNicknameTaken(nobody) = true")
	}

	other := f.insertGroup(f.newUnified("other"))
	upd := other
	upd.MailNickname = "Team"
	err := f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateGroup(ctx, upd) })
	wantConflict(t, "UpdateGroup to a taken nickname", err, "mailNickname", "Team")

	// A deleted group's nickname is free.
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, mes.ID, f.now) })
	f.insertGroup(u)

	// Only the security groups remain besides u; once u goes, the nickname
	// is still taken by them for MailNicknameTaken, which ignores the type.
	f.update(func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, u.ID) })
	if taken := must[bool](t, "MailNicknameTaken")(f.s.MailNicknameTaken(ctx, tid, "team", false)); !taken {
		t.Error("MailNicknameTaken ignores security groups")
	}
	// For a mail-enabled group's nickname they do not count.
	if taken := must[bool](t, "MailNicknameTaken")(f.s.MailNicknameTaken(ctx, tid, "team", true)); taken {
		t.Error("MailNicknameTaken(mailOnly) counts security groups without mail")
	}
}

func testGroupsMail(t *testing.T, f *fixture) {
	ctx := f.ctx
	a := f.newUnified("a")
	a.Mail = "shared@contoso.example"
	f.insertGroup(a)
	b := f.newUnified("b")
	b.Mail = "SHARED@contoso.example"
	err := f.s.Update(ctx, func(tx directory.Tx) error { return tx.InsertGroup(ctx, b) })
	wantConflict(t, "second group with the same mail", err, "mail", b.Mail)
	// Groups without mail do not collide.
	f.insertGroup(f.newGroup("s1"))
	f.insertGroup(f.newGroup("s2"))
}

func testGroupsDisplayNameTaken(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	g := f.insertGroup(f.newGroup("Sales"))
	check := func(name string, except directory.ObjectID, want bool) {
		t.Helper()
		got := must[bool](t, "GroupDisplayNameTaken")(f.s.GroupDisplayNameTaken(ctx, tid, name, except))
		if got != want {
			t.Errorf("GroupDisplayNameTaken(%q, except %q) = %v, want %v", name, except, got, want)
		}
	}
	check("SALES", "", true)
	check("sales", g.ID, false)
	check("Sales", directory.NewObjectID(), true)
	check("Marketing", "", false)
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, g.ID, f.now) })
	check("Sales", "", false)
}

func testGroupsHardDelete(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	parent, g, child := f.group(), f.group(), f.group()
	u := f.user()
	f.addMembers(parent, groupRef(g))
	f.addMembers(g, userRef(u), groupRef(child))
	f.addOwners(g, userRef(u))

	f.update(func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, g.ID) })

	_, err := f.s.Group(ctx, tid, g.ID)
	wantNotFound(t, "Group", err)
	members := must[directory.Page[directory.Object]](t, "Members of parent")(f.s.Members(ctx, tid, parent.ID, directory.PageRequest{}))
	sameIDs(t, "Members of parent", objectIDs(members.Items), nil)
	memberOf := must[directory.Page[directory.Group]](t, "MemberOf user")(f.s.MemberOf(ctx, tid, u.ID, directory.PageRequest{}))
	sameIDs(t, "MemberOf user", groupIDs(memberOf.Items), nil)
	memberOf = must[directory.Page[directory.Group]](t, "MemberOf child")(f.s.MemberOf(ctx, tid, child.ID, directory.PageRequest{}))
	sameIDs(t, "MemberOf child", groupIDs(memberOf.Items), nil)
	if in := must[bool](t, "Contains")(f.s.Contains(ctx, tid, parent.ID, u.ID)); in {
		t.Error("Contains still finds the user through the deleted group")
	}
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, g.ID) })
	wantNotFound(t, "DeleteGroup twice", err)

	// The memberships are gone for good, not hidden: a new group under the
	// same id starts empty and belongs nowhere.
	f.insertGroup(g)
	members = must[directory.Page[directory.Object]](t, "Members of the new group")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members of the new group", objectIDs(members.Items), nil)
	owners := must[directory.Page[directory.Object]](t, "Owners of the new group")(f.s.Owners(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Owners of the new group", objectIDs(owners.Items), nil)
	memberOf = must[directory.Page[directory.Group]](t, "MemberOf the new group")(f.s.MemberOf(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "MemberOf the new group", groupIDs(memberOf.Items), nil)
}

func testGroupsSoftDelete(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	uni := f.insertGroup(f.newUnified("project"))
	u1, u2 := f.user(), f.user()
	f.addMembers(uni, userRef(u1), userRef(u2))
	f.addOwners(uni, userRef(u1))
	// A soft-deleted security group is hidden as a member too.
	parent, sec := f.group(), f.group()
	f.addMembers(parent, groupRef(sec), userRef(u2))

	f.update(func(tx directory.Tx) error {
		if err := tx.SoftDeleteGroup(ctx, tid, uni.ID, f.now); err != nil {
			return err
		}
		return tx.SoftDeleteGroup(ctx, tid, sec.ID, f.now)
	})

	_, err := f.s.Group(ctx, tid, uni.ID)
	wantNotFound(t, "Group", err)
	groups := must[directory.Page[directory.Group]](t, "Groups")(f.s.Groups(ctx, tid, directory.GroupListRequest{}))
	sameIDs(t, "Groups", groupIDs(groups.Items), []directory.ObjectID{parent.ID})
	_, err = f.s.Members(ctx, tid, uni.ID, directory.PageRequest{})
	wantNotFound(t, "Members of a deleted group", err)
	_, err = f.s.Owners(ctx, tid, uni.ID, directory.PageRequest{})
	wantNotFound(t, "Owners of a deleted group", err)
	memberOf := must[directory.Page[directory.Group]](t, "MemberOf")(f.s.MemberOf(ctx, tid, u1.ID, directory.PageRequest{}))
	sameIDs(t, "MemberOf", groupIDs(memberOf.Items), nil)
	if in := must[bool](t, "Contains")(f.s.Contains(ctx, tid, uni.ID, u1.ID)); in {
		t.Error("Contains: a deleted group still has members")
	}
	existing := must[[]directory.ObjectID](t, "ExistingMembers")(f.s.ExistingMembers(ctx, tid, uni.ID, []directory.ObjectID{u1.ID}))
	sameIDs(t, "ExistingMembers of a deleted group", existing, nil)
	objs := must[[]directory.Object](t, "Objects")(f.s.Objects(ctx, tid, []directory.ObjectID{uni.ID, sec.ID}))
	sameIDs(t, "Objects", objectIDs(objs), nil)
	members := must[directory.Page[directory.Object]](t, "Members of parent")(f.s.Members(ctx, tid, parent.ID, directory.PageRequest{}))
	sameIDs(t, "Members of parent", objectIDs(members.Items), []directory.ObjectID{u2.ID})
	memberOf = must[directory.Page[directory.Group]](t, "MemberOf u2")(f.s.MemberOf(ctx, tid, u2.ID, directory.PageRequest{}))
	sameIDs(t, "MemberOf u2", groupIDs(memberOf.Items), []directory.ObjectID{parent.ID})
	if taken := must[bool](t, "MailNicknameTaken")(f.s.MailNicknameTaken(ctx, tid, "project", false)); taken {
		t.Error("MailNicknameTaken: a deleted group keeps its nickname")
	}

	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, uni.ID, f.now) })
	wantNotFound(t, "SoftDeleteGroup twice", err)
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateGroup(ctx, uni) })
	wantNotFound(t, "UpdateGroup of a deleted group", err)

	// Its nickname and mail are free.
	f.insertGroup(f.newUnified("project"))
}

func testGroupsExpand(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	a, b, c := f.newGroup("a"), f.newGroup("b"), f.newGroup("c")
	a.ID, b.ID, c.ID = idAt(100), idAt(200), idAt(300)
	for _, g := range []directory.Group{a, b, c} {
		f.insertGroup(g)
	}
	var bMembers, cMembers []directory.ObjectID
	for i := range 3 {
		u := f.newUser("b" + string(rune('a'+i)))
		u.ID = idAt(210 + i)
		f.insertUser(u)
		bMembers = append(bMembers, u.ID)
		f.addMembers(b, userRef(u))
	}
	for i := range 4 {
		u := f.newUser("c" + string(rune('a'+i)))
		u.ID = idAt(310 + i)
		f.insertUser(u)
		cMembers = append(cMembers, u.ID)
		f.addMembers(c, userRef(u))
	}
	f.addMembers(c, groupRef(a)) // a sorts first among c's members
	cMembers = append([]directory.ObjectID{a.ID}, cMembers...)
	// A deleted member is not expanded and does not count toward the limit.
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, cMembers[1], f.now) })
	cMembers = append(cMembers[:1:1], cMembers[2:]...)

	check := func(limit int, want map[directory.ObjectID][]directory.ObjectID) {
		t.Helper()
		page := must[directory.Page[directory.Group]](t, "Groups")(f.s.Groups(ctx, tid, directory.GroupListRequest{
			Page: directory.PageRequest{Top: 10}, Expand: true, ExpandLimit: limit,
		}))
		sameIDs(t, "Groups", groupIDs(page.Items), []directory.ObjectID{a.ID, b.ID, c.ID})
		for _, g := range page.Items {
			sameIDs(t, "members of "+string(g.ID), objectIDs(g.Members), want[g.ID])
			for _, m := range g.Members {
				if m.ID() == a.ID && (m.Group == nil || m.Group.DisplayName != "a") {
					t.Errorf("expanded group member is not the full group: %+v", m)
				}
				if m.ID() != a.ID && (m.User == nil || m.User.UserPrincipalName == "") {
					t.Errorf("expanded user member is not the full user: %+v", m)
				}
			}
		}
	}
	check(2, map[directory.ObjectID][]directory.ObjectID{b.ID: bMembers[:2], c.ID: cMembers[:2]})
	check(0, map[directory.ObjectID][]directory.ObjectID{b.ID: bMembers, c.ID: cMembers})

	// The expansion covers the page asked for.
	page := must[directory.Page[directory.Group]](t, "Groups page 2")(f.s.Groups(ctx, tid, directory.GroupListRequest{
		Page: directory.PageRequest{Top: 1, After: string(b.ID)}, Expand: true, ExpandLimit: 1,
	}))
	sameIDs(t, "Groups page 2", groupIDs(page.Items), []directory.ObjectID{c.ID})
	if len(page.Items) == 1 {
		sameIDs(t, "members on page 2", objectIDs(page.Items[0].Members), cMembers[:1])
	}
}
