package directory_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"groupd/internal/directory"
)

// batchSpy wraps a store so that a test sees the batches of member adds
// and can make the batch statement fail after it has written its rows.
type batchSpy struct {
	directory.Store
	batches atomic.Int64 // AddUserMembers calls with more than one pair
	fail    error        // returned by AddUserMembers after it ran
}

func (s *batchSpy) Update(ctx context.Context, fn func(directory.Tx) error) error {
	return s.Store.Update(ctx, func(tx directory.Tx) error {
		return fn(&spyTx{Tx: tx, spy: s})
	})
}

type spyTx struct {
	directory.Tx
	spy *batchSpy
}

func (t *spyTx) AddUserMember(ctx context.Context, tenant directory.TenantID, group, user directory.ObjectID) (bool, error) {
	return t.Tx.(directory.UserMemberAdder).AddUserMember(ctx, tenant, group, user)
}

func (t *spyTx) AddUserMembers(ctx context.Context, tenant directory.TenantID, pairs []directory.GroupUser) ([]bool, error) {
	if len(pairs) > 1 {
		t.spy.batches.Add(1)
	}
	added, err := t.Tx.(directory.UserMemberAdder).AddUserMembers(ctx, tenant, pairs)
	if err == nil && t.spy.fail != nil {
		return nil, t.spy.fail
	}
	return added, err
}

// addWorld is a directory with users and groups in every state an add
// can meet, and a list of single-member adds over them, with duplicates.
type addWorld struct {
	e      *env
	names  map[directory.ObjectID]string // id -> label, to compare runs
	groups []directory.Group             // visible groups
	adds   []addCall
}

type addCall struct {
	group string // group key
	ref   directory.MemberRef
	label string // the pair, by labels
}

func newAddWorld(t *testing.T, spy *batchSpy, opts ...directory.Option) *addWorld {
	t.Helper()
	e := newEnvWith(t, opts...)
	if spy != nil {
		spy.Store = e.st
		e.svc = directory.New(spy, append(opts, directory.WithPasswordCost(4))...)
	}
	w := &addWorld{e: e, names: map[directory.ObjectID]string{}}
	name := func(id directory.ObjectID, label string) { w.names[id] = label }
	var users []directory.User
	for i := range 12 {
		u := e.user(fmt.Sprintf("u%d", i))
		users = append(users, u)
		name(u.ID, u.DisplayName)
	}
	for i := range 6 {
		g := e.group(fmt.Sprintf("g%d", i))
		w.groups = append(w.groups, g)
		name(g.ID, g.DisplayName)
	}
	team := e.group("team", directory.GroupTypeUnified)
	w.groups = append(w.groups, team)
	name(team.ID, "team")
	child := e.group("child")
	name(child.ID, "child")
	goneUser := e.user("goneuser")
	name(goneUser.ID, "goneuser")
	goneTeam := e.group("goneteam", directory.GroupTypeUnified)
	name(goneTeam.ID, "goneteam")
	goneGroup := e.group("gonegroup")
	name(goneGroup.ID, "gonegroup")
	unknown := directory.NewObjectID()
	name(unknown, "unknown")
	// Members already there.
	for _, g := range w.groups[:3] {
		if err := e.add(g, users[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.DeleteUser(e.ctx, e.tenant.ID, string(goneUser.ID)); err != nil {
		t.Fatal(err)
	}
	for _, g := range []directory.Group{goneTeam, goneGroup} {
		if err := e.svc.DeleteGroup(e.ctx, e.tenant.ID, string(g.ID)); err != nil {
			t.Fatal(err)
		}
	}

	add := func(g directory.ObjectID, id directory.ObjectID, kind directory.ObjectKind, copies int) {
		for range copies {
			w.adds = append(w.adds, addCall{group: string(g), ref: directory.MemberRef{ID: id, Kind: kind},
				label: fmt.Sprintf("%s<-%s/%s", w.names[g], w.names[id], kind)})
		}
	}
	for gi, g := range w.groups {
		for ui, u := range users {
			kind := directory.KindUser
			if (gi+ui)%3 == 0 {
				kind = directory.KindAny // "directoryObjects/{id}"
			}
			add(g.ID, u.ID, kind, 1+(gi*ui)%3) // up to three copies at once
		}
		add(g.ID, unknown, directory.KindUser, 2)
		add(g.ID, goneUser.ID, directory.KindUser, 1)
		add(g.ID, child.ID, directory.KindUser, 1) // a group named as a user
	}
	for _, u := range users[:4] {
		add(goneTeam.ID, u.ID, directory.KindUser, 1)
		add(goneGroup.ID, u.ID, directory.KindAny, 1)
		add(unknown, u.ID, directory.KindUser, 1)
	}
	// A group by a reference of any kind: the full path nests it, or
	// refuses it in the Microsoft 365 group.
	add(w.groups[1].ID, child.ID, directory.KindAny, 2)
	add(team.ID, child.ID, directory.KindAny, 1)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(w.adds), func(i, j int) { w.adds[i], w.adds[j] = w.adds[j], w.adds[i] })
	return w
}

// run makes every add at once from many goroutines and returns each one's
// outcome, in terms of labels.
func (w *addWorld) run(t *testing.T) []string {
	t.Helper()
	out := make([]string, len(w.adds))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(w.adds) {
					return
				}
				a := w.adds[i]
				ctx := directory.WithCaller(w.e.ctx, directory.Caller{RequestID: fmt.Sprintf("req-%d", i),
					Actor: directory.Actor{Kind: directory.ActorUser, ID: string(w.e.admin.ID)}})
				err := w.e.svc.AddMembers(ctx, w.e.tenant.ID, a.group, []directory.MemberRef{a.ref}, directory.Policy{})
				out[i] = w.outcome(err)
			}
		})
	}
	wg.Wait()
	return out
}

func (w *addWorld) outcome(err error) string {
	var nf *directory.NotFoundError
	var re *directory.ReferenceExistsError
	var ru *directory.RuleError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &nf):
		return fmt.Sprintf("not found: %s %s %s", nf.Kind, w.names[directory.ObjectID(nf.ID)], nf.Relation)
	case errors.As(err, &re):
		return fmt.Sprintf("exists: %s in %s", w.names[re.ID], re.Relation)
	case errors.As(err, &ru):
		return fmt.Sprintf("rule %s: %s in %s", ru.Rule, w.names[ru.MemberID], w.names[ru.GroupID])
	}
	return "error: " + err.Error()
}

// byPair groups outcomes by pair, each pair's outcomes sorted: concurrent
// copies of one pair may succeed in any order, but one of them only.
func (w *addWorld) byPair(out []string) map[string][]string {
	m := map[string][]string{}
	for i, o := range out {
		m[w.adds[i].label] = append(m[w.adds[i].label], o)
	}
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}

// checkLog verifies that the change log holds exactly one member-added row
// per successful add, written with that request's caller.
func (w *addWorld) checkLog(t *testing.T, out []string) {
	t.Helper()
	want := map[string]bool{}
	for i, o := range out {
		if o == "ok" {
			want[fmt.Sprintf("req-%d", i)] = true
		}
	}
	got := map[string]int{}
	var after int64
	for {
		rows, err := w.e.st.Changes(w.e.ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			after = r.Cursor
			if r.Op != directory.OpMemberAdded || r.RequestID == "" { // "": the fixtures
				continue
			}
			if !want[r.RequestID] {
				t.Errorf("member added by %s, which did not succeed", r.RequestID)
				continue
			}
			got[r.RequestID]++
			var i int
			if _, err := fmt.Sscanf(r.RequestID, "req-%d", &i); err != nil {
				t.Fatal(err)
			}
			a := w.adds[i]
			if string(r.ObjectID) != a.group || r.RelatedID != a.ref.ID || r.Actor.ID != string(w.e.admin.ID) {
				t.Errorf("%s: change row %+v does not describe %s", r.RequestID, r, a.label)
			}
		}
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("%s succeeded; the change log has %d rows of it", id, got[id])
		}
	}
}

// TestAddMembersBatched makes concurrent adds with and without batching
// and compares every outcome, the members and the change log.
func TestAddMembersBatched(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("batches=%d", n), func(t *testing.T) { testAddMembersBatched(t, n) })
	}
}

func testAddMembersBatched(t *testing.T, batches int) {
	spy := &batchSpy{}
	batched := newAddWorld(t, spy, directory.WithAddBatching(batches))
	single := newAddWorld(t, nil, directory.WithAddBatching(0))
	gotOut, wantOut := sameOutcomes(t, spy, batched, single)
	for pair, w := range single.byPair(wantOut) {
		if n := slices.Index(w, "ok"); n >= 0 && slices.Contains(w[n+1:], "ok") {
			t.Errorf("%s: added twice: %q", pair, w)
		}
	}
	batched.checkLog(t, gotOut)
	single.checkLog(t, wantOut)
}

// sameOutcomes runs the same adds in both worlds and checks that every
// pair got the same answers and every group has the same members; it
// returns the outcomes, batched first.
func sameOutcomes(t *testing.T, spy *batchSpy, batched, single *addWorld) (gotOut, wantOut []string) {
	t.Helper()
	gotOut, wantOut = batched.run(t), single.run(t)
	if spy.batches.Load() == 0 {
		t.Fatal("no two adds shared a batch; the test proves nothing")
	}
	got, want := batched.byPair(gotOut), single.byPair(wantOut)
	for pair, w := range want {
		if !slices.Equal(got[pair], w) {
			t.Errorf("%s: batched %q, single %q", pair, got[pair], w)
		}
	}
	for i, g := range batched.groups {
		if gm, sm := batched.members(t, g), single.members(t, single.groups[i]); !slices.Equal(gm, sm) {
			t.Errorf("members of %s: batched %v, single %v", g.DisplayName, gm, sm)
		}
	}
	return gotOut, wantOut
}

// TestAddMembersBatchFails makes every batch fail after its statement
// wrote its rows: nothing of it may stay, and each add gets the answer of
// its own full path.
func TestAddMembersBatchFails(t *testing.T) {
	spy := &batchSpy{fail: errors.New("injected failure")}
	batched := newAddWorld(t, spy)
	single := newAddWorld(t, nil, directory.WithAddBatching(0))
	gotOut, _ := sameOutcomes(t, spy, batched, single)
	batched.checkLog(t, gotOut)
}

func (w *addWorld) members(t *testing.T, g directory.Group) []string {
	t.Helper()
	objs, err := w.e.svc.AllMembers(w.e.ctx, w.e.tenant.ID, string(g.ID))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, w.names[o.ID()])
	}
	slices.Sort(out)
	return out
}
