package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"groupd/internal/directory"
)

func testUserIDsByUPN(t *testing.T, f *fixture) {
	a := f.newUser("adele")
	a.UserPrincipalName = "Adele.Vance@contoso.example"
	a = f.insertUser(a)
	b := f.newUser("bianca")
	b.UserType = directory.UserTypeGuest
	b = f.insertUser(b)
	gone := f.insertUser(f.newUser("gone"))
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(f.ctx, f.tenant.ID, gone.ID, f.now) })
	got, err := f.s.UserIDsByUPN(f.ctx, f.tenant.ID, []string{"ADELE.VANCE@contoso.example", "bianca@CONTOSO.example",
		"bianca@contoso.example", "nobody@contoso.example", "gone@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(x, y directory.UPNUser) int { return strings.Compare(string(x.ID), string(y.ID)) })
	want := []directory.UPNUser{{ID: a.ID, UserPrincipalName: a.UserPrincipalName}, {ID: b.ID, UserPrincipalName: b.UserPrincipalName, Guest: true}}
	slices.SortFunc(want, func(x, y directory.UPNUser) int { return strings.Compare(string(x.ID), string(y.ID)) })
	// A name given twice may come back twice; each user is there once at least.
	got = slices.Compact(got)
	if !slices.Equal(got, want) {
		t.Fatalf("UserIDsByUPN = %+v, want %+v (names as stored)", got, want)
	}
	if got, err := f.s.UserIDsByUPN(f.ctx, f.otherTenant("fabrikam.example").ID, []string{"bianca@contoso.example"}); err != nil || len(got) != 0 {
		t.Fatalf("other tenant resolves %+v, %v", got, err)
	}
	if got, err := f.s.UserIDsByUPN(f.ctx, f.tenant.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("no names: %+v, %v", got, err)
	}
	// Inside a transaction it sees the transaction's own users.
	c := f.newUser("carol")
	f.update(func(tx directory.Tx) error {
		if err := tx.InsertUser(f.ctx, c); err != nil {
			return err
		}
		got, err := tx.UserIDsByUPN(f.ctx, f.tenant.ID, []string{"carol@contoso.example"})
		if err != nil || len(got) != 1 || got[0].ID != c.ID {
			t.Errorf("in transaction: %+v, %v", got, err)
		}
		return nil
	})
}

// testRelateNewGroup: owners and members of a group made in the same
// transaction, all or nothing.
func testRelateNewGroup(t *testing.T, f *fixture) {
	a, b, c := f.user(), f.user(), f.user()
	gone := f.user()
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(f.ctx, f.tenant.ID, gone.ID, f.now) })
	foreign := f.newUser("stranger")
	foreign.TenantID = f.otherTenant("fabrikam.example").ID
	f.insertUser(foreign)
	nested := f.group()

	g := f.newUnified("project")
	f.update(func(tx directory.Tx) error {
		if err := tx.InsertGroup(f.ctx, g); err != nil {
			return err
		}
		return tx.RelateNewGroup(f.ctx, f.tenant.ID, g.ID, "", []directory.ObjectID{b.ID, a.ID}, []directory.ObjectID{a.ID, b.ID, c.ID})
	})
	ids := func(p directory.Page[directory.Object], err error) []directory.ObjectID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []directory.ObjectID
		for _, o := range p.Items {
			if o.User == nil {
				t.Fatalf("related object %+v is no user", o)
			}
			out = append(out, o.ID())
		}
		return out
	}
	sorted := func(l ...directory.ObjectID) []directory.ObjectID { return slices.Sorted(slices.Values(l)) }
	if got := ids(f.s.Owners(f.ctx, f.tenant.ID, g.ID, directory.PageRequest{Top: 10})); !slices.Equal(got, sorted(a.ID, b.ID)) {
		t.Fatalf("owners %v", got)
	}
	if got := ids(f.s.Members(f.ctx, f.tenant.ID, g.ID, directory.PageRequest{Top: 10})); !slices.Equal(got, sorted(a.ID, b.ID, c.ID)) {
		t.Fatalf("members %v", got)
	}
	if n, err := f.s.CountOwners(f.ctx, f.tenant.ID, g.ID); err != nil || n != 2 {
		t.Fatalf("CountOwners = %d, %v", n, err)
	}
	if in, err := f.s.Contains(f.ctx, f.tenant.ID, g.ID, c.ID); err != nil || !in {
		t.Fatalf("Contains = %v, %v", in, err)
	}

	// Each failure names the first id (owners before members) that is no
	// visible user of the tenant, and relates nobody.
	for _, tc := range []struct {
		name           string
		owners, member []directory.ObjectID
		want           directory.ObjectID
	}{
		{"deleted member", []directory.ObjectID{a.ID}, []directory.ObjectID{a.ID, gone.ID}, gone.ID},
		{"unknown owner first", []directory.ObjectID{a.ID, idAt(7)}, []directory.ObjectID{gone.ID}, idAt(7)},
		{"user of another tenant", []directory.ObjectID{foreign.ID}, nil, foreign.ID},
		{"group as member", []directory.ObjectID{a.ID}, []directory.ObjectID{nested.ID}, nested.ID},
	} {
		h := f.newUnified("h" + string(tc.want)[24:]) // the random end of the id
		errKeep := errors.New("keep nothing")
		err := f.s.Update(f.ctx, func(tx directory.Tx) error {
			if err := tx.InsertGroup(f.ctx, h); err != nil {
				return err
			}
			err := tx.RelateNewGroup(f.ctx, f.tenant.ID, h.ID, "", tc.owners, tc.member)
			var nf *directory.NotFoundError
			if !errors.As(err, &nf) || nf.ID != string(tc.want) || nf.Kind != directory.KindUser {
				t.Errorf("%s: %v, want *NotFoundError naming user %s", tc.name, err, tc.want)
				return errKeep
			}
			// The transaction goes on: nobody was related.
			if n, err := tx.CountOwners(f.ctx, f.tenant.ID, h.ID); err != nil || n != 0 {
				t.Errorf("%s: %d owners left, %v", tc.name, n, err)
			}
			if p, err := tx.Members(f.ctx, f.tenant.ID, h.ID, directory.PageRequest{Top: 10}); err != nil || len(p.Items) != 0 {
				t.Errorf("%s: members left %+v, %v", tc.name, p.Items, err)
			}
			return errKeep
		})
		if !errors.Is(err, errKeep) {
			t.Fatalf("%s: update: %v", tc.name, err)
		}
	}

	// An id repeated within one list is a duplicate relation.
	h := f.newUnified("twice")
	err := f.s.Update(f.ctx, func(tx directory.Tx) error {
		if err := tx.InsertGroup(f.ctx, h); err != nil {
			return err
		}
		return tx.RelateNewGroup(f.ctx, f.tenant.ID, h.ID, "", []directory.ObjectID{a.ID}, []directory.ObjectID{b.ID, c.ID, b.ID})
	})
	var re *directory.ReferenceExistsError
	if !errors.As(err, &re) || re.Relation != "members" || re.ID != b.ID {
		t.Fatalf("repeated member: %v, want *ReferenceExistsError naming %s", err, b.ID)
	}
	if _, err := f.s.Group(f.ctx, f.tenant.ID, h.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("group of the failed transaction: %v", err)
	}

	// A group that does not exist relates nobody: the store's key to
	// groups refuses the rows, whenever the engine checks it.
	missing := idAt(9)
	err = f.s.Update(f.ctx, func(tx directory.Tx) error {
		return tx.RelateNewGroup(f.ctx, f.tenant.ID, missing, "", []directory.ObjectID{a.ID}, []directory.ObjectID{b.ID, c.ID})
	})
	var nf *directory.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != directory.KindGroup || nf.ID != string(missing) {
		t.Fatalf("missing group: %v, want *NotFoundError naming group %s", err, missing)
	}
	if in, err := f.s.Contains(f.ctx, f.tenant.ID, missing, b.ID); err != nil || in {
		t.Fatalf("member of the missing group: %v, %v", in, err)
	}

	// Nobody at all is nothing to do.
	e := f.newUnified("empty")
	f.update(func(tx directory.Tx) error {
		if err := tx.InsertGroup(f.ctx, e); err != nil {
			return err
		}
		return tx.RelateNewGroup(f.ctx, f.tenant.ID, e.ID, "", nil, nil)
	})
}
