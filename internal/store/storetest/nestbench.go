package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"groupd/internal/directory"
)

// NestShape sizes a synthetic directory for the transitive benchmarks.
type NestShape struct {
	Users, Groups, Memberships, Depth int
}

// NestGraph is what GenerateNesting made.
type NestGraph struct {
	Tenant directory.TenantID
	Users  []directory.ObjectID
	Groups []directory.ObjectID
}

// GenerateNesting fills s with one tenant of sh.Users users and sh.Groups
// security groups in sh.Depth levels: every group below the top level is
// a member of one group of the level above, a fifth of them of a second
// one too, and the remaining memberships put random users in random
// groups. Engines' benchmarks share it so their figures compare.
func GenerateNesting(tb testing.TB, s directory.Store, sh NestShape, seed uint64) NestGraph {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 1))
	now := time.Now().UTC().Truncate(time.Microsecond)
	g := NestGraph{Tenant: directory.NewTenantID()}
	tn := directory.Tenant{ID: g.Tenant, DisplayName: "bench", CreatedAt: now,
		Domains: []directory.Domain{{Name: "bench.example", IsDefault: true, IsInitial: true}}}
	update := func(fn func(tx directory.Tx) error) {
		tb.Helper()
		if err := s.Update(ctx, fn); err != nil {
			tb.Fatal(err)
		}
	}
	update(func(tx directory.Tx) error { return tx.InsertTenant(ctx, tn) })
	for start := 0; start < sh.Users; start += 10000 {
		update(func(tx directory.Tx) error {
			for i := start; i < min(start+10000, sh.Users); i++ {
				name := fmt.Sprintf("u%07d", i)
				u := directory.User{ID: directory.NewObjectID(), TenantID: g.Tenant, DisplayName: name,
					UserPrincipalName: name + "@bench.example", MailNickname: name, OnPremisesSamAccountName: name,
					AccountEnabled: true, CreatedAt: now}
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
				g.Users = append(g.Users, u.ID)
			}
			return nil
		})
	}
	// Levels grow towards the bottom, as in an organisation's tree.
	level := make([]int, sh.Groups)
	var byLevel [][]int
	for d := range sh.Depth {
		byLevel = append(byLevel, nil)
		_ = d
	}
	for i := range sh.Groups {
		d := min(sh.Depth-1, int(float64(sh.Depth)*float64(i*i)/float64(sh.Groups*sh.Groups)+0.0))
		if i < sh.Depth {
			d = i
		}
		level[i] = d
		byLevel[d] = append(byLevel[d], i)
	}
	members := make([]map[directory.ObjectID]directory.ObjectKind, sh.Groups)
	edges := 0
	update(func(tx directory.Tx) error {
		for i := range sh.Groups {
			name := fmt.Sprintf("g%06d", i)
			grp := directory.Group{ID: directory.NewObjectID(), TenantID: g.Tenant, DisplayName: name,
				MailNickname: name, SecurityEnabled: true, CreatedAt: now}
			if err := tx.InsertGroup(ctx, grp); err != nil {
				return err
			}
			g.Groups = append(g.Groups, grp.ID)
			members[i] = map[directory.ObjectID]directory.ObjectKind{}
		}
		return nil
	})
	for i := range sh.Groups {
		if d := level[i]; d > 0 {
			parents := byLevel[d-1]
			for k := 0; k < 1 || (k < 2 && rng.IntN(5) == 0); k++ {
				p := parents[rng.IntN(len(parents))]
				if _, ok := members[p][g.Groups[i]]; !ok {
					members[p][g.Groups[i]] = directory.KindGroup
					edges++
				}
			}
		}
	}
	for edges < sh.Memberships {
		p := rng.IntN(sh.Groups)
		u := g.Users[rng.IntN(len(g.Users))]
		if _, ok := members[p][u]; !ok {
			members[p][u] = directory.KindUser
			edges++
		}
	}
	for start := 0; start < sh.Groups; start += 500 {
		update(func(tx directory.Tx) error {
			for i := start; i < min(start+500, sh.Groups); i++ {
				refs := make([]directory.MemberRef, 0, len(members[i]))
				for id, kind := range members[i] {
					refs = append(refs, directory.MemberRef{ID: id, Kind: kind})
				}
				if err := tx.AddMembers(ctx, g.Tenant, g.Groups[i], refs); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g
}

// BenchTransitive measures the transitive reads of random users of g,
// next to a group read by id, from parallel callers.
func BenchTransitive(b *testing.B, s directory.Store, g NestGraph) {
	ctx := context.Background()
	run := func(name string, fn func(r *rand.Rand) error) {
		b.Run(name, func(b *testing.B) {
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 2))
				for pb.Next() {
					if err := fn(r); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	user := func(r *rand.Rand) directory.ObjectID { return g.Users[r.IntN(len(g.Users))] }
	total := 0
	for _, u := range g.Users[:1000] {
		ids, err := s.MemberGroups(ctx, g.Tenant, u, false, 0)
		if err != nil {
			b.Fatal(err)
		}
		total += len(ids)
	}
	fmt.Printf("a user is in %.1f groups on average\n", float64(total)/1000)
	run("GroupByID", func(r *rand.Rand) error {
		_, err := s.Group(ctx, g.Tenant, g.Groups[r.IntN(len(g.Groups))])
		return err
	})
	run("MemberGroups", func(r *rand.Rand) error {
		_, err := s.MemberGroups(ctx, g.Tenant, user(r), false, directory.DefaultResultSizeLimit+1)
		return err
	})
	run("DirectGroups", func(r *rand.Rand) error {
		_, err := s.DirectGroups(ctx, g.Tenant, user(r), 100)
		return err
	})
	run("TransitiveMemberOfPage", func(r *rand.Rand) error {
		_, err := s.List(ctx, g.Tenant, directory.ListQuery{Source: directory.SourceTransitiveMemberOf, Of: user(r),
			Page: directory.PageRequest{Top: 100}})
		return err
	})
	// Through the Service with its read cache, as the dialects ask: the
	// group by id from memory, the user resolved (from memory) and then
	// its groups.
	svc := directory.New(s, directory.WithReadCache(200000))
	start := time.Now()
	for _, u := range g.Users {
		if _, err := svc.User(ctx, g.Tenant, string(u)); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.GetMemberGroups(ctx, g.Tenant, string(u), false, 0); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("warming the caches with %d users took %v; heap in use %d MB\n", len(g.Users), time.Since(start), ms.HeapInuse>>20)
	run("ServiceGroupByID", func(r *rand.Rand) error {
		_, err := svc.Group(ctx, g.Tenant, string(g.Groups[r.IntN(len(g.Groups))]))
		return err
	})
	run("ServiceGetMemberGroups", func(r *rand.Rand) error {
		u, err := svc.User(ctx, g.Tenant, string(user(r)))
		if err == nil {
			_, err = svc.GetMemberGroups(ctx, g.Tenant, string(u.ID), false, 0)
		}
		return err
	})
	run("ServiceCheckMemberGroups", func(r *rand.Rand) error {
		check := make([]directory.ObjectID, 20)
		for i := range check {
			check[i] = g.Groups[r.IntN(len(g.Groups))]
		}
		_, err := svc.CheckMemberGroups(ctx, g.Tenant, string(user(r)), check)
		return err
	})
	run("Contains", func(r *rand.Rand) error {
		_, err := s.Contains(ctx, g.Tenant, g.Groups[r.IntN(len(g.Groups))], user(r))
		return err
	})
}
