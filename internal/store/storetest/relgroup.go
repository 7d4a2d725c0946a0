package storetest

import (
	"errors"
	"testing"

	"groupd/internal/directory"
)

// testRelateInvisibleGroup: every way of relating users to a group refuses
// a group that is not visible in the tenant (never created, purged,
// soft-deleted, of another tenant) with *NotFoundError of the group, and
// leaves no row behind: the same group visible again (created under the
// same id, restored) has no members and no owners. The transaction goes on
// after the refusal and commits what else it wrote.
func testRelateInvisibleGroup(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u, v := f.user(), f.user()
	refs := []directory.MemberRef{userRef(u), {ID: v.ID}}
	both := []directory.ObjectID{u.ID, v.ID}
	relates := []struct {
		name   string
		relate func(tx directory.Tx, tenant directory.TenantID, g directory.ObjectID) error
	}{
		{"AddMembers", func(tx directory.Tx, tn directory.TenantID, g directory.ObjectID) error {
			return tx.AddMembers(ctx, tn, g, refs)
		}},
		{"AddOwners", func(tx directory.Tx, tn directory.TenantID, g directory.ObjectID) error {
			return tx.AddOwners(ctx, tn, g, refs)
		}},
		{"RelateNewGroup owners", func(tx directory.Tx, tn directory.TenantID, g directory.ObjectID) error {
			return tx.RelateNewGroup(ctx, tn, g, "", both, nil)
		}},
		{"RelateNewGroup members", func(tx directory.Tx, tn directory.TenantID, g directory.ObjectID) error {
			return tx.RelateNewGroup(ctx, tn, g, "", nil, both)
		}},
	}
	other := f.otherTenant("fabrikam.example").ID
	// Each case makes its group invisible and then visible again in tid.
	cases := []struct {
		name   string
		hide   func(g directory.Group) directory.TenantID // the tenant to relate in
		reveal func(g directory.Group)
	}{
		{"never created", func(directory.Group) directory.TenantID { return tid },
			func(g directory.Group) { f.insertGroup(g) }},
		{"purged", func(g directory.Group) directory.TenantID {
			f.insertGroup(g)
			f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, g.ID, f.now) })
			f.update(func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, g.ID) })
			return tid
		}, func(g directory.Group) { f.insertGroup(g) }},
		{"soft-deleted", func(g directory.Group) directory.TenantID {
			f.insertGroup(g)
			f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, g.ID, f.now) })
			return tid
		}, func(g directory.Group) {
			f.update(func(tx directory.Tx) error {
				_, err := tx.RestoreObject(ctx, tid, g.ID)
				return err
			})
		}},
		{"of another tenant", func(g directory.Group) directory.TenantID {
			f.insertGroup(g)
			return other
		}, func(directory.Group) {}},
	}
	for _, c := range cases {
		for _, r := range relates {
			name := c.name + "/" + r.name
			f.seq++
			g := f.newGroup(name)
			g.MailNickname = ""
			tn := c.hide(g)
			w := f.newUser("w" + string(g.ID)[24:]) // ids begin with their time; they end random
			err := f.s.Update(ctx, func(tx directory.Tx) error {
				err := r.relate(tx, tn, g.ID)
				var nf *directory.NotFoundError
				if !errors.As(err, &nf) || nf.Kind != directory.KindGroup || nf.ID != string(g.ID) {
					t.Errorf("%s: got %v, want *NotFoundError of group %s", name, err, g.ID)
				}
				return tx.InsertUser(ctx, w)
			})
			if err != nil {
				t.Errorf("%s: the update going on after the refusal: %v", name, err)
			} else if _, err := f.s.User(ctx, tid, w.ID); err != nil {
				t.Errorf("%s: user written after the refusal: %v", name, err)
			}
			c.reveal(g)
			for _, list := range []struct {
				what string
				fn   func() (directory.Page[directory.Object], error)
			}{
				{"members", func() (directory.Page[directory.Object], error) {
					return f.s.Members(ctx, tid, g.ID, directory.PageRequest{})
				}},
				{"owners", func() (directory.Page[directory.Object], error) {
					return f.s.Owners(ctx, tid, g.ID, directory.PageRequest{})
				}},
			} {
				p, err := list.fn()
				if err != nil || len(p.Items) != 0 {
					t.Errorf("%s: %s of the group visible again: %v, %v; want none", name, list.what, objectIDs(p.Items), err)
				}
			}
		}
	}

	// A group created and deleted by the relating transaction itself.
	for _, del := range []string{"soft", "purge"} {
		g := f.newGroup("own " + del)
		g.MailNickname = ""
		errKeep := errors.New("keep nothing")
		err := f.s.Update(ctx, func(tx directory.Tx) error {
			if err := tx.InsertGroup(ctx, g); err != nil {
				return err
			}
			var err error
			if del == "soft" {
				err = tx.SoftDeleteGroup(ctx, tid, g.ID, f.now)
			} else {
				err = tx.DeleteGroup(ctx, tid, g.ID)
			}
			if err != nil {
				return err
			}
			err = tx.RelateNewGroup(ctx, tid, g.ID, "", []directory.ObjectID{u.ID}, []directory.ObjectID{v.ID})
			var nf *directory.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != directory.KindGroup || nf.ID != string(g.ID) {
				t.Errorf("own group, %s-deleted: got %v, want *NotFoundError of group %s", del, err, g.ID)
			}
			return errKeep
		})
		if !errors.Is(err, errKeep) {
			t.Errorf("own group, %s-deleted: update: %v", del, err)
		}
	}
}
