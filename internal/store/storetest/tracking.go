package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"groupd/internal/directory"
)

// testDeletedRestore: a soft-deleted user and group are listed and found
// as deleted, come back with every relation they kept, and are counted and
// searchable again.
func testDeletedRestore(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u, owner := f.user(), f.user()
	sec, m365 := f.group(), f.insertGroup(f.newUnified("team"))
	f.addMembers(sec, userRef(u))
	f.addMembers(m365, userRef(u), userRef(owner))
	f.addOwners(m365, userRef(owner), userRef(u))
	before := must[int](t, "Count")(f.s.Count(ctx, tid, directory.ListQuery{Source: directory.SourceUsers}))

	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, u.ID, f.now) })
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, m365.ID, f.now) })

	users := must[directory.Page[directory.Object]](t, "DeletedObjects")(f.s.DeletedObjects(ctx, tid,
		directory.DeletedListRequest{Kind: directory.KindUser}))
	if len(users.Items) != 1 || users.Items[0].User == nil || users.Items[0].User.ID != u.ID ||
		users.Items[0].User.DeletedAt == nil || !normTime(*users.Items[0].User.DeletedAt).Equal(normTime(f.now)) {
		t.Fatalf("deleted users: %+v", users.Items)
	}
	groups := must[directory.Page[directory.Object]](t, "DeletedObjects")(f.s.DeletedObjects(ctx, tid,
		directory.DeletedListRequest{Kind: directory.KindGroup, DisplayName: "TE", Prefix: true}))
	if len(groups.Items) != 1 || groups.Items[0].Group == nil || groups.Items[0].Group.ID != m365.ID {
		t.Fatalf("deleted groups starting with TE: %+v", groups.Items)
	}
	none := must[directory.Page[directory.Object]](t, "DeletedObjects")(f.s.DeletedObjects(ctx, tid,
		directory.DeletedListRequest{Kind: directory.KindGroup, DisplayName: "te"}))
	if len(none.Items) != 0 {
		t.Fatalf("deleted groups named exactly te: %+v", none.Items)
	}
	if _, err := f.s.DeletedObject(ctx, tid, sec.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("DeletedObject of a visible group: %v, want not found", err)
	}
	if got := must[int](t, "Count")(f.s.Count(ctx, tid, directory.ListQuery{Source: directory.SourceUsers})); got != before-1 {
		t.Fatalf("users counted after delete: %d, want %d", got, before-1)
	}

	var r directory.Restored
	f.update(func(tx directory.Tx) error {
		var err error
		r, err = tx.RestoreObject(ctx, tid, u.ID)
		return err
	})
	wantM := []directory.Relation{{Group: sec.ID, Related: userRef(u)}}
	// The Microsoft 365 group is still deleted, so only sec comes back.
	if r.Kind != directory.KindUser || !reflect.DeepEqual(r.Memberships, wantM) || len(r.Ownerships) != 0 {
		t.Fatalf("restored user: %+v, want memberships %+v and no ownerships", r, wantM)
	}
	f.update(func(tx directory.Tx) error {
		var err error
		r, err = tx.RestoreObject(ctx, tid, m365.ID)
		return err
	})
	sortRel := func(l []directory.Relation) []directory.Relation {
		slices.SortFunc(l, func(a, b directory.Relation) int {
			return compare(string(a.Group)+string(a.Related.ID), string(b.Group)+string(b.Related.ID))
		})
		return l
	}
	wantM = sortRel([]directory.Relation{{Group: m365.ID, Related: userRef(u)}, {Group: m365.ID, Related: userRef(owner)}})
	wantO := sortRel([]directory.Relation{{Group: m365.ID, Related: userRef(u)}, {Group: m365.ID, Related: userRef(owner)}})
	if r.Kind != directory.KindGroup || !reflect.DeepEqual(sortRel(r.Memberships), wantM) || !reflect.DeepEqual(sortRel(r.Ownerships), wantO) {
		t.Fatalf("restored group: %+v\nwant memberships %+v, ownerships %+v", r, wantM, wantO)
	}
	got := must[directory.User](t, "User")(f.s.User(ctx, tid, u.ID))
	if got.DeletedAt != nil || got.UserPrincipalName != u.UserPrincipalName {
		t.Fatalf("restored user reads %+v", got)
	}
	if ok := must[bool](t, "Contains")(f.s.Contains(ctx, tid, m365.ID, u.ID)); !ok {
		t.Fatal("restored membership not visible")
	}
	if n := must[int](t, "CountOwners")(f.s.CountOwners(ctx, tid, m365.ID)); n != 2 {
		t.Fatalf("owners after restore: %d, want 2", n)
	}
	if got := must[int](t, "Count")(f.s.Count(ctx, tid, directory.ListQuery{Source: directory.SourceUsers})); got != before {
		t.Fatalf("users counted after restore: %d, want %d", got, before)
	}
	err := f.s.Update(ctx, func(tx directory.Tx) error { _, err := tx.RestoreObject(ctx, tid, u.ID); return err })
	if !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("restoring a visible user: %v, want not found", err)
	}
}

// testDeletedConflict: a restore whose names were taken meanwhile fails
// with a conflict naming the property and changes nothing.
func testDeletedConflict(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u := f.insertUser(f.newUser("ann"))
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, u.ID, f.now) })
	taker := f.newUser("ann")
	taker.OnPremisesSamAccountName = "ann2"
	f.insertUser(taker)
	err := f.s.Update(ctx, func(tx directory.Tx) error { _, err := tx.RestoreObject(ctx, tid, u.ID); return err })
	var ce *directory.ConflictError
	if !errors.As(err, &ce) || ce.Property != "userPrincipalName" {
		t.Fatalf("restore over a taken UPN: %v, want a conflict on userPrincipalName", err)
	}
	if _, err := f.s.DeletedObject(ctx, tid, u.ID); err != nil {
		t.Fatalf("user no longer deleted after a refused restore: %v", err)
	}

	g := f.insertGroup(f.newUnified("sales"))
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, g.ID, f.now) })
	g2 := f.newUnified("sales")
	g2.Mail = "other@contoso.example"
	f.insertGroup(g2)
	err = f.s.Update(ctx, func(tx directory.Tx) error { _, err := tx.RestoreObject(ctx, tid, g.ID); return err })
	if !errors.As(err, &ce) || ce.Property != "mailNickname" {
		t.Fatalf("restore over a taken mailNickname: %v, want a conflict on mailNickname", err)
	}
}

// testDeletedPurge: a purge removes the object and its relations for good;
// only deleted objects can be purged; ExpiredDeleted finds old ones.
func testDeletedPurge(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	u, g := f.user(), f.insertGroup(f.newUnified("ops"))
	sec := f.group()
	f.addMembers(sec, userRef(u))
	f.addMembers(g, userRef(u))
	f.addOwners(g, userRef(u))
	if err := f.s.Update(ctx, func(tx directory.Tx) error { return tx.PurgeObject(ctx, tid, u.ID) }); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("purging a visible user: %v, want not found", err)
	}
	count := func(src directory.Source) int {
		return must[int](t, "Count")(f.s.Count(ctx, tid, directory.ListQuery{Source: src}))
	}
	users, groups := count(directory.SourceUsers), count(directory.SourceGroups)
	old := f.now.Add(-48 * time.Hour)
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, u.ID, old) })
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteGroup(ctx, tid, g.ID, f.now) })

	exp := must[[]directory.DeletedRef](t, "ExpiredDeleted")(f.s.ExpiredDeleted(ctx, f.now.Add(-time.Hour), 10))
	want := []directory.DeletedRef{{TenantID: tid, ID: u.ID, Kind: directory.KindUser}}
	if !reflect.DeepEqual(exp, want) {
		t.Fatalf("ExpiredDeleted: %+v, want %+v", exp, want)
	}
	f.update(func(tx directory.Tx) error { return tx.PurgeObject(ctx, tid, u.ID) })
	f.update(func(tx directory.Tx) error { return tx.PurgeObject(ctx, tid, g.ID) })
	// A soft delete counted them out already; the purge must not again.
	if gu, gg := count(directory.SourceUsers), count(directory.SourceGroups); gu != users-1 || gg != groups-1 {
		t.Fatalf("counted after purge: %d users, %d groups; want %d, %d", gu, gg, users-1, groups-1)
	}
	for _, id := range []directory.ObjectID{u.ID, g.ID} {
		if _, err := f.s.DeletedObject(ctx, tid, id); !errors.Is(err, directory.ErrNotFound) {
			t.Fatalf("purged %s still deleted: %v", id, err)
		}
	}
	// A user inserted again with the purged id has no old memberships.
	again := u
	f.insertUser(again)
	if ok := must[bool](t, "Contains")(f.s.Contains(ctx, tid, sec.ID, u.ID)); ok {
		t.Fatal("purged user's membership survived")
	}
}

// testChangeTrim: trimming raises the horizon to the last row removed,
// never moves the position back, and TenantChanges keeps to one tenant.
func testChangeTrim(t *testing.T, f *fixture) {
	ctx := f.ctx
	other := f.otherTenant("fabrikam.example")
	old := f.now.Add(-72 * time.Hour)
	mk := func(tn directory.TenantID, at time.Time) directory.Change {
		return directory.Change{TenantID: tn, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
			Op: directory.OpCreated, At: at}
	}
	f.update(func(tx directory.Tx) error {
		return tx.AppendChanges(ctx, []directory.Change{mk(f.tenant.ID, old), mk(other.ID, old)})
	})
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{mk(f.tenant.ID, f.now)}) })
	all := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(all) != 2 || all[0].TenantID != f.tenant.ID || all[1].TenantID != f.tenant.ID {
		t.Fatalf("TenantChanges: %+v, want this tenant's 2 rows", all)
	}
	pos := must[int64](t, "ChangePosition")(f.s.ChangePosition(ctx))
	if pos != all[1].Cursor {
		t.Fatalf("ChangePosition %d, want the last row's %d", pos, all[1].Cursor)
	}
	if h := must[int64](t, "ChangeHorizon")(f.s.ChangeHorizon(ctx)); h != 0 {
		t.Fatalf("horizon before any trim: %d", h)
	}
	var n int
	f.update(func(tx directory.Tx) error {
		var err error
		n, err = tx.TrimChanges(ctx, f.now.Add(-time.Hour), f.now, 100)
		return err
	})
	if n != 2 {
		t.Fatalf("trimmed %d rows, want 2", n)
	}
	h := must[int64](t, "ChangeHorizon")(f.s.ChangeHorizon(ctx))
	if h < all[0].Cursor || h >= all[1].Cursor {
		t.Fatalf("horizon %d, want at least %d and below %d", h, all[0].Cursor, all[1].Cursor)
	}
	left := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(left) != 1 || left[0].Cursor != all[1].Cursor {
		t.Fatalf("after trim: %+v", left)
	}
	f.update(func(tx directory.Tx) error {
		_, err := tx.TrimChanges(ctx, f.now.Add(time.Hour), f.now.Add(time.Hour), 100)
		return err
	})
	if p := must[int64](t, "ChangePosition")(f.s.ChangePosition(ctx)); p < pos {
		t.Fatalf("position moved back to %d from %d after trimming everything", p, pos)
	}
}

// testChangeTrimStopsAtRetained: the trim removes the log's oldest rows
// up to the first one written in the retention period. A row dated in
// the future (a clock that ran ahead) does not stop it; an old row after
// the retained one waits, and the horizon stays below it.
func testChangeTrimStopsAtRetained(t *testing.T, f *fixture) {
	ctx := f.ctx
	old, recent, future := f.now.Add(-72*time.Hour), f.now.Add(-time.Minute), f.now.Add(24*time.Hour)
	for _, at := range []time.Time{old, future, old, recent, old} {
		c := directory.Change{TenantID: f.tenant.ID, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
			Op: directory.OpCreated, At: at}
		f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{c}) })
	}
	all := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(all) != 5 {
		t.Fatalf("TenantChanges: %d rows, want 5", len(all))
	}
	trim := func(limit int) int {
		var n int
		f.update(func(tx directory.Tx) error {
			var err error
			n, err = tx.TrimChanges(ctx, f.now.Add(-time.Hour), f.now, limit)
			return err
		})
		return n
	}
	if n := trim(2); n != 2 {
		t.Fatalf("first trim, limit 2: %d rows, want 2", n)
	}
	if n := trim(100); n != 1 {
		t.Fatalf("second trim: %d rows, want 1 (the old row before the retained one)", n)
	}
	if n := trim(100); n != 0 {
		t.Fatalf("third trim: %d rows, want none", n)
	}
	left := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(left) != 2 || left[0].Cursor != all[3].Cursor || left[1].Cursor != all[4].Cursor {
		t.Fatalf("after trims: %+v, want the retained row and the old one after it", left)
	}
	if h := must[int64](t, "ChangeHorizon")(f.s.ChangeHorizon(ctx)); h != all[2].Cursor {
		t.Fatalf("horizon %d, want %d (the last row removed)", h, all[2].Cursor)
	}
}

// testDeltaSecret: the first secret stored for a tenant stays.
func testDeltaSecret(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	if k := must[[]byte](t, "DeltaSecret")(f.s.DeltaSecret(ctx, tid)); k != nil {
		t.Fatalf("secret before any: %x", k)
	}
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	f.update(func(tx directory.Tx) error { return tx.InsertDeltaSecret(ctx, tid, a) })
	f.update(func(tx directory.Tx) error { return tx.InsertDeltaSecret(ctx, tid, b) })
	if k := must[[]byte](t, "DeltaSecret")(f.s.DeltaSecret(ctx, tid)); !bytes.Equal(k, a) {
		t.Fatalf("secret %x, want the first %x", k, a)
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// testExistingMemberships: of the pairs asked, only visible memberships
// come back, in one call.
func testExistingMemberships(t *testing.T, f *fixture) {
	ctx, tid := f.ctx, f.tenant.ID
	a, b, gone := f.user(), f.user(), f.user()
	g1, g2, sub := f.group(), f.group(), f.group()
	f.addMembers(g1, userRef(a), userRef(gone), groupRef(sub))
	f.addMembers(g2, userRef(b))
	f.update(func(tx directory.Tx) error { return tx.SoftDeleteUser(ctx, tid, gone.ID, f.now) })
	ask := []directory.Relation{
		{Group: g1.ID, Related: userRef(a)}, {Group: g1.ID, Related: userRef(b)},
		{Group: g1.ID, Related: userRef(gone)}, {Group: g1.ID, Related: groupRef(sub)},
		{Group: g2.ID, Related: userRef(b)}, {Group: g2.ID, Related: userRef(a)},
	}
	got := must[[]directory.Relation](t, "ExistingMemberships")(f.s.ExistingMemberships(ctx, tid, ask))
	want := []directory.Relation{ask[0], ask[3], ask[4]}
	key := func(r directory.Relation) string { return string(r.Group) + string(r.Related.ID) }
	slices.SortFunc(got, func(x, y directory.Relation) int { return compare(key(x), key(y)) })
	slices.SortFunc(want, func(x, y directory.Relation) int { return compare(key(x), key(y)) })
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ExistingMemberships:\n got %+v\nwant %+v", got, want)
	}
	other := f.otherTenant("fabrikam.example")
	if got := must[[]directory.Relation](t, "ExistingMemberships")(f.s.ExistingMemberships(ctx, other.ID, ask)); len(got) != 0 {
		t.Fatalf("another tenant sees %+v", got)
	}
}

// testChangeTrimKeepsUnconsumed: rows a change log consumer has not read
// yet survive retention, so audit and webhooks never miss a change.
func testChangeTrimKeepsUnconsumed(t *testing.T, f *fixture) {
	ctx := f.ctx
	old := f.now.Add(-72 * time.Hour)
	mk := func() directory.Change {
		return directory.Change{TenantID: f.tenant.ID, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
			Op: directory.OpCreated, At: old}
	}
	for range 3 {
		f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{mk()}) })
	}
	all := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(all) != 3 {
		t.Fatalf("TenantChanges: %d rows, want 3", len(all))
	}
	// A subscription's position holds rows back like a consumer's.
	sub := f.subscription("app-1", f.now.Add(time.Hour))
	f.update(func(tx directory.Tx) error {
		if _, err := tx.DeleteSubscription(ctx, f.tenant.ID, sub.ID); err != nil {
			return err
		}
		sub.Position = all[0].Cursor
		if err := tx.InsertSubscription(ctx, sub); err != nil {
			return err
		}
		if err := tx.SetConsumerPosition(ctx, "slow", all[1].Cursor); err != nil {
			return err
		}
		return tx.SetConsumerPosition(ctx, "fast", all[2].Cursor)
	})
	trim := func() {
		f.update(func(tx directory.Tx) error {
			_, err := tx.TrimChanges(ctx, f.now, f.now, 100)
			return err
		})
	}
	trim()
	left := must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(left) != 2 || left[0].Cursor != all[1].Cursor {
		t.Fatalf("after trim with a subscription at %d: %+v, want the 2 rows it has not passed", all[0].Cursor, left)
	}
	f.update(func(tx directory.Tx) error {
		_, err := tx.DeleteSubscription(ctx, f.tenant.ID, sub.ID)
		return err
	})
	trim()
	left = must[[]directory.Change](t, "TenantChanges")(f.s.TenantChanges(ctx, f.tenant.ID, 0, 10))
	if len(left) != 1 || left[0].Cursor != all[2].Cursor {
		t.Fatalf("after trim with a consumer at %d: %+v, want the row it has not read", all[1].Cursor, left)
	}
}
