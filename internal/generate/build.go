package generate

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"groupd/internal/directory"
	"groupd/internal/store/bulk"
)

// Config sizes the directory. Memberships counts every membership row,
// the nesting of groups in groups included.
type Config struct {
	Users, Groups, Memberships int
	// Depth is how many levels of security groups are nested: 1 is no
	// nesting, 5 puts users in groups four levels below a top group.
	Depth int
	Seed  uint64
}

// Defaults are the sizes of DESIGN.md's benchmark directory.
var Defaults = Config{Users: 100_000, Groups: 10_000, Memberships: 1_000_000, Depth: 5, Seed: 1}

// unifiedEvery makes every n-th group a Microsoft 365 group; the rest are
// security groups, which alone may be nested.
const unifiedEvery = 5

// samples is how many ids each sample list holds.
const samples = 10

// Summary is what generation reports; its JSON keys are the command line
// contract of `groupd bench generate`.
type Summary struct {
	TenantID       directory.TenantID   `json:"tenantId"`
	Users          int                  `json:"users"`
	Groups         int                  `json:"groups"`
	Memberships    int                  `json:"memberships"`
	SampleUserIDs  []directory.ObjectID `json:"sampleUserIds"`
	SampleGroupIDs []directory.ObjectID `json:"sampleGroupIds"`
	// DeepUserIDs are direct members of DeepGroupIDs' last group, so they
	// reach the first (a top group) through every level of nesting.
	DeepUserIDs  []directory.ObjectID `json:"deepUserIds"`
	DeepGroupIDs []directory.ObjectID `json:"deepGroupIds"`
}

// Validate says what is wrong with c, if anything.
func (c Config) Validate() error {
	switch {
	case c.Users < 1 || c.Groups < 1:
		return errors.New("--users and --groups must be at least 1")
	case c.Depth < 1:
		return errors.New("--depth must be at least 1")
	case c.Memberships < 0:
		return errors.New("--memberships must not be negative")
	}
	nest := nestingRows(c)
	if c.Memberships < nest {
		return fmt.Errorf("--memberships must be at least %d, the rows that nest the groups %d levels deep", nest, c.Depth)
	}
	if c.Memberships-nest > c.Users*c.Groups {
		return fmt.Errorf("--memberships: at most %d user memberships fit %d users in %d groups", c.Users*c.Groups, c.Users, c.Groups)
	}
	return nil
}

func securityCount(c Config) int { return c.Groups - c.Groups/unifiedEvery }

// nestingRows is how many group-in-group rows the forest needs: one per
// security group below the top level.
func nestingRows(c Config) int {
	s := securityCount(c)
	return s - topLevel(s, c.Depth)
}

// level of the i-th of s security groups: levels split them evenly.
func level(i, s, depth int) int { return i * depth / s }

// levelStart is the index of the first of s security groups on level l
// (s for l = depth): the least i with i*depth >= l*s.
func levelStart(l, s, depth int) int { return (l*s + depth - 1) / depth }

// topLevel is how many security groups sit on level 0.
func topLevel(s, depth int) int { return levelStart(1, s, depth) }

// Build makes the directory of c in tenant t (whose default domain the
// names use). The same c gives the same ids and memberships.
func Build(c Config, t directory.Tenant, now time.Time) (bulk.Data, Summary, error) {
	if err := c.Validate(); err != nil {
		return bulk.Data{}, Summary{}, err
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	newID := func() directory.ObjectID {
		var u uuid.UUID
		for i := 0; i < len(u); i += 8 {
			v := rng.Uint64()
			for j := range 8 {
				u[i+j] = byte(v >> (8 * j))
			}
		}
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
		return directory.ObjectID(u.String())
	}
	domain := t.DefaultDomain()
	d := bulk.Data{Tenant: t.ID, Users: make([]directory.User, c.Users), Groups: make([]directory.Group, c.Groups)}
	for i := range d.Users {
		d.Users[i] = newUser(newID(), i, domain, rng, now)
	}
	var security []int // indexes into d.Groups, in level order
	for i := range d.Groups {
		id := newID()
		if i%unifiedEvery == unifiedEvery-1 {
			d.Groups[i] = newUnified(id, i, domain, rng, now)
		} else {
			d.Groups[i] = newSecurity(id, i, rng, now)
			security = append(security, i)
		}
	}

	// Each security group below level 0 gets one parent on the level above:
	// a forest, so there is no cycle.
	s := len(security)
	parent := make([]int, s) // index into security, -1 for a top group
	for i := range s {
		l := level(i, s, c.Depth)
		if l == 0 {
			parent[i] = -1
			continue
		}
		// With fewer groups than levels some levels are empty; the parent
		// comes from the nearest level above that has groups.
		above := level(levelStart(l, s, c.Depth)-1, s, c.Depth)
		lo, hi := levelStart(above, s, c.Depth), levelStart(above+1, s, c.Depth)
		parent[i] = lo + rng.IntN(hi-lo)
		d.Memberships = append(d.Memberships, bulk.Membership{
			Group: d.Groups[security[parent[i]]].ID, Member: d.Groups[security[i]].ID, Kind: directory.KindGroup})
	}

	// User memberships: every user gets the same share, give or take one,
	// in distinct groups of any type.
	userRows := c.Memberships - len(d.Memberships)
	direct := make([]int, c.Groups) // users directly in each group
	picked := make(map[int]bool)
	for u := range d.Users {
		k := userRows / c.Users
		if u < userRows%c.Users {
			k++
		}
		clear(picked)
		for _, g := range pickDistinct(rng, c.Groups, k, picked) {
			d.Memberships = append(d.Memberships, bulk.Membership{
				Group: d.Groups[g].ID, Member: d.Users[u].ID, Kind: directory.KindUser})
			direct[g]++
		}
	}
	slices.SortFunc(d.Memberships, func(a, b bulk.Membership) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Member, b.Member))
	})

	sum := Summary{TenantID: t.ID, Users: c.Users, Groups: c.Groups, Memberships: len(d.Memberships)}
	for _, i := range rng.Perm(c.Users)[:min(samples, c.Users)] {
		sum.SampleUserIDs = append(sum.SampleUserIDs, d.Users[i].ID)
	}
	for _, i := range rng.Perm(c.Groups)[:min(samples, c.Groups)] {
		sum.SampleGroupIDs = append(sum.SampleGroupIDs, d.Groups[i].ID)
	}
	sum.DeepGroupIDs, sum.DeepUserIDs = deepest(d, security, parent, direct)
	return d, sum, nil
}

// pickDistinct returns k distinct numbers below n; picked is scratch space.
func pickDistinct(rng *rand.Rand, n, k int, picked map[int]bool) []int {
	if k > n/2 {
		return rng.Perm(n)[:k]
	}
	out := make([]int, 0, k)
	for len(out) < k {
		g := rng.IntN(n)
		if !picked[g] {
			picked[g] = true
			out = append(out, g)
		}
	}
	return out
}

// deepest finds the security group with direct users that sits lowest in
// the forest (the most direct users breaks ties), and returns its chain
// of groups from the top down and up to samples of its direct users.
func deepest(d bulk.Data, security, parent, direct []int) ([]directory.ObjectID, []directory.ObjectID) {
	best, bestDepth := -1, -1
	for i, g := range security {
		if direct[g] == 0 {
			continue
		}
		depth := 0
		for p := parent[i]; p >= 0; p = parent[p] {
			depth++
		}
		if depth > bestDepth || depth == bestDepth && direct[g] > direct[security[best]] {
			best, bestDepth = i, depth
		}
	}
	if best < 0 {
		return []directory.ObjectID{}, []directory.ObjectID{}
	}
	var chain []directory.ObjectID
	for p := best; p >= 0; p = parent[p] {
		chain = append(chain, d.Groups[security[p]].ID)
	}
	slices.Reverse(chain)
	leaf := d.Groups[security[best]].ID
	users := []directory.ObjectID{}
	lo, _ := slices.BinarySearchFunc(d.Memberships, leaf, func(m bulk.Membership, id directory.ObjectID) int {
		return cmp.Compare(m.Group, id)
	})
	for i := lo; i < len(d.Memberships) && d.Memberships[i].Group == leaf && len(users) < samples; i++ {
		if d.Memberships[i].Kind == directory.KindUser {
			users = append(users, d.Memberships[i].Member)
		}
	}
	return chain, users
}
