package storetest

import (
	"cmp"
	"errors"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// testQueryPagingStable pages through every order while other objects are
// inserted and deleted between pages: every object that exists throughout
// is seen exactly once, in order.
func testQueryPagingStable(t *testing.T, f *fixture) {
	qs := f.querier()
	var stable []directory.Group
	for i := range 30 {
		g := f.newGroup(string(rune('a'+i%26)) + "-stable")
		g.CreatedAt = f.now.Add(time.Duration(i%7) * time.Second)
		stable = append(stable, f.insertGroup(g))
	}
	for _, order := range []string{"", "$orderby=displayName", "$orderby=displayName desc", "$orderby=createdDateTime", "$orderby=createdDateTime desc"} {
		q := parse(t, directory.SourceGroups, odata.GroupSchema, order)
		q.Page.Top = 4
		var seen []directory.ObjectID
		var prev directory.Object
		for i := 0; ; i++ {
			p, err := qs.List(f.ctx, f.tenant.ID, q)
			if err != nil {
				t.Fatalf("%s: %v", order, err)
			}
			for _, o := range p.Items {
				if prev.Group != nil && q.OrderBy != "" && outOfOrder(prev, o, q) {
					t.Errorf("%s: %s after %s", order, o.Group.DisplayName, prev.Group.DisplayName)
				}
				prev = o
				seen = append(seen, o.ID())
			}
			if p.Next == "" {
				break
			}
			q.Page.After = p.Next
			churn := f.newGroup(string(rune('a' + i%26)))
			f.insertGroup(churn)
			if i%2 == 1 {
				f.update(func(tx directory.Tx) error { return tx.DeleteGroup(f.ctx, f.tenant.ID, churn.ID) })
			}
		}
		for _, g := range stable {
			if n := count(seen, g.ID); n != 1 {
				t.Errorf("%s: %s seen %d times", order, g.DisplayName, n)
			}
		}
	}
}

func outOfOrder(a, b directory.Object, q directory.ListQuery) bool {
	ka, kb := directory.SortKey(a, q.OrderBy), directory.SortKey(b, q.OrderBy)
	var c int
	switch x := ka.(type) {
	case string:
		c = cmp.Compare(x, kb.(string))
	case int64:
		c = cmp.Compare(x, kb.(int64))
	}
	if c == 0 {
		c = cmp.Compare(a.ID(), b.ID())
	}
	if q.Desc {
		return c < 0
	}
	return c > 0
}

func count(ids []directory.ObjectID, id directory.ObjectID) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

func testQueryBadCursor(t *testing.T, f *fixture) {
	qs := f.querier()
	for i := range 3 {
		f.insertGroup(f.newGroup(string(rune('a' + i))))
	}
	q := parse(t, directory.SourceGroups, odata.GroupSchema, "$orderby=displayName")
	q.Page.Top = 1
	p, err := qs.List(f.ctx, f.tenant.ID, q)
	if err != nil || p.Next == "" {
		t.Fatalf("first page: %v, next %q", err, p.Next)
	}
	byDate := parse(t, directory.SourceGroups, odata.GroupSchema, "$orderby=createdDateTime")
	for _, bad := range []struct {
		q     directory.ListQuery
		after string
	}{
		{q, "garbage"},
		{q, p.Next[:10]},
		{q, p.Next[:36] + "\xff"},
		{q, string(directory.NewObjectID()) + "UPPER"},
		{byDate, p.Next},
	} {
		bad.q.Page.After = bad.after
		if _, err := qs.List(f.ctx, f.tenant.ID, bad.q); !errors.Is(err, directory.ErrBadCursor) || !errors.Is(err, directory.ErrInvalid) {
			t.Errorf("cursor %q: got %v, want ErrBadCursor", bad.after, err)
		}
	}
}
