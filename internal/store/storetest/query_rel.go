package storetest

import (
	"net/url"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// testQueryRelations runs filters, search, casts and counts on members,
// owners, memberOf, ownedObjects and directReports, and expands each
// relationship for a page.
func testQueryRelations(t *testing.T, f *fixture) {
	qs := f.querier()
	parent := f.insertGroup(f.newGroup("Parent"))
	ada := f.newUser("ada")
	ada.DisplayName = "Ada Lovelace"
	f.insertUser(ada)
	bob := f.newUser("bob")
	bob.DisplayName = "Bob"
	f.insertUser(bob)
	child := f.insertGroup(f.newGroup("Alpha Child"))
	gone := f.newUser("gone")
	f.insertUser(gone)
	f.addMembers(parent, userRef(ada), userRef(bob), groupRef(child), userRef(gone))
	f.addOwners(parent, userRef(ada))
	f.addOwners(f.insertGroup(f.newGroup("Owned By Ada")), userRef(ada))
	// Deleted groups are not owned any more.
	deleted := f.insertGroup(f.newGroup("Owned And Deleted"))
	f.addOwners(deleted, userRef(ada))
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(f.ctx, f.tenant.ID, deleted.ID, f.now) })
	// Ada manages Bob and, until the delete, gone; Bob manages Carl.
	bob.ManagerID = ada.ID
	f.update(func(tx directory.Tx) error { return tx.UpdateUser(f.ctx, bob) })
	gone.ManagerID = ada.ID
	f.update(func(tx directory.Tx) error { return tx.UpdateUser(f.ctx, gone) })
	carl := f.newUser("carl")
	carl.DisplayName, carl.ManagerID = "Carl", bob.ID
	f.insertUser(carl)
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(f.ctx, f.tenant.ID, gone.ID, f.now) })

	members := func(kind directory.ObjectKind, schema odata.Schema, raw string) directory.ListQuery {
		q := parse(t, directory.SourceMembers, schema, raw)
		q.Of, q.Kind, q.Page.Top = parent.ID, kind, 1
		return q
	}
	cases := []struct {
		what string
		q    directory.ListQuery
		want []string
	}{
		{"all members", members("", odata.DirectoryObjectSchema, ""), []string{"Ada Lovelace", "Bob", "Alpha Child"}},
		{"startsWith", members("", odata.DirectoryObjectSchema, "$filter="+url.QueryEscape("startsWith(displayName,'a')")), []string{"Ada Lovelace", "Alpha Child"}},
		{"search", members("", odata.DirectoryObjectSchema, "$search="+url.QueryEscape(`"displayName:a"`)), []string{"Ada Lovelace", "Alpha Child"}},
		{"ordered", members("", odata.DirectoryObjectSchema, "$orderby=displayName desc"), []string{"Bob", "Alpha Child", "Ada Lovelace"}},
		{"cast user", members(directory.KindUser, odata.UserSchema, "$filter="+url.QueryEscape("startsWith(userPrincipalName,'a')")), []string{"Ada Lovelace"}},
		{"cast group", members(directory.KindGroup, odata.GroupSchema, ""), []string{"Alpha Child"}},
		{"owners", func() directory.ListQuery {
			q := members("", odata.DirectoryObjectSchema, "")
			q.Source = directory.SourceOwners
			return q
		}(), []string{"Ada Lovelace"}},
		{"memberOf", func() directory.ListQuery {
			q := parse(t, directory.SourceMemberOf, odata.GroupSchema, "$filter="+url.QueryEscape("displayName eq 'parent'"))
			q.Of = child.ID
			return q
		}(), []string{"Parent"}},
		{"ownedObjects", func() directory.ListQuery {
			q := parse(t, directory.SourceOwnedObjects, odata.GroupSchema, "")
			q.Of, q.Page.Top = ada.ID, 1
			return q
		}(), []string{"Parent", "Owned By Ada"}},
		{"ownedObjects filtered", func() directory.ListQuery {
			q := parse(t, directory.SourceOwnedObjects, odata.GroupSchema, "$filter="+url.QueryEscape("startsWith(displayName,'owned')"))
			q.Of = ada.ID
			return q
		}(), []string{"Owned By Ada"}},
		{"directReports", func() directory.ListQuery {
			q := parse(t, directory.SourceDirectReports, odata.UserSchema, "")
			q.Of, q.Page.Top = ada.ID, 1
			return q
		}(), []string{"Bob"}},
		{"directReports filtered", func() directory.ListQuery {
			q := parse(t, directory.SourceDirectReports, odata.UserSchema, "$filter="+url.QueryEscape("startsWith(displayName,'c')"))
			q.Of = bob.ID
			return q
		}(), []string{"Carl"}},
		{"directReports of nobody's manager", func() directory.ListQuery {
			q := parse(t, directory.SourceDirectReports, odata.UserSchema, "")
			q.Of = carl.ID
			return q
		}(), nil},
		{"ownedObjects of a member only", func() directory.ListQuery {
			q := parse(t, directory.SourceOwnedObjects, odata.GroupSchema, "")
			q.Of = bob.ID
			return q
		}(), nil},
	}
	for _, c := range cases {
		got := f.names(c.q)
		if c.q.OrderBy != "" {
			if len(got) != len(c.want) || !equalStrings(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.what, got, c.want)
			}
		} else {
			sameSet(t, c.what, got, c.want)
		}
		n, err := qs.Count(f.ctx, f.tenant.ID, c.q)
		if err != nil || n != len(c.want) {
			t.Errorf("%s: count %d, %v; want %d", c.what, n, err, len(c.want))
		}
	}

	// $expand of each relationship for a whole page.
	for _, c := range []struct {
		src, rel directory.Source
		item     directory.ObjectID
		want     []string
	}{
		{directory.SourceGroups, directory.SourceMembers, parent.ID, []string{"Ada Lovelace", "Bob", "Alpha Child"}},
		{directory.SourceGroups, directory.SourceOwners, parent.ID, []string{"Ada Lovelace"}},
		{directory.SourceGroups, directory.SourceMemberOf, child.ID, []string{"Parent"}},
		{directory.SourceUsers, directory.SourceMemberOf, ada.ID, []string{"Parent"}},
		{directory.SourceUsers, directory.SourceDirectReports, ada.ID, []string{"Bob"}},
		{directory.SourceUsers, directory.SourceDirectReports, bob.ID, []string{"Carl"}},
		{directory.SourceUsers, directory.SourceDirectReports, carl.ID, nil},
	} {
		p, err := qs.List(f.ctx, f.tenant.ID, directory.ListQuery{Source: c.src, Expand: c.rel, ExpandLimit: 20})
		if err != nil {
			t.Fatalf("expand: %v", err)
		}
		var got []string
		for _, o := range p.Expanded[c.item] {
			if o.User != nil {
				got = append(got, o.User.DisplayName)
			} else {
				got = append(got, o.Group.DisplayName)
			}
		}
		sameSet(t, "expand", got, c.want)
	}
	p, err := qs.List(f.ctx, f.tenant.ID, directory.ListQuery{Source: directory.SourceGroups, Expand: directory.SourceMembers, ExpandLimit: 2})
	if err != nil || len(p.Expanded[parent.ID]) != 2 {
		t.Errorf("expand limit 2: %v, %d items", err, len(p.Expanded[parent.ID]))
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testQueryCount counts whole lists across creates, soft and hard deletes
// and restores of visibility, and in another tenant.
func testQueryCount(t *testing.T, f *fixture) {
	qs := f.querier()
	count := func(src directory.Source) int {
		t.Helper()
		n, err := qs.Count(f.ctx, f.tenant.ID, directory.ListQuery{Source: src})
		if err != nil {
			t.Fatalf("count: %v", err)
		}
		return n
	}
	if n := count(directory.SourceGroups); n != 0 {
		t.Errorf("empty tenant: %d groups", n)
	}
	a, b, c := f.group(), f.group(), f.group()
	u1, _ := f.user(), f.user()
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(f.ctx, f.tenant.ID, a.ID, f.now) })
	f.update(func(tx directory.Tx) error { return tx.DeleteGroup(f.ctx, f.tenant.ID, b.ID) })
	f.update(func(tx directory.Tx) error { return tx.DeleteGroup(f.ctx, f.tenant.ID, a.ID) }) // purge a soft-deleted group
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(f.ctx, f.tenant.ID, u1.ID, f.now) })
	other := f.otherTenant("other.example")
	g := f.newGroup("elsewhere")
	g.TenantID = other.ID
	f.insertGroup(g)
	if n := count(directory.SourceGroups); n != 1 {
		t.Errorf("groups: %d, want 1 (%s)", n, c.ID)
	}
	if n := count(directory.SourceUsers); n != 1 {
		t.Errorf("users: %d, want 1", n)
	}
	if n, err := qs.Count(f.ctx, f.tenant.ID, directory.ListQuery{Source: directory.SourceGroups, Kind: directory.KindUser}); err != nil || n != 0 {
		t.Errorf("groups cast to users: %d, %v", n, err)
	}
}
