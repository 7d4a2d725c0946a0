package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"groupd/internal/directory"
)

func testTenants(t *testing.T, f *fixture) {
	ctx := f.ctx
	fab := directory.Tenant{
		ID:          directory.NewTenantID(),
		DisplayName: "Fabrikam",
		Domains: []directory.Domain{
			{Name: "fabrikam.example", IsDefault: true, IsInitial: true},
			{Name: "Fab.Example"},
		},
		CreatedAt: f.now,
	}
	f.update(func(tx directory.Tx) error { return tx.InsertTenant(ctx, fab) })

	norm := func(tn directory.Tenant) directory.Tenant {
		tn.CreatedAt = normTime(tn.CreatedAt)
		return tn
	}
	check := func(what string, got directory.Tenant, err error, want directory.Tenant) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		// Domains keep their order: Tenant.DefaultDomain falls back to the first.
		if !reflect.DeepEqual(norm(got), norm(want)) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, norm(got), norm(want))
		}
	}
	got, err := f.s.Tenant(ctx, fab.ID)
	check("Tenant", got, err, fab)
	got, err = f.s.TenantByDomain(ctx, "FABRIKAM.example")
	check("TenantByDomain upper case", got, err, fab)
	got, err = f.s.TenantByDomain(ctx, "fab.example")
	check("TenantByDomain second domain", got, err, fab)
	got, err = f.s.DefaultTenant(ctx)
	check("DefaultTenant", got, err, f.tenant)
	got, err = f.s.TenantByDomain(ctx, "contoso.example")
	check("TenantByDomain default", got, err, f.tenant)

	_, err = f.s.Tenant(ctx, directory.NewTenantID())
	wantNotFound(t, "Tenant of unknown id", err)
	_, err = f.s.TenantByDomain(ctx, "nowhere.example")
	wantNotFound(t, "TenantByDomain of unknown domain", err)

	// A domain names one tenant, or TenantByDomain would be ambiguous.
	other := directory.Tenant{
		ID: directory.NewTenantID(), DisplayName: "Other", CreatedAt: f.now,
		Domains: []directory.Domain{{Name: "FABRIKAM.EXAMPLE", IsDefault: true}},
	}
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.InsertTenant(ctx, other) })
	if !errors.Is(err, directory.ErrConflict) {
		t.Errorf("second tenant with a taken domain: got %v, want a conflict", err)
	}
	_, err = f.s.Tenant(ctx, other.ID)
	wantNotFound(t, "tenant refused for its domain", err)
}

func fullUser(f *fixture) directory.User {
	u := f.newUser("adele")
	u.DisplayName = "Adele Vance"
	u.GivenName = "Adele"
	u.Surname = "Vance"
	u.UserPrincipalName = "AdeleV@contoso.example"
	u.MailNickname = "AdeleV"
	u.Mail = "AdeleV@contoso.example"
	u.JobTitle = "Retail Manager"
	u.Department = "Retail"
	u.OfficeLocation = "18/2111"
	u.MobilePhone = "+1 425 555 0109"
	u.PreferredLanguage = "en-US"
	u.BusinessPhones = []string{"+1 425 555 0109", "+1 425 555 0110"}
	u.OtherMails = []string{"adele@fabrikam.example"}
	u.OnPremisesSamAccountName = "adelev"
	u.PasswordHash = "$2a$10$abcdefghijklmnopqrstuv"
	u.IsAdmin = true
	u.UserType = directory.UserTypeGuest
	u.ManagerID = directory.NewObjectID()
	u.CreatedAt = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	return u
}

func testUsersCRUD(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u := f.insertUser(fullUser(f))

	got := must[directory.User](t, "User")(f.s.User(ctx, tid, u.ID))
	sameUser(t, "User", got, u)
	got = must[directory.User](t, "UserByUPN")(f.s.UserByUPN(ctx, tid, "ADELEV@CONTOSO.EXAMPLE"))
	sameUser(t, "UserByUPN other case", got, u)
	got = must[directory.User](t, "UserBySamAccountName")(f.s.UserBySamAccountName(ctx, tid, "AdeleV"))
	sameUser(t, "UserBySamAccountName other case", got, u)

	upd := u
	upd.DisplayName = "Adele V."
	upd.UserPrincipalName = "adele.vance@contoso.example"
	upd.Mail = ""
	upd.BusinessPhones = nil
	upd.OtherMails = []string{"a@fabrikam.example", "b@fabrikam.example"}
	upd.AccountEnabled = false
	upd.IsAdmin = false
	upd.OnPremisesSamAccountName = ""
	upd.PasswordHash = ""
	f.update(func(tx directory.Tx) error { return tx.UpdateUser(ctx, upd) })
	got = must[directory.User](t, "User after update")(f.s.User(ctx, tid, u.ID))
	sameUser(t, "User after update", got, upd)
	got = must[directory.User](t, "UserByUPN new")(f.s.UserByUPN(ctx, tid, "Adele.Vance@contoso.example"))
	sameUser(t, "UserByUPN after update", got, upd)
	_, err := f.s.UserByUPN(ctx, tid, u.UserPrincipalName)
	wantNotFound(t, "UserByUPN of the old UPN", err)
	_, err = f.s.UserBySamAccountName(ctx, tid, "adelev")
	wantNotFound(t, "UserBySamAccountName of a cleared name", err)
	// An unset name is no name: looking up "" finds nobody.
	_, err = f.s.UserBySamAccountName(ctx, tid, "")
	wantNotFound(t, "UserBySamAccountName of empty name", err)

	page := must[directory.Page[directory.User]](t, "Users")(f.s.Users(ctx, tid, directory.PageRequest{}))
	if len(page.Items) != 1 || page.Next != "" {
		t.Fatalf("Users: got %d items, next %q; want 1, \"\"", len(page.Items), page.Next)
	}
	sameUser(t, "Users item", page.Items[0], upd)

	_, err = f.s.User(ctx, tid, directory.NewObjectID())
	wantNotFound(t, "User of unknown id", err)
	ghost := f.newUser("ghost")
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateUser(ctx, ghost) })
	wantNotFound(t, "UpdateUser of unknown id", err)
}

func testUsersUniqueness(t *testing.T, f *fixture) {
	ctx := f.ctx
	alice := f.newUser("alice")
	alice.Mail = "alice@contoso.example"
	f.insertUser(alice)

	insert := func(u directory.User) error {
		return f.s.Update(ctx, func(tx directory.Tx) error { return tx.InsertUser(ctx, u) })
	}
	u := f.newUser("bob")
	u.UserPrincipalName = "ALICE@Contoso.Example"
	wantConflict(t, "same UPN in other case", insert(u), "userPrincipalName", u.UserPrincipalName)

	u = f.newUser("bob")
	u.OnPremisesSamAccountName = "Alice"
	wantConflict(t, "same samAccountName in other case", insert(u), "onPremisesSamAccountName", "Alice")

	u = f.newUser("bob")
	u.Mail = "Alice@CONTOSO.example"
	wantConflict(t, "same mail in other case", insert(u), "mail", u.Mail)

	// Unset names are not values: any number of users may leave them empty.
	for _, name := range []string{"carol", "dave"} {
		u := f.newUser(name)
		u.OnPremisesSamAccountName = ""
		u.Mail = ""
		if err := insert(u); err != nil {
			t.Fatalf("user %s without sam and mail: %v", name, err)
		}
	}

	bob := f.insertUser(f.newUser("bob"))
	upd := bob
	upd.UserPrincipalName = "alice@contoso.example"
	err := f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateUser(ctx, upd) })
	wantConflict(t, "UpdateUser to a taken UPN", err, "userPrincipalName", upd.UserPrincipalName)
	upd = bob
	upd.Mail = "ALICE@contoso.example"
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateUser(ctx, upd) })
	wantConflict(t, "UpdateUser to a taken mail", err, "mail", upd.Mail)

	// A user keeps its own names on update, in any case.
	upd = alice
	upd.UserPrincipalName = "Alice@Contoso.Example"
	f.update(func(tx directory.Tx) error { return tx.UpdateUser(ctx, upd) })
}

func testUsersSoftDelete(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	alice := f.newUser("alice")
	alice.Mail = "alice@contoso.example"
	f.insertUser(alice)
	other := f.user()
	g := f.group()
	f.addMembers(g, userRef(alice), userRef(other))
	f.addOwners(g, userRef(alice))

	at := f.now.Add(time.Hour)
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, alice.ID, at) })

	_, err := f.s.User(ctx, tid, alice.ID)
	wantNotFound(t, "User", err)
	_, err = f.s.UserByUPN(ctx, tid, alice.UserPrincipalName)
	wantNotFound(t, "UserByUPN", err)
	_, err = f.s.UserBySamAccountName(ctx, tid, alice.OnPremisesSamAccountName)
	wantNotFound(t, "UserBySamAccountName", err)
	users := must[directory.Page[directory.User]](t, "Users")(f.s.Users(ctx, tid, directory.PageRequest{}))
	sameIDs(t, "Users", userIDs(users.Items), []directory.ObjectID{other.ID})
	objs := must[[]directory.Object](t, "Objects")(f.s.Objects(ctx, tid, []directory.ObjectID{alice.ID}))
	sameIDs(t, "Objects", objectIDs(objs), nil)
	members := must[directory.Page[directory.Object]](t, "Members")(f.s.Members(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Members", objectIDs(members.Items), []directory.ObjectID{other.ID})
	existing := must[[]directory.ObjectID](t, "ExistingMembers")(f.s.ExistingMembers(ctx, tid, g.ID, []directory.ObjectID{alice.ID, other.ID}))
	sameIDs(t, "ExistingMembers", existing, []directory.ObjectID{other.ID})
	owners := must[directory.Page[directory.Object]](t, "Owners")(f.s.Owners(ctx, tid, g.ID, directory.PageRequest{}))
	sameIDs(t, "Owners", objectIDs(owners.Items), nil)
	if n := must[int](t, "CountOwners")(f.s.CountOwners(ctx, tid, g.ID)); n != 0 {
		t.Errorf("CountOwners: got %d, want 0", n)
	}
	ownersLeft := must[[]directory.ObjectID](t, "ExistingOwners")(f.s.ExistingOwners(ctx, tid, g.ID, []directory.ObjectID{alice.ID}))
	sameIDs(t, "ExistingOwners", ownersLeft, nil)
	if in := must[bool](t, "Contains")(f.s.Contains(ctx, tid, g.ID, alice.ID)); in {
		t.Error("Contains: a deleted user is still a member")
	}
	_, err = f.s.MemberOf(ctx, tid, alice.ID, directory.PageRequest{})
	wantNotFound(t, "MemberOf of a deleted user", err)

	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, alice.ID, at) })
	wantNotFound(t, "SoftDeleteUser twice", err)
	err = f.s.Update(ctx, func(tx directory.Tx) error { return tx.UpdateUser(ctx, alice) })
	wantNotFound(t, "UpdateUser of a deleted user", err)

	// The names are free again.
	again := f.newUser("alice")
	again.Mail = "ALICE@contoso.example"
	f.insertUser(again)
	got := must[directory.User](t, "UserByUPN of the new user")(f.s.UserByUPN(ctx, tid, "alice@contoso.example"))
	sameUser(t, "UserByUPN of the new user", got, again)
}
