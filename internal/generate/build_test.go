package generate

import (
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		c    Config
		want string
	}{
		{Config{Users: 0, Groups: 1, Depth: 1}, "at least 1"},
		{Config{Users: 1, Groups: 1, Depth: 0}, "--depth"},
		{Config{Users: 10, Groups: 10, Memberships: 3, Depth: 5}, "at least 6"}, // 8 security groups, 2 on top
		{Config{Users: 2, Groups: 2, Memberships: 5, Depth: 1}, "at most 4"},
	}
	for _, c := range cases {
		if err := c.c.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want an error saying %q", c.c, err, c.want)
		}
	}
}

// TestBuildShape checks the invariants the loader relies on: exact counts,
// no duplicate membership, Unified groups hold users only, every group
// has at most one parent (a forest, so no cycle) and the nesting is as
// deep as asked.
func TestBuildShape(t *testing.T) {
	tenant := directory.Tenant{ID: "t", Domains: []directory.Domain{{Name: "example.org", IsDefault: true}}}
	for _, c := range []Config{
		{Users: 500, Groups: 50, Memberships: 4000, Depth: 5, Seed: 1},
		{Users: 10, Groups: 3, Memberships: 12, Depth: 5, Seed: 2}, // fewer groups than levels
		{Users: 4, Groups: 4, Memberships: 16, Depth: 1, Seed: 3},  // everyone everywhere
	} {
		d, sum, err := Build(c, tenant, time.Now())
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if len(d.Users) != c.Users || len(d.Groups) != c.Groups || len(d.Memberships) != c.Memberships || sum.Memberships != c.Memberships {
			t.Errorf("%+v: %d users, %d groups, %d memberships", c, len(d.Users), len(d.Groups), len(d.Memberships))
		}
		groups := map[directory.ObjectID]directory.Group{}
		for _, g := range d.Groups {
			groups[g.ID] = g
		}
		seen := map[[2]directory.ObjectID]bool{}
		parent := map[directory.ObjectID]directory.ObjectID{}
		for _, m := range d.Memberships {
			k := [2]directory.ObjectID{m.Group, m.Member}
			if seen[k] {
				t.Errorf("%+v: membership %v twice", c, k)
			}
			seen[k] = true
			if m.Kind != directory.KindGroup {
				continue
			}
			if groups[m.Group].IsUnified() || groups[m.Member].IsUnified() {
				t.Errorf("%+v: a Unified group takes part in nesting", c)
			}
			if _, ok := parent[m.Member]; ok {
				t.Errorf("%+v: group %s has two parents", c, m.Member)
			}
			parent[m.Member] = m.Group
		}
		depth := 0
		for id := range groups {
			n := 1
			for p, ok := parent[id]; ok; p, ok = parent[p] {
				n++
			}
			depth = max(depth, n)
		}
		if want := min(c.Depth, c.Groups-c.Groups/unifiedEvery); depth != want || len(sum.DeepGroupIDs) != want {
			t.Errorf("%+v: nesting %d deep, deep chain %d, want %d", c, depth, len(sum.DeepGroupIDs), want)
		}
	}
}
