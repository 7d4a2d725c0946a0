package directory_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"groupd/internal/directory"
)

// guest creates a guest user.
func (e *env) guest(alias string) directory.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{
		AccountEnabled: b(true), DisplayName: s(alias), MailNickname: s(alias),
		UserPrincipalName: s(alias + "@example.org"), Password: s("Secr3t-pass"), UserType: s("guest"),
	}, directory.Policy{})
	if err != nil {
		e.t.Fatalf("create guest %s: %v", alias, err)
	}
	if u.UserType != directory.UserTypeGuest {
		e.t.Fatalf("guest %s has userType %q", alias, u.UserType)
	}
	return u
}

func (e *env) setUnified(name, value string) {
	e.t.Helper()
	if _, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, []directory.SettingValue{{Name: name, Value: value}}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) ids(list func() (directory.Page[directory.Object], error)) []directory.ObjectID {
	e.t.Helper()
	page, err := list()
	if err != nil {
		e.t.Fatal(err)
	}
	var out []directory.ObjectID
	for _, o := range page.Items {
		out = append(out, o.ID())
	}
	slices.Sort(out)
	return out
}

func (e *env) memberIDs(g directory.Group) []directory.ObjectID {
	return e.ids(func() (directory.Page[directory.Object], error) {
		return e.svc.Members(e.ctx, e.tenant.ID, string(g.ID), directory.PageRequest{})
	})
}

func (e *env) ownerIDs(g directory.Group) []directory.ObjectID {
	return e.ids(func() (directory.Page[directory.Object], error) {
		return e.svc.Owners(e.ctx, e.tenant.ID, string(g.ID), directory.PageRequest{})
	})
}

func wantGuestRefused(t *testing.T, what string, err error, relation string, guest directory.ObjectID) {
	t.Helper()
	var ge *directory.GuestPolicyError
	if !errors.As(err, &ge) || ge.Relation != relation || ge.UserID != guest {
		t.Fatalf("%s: %v, want the guest %s refused as %s", what, err, guest, relation)
	}
	if !errors.Is(err, directory.ErrForbidden) {
		t.Fatalf("%s: the refusal must be ErrForbidden: %v", what, err)
	}
}

func sortedIDs(ids ...directory.ObjectID) []directory.ObjectID {
	slices.Sort(ids)
	return ids
}

// TestGuestMembers: AllowToAddGuests (true by default) decides whether a
// guest may join a Microsoft 365 group, on the batched single add as on
// the full path; security groups take guests whatever it says, and guests
// already in a group stay when it changes.
func TestGuestMembers(t *testing.T) {
	e := newEnv(t)
	team, sec := e.group("team", directory.GroupTypeUnified), e.group("sec")
	ann, gus, gil := e.user("ann"), e.guest("gus"), e.guest("gil")
	if err := e.add(team, gus.ID); err != nil {
		t.Fatalf("guest by default: %v", err)
	}
	e.setUnified(directory.SettingAllowGuests, "False")
	err := e.add(team, gil.ID)
	wantGuestRefused(t, "one guest", err, "members", gil.ID)
	err = e.add(team, ann.ID, gil.ID)
	wantGuestRefused(t, "a member and a guest", err, "members", gil.ID)
	if got, want := e.memberIDs(team), sortedIDs(gus.ID); !slices.Equal(got, want) {
		t.Fatalf("members after refusals: %v, want %v (the guest added before stays)", got, want)
	}
	if err := e.add(sec, gil.ID); err != nil {
		t.Fatalf("guest into a security group: %v", err)
	}
	if err := e.add(team, ann.ID); err != nil {
		t.Fatalf("member user: %v", err)
	}
	e.setUnified(directory.SettingAllowGuests, "true")
	if err := e.add(team, gil.ID); err != nil {
		t.Fatalf("guest once allowed again: %v", err)
	}
}

// TestGuestOwners: AllowGuestsToBeGroupOwner (false by default) decides
// whether a guest may own a Microsoft 365 group, added later or bound at
// creation; a refused creation leaves no group.
func TestGuestOwners(t *testing.T) {
	e := newEnv(t)
	team, sec := e.group("team", directory.GroupTypeUnified), e.group("sec")
	ann, gus := e.user("ann"), e.guest("gus")
	owners := func(g directory.Group, ids ...directory.ObjectID) error {
		refs := make([]directory.MemberRef, len(ids))
		for i, id := range ids {
			refs[i] = directory.MemberRef{ID: id, Kind: directory.KindUser}
		}
		return e.svc.AddOwners(e.ctx, e.tenant.ID, string(g.ID), refs)
	}
	wantGuestRefused(t, "guest owner by default", owners(team, ann.ID, gus.ID), "owners", gus.ID)
	if got := e.ownerIDs(team); len(got) != 0 {
		t.Fatalf("owners after the refusal: %v", got)
	}
	if err := owners(sec, gus.ID); err != nil {
		t.Fatalf("guest owner of a security group: %v", err)
	}
	_, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{
		Fields: directory.GroupFields{DisplayName: s("bound"), MailNickname: s("bound"), MailEnabled: b(true),
			SecurityEnabled: b(false), GroupTypes: &[]string{directory.GroupTypeUnified}},
		Owners: []directory.MemberRef{{ID: gus.ID, Kind: directory.KindUser}},
	})
	wantGuestRefused(t, "guest owner bound at creation", err, "owners", gus.ID)
	if taken, _ := e.st.MailNicknameTaken(e.ctx, e.tenant.ID, "bound", false); taken {
		t.Fatal("the refused creation left its group")
	}
	e.setUnified(directory.SettingGuestOwners, "True")
	if err := owners(team, gus.ID); err != nil {
		t.Fatalf("guest owner once allowed: %v", err)
	}
}

// TestGuestProvisioning: provisioning applies the policy to owners and
// members named by userPrincipalName or id, and learns of a user turned
// guest after its name was cached.
func TestGuestProvisioning(t *testing.T) {
	e := newEnvWith(t, directory.WithReadCache(1000))
	e.user("ann")
	gus := e.guest("gus")
	carl := e.user("carl")
	req := func(nick string, owners, members []string) directory.Provision {
		return directory.Provision{DisplayName: nick, MailNickname: nick, Visibility: "Private",
			Owners: owners, Members: members}
	}
	provision := func(p directory.Provision) error {
		_, err := e.svc.ProvisionGroup(e.ctx, e.tenant.ID, p, renderID)
		return err
	}
	refused := func(what string, p directory.Provision, relation string, guest directory.ObjectID) {
		t.Helper()
		wantGuestRefused(t, what, provision(p), relation, guest)
		if taken, _ := e.st.MailNicknameTaken(e.ctx, e.tenant.ID, p.MailNickname, false); taken {
			t.Fatalf("%s: the refused call left its group", what)
		}
	}
	refused("guest owner by name", req("p1", []string{"ann@example.org", "GUS@example.org"}, nil), "owners", gus.ID)
	refused("guest owner by id", req("p2", []string{string(gus.ID)}, nil), "owners", gus.ID)
	if err := provision(req("p3", []string{"ann@example.org"}, []string{"gus@example.org", "carl@example.org"})); err != nil {
		t.Fatalf("guest member by default: %v", err)
	}
	e.setUnified(directory.SettingAllowGuests, "false")
	refused("guest member", req("p4", []string{"ann@example.org"}, []string{"carl@example.org", "gus@example.org"}), "members", gus.ID)
	// carl's name is cached by p3; turning him into a guest drops it.
	if _, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(carl.ID), directory.UserFields{UserType: s("Guest")}); err != nil {
		t.Fatal(err)
	}
	refused("member turned guest", req("p5", []string{"ann@example.org"}, []string{"carl@example.org"}), "members", carl.ID)
	if err := provision(req("p6", []string{"ann@example.org"}, nil)); err != nil {
		t.Fatalf("no guests: %v", err)
	}
}

// TestUserType: userType takes Member or Guest in any case and keeps
// Graph's spelling; anything else is refused.
func TestUserType(t *testing.T) {
	e := newEnv(t)
	if e.user("ann").UserType != directory.UserTypeMember {
		t.Fatal("a user is a member unless told otherwise")
	}
	gus := e.guest("gus")
	got, err := e.svc.User(e.ctx, e.tenant.ID, string(gus.ID))
	if err != nil || got.UserType != directory.UserTypeGuest {
		t.Fatalf("read back: %q, %v", got.UserType, err)
	}
	_, err = e.svc.UpdateUser(e.ctx, e.tenant.ID, string(gus.ID), directory.UserFields{UserType: s("Visitor")})
	var ve *directory.ValidationError
	if !errors.As(err, &ve) || ve.Property != "userType" || ve.Reason != directory.ReasonInvalidValue {
		t.Fatalf("userType Visitor: %v", err)
	}
	u, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(gus.ID), directory.UserFields{UserType: s("MEMBER")})
	if err != nil || u.UserType != directory.UserTypeMember {
		t.Fatalf("userType MEMBER: %q, %v", u.UserType, err)
	}
}

// TestConcurrentInvitations: invitations of one address at the same time
// all name the one guest made.
func TestConcurrentInvitations(t *testing.T) {
	e := newEnv(t)
	const n = 8
	ids := make([]directory.ObjectID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := e.svc.Invite(e.ctx, e.tenant.ID, directory.Invitation{Email: "partner@fabrikam.example",
				RedirectURL: "https://app.example"})
			ids[i], errs[i] = res.User.ID, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("invitation %d: %s, %v; want %s", i, ids[i], errs[i], ids[0])
		}
	}
	u, err := e.svc.User(e.ctx, e.tenant.ID, string(ids[0]))
	if err != nil || u.UserPrincipalName != "partner_fabrikam.example#EXT#@example.org" || !u.IsGuest() {
		t.Fatalf("invited user %+v, %v", u, err)
	}
}

// TestGuestProvisioningAcrossInstances: two Services with checked caches
// on one database, as two servers. A user the first has resolved by name,
// and so cached, is made a guest through the second; the first's next
// provisioning call sees the guest.
func TestGuestProvisioningAcrossInstances(t *testing.T) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	b := directory.New(open(), directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))
	res, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: a, tenant: res.Tenant, admin: res.Admin}
	e.user("ann")
	carl := e.user("carl")
	provision := func(nick string) error {
		_, err := a.ProvisionGroup(ctx, res.Tenant.ID, directory.Provision{DisplayName: nick, MailNickname: nick,
			Visibility: "Private", Owners: []string{"ann@example.org"}, Members: []string{"carl@example.org"}}, renderID)
		return err
	}
	if err := provision("first"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetUnifiedSettings(ctx, res.Tenant.ID, []directory.SettingValue{{Name: directory.SettingAllowGuests, Value: "false"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.UpdateUser(ctx, res.Tenant.ID, string(carl.ID), directory.UserFields{UserType: s("Guest")}); err != nil {
		t.Fatal(err)
	}
	wantGuestRefused(t, "a guest made on the other instance", provision("second"), "members", carl.ID)
}
