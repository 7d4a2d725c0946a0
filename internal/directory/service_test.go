package directory_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// env is a Service over a real SQLite file with a bootstrapped tenant.
type env struct {
	t      *testing.T
	ctx    context.Context
	svc    *directory.Service
	st     directory.Store
	tenant directory.Tenant
	admin  directory.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t)
}

// newEnvWith is newEnv with more options for the Service.
func newEnvWith(t *testing.T, opts ...directory.Option) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t) // a fresh store on the engine of this run (see main_test.go)
	svc := directory.New(st, append(opts, directory.WithPasswordCost(4))...)
	res, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, svc: svc, st: st, tenant: res.Tenant, admin: res.Admin}
}

func s(v string) *string { return &v }
func b(v bool) *bool     { return &v }

func (e *env) user(alias string) directory.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{
		AccountEnabled: b(true), DisplayName: s(alias), MailNickname: s(alias),
		UserPrincipalName: s(alias + "@example.org"), Password: s("Secr3t-pass"),
	}, directory.Policy{})
	if err != nil {
		e.t.Fatalf("create user %s: %v", alias, err)
	}
	return u
}

func (e *env) group(name string, types ...string) directory.Group {
	e.t.Helper()
	f := directory.GroupFields{DisplayName: s(name), MailNickname: s(name), MailEnabled: b(false), SecurityEnabled: b(true)}
	if len(types) > 0 {
		f.GroupTypes = &types
		f.MailEnabled = b(true)
	}
	g, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: f})
	if err != nil {
		e.t.Fatalf("create group %s: %v", name, err)
	}
	return g
}

func (e *env) add(g directory.Group, ids ...directory.ObjectID) error {
	refs := make([]directory.MemberRef, len(ids))
	for i, id := range ids {
		refs[i] = directory.MemberRef{ID: id}
	}
	return e.svc.AddMembers(e.ctx, e.tenant.ID, string(g.ID), refs, directory.Policy{})
}

func wantRule(t *testing.T, err error, rule directory.Rule) {
	t.Helper()
	var re *directory.RuleError
	if !errors.As(err, &re) || re.Rule != rule {
		t.Fatalf("want rule %s, got %v", rule, err)
	}
	if !errors.Is(err, directory.ErrInvalid) {
		t.Fatalf("rule error must be ErrInvalid: %v", err)
	}
}

func TestCreateGroupRequiredProperties(t *testing.T) {
	e := newEnv(t)
	full := directory.GroupFields{DisplayName: s("x"), MailNickname: s("x"), MailEnabled: b(false), SecurityEnabled: b(true)}
	for _, prop := range []string{"displayName", "mailNickname", "mailEnabled", "securityEnabled"} {
		f := full
		switch prop {
		case "displayName":
			f.DisplayName = nil
		case "mailNickname":
			f.MailNickname = nil
		case "mailEnabled":
			f.MailEnabled = nil
		case "securityEnabled":
			f.SecurityEnabled = nil
		}
		_, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: f})
		var ve *directory.ValidationError
		if !errors.As(err, &ve) || ve.Property != prop || ve.Reason != directory.ReasonRequired {
			t.Errorf("missing %s: got %v", prop, err)
		}
	}
}

func TestGroupPropertyLimits(t *testing.T) {
	e := newEnv(t)
	long := func(n int) *string {
		v := make([]byte, n)
		for i := range v {
			v[i] = 'a'
		}
		return s(string(v))
	}
	cases := []struct {
		name   string
		f      directory.GroupFields
		prop   string
		reason directory.Reason
	}{
		{"displayName too long", directory.GroupFields{DisplayName: long(257), MailNickname: s("a")}, "displayName", directory.ReasonTooLong},
		{"nickname too long", directory.GroupFields{DisplayName: s("a"), MailNickname: long(65)}, "mailNickname", directory.ReasonTooLong},
		{"nickname space", directory.GroupFields{DisplayName: s("a"), MailNickname: s("a b")}, "mailNickname", directory.ReasonInvalidChars},
		{"nickname at", directory.GroupFields{DisplayName: s("a"), MailNickname: s("a@b")}, "mailNickname", directory.ReasonInvalidChars},
		{"nickname non-ascii", directory.GroupFields{DisplayName: s("a"), MailNickname: s("grüße")}, "mailNickname", directory.ReasonInvalidChars},
		{"nickname leading period", directory.GroupFields{DisplayName: s("a"), MailNickname: s(".up14")}, "mailNickname", directory.ReasonInvalidChars},
		{"nickname trailing period", directory.GroupFields{DisplayName: s("a"), MailNickname: s("ab.")}, "mailNickname", directory.ReasonInvalidChars},
		{"nickname double period", directory.GroupFields{DisplayName: s("a"), MailNickname: s("a..b")}, "mailNickname", directory.ReasonInvalidChars},
		{"bad group type", directory.GroupFields{DisplayName: s("a"), MailNickname: s("a"), GroupTypes: &[]string{"Bogus"}}, "groupTypes", directory.ReasonInvalidValue},
		{"bad visibility", directory.GroupFields{DisplayName: s("a"), MailNickname: s("a"), Visibility: s("Secret")}, "visibility", directory.ReasonInvalidValue},
	}
	for _, c := range cases {
		c.f.MailEnabled, c.f.SecurityEnabled = b(false), b(true)
		_, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: c.f})
		var ve *directory.ValidationError
		if !errors.As(err, &ve) || ve.Property != c.prop || ve.Reason != c.reason {
			t.Errorf("%s: want %s/%s, got %v", c.name, c.prop, c.reason, err)
		}
	}
	// The 256 and 64 character limits themselves are allowed.
	_, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: long(256), MailNickname: long(64), MailEnabled: b(false), SecurityEnabled: b(true)}})
	if err != nil {
		t.Fatalf("limits exactly: %v", err)
	}
}

func TestUnifiedGroupDefaults(t *testing.T) {
	e := newEnv(t)
	g := e.group("Team", directory.GroupTypeUnified)
	if g.Mail != "Team@example.org" || len(g.ProxyAddresses) != 1 || g.ProxyAddresses[0] != "SMTP:Team@example.org" {
		t.Errorf("mail defaults: %q %v", g.Mail, g.ProxyAddresses)
	}
	if g.Visibility != directory.VisibilityPublic {
		t.Errorf("visibility default: %q", g.Visibility)
	}
	if g.SecurityIdentifier == "" || g.SecurityIdentifier[:9] != "S-1-12-1-" {
		t.Errorf("sid: %q", g.SecurityIdentifier)
	}
}

func TestMailNicknameUniqueAmongMailEnabled(t *testing.T) {
	e := newEnv(t)
	e.group("sec")
	e.group("sec") // two security groups may share an alias, as in Entra
	e.group("team", directory.GroupTypeUnified)
	f := directory.GroupFields{DisplayName: s("x"), MailNickname: s("TEAM"), MailEnabled: b(true),
		SecurityEnabled: b(false), GroupTypes: &[]string{"Unified"}}
	_, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: f})
	var ce *directory.ConflictError
	if !errors.As(err, &ce) || ce.Property != "mailNickname" {
		t.Fatalf("want mailNickname conflict, got %v", err)
	}
}

func TestUserValidation(t *testing.T) {
	e := newEnv(t)
	base := func() directory.UserFields {
		return directory.UserFields{AccountEnabled: b(true), DisplayName: s("A"), MailNickname: s("a"),
			UserPrincipalName: s("a@example.org"), Password: s("Secr3t-pass")}
	}
	cases := []struct {
		name   string
		mod    func(*directory.UserFields)
		prop   string
		reason directory.Reason
	}{
		{"no password", func(f *directory.UserFields) { f.Password = nil }, "passwordProfile", directory.ReasonRequired},
		{"no upn", func(f *directory.UserFields) { f.UserPrincipalName = nil }, "userPrincipalName", directory.ReasonRequired},
		{"no accountEnabled", func(f *directory.UserFields) { f.AccountEnabled = nil }, "accountEnabled", directory.ReasonRequired},
		{"unverified domain", func(f *directory.UserFields) { f.UserPrincipalName = s("a@other.org") }, "userPrincipalName", directory.ReasonDomain},
		{"upn without at", func(f *directory.UserFields) { f.UserPrincipalName = s("a.example.org") }, "userPrincipalName", directory.ReasonInvalidValue},
		{"upn bad char", func(f *directory.UserFields) { f.UserPrincipalName = s("a b@example.org") }, "userPrincipalName", directory.ReasonInvalidChars},
		{"weak password", func(f *directory.UserFields) { f.Password = s("password") }, "passwordProfile", directory.ReasonPassword},
	}
	for _, c := range cases {
		f := base()
		c.mod(&f)
		_, err := e.svc.CreateUser(e.ctx, e.tenant.ID, f, directory.Policy{})
		var ve *directory.ValidationError
		if !errors.As(err, &ve) || ve.Property != c.prop || ve.Reason != c.reason {
			t.Errorf("%s: want %s/%s, got %v", c.name, c.prop, c.reason, err)
		}
	}
	e.user("alice")
	f := base()
	f.UserPrincipalName = s("ALICE@Example.org")
	_, err := e.svc.CreateUser(e.ctx, e.tenant.ID, f, directory.Policy{})
	var ce *directory.ConflictError
	if !errors.As(err, &ce) || ce.Property != "userPrincipalName" {
		t.Fatalf("case-insensitive UPN conflict: %v", err)
	}
}

func TestDerivedUser(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{DisplayName: s("Einstein"),
		OnPremisesSamAccountName: s("einstein"), Mail: s("einstein@example.org")}, directory.Policy{DeriveDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.UserPrincipalName != "einstein@example.org" || u.MailNickname != "einstein" || !u.AccountEnabled {
		t.Fatalf("derived: %+v", u)
	}
	got, err := e.svc.UserByLogin(e.ctx, e.tenant.ID, "EINSTEIN")
	if err != nil || got.ID != u.ID {
		t.Fatalf("by sam: %v %v", got.ID, err)
	}
}

// TestFollowAccountName: a rename carries the names derived from the old
// account name, each only while it is still the derived one and only when
// the new name forms a valid one.
func TestFollowAccountName(t *testing.T) {
	e := newEnv(t)
	derive := directory.Policy{DeriveDefaults: true}
	u, err := e.svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{DisplayName: s("Marie"),
		OnPremisesSamAccountName: s("marie")}, derive)
	if err != nil {
		t.Fatal(err)
	}
	rename := func(sam string) directory.User {
		t.Helper()
		out, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(u.ID), directory.UserFields{
			OnPremisesSamAccountName: s(sam), FollowAccountName: true})
		if err != nil {
			t.Fatalf("rename to %s: %v", sam, err)
		}
		return out
	}
	if got := rename("mcurie"); got.UserPrincipalName != "mcurie@example.org" || got.MailNickname != "mcurie" {
		t.Errorf("derived names did not follow: %s %s", got.UserPrincipalName, got.MailNickname)
	}
	// The old name is free for a new user.
	if _, err := e.svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{DisplayName: s("Marie 2"),
		OnPremisesSamAccountName: s("marie")}, derive); err != nil {
		t.Errorf("old name not free: %v", err)
	}
	// A name set another way stays.
	if _, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(u.ID), directory.UserFields{
		UserPrincipalName: s("curie@example.org")}); err != nil {
		t.Fatal(err)
	}
	if got := rename("mc"); got.UserPrincipalName != "curie@example.org" || got.MailNickname != "mc" {
		t.Errorf("after a set principal name: %s %s", got.UserPrincipalName, got.MailNickname)
	}
	// A new name that forms no valid nickname renames without it.
	if got := rename("mc."); got.OnPremisesSamAccountName != "mc." || got.MailNickname != "mc" {
		t.Errorf("rename to mc.: %s %s", got.OnPremisesSamAccountName, got.MailNickname)
	}
	// Without FollowAccountName (Graph) nothing follows.
	out, err := e.svc.UpdateUser(e.ctx, e.tenant.ID, string(u.ID), directory.UserFields{OnPremisesSamAccountName: s("mcx")})
	if err != nil || out.MailNickname != "mc" {
		t.Errorf("plain rename: %v %s", err, out.MailNickname)
	}
}

func TestDerivedGroupNicknameIsUnique(t *testing.T) {
	e := newEnv(t)
	p := directory.Policy{DeriveDefaults: true, UniqueDisplayName: true}
	g1, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: s("Example Users")}, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	if g1.MailNickname != "ExampleUsers" || !g1.SecurityEnabled || g1.MailEnabled || len(g1.GroupTypes) != 0 {
		t.Fatalf("derived group: %+v", g1)
	}
	g2, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: s("Example-Users")}, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	g3, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: s("Example Users!")}, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	if g3.MailNickname == g1.MailNickname || g2.MailNickname == g3.MailNickname {
		t.Fatalf("nicknames not unique: %s %s %s", g1.MailNickname, g2.MailNickname, g3.MailNickname)
	}
	_, err = e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: s("example users")}, Policy: p})
	var ce *directory.ConflictError
	if !errors.As(err, &ce) || ce.Property != "displayName" {
		t.Fatalf("unique displayName: %v", err)
	}
	// Without the policy, Graph allows duplicate display names.
	e.groupWith(directory.GroupFields{DisplayName: s("Example Users"), MailNickname: s("eu"), MailEnabled: b(false), SecurityEnabled: b(true)})

	// A derived nickname keeps its periods between other characters.
	for name, want := range map[string]string{"..Dept. .. Ops..": "Dept.Ops", "...": "group", "v1.2 (beta).": "v1.2beta"} {
		g, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: s(name)}, Policy: p})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if g.MailNickname != want {
			t.Errorf("%q: nickname %q, want %q", name, g.MailNickname, want)
		}
	}
}

func TestNestingRules(t *testing.T) {
	e := newEnv(t)
	u := e.user("u1")
	a, bb, c := e.group("a"), e.group("b"), e.group("c")
	team := e.group("team", directory.GroupTypeUnified)
	team2 := e.group("team2", directory.GroupTypeUnified)
	if err := e.add(a, bb.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.add(bb, c.ID); err != nil {
		t.Fatal(err)
	}
	wantRule(t, e.add(a, a.ID), directory.RuleCycle)
	wantRule(t, e.add(c, a.ID), directory.RuleCycle) // a > b > c > a
	wantRule(t, e.add(team, a.ID), directory.RuleUnifiedMembersUsersOnly)
	wantRule(t, e.add(a, team2.ID), directory.RuleUnifiedNotNestable)
	if err := e.add(team, u.ID); err != nil {
		t.Fatal(err)
	}
	err := e.add(team, u.ID)
	var re *directory.ReferenceExistsError
	if !errors.As(err, &re) || re.Relation != "members" {
		t.Fatalf("duplicate: %v", err)
	}
	mes := e.groupWith(directory.GroupFields{DisplayName: s("mes"), MailNickname: s("mes"), MailEnabled: b(true), SecurityEnabled: b(true)})
	wantRule(t, e.add(mes, c.ID), directory.RuleMailEnabledNoGroups)
	ra := e.groupWith(directory.GroupFields{DisplayName: s("ra"), MailNickname: s("ra"), MailEnabled: b(false), SecurityEnabled: b(true), IsAssignableToRole: b(true)})
	wantRule(t, e.add(ra, c.ID), directory.RuleRoleAssignableNoGroups)
	err = e.svc.AddMembers(e.ctx, e.tenant.ID, string(a.ID), []directory.MemberRef{{ID: u.ID}}, directory.Policy{MembersUsersOnly: true})
	if err != nil {
		t.Fatalf("users-only policy refuses a user: %v", err)
	}
	err = e.svc.AddMembers(e.ctx, e.tenant.ID, string(c.ID), []directory.MemberRef{{ID: ra.ID}}, directory.Policy{MembersUsersOnly: true})
	wantRule(t, err, directory.RuleMembersUsersOnly)
}

func (e *env) groupWith(f directory.GroupFields) directory.Group {
	e.t.Helper()
	g, err := e.svc.CreateGroup(e.ctx, e.tenant.ID, directory.GroupCreate{Fields: f})
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

func TestBindIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	g := e.group("g")
	var refs []directory.MemberRef
	for i := 0; i < 3; i++ {
		refs = append(refs, directory.MemberRef{ID: e.user(fmt.Sprintf("u%d", i)).ID})
	}
	refs = append(refs, directory.MemberRef{ID: directory.NewObjectID()}) // unknown
	err := e.svc.UpdateGroup(e.ctx, e.tenant.ID, string(g.ID), directory.GroupUpdate{
		Fields: directory.GroupFields{Description: s("changed")}, Members: refs})
	if !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("want not found, got %v", err)
	}
	page, err := e.svc.Members(e.ctx, e.tenant.ID, string(g.ID), directory.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("members after failed bind: %d %v", len(page.Items), err)
	}
	got, _ := e.svc.Group(e.ctx, e.tenant.ID, string(g.ID))
	if got.Description != "" {
		t.Fatalf("description changed by failed update")
	}
	many := make([]directory.MemberRef, 21)
	for i := range many {
		many[i] = directory.MemberRef{ID: directory.NewObjectID()}
	}
	err = e.svc.UpdateGroup(e.ctx, e.tenant.ID, string(g.ID), directory.GroupUpdate{Members: many})
	var le *directory.LimitError
	if !errors.As(err, &le) || le.Limit != 20 {
		t.Fatalf("21 refs: %v", err)
	}
}

func TestOwners(t *testing.T) {
	e := newEnv(t)
	team := e.group("team", directory.GroupTypeUnified)
	o1, o2 := e.user("o1"), e.user("o2")
	if err := e.svc.AddOwners(e.ctx, e.tenant.ID, string(team.ID), []directory.MemberRef{{ID: o1.ID}, {ID: o2.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RemoveOwner(e.ctx, e.tenant.ID, string(team.ID), string(o1.ID)); err != nil {
		t.Fatal(err)
	}
	wantRule(t, e.svc.RemoveOwner(e.ctx, e.tenant.ID, string(team.ID), string(o2.ID)), directory.RuleLastOwner)
	err := e.svc.AddOwners(e.ctx, e.tenant.ID, string(team.ID), []directory.MemberRef{{ID: team.ID}})
	wantRule(t, err, directory.RuleOwnersUsersOnly)
	err = e.svc.RemoveOwner(e.ctx, e.tenant.ID, string(team.ID), string(o1.ID))
	var nf *directory.NotFoundError
	if !errors.As(err, &nf) || nf.Relation != "owners" {
		t.Fatalf("remove non-owner: %v", err)
	}
}

func TestOwnerLimit(t *testing.T) {
	e := newEnv(t)
	g := e.group("g")
	for batch := 0; batch < 5; batch++ {
		var refs []directory.MemberRef
		for i := 0; i < 20; i++ {
			refs = append(refs, directory.MemberRef{ID: e.user(fmt.Sprintf("o%d_%d", batch, i)).ID})
		}
		if err := e.svc.UpdateGroup(e.ctx, e.tenant.ID, string(g.ID), directory.GroupUpdate{Owners: refs}); err != nil {
			t.Fatal(err)
		}
	}
	err := e.svc.AddOwners(e.ctx, e.tenant.ID, string(g.ID), []directory.MemberRef{{ID: e.user("one-more").ID}})
	var le *directory.LimitError
	if !errors.As(err, &le) || le.Limit != 100 {
		t.Fatalf("101st owner: %v", err)
	}
}

func TestDeletion(t *testing.T) {
	e := newEnv(t)
	u := e.user("gone")
	team := e.group("team", directory.GroupTypeUnified)
	sec := e.group("sec")
	if err := e.add(team, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteUser(e.ctx, e.tenant.ID, string(u.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.User(e.ctx, e.tenant.ID, "gone@example.org"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("deleted user visible: %v", err)
	}
	e.user("gone") // the UPN is free again
	for _, g := range []directory.Group{team, sec} {
		if err := e.svc.DeleteGroup(e.ctx, e.tenant.ID, string(g.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Group(e.ctx, e.tenant.ID, string(g.ID)); !errors.Is(err, directory.ErrNotFound) {
			t.Fatalf("deleted group visible: %v", err)
		}
	}
	e.group("team", directory.GroupTypeUnified) // the alias is free again
	err := e.svc.DeleteUser(e.ctx, e.tenant.ID, string(e.admin.ID))
	if !errors.Is(err, directory.ErrForbidden) {
		t.Fatalf("deleting the bootstrap admin: %v", err)
	}
}

func TestChangeLogRecordsEveryWrite(t *testing.T) {
	e := newEnv(t)
	ctx := directory.WithCaller(e.ctx, directory.Caller{Actor: directory.Actor{Kind: directory.ActorUser, ID: string(e.admin.ID)},
		RequestID: "req-1", ClientAddr: "192.0.2.1"})
	before, err := e.st.Changes(e.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	u := e.user("m")
	g, err := e.svc.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("g"), MailNickname: s("g"), MailEnabled: b(false), SecurityEnabled: b(true)},
		Members: []directory.MemberRef{{ID: u.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	after, err := e.st.Changes(e.ctx, before[len(before)-1].Cursor, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 3 {
		t.Fatalf("want user created, group created, member added; got %d rows", len(after))
	}
	last := after[2]
	if last.Op != directory.OpMemberAdded || last.ObjectID != g.ID || last.RelatedID != u.ID ||
		last.RelatedKind != directory.KindUser || last.RequestID != "req-1" || last.ClientAddr != "192.0.2.1" ||
		last.Actor.ID != string(e.admin.ID) {
		t.Fatalf("member row: %+v", last)
	}
	if after[1].Op != directory.OpCreated || len(after[1].Properties) == 0 {
		t.Fatalf("group row: %+v", after[1])
	}
}

func TestAuthenticate(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Authenticate(e.ctx, "admin", "Passw0rd!"); err != nil {
		t.Fatalf("sam login: %v", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, "admin@example.org", "Passw0rd!"); err != nil {
		t.Fatalf("upn login: %v", err)
	}
	for _, c := range [][2]string{{"admin", "wrong"}, {"nobody", "Passw0rd!"}, {"x@nowhere.org", "p"}} {
		if _, err := e.svc.Authenticate(e.ctx, c[0], c[1]); !errors.Is(err, directory.ErrUnauthorized) {
			t.Errorf("%v: %v", c, err)
		}
	}
	// A second bootstrap changes nothing and reveals no password.
	res, err := e.svc.Bootstrap(e.ctx, "example.org", "")
	if err != nil || res.Created || res.GeneratedPassword != "" || res.Tenant.ID != e.tenant.ID {
		t.Fatalf("rebootstrap: %+v %v", res, err)
	}
}
