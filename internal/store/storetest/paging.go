package storetest

import (
	"fmt"
	"testing"

	"groupd/internal/directory"
)

// pagingCase checks keyset paging of one list: five items read two at a
// time come back once each, in id order; between pages an item is added
// before the cursor (not seen: its place was read already) and one after it
// (seen), and an unread one is deleted (not seen).
type pagingCase struct {
	insert func(n int) directory.ObjectID // adds the item with id idAt(n)
	remove func(id directory.ObjectID)
	read   func(directory.PageRequest) (directory.Page[directory.ObjectID], error)
}

func (c pagingCase) run(t *testing.T) {
	for _, n := range []int{10, 20, 30, 40, 50} {
		c.insert(n)
	}
	all := allPages(t, 2, c.read)
	sameIDs(t, "all pages", all, []directory.ObjectID{idAt(10), idAt(20), idAt(30), idAt(40), idAt(50)})

	// Top <= 0 means the default page size, which holds five items.
	p, err := c.read(directory.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 5 || p.Next != "" {
		t.Errorf("default page: %d items, next %q; want 5, \"\"", len(p.Items), p.Next)
	}

	first, err := c.read(directory.PageRequest{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "first page", first.Items, []directory.ObjectID{idAt(10), idAt(20)})
	if first.Next == "" {
		t.Fatal("first page has no next cursor")
	}
	c.insert(5)
	c.insert(35)
	c.remove(idAt(40))
	rest := allPages(t, 2, func(r directory.PageRequest) (directory.Page[directory.ObjectID], error) {
		if r.After == "" {
			r.After = first.Next
		}
		return c.read(r)
	})
	sameIDs(t, "pages after concurrent writes", rest, []directory.ObjectID{idAt(30), idAt(35), idAt(50)})
}

func idPage[T any](p directory.Page[T], err error, id func(T) directory.ObjectID) (directory.Page[directory.ObjectID], error) {
	out := directory.Page[directory.ObjectID]{Next: p.Next}
	for _, item := range p.Items {
		out.Items = append(out.Items, id(item))
	}
	return out, err
}

func testPagingUsers(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	pagingCase{
		insert: func(n int) directory.ObjectID {
			u := f.newUser(fmt.Sprintf("p%d", n))
			u.ID = idAt(n)
			return f.insertUser(u).ID
		},
		remove: func(id directory.ObjectID) {
			f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, id, f.now) })
		},
		read: func(r directory.PageRequest) (directory.Page[directory.ObjectID], error) {
			p, err := f.s.Users(ctx, tid, r)
			return idPage(p, err, func(u directory.User) directory.ObjectID { return u.ID })
		},
	}.run(t)
}

func testPagingGroups(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	pagingCase{
		insert: func(n int) directory.ObjectID {
			g := f.newGroup(fmt.Sprintf("p%d", n))
			g.ID = idAt(n)
			return f.insertGroup(g).ID
		},
		remove: func(id directory.ObjectID) {
			f.update(func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, id) })
		},
		read: func(r directory.PageRequest) (directory.Page[directory.ObjectID], error) {
			p, err := f.s.Groups(ctx, tid, directory.GroupListRequest{Page: r})
			return idPage(p, err, func(g directory.Group) directory.ObjectID { return g.ID })
		},
	}.run(t)
}

func testPagingMembers(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	parent := f.group()
	pagingCase{
		// Users and groups alternate, so one page mixes both kinds.
		insert: func(n int) directory.ObjectID {
			if (n/5)%2 == 0 {
				g := f.newGroup(fmt.Sprintf("m%d", n))
				g.ID = idAt(n)
				f.insertGroup(g)
				f.addMembers(parent, groupRef(g))
				return g.ID
			}
			u := f.newUser(fmt.Sprintf("m%d", n))
			u.ID = idAt(n)
			f.insertUser(u)
			f.addMembers(parent, userRef(u))
			return u.ID
		},
		remove: func(id directory.ObjectID) {
			f.update(func(tx directory.Tx) error {
				_, err := tx.RemoveMember(ctx, tid, parent.ID, id)
				return err
			})
		},
		read: func(r directory.PageRequest) (directory.Page[directory.ObjectID], error) {
			p, err := f.s.Members(ctx, tid, parent.ID, r)
			return idPage(p, err, directory.Object.ID)
		},
	}.run(t)
}
