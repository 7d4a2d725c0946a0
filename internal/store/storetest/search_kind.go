package storetest

import (
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// testSearchKinds: search tokens of a user and of a group never stand in
// for each other, even when the two share an id (the store does not
// forbid it): each list finds only its own kind, a member list that mixes
// kinds matches an id together with its kind, and rewriting one object's
// tokens leaves the other's alone.
func testSearchKinds(t *testing.T, f *fixture) {
	u := f.insertUser(f.newUser("beta"))
	twin := f.newGroup("alpha")
	twin.ID = u.ID
	f.insertGroup(twin)
	parent := f.group()
	f.update(func(tx directory.Tx) error {
		return tx.AddMembers(f.ctx, f.tenant.ID, parent.ID, []directory.MemberRef{userRef(u)})
	})
	search := func(src directory.Source, schema odata.Schema, word string) []string {
		t.Helper()
		q := parse(t, src, schema, `$search="displayName:`+word+`"`)
		q.Of = parent.ID
		return f.names(q)
	}
	check := func(when string) {
		t.Helper()
		sameSet(t, when+": groups alpha", search(directory.SourceGroups, odata.GroupSchema, "alpha"), []string{"alpha"})
		sameSet(t, when+": groups beta", search(directory.SourceGroups, odata.GroupSchema, "beta"), nil)
		sameSet(t, when+": users alpha", search(directory.SourceUsers, odata.UserSchema, "alpha"), nil)
		sameSet(t, when+": users beta", search(directory.SourceUsers, odata.UserSchema, "beta"), []string{"beta"})
		sameSet(t, when+": members alpha", search(directory.SourceMembers, odata.DirectoryObjectSchema, "alpha"), nil)
		sameSet(t, when+": members beta", search(directory.SourceMembers, odata.DirectoryObjectSchema, "beta"), []string{"beta"})
	}
	check("created")
	u.DisplayName = "beta"
	u.JobTitle = "rewritten"
	f.update(func(tx directory.Tx) error { return tx.UpdateUser(f.ctx, u) })
	twin.Description = "rewritten"
	f.update(func(tx directory.Tx) error { return tx.UpdateGroup(f.ctx, twin) })
	check("rewritten")
}
