package storetest

import (
	"reflect"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/odata"
	"groupd/internal/store/bulk"
)

// testBulkLoad checks that a bulk load leaves what InsertUser, InsertGroup
// and AddMembers would: the same objects read back, counts, search tokens
// and nesting; and that a failing load writes nothing.
func testBulkLoad(t *testing.T, f *fixture) {
	loader, ok := f.s.(bulk.Loader)
	if !ok {
		t.Skip("engine has no bulk loader")
	}
	existing := f.insertUser(f.newUser("Existing Person"))
	ada, bob := f.newUser("Ada Lovelace"), f.newUser("Bob Lovelace")
	top, sub, team := f.newGroup("Top Readers"), f.newGroup("Sub Readers"), f.newUnified("Team Alpha")
	top.Description = "world readers"
	data := bulk.Data{
		Tenant: f.tenant.ID,
		Users:  []directory.User{ada, bob},
		Groups: []directory.Group{top, sub, team},
		Memberships: []bulk.Membership{
			{Group: top.ID, Member: sub.ID, Kind: directory.KindGroup},
			{Group: sub.ID, Member: ada.ID, Kind: directory.KindUser},
			{Group: team.ID, Member: bob.ID, Kind: directory.KindUser},
			{Group: team.ID, Member: existing.ID, Kind: directory.KindUser},
		},
	}
	var done []string
	if err := loader.BulkLoad(f.ctx, data, func(phase string, n, total int) {
		if n == total {
			done = append(done, phase)
		}
	}); err != nil {
		t.Fatalf("BulkLoad: %v", err)
	}
	if len(done) < 4 {
		t.Errorf("progress reported phases %v, want users, groups, search tokens and memberships", done)
	}
	for _, u := range data.Users {
		got, err := f.s.User(f.ctx, f.tenant.ID, u.ID)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("User %s = %+v, %v; want %+v", u.DisplayName, got, err, u)
		}
	}
	for _, g := range data.Groups {
		got, err := f.s.Group(f.ctx, f.tenant.ID, g.ID)
		if err != nil || !reflect.DeepEqual(got, g) {
			t.Errorf("Group %s = %+v, %v; want %+v", g.DisplayName, got, err, g)
		}
	}
	for src, want := range map[directory.Source]int{directory.SourceUsers: 3, directory.SourceGroups: 3} {
		if n, err := f.s.Count(f.ctx, f.tenant.ID, directory.ListQuery{Source: src}); err != nil || n != want {
			t.Errorf("Count(%v) = %d, %v; want %d", src, n, err, want)
		}
	}
	q := parse(t, directory.SourceUsers, odata.UserSchema, `$search="displayName:lovel"`)
	sameSet(t, "search users", f.names(q), []string{"Ada Lovelace", "Bob Lovelace"})
	q = parse(t, directory.SourceGroups, odata.GroupSchema, `$search="description:world" OR "displayName:alpha"`)
	sameSet(t, "search groups", f.names(q), []string{"Top Readers", "Team Alpha"})
	if ok, err := f.s.Contains(f.ctx, f.tenant.ID, top.ID, ada.ID); err != nil || !ok {
		t.Errorf("Contains(top, ada) = %v, %v; want true through sub", ok, err)
	}
	if ok, err := f.s.Contains(f.ctx, f.tenant.ID, top.ID, bob.ID); err != nil || ok {
		t.Errorf("Contains(top, bob) = %v, %v; want false", ok, err)
	}
	page, err := f.s.Members(f.ctx, f.tenant.ID, team.ID, directory.PageRequest{Top: 10})
	if err != nil || len(page.Items) != 2 {
		t.Errorf("members of the team: %d, %v; want 2", len(page.Items), err)
	}

	// A load that collides with a stored id fails as a whole.
	late := f.newUser("Late Lovelace")
	err = loader.BulkLoad(f.ctx, bulk.Data{Tenant: f.tenant.ID, Users: []directory.User{late, ada}}, nil)
	if err == nil {
		t.Fatal("BulkLoad of a stored id succeeded")
	}
	if _, err := f.s.User(f.ctx, f.tenant.ID, late.ID); err == nil {
		t.Error("a failed load left a user behind")
	}
	if n, err := f.s.Count(f.ctx, f.tenant.ID, directory.ListQuery{Source: directory.SourceUsers}); err != nil || n != 3 {
		t.Errorf("users after the failed load: %d, %v; want 3", n, err)
	}
}
