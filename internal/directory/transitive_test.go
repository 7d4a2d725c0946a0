package directory_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/store"
	"groupd/internal/store/testdb"
)

// graphModel is the nesting as plain maps; its breadth-first searches are
// what the Service must answer.
type graphModel struct {
	mu      sync.Mutex
	members map[directory.ObjectID]map[directory.ObjectID]bool // group → direct members
	sec     map[directory.ObjectID]bool
	deleted map[directory.ObjectID]bool
}

func (m *graphModel) set(g, x directory.ObjectID, on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if on {
		m.members[g][x] = true
	} else {
		delete(m.members[g], x)
	}
}

func (m *graphModel) has(g, x directory.ObjectID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.members[g][x]
}

func (m *graphModel) up(x directory.ObjectID) []directory.ObjectID {
	seen := map[directory.ObjectID]bool{}
	queue := []directory.ObjectID{x}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for g, ms := range m.members {
			if ms[cur] && !m.deleted[g] && !seen[g] {
				seen[g] = true
				queue = append(queue, g)
			}
		}
	}
	out := []directory.ObjectID{}
	for g := range seen {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

func (m *graphModel) down(g directory.ObjectID) []directory.ObjectID {
	seen := map[directory.ObjectID]bool{}
	queue := []directory.ObjectID{g}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for x := range m.members[cur] {
			if !seen[x] && !m.deleted[x] {
				seen[x] = true
				if _, isGroup := m.members[x]; isGroup {
					queue = append(queue, x)
				}
			}
		}
	}
	out := []directory.ObjectID{}
	for x := range seen {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}

// TestTransitiveAgainstBFS applies random adds, removes and nestings,
// concurrently and then one by one (cycles included, which must be
// refused), and compares every transitive answer with the model, with
// and without the in-memory nesting graph: kept fresh by this Service's
// writes, checked against the change log by the same Service, or checked
// by a second Service that reads what the first one writes (a second
// instance).
func TestTransitiveAgainstBFS(t *testing.T) {
	for _, cache := range []string{"none", "followed", "checked", "checked-elsewhere"} {
		t.Run("cache="+cache, func(t *testing.T) {
			var opts []directory.Option
			switch cache {
			case "followed":
				opts = append(opts, directory.WithReadCache(1000))
			case "checked":
				opts = append(opts, directory.WithCheckedReadCache(1000))
			}
			e := newEnvWith(t, opts...)
			// r reads; e writes.
			r := e
			if cache == "checked-elsewhere" {
				r = &env{t: t, ctx: e.ctx, st: e.st, tenant: e.tenant, admin: e.admin,
					svc: directory.New(e.st, directory.WithCheckedReadCache(1000), directory.WithPasswordCost(4))}
			}
			rng := rand.New(rand.NewPCG(11, 3))
			m := &graphModel{members: map[directory.ObjectID]map[directory.ObjectID]bool{},
				sec: map[directory.ObjectID]bool{}, deleted: map[directory.ObjectID]bool{}}
			var users, groups []directory.ObjectID
			for i := range 10 {
				users = append(users, e.user(fmt.Sprintf("u%d", i)).ID)
			}
			for i := range 9 {
				var g directory.Group
				if i%4 == 3 {
					g = e.group(fmt.Sprintf("m365-%d", i), "Unified")
				} else {
					g = e.group(fmt.Sprintf("sec-%d", i))
				}
				groups = append(groups, g.ID)
				m.members[g.ID] = map[directory.ObjectID]bool{}
				m.sec[g.ID] = g.SecurityEnabled
			}
			unified := func(i int) bool { return i%4 == 3 }
			// Concurrent phase: writer w changes the groups i with i%3 == w;
			// a group only takes groups of a higher index (no cycles), and
			// never a Unified one, nor into one.
			var wg sync.WaitGroup
			for w := range 3 {
				seed := rng.Uint64()
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(seed, 5))
					for range 30 {
						gi := w + 3*r.IntN(3)
						x := users[r.IntN(len(users))]
						if xi := gi + 1 + r.IntN(len(groups)); xi < len(groups) && r.IntN(3) == 0 && !unified(gi) && !unified(xi) {
							x = groups[xi]
						}
						g := groups[gi]
						on := !m.has(g, x)
						var err error
						if on {
							err = e.svc.AddMembers(e.ctx, e.tenant.ID, string(g), []directory.MemberRef{{ID: x}}, directory.Policy{})
						} else {
							err = e.svc.RemoveMember(e.ctx, e.tenant.ID, string(g), string(x))
						}
						if errors.Is(err, directory.ErrUnavailable) {
							// PostgreSQL gave up retrying a serialization
							// conflict: rolled back, not acknowledged, so
							// the graph stays as it was.
							t.Logf("writer %d: %v", w, err)
							continue
						}
						if err != nil {
							t.Errorf("writer %d: %v", w, err)
							return
						}
						m.set(g, x, on)
					}
				}()
			}
			wg.Wait()
			compareModel(t, r, m, users, groups)

			// One by one, with nestings in any direction: a cycle is refused
			// exactly when the model has the parent under the child.
			for range 40 {
				gi, xi := rng.IntN(len(groups)), rng.IntN(len(groups))
				if unified(gi) || unified(xi) {
					continue
				}
				g, x := groups[gi], groups[xi]
				if m.has(g, x) {
					if err := e.svc.RemoveMember(e.ctx, e.tenant.ID, string(g), string(x)); err != nil {
						t.Fatal(err)
					}
					m.set(g, x, false)
					continue
				}
				err := e.svc.AddMembers(e.ctx, e.tenant.ID, string(g), []directory.MemberRef{{ID: x}}, directory.Policy{})
				cycle := g == x || slices.Contains(m.down(x), g)
				var re *directory.RuleError
				switch {
				case cycle && (!errors.As(err, &re) || re.Rule != directory.RuleCycle):
					t.Fatalf("nesting %d in %d closes a cycle; got %v", xi, gi, err)
				case !cycle && err != nil:
					t.Fatalf("nesting %d in %d: %v", xi, gi, err)
				case !cycle:
					m.set(g, x, true)
				}
				if in, err := r.svc.IsMemberOf(e.ctx, e.tenant.ID, g, x); err != nil || in != slices.Contains(m.down(g), x) {
					t.Fatalf("IsMemberOf right after the write: %v %v", in, err)
				}
			}
			compareModel(t, r, m, users, groups)

			// A deleted group drops out and cuts the paths through it.
			gone := groups[1]
			if err := e.svc.DeleteGroup(e.ctx, e.tenant.ID, string(gone)); err != nil {
				t.Fatal(err)
			}
			m.deleted[gone] = true
			compareModel(t, r, m, users, slices.Delete(slices.Clone(groups), 1, 2))
		})
	}
}

func compareModel(t *testing.T, e *env, m *graphModel, users, groups []directory.ObjectID) {
	t.Helper()
	ctx, tid := e.ctx, e.tenant.ID
	for _, x := range append(slices.Clone(users), groups...) {
		want := m.up(x)
		got, err := e.svc.GetMemberGroups(ctx, tid, string(x), false, 0)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("GetMemberGroups(%s) = %v, %v; want %v", x, got, err, want)
		}
		var sec []directory.ObjectID
		for _, g := range want {
			if m.sec[g] {
				sec = append(sec, g)
			}
		}
		got, err = e.svc.GetMemberGroups(ctx, tid, string(x), true, 0)
		if err != nil || len(got) != len(sec) || (len(sec) > 0 && !slices.Equal(got, sec)) {
			t.Errorf("GetMemberGroups(%s, security) = %v, %v; want %v", x, got, err, sec)
		}
		if len(want) > 1 {
			var rl *directory.ResultSizeLimitError
			if _, err := e.svc.GetMemberGroups(ctx, tid, string(x), false, len(want)-1); !errors.As(err, &rl) || rl.Limit != len(want)-1 {
				t.Errorf("GetMemberGroups(%s) past the limit: %v", x, err)
			}
		}
		checked, err := e.svc.CheckMemberGroups(ctx, tid, string(x), groups)
		if err != nil || !slices.Equal(sortedCopy(checked), want) {
			t.Errorf("CheckMemberGroups(%s) = %v, %v; want %v", x, checked, err, want)
		}
		p, err := e.svc.TransitiveMemberOf(ctx, tid, string(x), directory.KindAny, directory.PageRequest{Top: 999})
		if err != nil || !slices.Equal(objIDs(p.Items), want) {
			t.Errorf("TransitiveMemberOf(%s) = %v, %v; want %v", x, objIDs(p.Items), err, want)
		}
		for _, g := range groups {
			in, err := e.svc.IsMemberOf(ctx, tid, g, x)
			if err != nil || in != slices.Contains(want, g) {
				t.Errorf("IsMemberOf(%s, %s) = %v, %v", g, x, in, err)
			}
		}
	}
	for _, g := range groups {
		want := m.down(g)
		p, err := e.svc.TransitiveMembers(ctx, tid, string(g), directory.PageRequest{Top: 999})
		if err != nil || !slices.Equal(objIDs(p.Items), want) {
			t.Errorf("TransitiveMembers(%s) = %v, %v; want %v", g, objIDs(p.Items), err, want)
		}
	}
}

func sortedCopy(ids []directory.ObjectID) []directory.ObjectID {
	out := slices.Clone(ids)
	slices.Sort(out)
	if out == nil {
		out = []directory.ObjectID{}
	}
	return out
}

func objIDs(objs []directory.Object) []directory.ObjectID {
	out := []directory.ObjectID{}
	for _, o := range objs {
		out = append(out, o.ID())
	}
	return out
}

func TestMemberFunctionsNotFound(t *testing.T) {
	e := newEnv(t)
	g := e.group("g")
	u := e.user("ann")
	missing := directory.NewObjectID()
	if _, err := e.svc.IsMemberOf(e.ctx, e.tenant.ID, missing, u.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("IsMemberOf of an unknown group: %v", err)
	}
	if _, err := e.svc.IsMemberOf(e.ctx, e.tenant.ID, g.ID, missing); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("IsMemberOf of an unknown member: %v", err)
	}
	if _, err := e.svc.GetMemberGroups(e.ctx, e.tenant.ID, "nobody@example.org", false, 0); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("GetMemberGroups of an unknown UPN: %v", err)
	}
	ids := make([]directory.ObjectID, directory.MaxCheckIDs+1)
	var le *directory.LimitError
	if _, err := e.svc.CheckMemberObjects(e.ctx, e.tenant.ID, string(u.ID), ids); !errors.As(err, &le) || le.What != "ids" || le.Limit != 20 {
		t.Errorf("21 ids: %v", err)
	}
}

// TestTransitiveAcrossInstances: two Services on one database, as two
// servers; a write through one is seen by the next read through the
// other. On PostgreSQL neither caches; on SQLite the second follows the
// change log, so it is asked after Follow has read it.
func TestTransitiveAcrossInstances(t *testing.T) {
	ctx := context.Background()
	engine := testdb.Engine()
	url := testdb.URL(t, engine)
	open := func() *directory.Service {
		st, err := openURL(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		var opts []directory.Option
		if engine == testdb.SQLite {
			opts = append(opts, directory.WithReadCache(1000))
		}
		return directory.New(st, append(opts, directory.WithPasswordCost(4))...)
	}
	a, other := open(), open()
	res, err := a.Bootstrap(ctx, "example.org", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tid := res.Tenant.ID
	mk := func(name string) directory.Group {
		g, err := a.CreateGroup(ctx, tid, directory.GroupCreate{Fields: directory.GroupFields{DisplayName: s(name),
			MailNickname: s(name), MailEnabled: b(false), SecurityEnabled: b(true)}})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	outer, inner := mk("outer"), mk("inner")
	user := res.Admin.ID
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	followed := make(chan struct{})
	go func() { defer close(followed); _ = other.Follow(fctx, 5*time.Millisecond) }()
	defer func() { stop(); <-followed }()
	ask := func(want []directory.ObjectID) {
		t.Helper()
		for i := 0; ; i++ {
			got, err := other.GetMemberGroups(ctx, tid, string(user), false, 0)
			if err == nil && slices.Equal(got, want) {
				return
			}
			// PostgreSQL has no cache: the first read must already agree.
			if engine != testdb.SQLite || i > 200 {
				t.Fatalf("second instance: %v %v, want %v", got, err, want)
			}
			other.Wake()
			waitABit()
		}
	}
	ask([]directory.ObjectID{})
	add := func(g directory.Group, id directory.ObjectID) {
		if err := a.AddMembers(ctx, tid, string(g.ID), []directory.MemberRef{{ID: id}}, directory.Policy{}); err != nil {
			t.Fatal(err)
		}
	}
	add(inner, user)
	ask([]directory.ObjectID{inner.ID})
	add(outer, inner.ID)
	ask(sortedCopy([]directory.ObjectID{inner.ID, outer.ID}))
	if err := a.RemoveMember(ctx, tid, string(outer.ID), string(inner.ID)); err != nil {
		t.Fatal(err)
	}
	ask([]directory.ObjectID{inner.ID})
}

func openURL(ctx context.Context, url string) (directory.Store, error) {
	return store.Open(ctx, "", url)
}

func waitABit() { time.Sleep(5 * time.Millisecond) }
