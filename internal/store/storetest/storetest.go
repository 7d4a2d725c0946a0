// Package storetest is the conformance suite every storage engine passes:
// each engine's test calls Run with a function that opens a fresh, migrated
// store. Expected values come from the contracts in
// internal/directory/store.go, not from what an engine happens to do.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"groupd/internal/directory"
)

// Explainer is an optional engine extra: the plan the engine would use for
// query. Engine tests use it to check that hot queries use an index.
type Explainer interface {
	ExplainQueryPlan(ctx context.Context, query string, args ...any) (string, error)
}

// Run runs every conformance test. open must return a fresh, empty store
// for each call; Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) directory.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"Tenants", testTenants},
		{"Users/CRUD", testUsersCRUD},
		{"Users/Uniqueness", testUsersUniqueness},
		{"Users/SoftDelete", testUsersSoftDelete},
		{"Groups/CRUD", testGroupsCRUD},
		{"Groups/MailNickname", testGroupsMailNickname},
		{"Groups/Mail", testGroupsMail},
		{"Groups/DisplayNameTaken", testGroupsDisplayNameTaken},
		{"Groups/HardDelete", testGroupsHardDelete},
		{"Groups/SoftDelete", testGroupsSoftDelete},
		{"Groups/Expand", testGroupsExpand},
		{"Members/AddRemove", testMembersAddRemove},
		{"Members/Duplicate", testMembersDuplicate},
		{"Members/AddUserMember", testAddUserMember},
		{"Members/AddUserMembers", testAddUserMembers},
		{"Members/Owners", testOwners},
		{"Members/Existing", testMembersExisting},
		{"Members/MemberOf", testMemberOf},
		{"Members/Contains", testContains},
		{"Members/TransitiveRandom", testTransitiveRandom},
		{"Members/TransitiveQuery", testTransitiveQuery},
		{"Objects", testObjects},
		{"Paging/Users", testPagingUsers},
		{"Paging/Groups", testPagingGroups},
		{"Paging/Members", testPagingMembers},
		{"Changes", testChanges},
		{"Changes/Keys", testChangeKeys},
		{"Changes/Many", testChangesMany},
		{"Changes/Runs", testChangesRuns},
		{"Changes/AppendedCursors", testAppendedCursors},
		{"Changes/Pending", testPendingChanges},
		{"Changes/PendingOpenTransaction", testPendingOpenTransaction},
		{"Audit", testAudit},
		{"AuditTrimOrder", testAuditTrimOrder},
		{"Subscriptions", testSubscriptions},
		{"Update/Rollback", testUpdateRollback},
		{"Update/ReadsOwnWrites", testUpdateReadsOwnWrites},
		{"Update/Cancel", testUpdateCancel},
		{"Concurrency/Writers", testConcurrentWriters},
		{"Concurrency/ChangeOrder", testConcurrentChangeOrder},
		{"TenantIsolation", testTenantIsolation},
		{"Query/Filter", testQueryFilter},
		{"Query/Users", testQueryUsers},
		{"Query/Search", testQuerySearch},
		{"Query/OrderBy", testQueryOrderBy},
		{"Query/PagingStable", testQueryPagingStable},
		{"Query/BadCursor", testQueryBadCursor},
		{"Query/Relations", testQueryRelations},
		{"Query/Count", testQueryCount},
		{"Query/CountConcurrent", testCountsConcurrent},
		{"Secrets", testSecrets},
		{"Query/SearchKinds", testSearchKinds},
		{"Apps", testApps},
		{"Apps/SigningKeys", testSigningKeys},
		{"Tracking/DeletedRestore", testDeletedRestore},
		{"Tracking/DeletedConflict", testDeletedConflict},
		{"Tracking/DeletedPurge", testDeletedPurge},
		{"Tracking/ChangeTrim", testChangeTrim},
		{"Tracking/ChangeTrimKeepsUnconsumed", testChangeTrimKeepsUnconsumed},
		{"Tracking/ChangeTrimStopsAtRetained", testChangeTrimStopsAtRetained},
		{"Tracking/DeltaSecret", testDeltaSecret},
		{"Governance/GroupSettings", testGroupSettings},
		{"Governance/Teams", testTeams},
		{"Governance/UsersByUPN", testUsersByUPN},
		{"Governance/UserIDsByUPN", testUserIDsByUPN},
		{"Governance/RelateNewGroup", testRelateNewGroup},
		{"Governance/Idempotency", testIdempotency},
		{"BulkLoad", testBulkLoad},
		{"Tracking/ExistingMemberships", testExistingMemberships},
		{"Members/InvisibleGroup", testRelateInvisibleGroup},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, newFixture(t, s))
		})
	}
}

// fixture is a fresh store with one default tenant ("contoso.example").
type fixture struct {
	t      *testing.T
	s      directory.Store
	ctx    context.Context
	tenant directory.Tenant
	now    time.Time
	seq    int
}

func newFixture(t *testing.T, s directory.Store) *fixture {
	f := &fixture{t: t, s: s, ctx: context.Background(), now: time.Now().UTC().Truncate(time.Microsecond)}
	f.tenant = directory.Tenant{
		ID:          directory.NewTenantID(),
		DisplayName: "Contoso",
		Domains:     []directory.Domain{{Name: "contoso.example", IsDefault: true, IsInitial: true}},
		IsDefault:   true,
		CreatedAt:   f.now,
	}
	f.update(func(tx directory.Tx) error { return tx.InsertTenant(f.ctx, f.tenant) })
	return f
}

// update runs fn in a transaction and fails the test on error.
func (f *fixture) update(fn func(tx directory.Tx) error) {
	f.t.Helper()
	if err := f.s.Update(f.ctx, fn); err != nil {
		f.t.Fatalf("update: %v", err)
	}
}

// otherTenant inserts a second, non-default tenant.
func (f *fixture) otherTenant(domain string) directory.Tenant {
	f.t.Helper()
	tn := directory.Tenant{
		ID: directory.NewTenantID(), DisplayName: domain, CreatedAt: f.now,
		Domains: []directory.Domain{{Name: domain, IsDefault: true, IsInitial: true}},
	}
	f.update(func(tx directory.Tx) error { return tx.InsertTenant(f.ctx, tn) })
	return tn
}

// newUser returns (without inserting) a user of the fixture tenant whose
// names derive from name.
func (f *fixture) newUser(name string) directory.User {
	return directory.User{
		ID:                       directory.NewObjectID(),
		TenantID:                 f.tenant.ID,
		DisplayName:              name,
		UserPrincipalName:        name + "@contoso.example",
		MailNickname:             name,
		AccountEnabled:           true,
		OnPremisesSamAccountName: name,
		UserType:                 directory.UserTypeMember,
		CreatedAt:                f.now,
	}
}

// guest inserts a guest user with a fresh name.
func (f *fixture) guest() directory.User {
	f.t.Helper()
	f.seq++
	u := f.newUser(fmt.Sprintf("guest%d", f.seq))
	u.UserType = directory.UserTypeGuest
	return f.insertUser(u)
}

func (f *fixture) insertUser(u directory.User) directory.User {
	f.t.Helper()
	f.update(func(tx directory.Tx) error { return tx.InsertUser(f.ctx, u) })
	return u
}

// user inserts a user with a fresh name.
func (f *fixture) user() directory.User {
	f.t.Helper()
	f.seq++
	return f.insertUser(f.newUser(fmt.Sprintf("user%d", f.seq)))
}

// newGroup returns (without inserting) a security group that is not
// mail-enabled.
func (f *fixture) newGroup(name string) directory.Group {
	return directory.Group{
		ID:              directory.NewObjectID(),
		TenantID:        f.tenant.ID,
		DisplayName:     name,
		MailNickname:    name,
		SecurityEnabled: true,
		CreatedAt:       f.now,
	}
}

// newUnified returns (without inserting) a Microsoft 365 group.
func (f *fixture) newUnified(name string) directory.Group {
	g := f.newGroup(name)
	g.SecurityEnabled = false
	g.MailEnabled = true
	g.GroupTypes = []string{directory.GroupTypeUnified}
	g.Mail = name + "@contoso.example"
	g.Visibility = directory.VisibilityPrivate
	return g
}

func (f *fixture) insertGroup(g directory.Group) directory.Group {
	f.t.Helper()
	f.update(func(tx directory.Tx) error { return tx.InsertGroup(f.ctx, g) })
	return g
}

// group inserts a security group with a fresh name.
func (f *fixture) group() directory.Group {
	f.t.Helper()
	f.seq++
	return f.insertGroup(f.newGroup(fmt.Sprintf("group%d", f.seq)))
}

func userRef(u directory.User) directory.MemberRef {
	return directory.MemberRef{ID: u.ID, Kind: directory.KindUser}
}

func groupRef(g directory.Group) directory.MemberRef {
	return directory.MemberRef{ID: g.ID, Kind: directory.KindGroup}
}

func (f *fixture) addMembers(g directory.Group, refs ...directory.MemberRef) {
	f.t.Helper()
	f.update(func(tx directory.Tx) error { return tx.AddMembers(f.ctx, f.tenant.ID, g.ID, refs) })
}

func (f *fixture) addOwners(g directory.Group, refs ...directory.MemberRef) {
	f.t.Helper()
	f.update(func(tx directory.Tx) error { return tx.AddOwners(f.ctx, f.tenant.ID, g.ID, refs) })
}

// idAt returns a fixed GUID whose order among other idAt values is n's.
func idAt(n int) directory.ObjectID {
	return directory.ObjectID(fmt.Sprintf("00000000-0000-4000-8000-%012d", n))
}

// Engines keep at least millisecond precision; compare at that precision.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normTime(*t)
	return &n
}

// normList treats an empty list like an unset one.
func normList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

func normUser(u directory.User) directory.User {
	u.CreatedAt = normTime(u.CreatedAt)
	u.DeletedAt = normTimePtr(u.DeletedAt)
	u.BusinessPhones = normList(u.BusinessPhones)
	u.OtherMails = normList(u.OtherMails)
	return u
}

func normGroup(g directory.Group) directory.Group {
	g.CreatedAt = normTime(g.CreatedAt)
	g.RenewedAt = normTime(g.RenewedAt)
	g.ExpirationAt = normTimePtr(g.ExpirationAt)
	g.DeletedAt = normTimePtr(g.DeletedAt)
	g.GroupTypes = normList(g.GroupTypes)
	g.ProxyAddresses = normList(g.ProxyAddresses)
	if len(g.Members) == 0 {
		g.Members = nil
	}
	return g
}

func sameUser(t *testing.T, what string, got, want directory.User) {
	t.Helper()
	if g, w := normUser(got), normUser(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func sameGroup(t *testing.T, what string, got, want directory.Group) {
	t.Helper()
	if g, w := normGroup(got), normGroup(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// wantNotFound checks that err is a *directory.NotFoundError.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	var nf *directory.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("%s: got error %v, want *directory.NotFoundError", what, err)
	}
}

// wantConflict checks that err is a *directory.ConflictError on property.
func wantConflict(t *testing.T, what string, err error, property, value string) {
	t.Helper()
	var c *directory.ConflictError
	if !errors.As(err, &c) || !errors.Is(err, directory.ErrConflict) {
		t.Errorf("%s: got error %v, want *directory.ConflictError", what, err)
		return
	}
	if c.Property != property || c.Value != value {
		t.Errorf("%s: conflict on %s %q, want %s %q", what, c.Property, c.Value, property, value)
	}
}

func must[T any](t *testing.T, what string) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func objectIDs(objs []directory.Object) []directory.ObjectID {
	ids := make([]directory.ObjectID, len(objs))
	for i, o := range objs {
		ids[i] = o.ID()
	}
	return ids
}

func groupIDs(groups []directory.Group) []directory.ObjectID {
	ids := make([]directory.ObjectID, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	return ids
}

func userIDs(users []directory.User) []directory.ObjectID {
	ids := make([]directory.ObjectID, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

func sorted(ids ...directory.ObjectID) []directory.ObjectID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func sameIDs(t *testing.T, what string, got, want []directory.ObjectID) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// allPages reads a keyset-paged list to its end with pages of top items.
func allPages[T any](t *testing.T, top int, read func(directory.PageRequest) (directory.Page[T], error)) []T {
	t.Helper()
	var all []T
	after := ""
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("paging does not end")
		}
		p, err := read(directory.PageRequest{Top: top, After: after})
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(p.Items) > top {
			t.Fatalf("page %d has %d items, top is %d", i, len(p.Items), top)
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			return all
		}
		after = p.Next
	}
}
