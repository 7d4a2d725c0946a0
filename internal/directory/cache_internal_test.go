package directory

import "testing"

// Groups are cached by id alone; a lookup answers only for the entry's own
// tenant.
func TestObjectCacheGroupsKeepTenants(t *testing.T) {
	c := newObjectCache(10)
	a, b := TenantID("tenant-a"), TenantID("tenant-b")
	g := Group{ID: "g1", TenantID: a, DisplayName: "one"}
	c.putGroup(cacheKey{a, g.ID}, g, c.generation())
	got, ok := c.group(cacheKey{a, g.ID})
	if !ok || got.DisplayName != "one" || got.Revision == 0 {
		t.Fatalf("own tenant: %+v, %v", got, ok)
	}
	if _, ok := c.group(cacheKey{b, g.ID}); ok {
		t.Error("another tenant's lookup found the group")
	}
	found := make([]Group, 2)
	if missing := c.groupsInto(b, []ObjectID{g.ID, "g2"}, found); len(missing) != 2 {
		t.Errorf("another tenant's page found %d of 2, want none", 2-len(missing))
	}
	if missing := c.groupsInto(a, []ObjectID{g.ID, "g2"}, found); len(missing) != 1 || missing[0] != "g2" || found[0].DisplayName != "one" {
		t.Errorf("own tenant's page: missing %v, found %+v", missing, found[0])
	}

	// A value is never filed under a key it does not answer to.
	c.putGroup(cacheKey{b, "g3"}, Group{ID: "g3", TenantID: a}, c.generation())
	c.putGroup(cacheKey{a, "g4"}, Group{ID: "g5", TenantID: a}, c.generation())
	for _, k := range []cacheKey{{a, "g3"}, {b, "g3"}, {a, "g4"}, {a, "g5"}} {
		if _, ok := c.group(k); ok {
			t.Errorf("%v is cached, from a value put under another key", k)
		}
	}

	c.invalidate([]Change{{TenantID: a, ObjectID: g.ID}})
	if _, ok := c.group(cacheKey{a, g.ID}); ok {
		t.Error("the group is still cached after a change named it")
	}
}

// The names kept never outnumber the cache's bound, however many one
// call resolves.
func TestObjectCacheNamesBounded(t *testing.T) {
	c := newObjectCache(3)
	var users []UPNUser
	for i := range 5 {
		users = append(users, UPNUser{ID: ObjectID(string(rune('a' + i))), UserPrincipalName: string(rune('A'+i)) + "@x"})
	}
	c.putNames("t", users, c.generation(), 7)
	if len(c.names) > 3 || len(c.nameOf) != len(c.names) {
		t.Fatalf("%d names, %d ids kept, bound 3", len(c.names), len(c.nameOf))
	}
	if e, ok := c.userByName("t", "a@x"); !ok || e != (nameEntry{id: "a", at: 7}) {
		t.Fatalf("first name: %+v %v", e, ok)
	}
}

// A name's removal count only rises, and only for the id it names.
func TestNameSeenVisible(t *testing.T) {
	c := newObjectCache(10)
	c.putNames("t", []UPNUser{{ID: "a", UserPrincipalName: "A@x", Guest: true}, {ID: "b", UserPrincipalName: "B@x"}}, c.generation(), 3)
	c.seenVisible("t", map[string]ObjectID{"a@x": "a", "b@x": "other", "c@x": "c"}, 5)
	c.seenVisible("t", map[string]ObjectID{"a@x": "a"}, 4)
	for key, want := range map[string]nameEntry{"a@x": {id: "a", guest: true, at: 5}, "b@x": {id: "b", at: 3}} {
		if e, _ := c.userByName("t", key); e != want {
			t.Errorf("%s: %+v, want %+v", key, e, want)
		}
	}
	if _, ok := c.userByName("t", "c@x"); ok {
		t.Error("seenVisible added a name")
	}
}
