package directory_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

// faultyStore is a real store whose transactions fail at one step, to
// prove that provisioning leaves nothing behind when a late step fails.
type faultyStore struct {
	directory.Store
	failTeam error
}

type faultyTx struct {
	directory.Tx
	fail error
}

func (f *faultyTx) InsertTeam(ctx context.Context, t directory.Team) error {
	if err := f.Tx.InsertTeam(ctx, t); err != nil {
		return err
	}
	return f.fail // fails after the row is written, as a crash mid-step would
}

func (s *faultyStore) Update(ctx context.Context, fn func(directory.Tx) error) error {
	return s.Store.Update(ctx, func(tx directory.Tx) error { return fn(&faultyTx{Tx: tx, fail: s.failTeam}) })
}

func provisionReq(nick string, owners ...string) directory.Provision {
	return directory.Provision{DisplayName: "Project " + nick, MailNickname: nick, Visibility: "Private",
		Owners: owners, Members: []string{"carol@example.org"}, CreateTeam: true}
}

func renderID(g directory.Group, _ *directory.Team) ([]byte, error) { return []byte(g.ID), nil }

// TestProvisionFailureLeavesNothing: a failure in the team step, after the
// group, owners, members and team rows were written, rolls all of them
// back, change log included.
func TestProvisionFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	st := testdb.Open(t)
	boom := errors.New("team service down")
	fs := &faultyStore{Store: st, failTeam: boom}
	svc := directory.New(fs, directory.WithPasswordCost(4))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: svc, st: st, tenant: boot.Tenant, admin: boot.Admin}
	for _, u := range []string{"alice", "bob", "carol"} {
		e.user(u)
	}
	changes, err := st.Changes(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.ProvisionGroup(ctx, e.tenant.ID, provisionReq("doomed", "alice@example.org", "bob@example.org"), renderID)
	if !errors.Is(err, boom) {
		t.Fatalf("provision: %v, want the team failure", err)
	}
	page, err := st.Groups(ctx, e.tenant.ID, directory.GroupListRequest{Page: directory.PageRequest{Top: 100}})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("groups after failure: %+v %v", page.Items, err)
	}
	if taken, _ := st.MailNicknameTaken(ctx, e.tenant.ID, "doomed", false); taken {
		t.Fatal("the alias stays taken")
	}
	after, _ := st.Changes(ctx, 0, 10000)
	if len(after) != len(changes) {
		t.Fatalf("change log grew from %d to %d rows", len(changes), len(after))
	}
	// The same call succeeds once the step works, with every part in place.
	fs.failTeam = nil
	out, err := svc.ProvisionGroup(ctx, e.tenant.ID, provisionReq("doomed", "alice@example.org", "bob@example.org"), renderID)
	if err != nil {
		t.Fatal(err)
	}
	members, _ := st.Members(ctx, e.tenant.ID, out.Group.ID, directory.PageRequest{Top: 100})
	owners, _ := st.Owners(ctx, e.tenant.ID, out.Group.ID, directory.PageRequest{Top: 100})
	if len(members.Items) != 3 || len(owners.Items) != 2 || out.Team == nil {
		t.Fatalf("%d members, %d owners, team %v", len(members.Items), len(owners.Items), out.Team)
	}
	if _, err := st.Team(ctx, e.tenant.ID, out.Group.ID); err != nil {
		t.Fatal(err)
	}
}

// TestProvisionUnknownPrincipal names the value as given, and a member
// listed as owner too counts once.
func TestProvisionPrincipals(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	e.user("carol")
	_, err := e.svc.ProvisionGroup(e.ctx, e.tenant.ID, provisionReq("p1", "alice@example.org", "ALICE@example.org", "nobody@example.org"), renderID)
	var upe *directory.UnknownPrincipalError
	if !errors.As(err, &upe) || upe.Relation != "owners" || upe.Value != "nobody@example.org" || !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("unknown owner: %v", err)
	}
	p := provisionReq("p2", "ALICE@example.org")
	p.Members = append(p.Members, "alice@example.org")
	out, err := e.svc.ProvisionGroup(e.ctx, e.tenant.ID, p, renderID)
	if err != nil {
		t.Fatal(err)
	}
	members, _ := e.st.Members(e.ctx, e.tenant.ID, out.Group.ID, directory.PageRequest{Top: 100})
	if len(members.Items) != 2 {
		t.Fatalf("%d members, want alice and carol", len(members.Items))
	}
}

// TestCreationRights: with EnableGroupCreation off, a user who is neither
// an administrator nor in GroupCreationAllowedGroupId may not create
// Microsoft 365 groups; security groups stay allowed.
func TestCreationRights(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice")
	bob := e.user("bob")
	creators := e.group("creators")
	if err := e.add(creators, alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, []directory.SettingValue{
		{Name: "EnableGroupCreation", Value: "False"}, {Name: "GroupCreationAllowedGroupId", Value: string(creators.ID)}}); err != nil {
		t.Fatal(err)
	}
	unified := func(u directory.User, nick string) error {
		ctx := directory.WithCaller(e.ctx, directory.Caller{Actor: directory.Actor{Kind: directory.ActorUser, ID: string(u.ID)}})
		types := []string{"Unified"}
		_, err := e.svc.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
			DisplayName: s(nick), MailNickname: s(nick), MailEnabled: b(true), SecurityEnabled: b(false), GroupTypes: &types}})
		return err
	}
	if err := unified(bob, "bobs"); !errors.Is(err, directory.ErrForbidden) {
		t.Fatalf("bob: %v, want forbidden", err)
	}
	if err := unified(alice, "alices"); err != nil {
		t.Fatalf("alice (allowed group): %v", err)
	}
	if err := unified(e.admin, "admins"); err != nil {
		t.Fatalf("administrator: %v", err)
	}
	ctx := directory.WithCaller(e.ctx, directory.Caller{Actor: directory.Actor{Kind: directory.ActorUser, ID: string(bob.ID)}})
	if _, err := e.svc.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("sec"), MailNickname: s("sec"), MailEnabled: b(false), SecurityEnabled: b(true)}}); err != nil {
		t.Fatalf("security group: %v", err)
	}
}

// TestNamingFromCaller: for a user caller the attribute tokens come from
// the caller, not from the owners.
func TestNamingFromCaller(t *testing.T) {
	e := newEnv(t)
	yes := true
	u, err := e.svc.CreateUser(e.ctx, e.tenant.ID, directory.UserFields{AccountEnabled: &yes, DisplayName: s("Dana"),
		MailNickname: s("dana"), UserPrincipalName: s("dana@example.org"), Password: s("Secr3t-pass"),
		Department: s("Legal"), JobTitle: s("Counsel")}, directory.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, []directory.SettingValue{
		{Name: "PrefixSuffixNamingRequirement", Value: "[Department]-[GroupName]-[Title]"}}); err != nil {
		t.Fatal(err)
	}
	ctx := directory.WithCaller(e.ctx, directory.Caller{Actor: directory.Actor{Kind: directory.ActorUser, ID: string(u.ID)}})
	types := []string{"Unified"}
	g, err := e.svc.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("Cases"), MailNickname: s("cases"), MailEnabled: b(true), SecurityEnabled: b(false), GroupTypes: &types}})
	if err != nil || g.DisplayName != "Legal-Cases-Counsel" {
		t.Fatalf("group %q, %v", g.DisplayName, err)
	}
	// A name that already follows the policy is not wrapped twice.
	g, err = e.svc.CreateGroup(ctx, e.tenant.ID, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("Legal-Deals-Counsel"), MailNickname: s("deals"), MailEnabled: b(true), SecurityEnabled: b(false), GroupTypes: &types}})
	if err != nil || g.DisplayName != "Legal-Deals-Counsel" {
		t.Fatalf("group %q, %v", g.DisplayName, err)
	}
}

// TestSettingsValidation: values are checked against the template and
// against each other.
func TestSettingsValidation(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		values []directory.SettingValue
		prop   string
	}{
		{[]directory.SettingValue{{Name: "NoSuchSetting", Value: "x"}}, "values"},
		{[]directory.SettingValue{{Name: "EnableGroupCreation", Value: "maybe"}}, "EnableGroupCreation"},
		{[]directory.SettingValue{{Name: "DefaultClassification", Value: "secret"}}, "DefaultClassification"},
		{[]directory.SettingValue{{Name: "PrefixSuffixNamingRequirement", Value: "GRP_[Department]"}}, "PrefixSuffixNamingRequirement"},
		{[]directory.SettingValue{{Name: "PrefixSuffixNamingRequirement", Value: "[Shoe]_[GroupName]"}}, "PrefixSuffixNamingRequirement"},
		{[]directory.SettingValue{{Name: "GroupCreationAllowedGroupId", Value: "not-a-guid"}}, "GroupCreationAllowedGroupId"},
		{[]directory.SettingValue{{Name: "GroupCreationAllowedGroupId", Value: string(directory.NewObjectID())}}, "GroupCreationAllowedGroupId"},
	} {
		_, err := e.svc.SetUnifiedSettings(e.ctx, e.tenant.ID, tc.values)
		var ve *directory.ValidationError
		if !errors.As(err, &ve) || ve.Property != tc.prop {
			t.Errorf("%v: %v, want invalid %s", tc.values, err, tc.prop)
		}
	}
	if list, _ := e.svc.GroupSettings(e.ctx, e.tenant.ID, directory.SettingsScope{}); len(list) != 0 {
		t.Fatalf("refused settings were stored: %+v", list)
	}
	if _, err := e.svc.CreateGroupSetting(e.ctx, e.tenant.ID, directory.SettingsScope{}, directory.UnifiedTemplateID, nil); err != nil {
		t.Fatal(err)
	}
	var ce *directory.ConflictError
	if _, err := e.svc.CreateGroupSetting(e.ctx, e.tenant.ID, directory.SettingsScope{}, directory.UnifiedTemplateID, nil); !errors.As(err, &ce) {
		t.Fatalf("second setting: %v", err)
	}
}

// racingStore deletes a user inside each write just before the caller's
// function runs, as a concurrent delete between name resolution and the
// write would.
type racingStore struct {
	directory.Store
	victim directory.User
}

func (s *racingStore) Update(ctx context.Context, fn func(directory.Tx) error) error {
	return s.Store.Update(ctx, func(tx directory.Tx) error {
		if s.victim.ID != "" {
			if err := tx.SoftDeleteUser(ctx, s.victim.TenantID, s.victim.ID, time.Now()); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// TestProvisionUserDeletedMeanwhile: a member resolved before the write
// but gone inside it fails the whole call, naming the member as given.
func TestProvisionUserDeletedMeanwhile(t *testing.T) {
	ctx := context.Background()
	st := testdb.Open(t)
	rs := &racingStore{Store: st}
	svc := directory.New(rs, directory.WithPasswordCost(4))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: svc, st: st, tenant: boot.Tenant, admin: boot.Admin}
	e.user("alice")
	rs.victim = e.user("carol")
	p := provisionReq("raced", "alice@example.org")
	p.Members = []string{"Carol@example.org"}
	_, err = svc.ProvisionGroup(ctx, e.tenant.ID, p, renderID)
	var upe *directory.UnknownPrincipalError
	if !errors.As(err, &upe) || upe.Relation != "members" || upe.Value != "Carol@example.org" {
		t.Fatalf("provision: %v, want carol unknown", err)
	}
	if taken, _ := st.MailNicknameTaken(ctx, e.tenant.ID, "raced", false); taken {
		t.Fatal("a group was left behind")
	}
}

// relateSpy records what RelateNewGroupAt was given and answered, for
// stores that have it.
type relateSpy struct {
	directory.Store
	calls      [][2]int64 // visibleAt, the count the store read
	countFails int        // reads of the count that fail before one succeeds
}

type relateSpyTx struct {
	directory.Tx
	s *relateSpy
}

func (s *relateSpy) UserRemovals(ctx context.Context) (int64, error) {
	if s.countFails > 0 {
		s.countFails--
		return 0, errors.New("count unreadable")
	}
	return s.Store.(directory.UserRemovalCounter).UserRemovals(ctx)
}

func (s *relateSpy) Update(ctx context.Context, fn func(directory.Tx) error) error {
	return s.Store.Update(ctx, func(tx directory.Tx) error { return fn(relateSpyTx{tx, s}) })
}

func (t relateSpyTx) RelateNewGroupAt(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID,
	owners, members []directory.ObjectID, visibleAt int64) (int64, error) {
	n, err := t.Tx.(directory.NewGroupRelaterAt).RelateNewGroupAt(ctx, tenant, group, app, owners, members, visibleAt)
	t.s.calls = append(t.s.calls, [2]int64{visibleAt, n})
	return n, err
}

// TestProvisionSkipsCheckWhileNoUserWent: names resolved by the store or
// the name cache are related without a check while no user has gone; a
// removal anywhere makes the next call check, and the call after that
// skips it again.
func TestProvisionSkipsCheckWhileNoUserWent(t *testing.T) {
	ctx := context.Background()
	inner := testdb.Open(t)
	if _, ok := inner.(directory.UserRemovalCounter); !ok {
		t.Skipf("the %s store keeps no count of user removals", testdb.Engine())
	}
	spy := &relateSpy{Store: inner}
	svc := directory.New(spy, directory.WithReadCache(1000), directory.WithPasswordCost(4))
	boot, err := svc.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: svc, st: inner, tenant: boot.Tenant, admin: boot.Admin}
	e.user("alice")
	e.user("carol")
	gone := e.user("gone")
	provision := func(nick string) (skipped bool) {
		t.Helper()
		spy.calls = nil
		if _, err := svc.ProvisionGroup(ctx, e.tenant.ID, provisionReq(nick, "alice@example.org"), renderID); err != nil {
			t.Fatalf("provision %s: %v", nick, err)
		}
		if len(spy.calls) != 1 {
			t.Fatalf("provision %s: %d calls of RelateNewGroupAt, want 1", nick, len(spy.calls))
		}
		return spy.calls[0][0] == spy.calls[0][1]
	}
	for _, nick := range []string{"from-store", "from-cache"} {
		if !provision(nick) {
			t.Errorf("call %s did not skip the check", nick)
		}
	}
	if err := svc.DeleteUser(ctx, e.tenant.ID, string(gone.ID)); err != nil {
		t.Fatal(err)
	}
	if provision("after-removal") {
		t.Error("the call after a removal skipped the check")
	}
	if !provision("after-check") {
		t.Error("the call after a checked one did not skip the check")
	}

	// A count that could not be read leaves the call's names undated:
	// the call checks, the count its check read dates them, and the calls
	// after, which find them in the cache, skip the check again.
	e.user("dave")
	spy.countFails = 1
	req := func(nick string) directory.Provision {
		p := provisionReq(nick, "alice@example.org")
		p.Members = append(p.Members, "dave@example.org")
		return p
	}
	for i, want := range []bool{false, true, true} {
		spy.calls = nil
		if _, err := svc.ProvisionGroup(ctx, e.tenant.ID, req(fmt.Sprint("undated", i)), renderID); err != nil {
			t.Fatal(err)
		}
		if got := len(spy.calls) == 1 && spy.calls[0][0] == spy.calls[0][1]; got != want {
			t.Errorf("undated call %d skipped the check: %v, want %v (%v)", i, got, want, spy.calls)
		}
	}
}

// TestProvisionStaleNameFromAnotherProcess: a user another process
// removed is still in this Service's name cache (no follower runs), and
// the call naming it fails as if the user were gone when the names were
// resolved: the cache entry's removal count is older than the store's.
func TestProvisionStaleNameFromAnotherProcess(t *testing.T) {
	ctx := context.Background()
	open := sharedStore(t)
	a := directory.New(open(), directory.WithReadCache(1000), directory.WithPasswordCost(4))
	b := directory.New(open(), directory.WithPasswordCost(4))
	boot, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: a, tenant: boot.Tenant, admin: boot.Admin}
	e.user("alice")
	carol := e.user("carol")
	if _, err := a.ProvisionGroup(ctx, e.tenant.ID, provisionReq("first", "alice@example.org"), renderID); err != nil {
		t.Fatal(err) // carol's name is in a's cache now
	}
	if err := b.DeleteUser(ctx, e.tenant.ID, string(carol.ID)); err != nil {
		t.Fatal(err)
	}
	_, err = a.ProvisionGroup(ctx, e.tenant.ID, provisionReq("second", "alice@example.org"), renderID)
	var upe *directory.UnknownPrincipalError
	if !errors.As(err, &upe) || upe.Relation != "members" || upe.Value != "carol@example.org" {
		t.Fatalf("provision naming a user another process removed: %v, want carol unknown", err)
	}
}
