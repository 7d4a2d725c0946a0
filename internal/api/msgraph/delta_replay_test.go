package msgraph_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/server"
	"groupd/internal/store"
	"groupd/internal/store/testdb"
)

// replica is what a sync client keeps from delta pages: users by id with
// their displayName, groups with displayName and member ids.
type replica struct {
	users  map[string]string
	groups map[string]*replicaGroup
}

type replicaGroup struct {
	name    string
	members map[string]bool
}

func (r *replica) applyUsers(items []map[string]any) {
	for _, it := range items {
		id := it["id"].(string)
		if _, gone := it["@removed"]; gone {
			delete(r.users, id)
			continue
		}
		r.users[id] = it["displayName"].(string)
	}
}

func (r *replica) applyGroups(items []map[string]any) {
	for _, it := range items {
		id := it["id"].(string)
		if _, gone := it["@removed"]; gone {
			delete(r.groups, id)
			continue
		}
		g := r.groups[id]
		if g == nil {
			g = &replicaGroup{members: map[string]bool{}}
			r.groups[id] = g
		}
		g.name = it["displayName"].(string)
		list, _ := it["members@delta"].([]any)
		for _, m := range list {
			m := m.(map[string]any)
			if _, gone := m["@removed"]; gone {
				delete(g.members, m["id"].(string))
			} else {
				g.members[m["id"].(string)] = true
			}
		}
	}
}

// snapshot renders the replica as the directory would show it: members
// that are no longer users of the replica are dropped, as a client drops
// references to removed objects.
func (r *replica) snapshot() string {
	out := ""
	for _, id := range slices.Sorted(maps.Keys(r.users)) {
		out += fmt.Sprintf("user %s %q\n", id, r.users[id])
	}
	for _, id := range slices.Sorted(maps.Keys(r.groups)) {
		g := r.groups[id]
		var ms []string
		for m := range g.members {
			if _, ok := r.users[m]; ok {
				ms = append(ms, m)
			}
		}
		slices.Sort(ms)
		out += fmt.Sprintf("group %s %q %v\n", id, g.name, ms)
	}
	return out
}

// directorySnapshot renders the directory in the same form.
func directorySnapshot(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	st := e.dir.Store()
	out := ""
	page := directory.PageRequest{Top: 999}
	for {
		p, err := st.Users(ctx, e.tenant, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Items {
			out += fmt.Sprintf("user %s %q\n", u.ID, u.DisplayName)
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	page = directory.PageRequest{Top: 999}
	for {
		p, err := st.Groups(ctx, e.tenant, directory.GroupListRequest{Page: page, Expand: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range p.Items {
			var ms []string
			for _, m := range g.Members {
				ms = append(ms, string(m.ID()))
			}
			slices.Sort(ms)
			out += fmt.Sprintf("group %s %q %v\n", g.ID, g.DisplayName, ms)
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	return out
}

// writer makes random changes until it has made n, keeping track of the
// objects it may name; refusals from racing with the other writer are
// expected and ignored.
type writer struct {
	e       *env
	dir     *directory.Service // the writing process, not e's
	rnd     *rand.Rand
	mu      *sync.Mutex
	users   *[]string
	deleted *[]string
	groups  *[]string
	seq     *atomic.Int64
}

func (w *writer) pick(list *[]string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(*list) == 0 {
		return ""
	}
	return (*list)[w.rnd.IntN(len(*list))]
}

func (w *writer) add(list *[]string, id string) {
	w.mu.Lock()
	*list = append(*list, id)
	w.mu.Unlock()
}

func (w *writer) drop(list *[]string, id string) {
	w.mu.Lock()
	*list = slices.DeleteFunc(*list, func(s string) bool { return s == id })
	w.mu.Unlock()
}

func (w *writer) step(ctx context.Context) {
	dir, tid := w.dir, w.e.tenant
	s := func(v string) *string { return &v }
	n := w.seq.Add(1)
	switch op := w.rnd.IntN(10); {
	case op == 0:
		on := true
		u, err := dir.CreateUser(ctx, tid, directory.UserFields{DisplayName: s(fmt.Sprint("u", n)),
			MailNickname: s(fmt.Sprint("u", n)), UserPrincipalName: s(fmt.Sprint("u", n, "@example.org")),
			AccountEnabled: &on, Password: s(adminPass)}, directory.Policy{})
		if err == nil {
			w.add(w.users, string(u.ID))
		}
	case op == 1:
		if u := w.pick(w.users); u != "" {
			_, _ = dir.UpdateUser(ctx, tid, u, directory.UserFields{DisplayName: s(fmt.Sprint("renamed", n))})
		}
	case op == 2:
		if u := w.pick(w.users); u != "" && dir.DeleteUser(ctx, tid, u) == nil {
			w.drop(w.users, u)
			w.add(w.deleted, u)
		}
	case op == 3:
		if u := w.pick(w.deleted); u != "" {
			if _, err := dir.RestoreDeleted(ctx, tid, u); err == nil {
				w.drop(w.deleted, u)
				w.add(w.users, u)
			}
		}
	case op == 4:
		f, tr := false, true
		g, err := dir.CreateGroup(ctx, tid, directory.GroupCreate{Fields: directory.GroupFields{
			DisplayName: s(fmt.Sprint("g", n)), MailNickname: s(fmt.Sprint("g", n)), MailEnabled: &f, SecurityEnabled: &tr}})
		if err == nil {
			w.add(w.groups, string(g.ID))
		}
	case op == 5:
		if g := w.pick(w.groups); g != "" {
			_ = dir.UpdateGroup(ctx, tid, g, directory.GroupUpdate{Fields: directory.GroupFields{DisplayName: s(fmt.Sprint("rg", n))}})
		}
	case op == 6 && w.rnd.IntN(3) == 0:
		if g := w.pick(w.groups); g != "" && dir.DeleteGroup(ctx, tid, g) == nil {
			w.drop(w.groups, g)
		}
	case op <= 8:
		g, u := w.pick(w.groups), w.pick(w.users)
		if g != "" && u != "" {
			_ = dir.AddMembers(ctx, tid, g, []directory.MemberRef{{ID: directory.ObjectID(u), Kind: directory.KindUser}}, directory.Policy{})
		}
	default:
		g, u := w.pick(w.groups), w.pick(w.users)
		if g != "" && u != "" {
			_ = dir.RemoveMember(ctx, tid, g, u)
		}
	}
}

// TestDeltaReplayUnderWrites replays delta pages of users and groups into
// a replica while two writers change the directory, from before the first
// pass to after it; once the writers stop and the replica has caught up,
// it must equal the directory. The writers are another process on the same
// database (its own store and pool), as another instance would be.
func TestDeltaReplayUnderWrites(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t, testdb.Engine())
	e := newEnvOn(t, openURL(t, url))
	other := directory.New(openURL(t, url), directory.WithPasswordCost(4))
	var (
		mu                     sync.Mutex
		users, deleted, groups []string
		seq                    atomic.Int64
	)
	seedRnd := rand.New(rand.NewPCG(1, 2))
	seed := &writer{e: e, dir: other, rnd: seedRnd, mu: &mu, users: &users, deleted: &deleted, groups: &groups, seq: &seq}
	for range 40 {
		seed.step(ctx)
	}

	const steps = 120
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i := range 2 {
		w := &writer{e: e, dir: other, rnd: rand.New(rand.NewPCG(uint64(i)+10, 7)), mu: &mu, users: &users,
			deleted: &deleted, groups: &groups, seq: &seq}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range steps {
				w.step(ctx)
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	r := &replica{users: map[string]string{}, groups: map[string]*replicaGroup{}}
	small := header("Prefer", "odata.maxpagesize=3")
	userLink, groupLink := "/users/delta", "/groups/delta"
	follow := func() {
		items, link := e.drain(t, userLink, small)
		r.applyUsers(items)
		userLink = link
		items, link = e.drain(t, groupLink, small)
		r.applyGroups(items)
		groupLink = link
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		follow()
	}
	follow() // after the last write
	if got, want := r.snapshot(), directorySnapshot(t, e); got != want {
		t.Fatalf("replica differs from the directory\nreplica:\n%s\ndirectory:\n%s", got, want)
	}
	if len(r.users) < 10 || len(r.groups) < 3 {
		t.Fatalf("too little to compare: %d users, %d groups", len(r.users), len(r.groups))
	}
}

func openURL(t testing.TB, url string) directory.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// newEnvOn is newEnv on a store the test opened.
func newEnvOn(t testing.TB, st directory.Store) *env {
	t.Helper()
	dir := directory.New(st, directory.WithPasswordCost(4))
	boot, err := dir.Bootstrap(context.Background(), "example.org", adminPass)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	h, err := server.NewHandler(dir, st, server.Config{Logger: quiet}, nil)
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, dir: dir, tenant: boot.Tenant.ID, admin: boot.Admin.ID, url: srv.URL, base: srv.URL + "/v1.0"}
}
