package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"groupd/internal/directory"
)

// testAudit: audit rows are the change log's rows as they are there,
// signing keys aside, read from the log itself, listed newest first,
// filtered and paged, and trimmed by age with it.
func testAudit(t *testing.T, f *fixture) {
	ctx := f.ctx
	want := sampleChanges(f)
	// Three rows older than the rest go first, as in a log that has aged.
	old := want[0]
	old.At = want[0].At.Add(-48 * time.Hour)
	key := want[1]
	key.ObjectKind, key.Op, key.Properties = directory.KindSigningKey, directory.OpCreated, nil
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{old, old, old}) })
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, want[:3]) })
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{key}) })
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, want[3:]) })
	log := must[[]directory.Change](t, "Changes")(f.s.Changes(ctx, 0, 100))
	if len(log) != 9 {
		t.Fatalf("change log: %d rows, want 9", len(log))
	}
	auditFromLog(t, f, 8, want[0].At.Add(-time.Hour))

	all := must[directory.Page[directory.AuditRecord]](t, "AuditLog")(f.s.AuditLog(ctx, f.tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 100}}))
	if len(all.Items) != len(want) || all.Next != "" {
		t.Fatalf("AuditLog: %d rows, next %q; want %d, no next", len(all.Items), all.Next, len(want))
	}
	for i, got := range all.Items {
		w := want[len(want)-1-i]
		if i > 0 && got.Seq >= all.Items[i-1].Seq {
			t.Errorf("row %d: seq %d not below %d", i, got.Seq, all.Items[i-1].Seq)
		}
		if g, w := normChange(got.Change), normChange(w); !reflect.DeepEqual(g, w) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, g, w)
		}
	}

	list := func(q directory.AuditQuery) []directory.AuditRecord {
		t.Helper()
		if q.Page.Top == 0 {
			q.Page.Top = 100
		}
		return must[directory.Page[directory.AuditRecord]](t, "AuditLog")(f.s.AuditLog(ctx, f.tenant.ID, q)).Items
	}
	ops := func(rows []directory.AuditRecord) []directory.ChangeOp {
		var out []directory.ChangeOp
		for _, r := range rows {
			out = append(out, r.Op)
		}
		return out
	}
	user := want[0].ObjectID
	for _, tc := range []struct {
		name string
		q    directory.AuditQuery
		want []directory.ChangeOp
	}{
		{"target object or related", directory.AuditQuery{Target: user}, []directory.ChangeOp{directory.OpOwnerRemoved, directory.OpMemberAdded, directory.OpCreated}},
		{"actor", directory.AuditQuery{ActorID: want[3].Actor.ID}, []directory.ChangeOp{directory.OpOwnerRemoved}},
		{"request", directory.AuditQuery{RequestID: "req-2"}, []directory.ChangeOp{directory.OpOwnerRemoved}},
		{"activities", directory.AuditQuery{Activities: []directory.ActivityKey{{Kind: directory.KindGroup, Op: directory.OpMemberAdded}, {Kind: directory.KindUser, Op: directory.OpCreated}}},
			[]directory.ChangeOp{directory.OpMemberAdded, directory.OpCreated}},
		{"no activity", directory.AuditQuery{Activities: []directory.ActivityKey{}}, nil},
		{"since", directory.AuditQuery{Since: want[0].At}, []directory.ChangeOp{directory.OpHardDeleted, directory.OpOwnerRemoved, directory.OpMemberAdded, directory.OpUpdated, directory.OpCreated}},
		{"after", directory.AuditQuery{Since: want[0].At.Add(time.Microsecond)}, nil},
		{"until before", directory.AuditQuery{Until: want[0].At.Add(-time.Microsecond)}, nil},
		{"other tenant's target", directory.AuditQuery{Target: directory.NewObjectID()}, nil},
	} {
		if got := ops(list(tc.q)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	// Pages of two cover everything once, newest first.
	var paged []directory.AuditRecord
	q := directory.AuditQuery{Page: directory.PageRequest{Top: 2}}
	for range 10 {
		p := must[directory.Page[directory.AuditRecord]](t, "AuditLog page")(f.s.AuditLog(ctx, f.tenant.ID, q))
		paged = append(paged, p.Items...)
		if p.Next == "" {
			break
		}
		q.Page.After = p.Next
	}
	if !reflect.DeepEqual(ops(paged), ops(all.Items)) {
		t.Errorf("paged %v, want %v", ops(paged), ops(all.Items))
	}
	if _, err := f.s.AuditLog(ctx, f.tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 2, After: "x"}}); !errors.Is(err, directory.ErrBadCursor) {
		t.Errorf("bad cursor: %v, want ErrBadCursor", err)
	}
	other := f.otherTenant("fabrikam.example")
	if rows := must[directory.Page[directory.AuditRecord]](t, "AuditLog")(f.s.AuditLog(ctx, other.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 10}})); len(rows.Items) != 0 {
		t.Errorf("other tenant sees %d rows", len(rows.Items))
	}

	if got := list(directory.AuditQuery{}); len(got) != len(want) {
		t.Errorf("after trim: %d rows, want %d", len(got), len(want))
	}
}

// auditFromLog: the audit log, read from the change log, lists every row
// (signing keys aside) at once, has nothing of its own to trim (no
// earlier version copied any), and loses the three rows older than cutoff
// with the change log's trim.
func auditFromLog(t *testing.T, f *fixture, rows int, cutoff time.Time) {
	ctx := f.ctx
	if p := must[directory.Page[directory.AuditRecord]](t, "AuditLog")(f.s.AuditLog(ctx, f.tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 100}})); len(p.Items) != rows {
		t.Fatalf("before the trim: %d rows, want %d", len(p.Items), rows)
	}
	if n, err := f.s.TrimAudit(ctx, cutoff, 100); err != nil || n != 0 {
		t.Errorf("TrimAudit = %d, %v; want nothing of its own", n, err)
	}
	for _, step := range []struct{ limit, want int }{{2, 2}, {100, 1}} {
		if n := trimChanges(t, f, cutoff, step.limit); n != step.want {
			t.Errorf("TrimChanges(limit %d) = %d, want %d", step.limit, n, step.want)
		}
	}
}

// trimChanges trims the change log of rows older than cutoff, at most
// limit of them.
func trimChanges(t *testing.T, f *fixture, cutoff time.Time, limit int) int {
	t.Helper()
	var n int
	f.update(func(tx directory.Tx) error {
		var err error
		n, err = tx.TrimChanges(f.ctx, cutoff, time.Now(), limit)
		return err
	})
	return n
}

// testAuditTrimOrder: the trim deletes the oldest rows in log order, at
// most limit at a time, and stops at the first row it keeps, even when
// older rows follow it (a clock that stepped back): those wait until the
// row before them ages too.
func testAuditTrimOrder(t *testing.T, f *fixture) {
	ctx := f.ctx
	base := sampleChanges(f)[0]
	at := func(hours int) directory.Change {
		c := base
		c.ObjectID = directory.NewObjectID()
		c.At = base.At.Add(time.Duration(hours) * time.Hour)
		return c
	}
	// Ages in log order: five old rows, a new one, an old one, a new one.
	rows := []directory.Change{at(-50), at(-49), at(-48), at(-47), at(-46), at(0), at(-45), at(1)}
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, rows) })
	cutoff := base.At.Add(-time.Hour)
	for _, step := range []struct{ limit, want int }{{2, 2}, {2, 2}, {2, 1}, {100, 0}} {
		if n := trimChanges(t, f, cutoff, step.limit); n != step.want {
			t.Errorf("trim (limit %d) = %d; want %d", step.limit, n, step.want)
		}
	}
	p := must[directory.Page[directory.AuditRecord]](t, "AuditLog")(f.s.AuditLog(ctx, f.tenant.ID, directory.AuditQuery{Page: directory.PageRequest{Top: 100}}))
	var got []directory.ObjectID
	for i := len(p.Items) - 1; i >= 0; i-- {
		got = append(got, p.Items[i].ObjectID)
	}
	want := []directory.ObjectID{rows[5].ObjectID, rows[6].ObjectID, rows[7].ObjectID}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the trim the audit log holds %v, want %v (the new row, the old one after it, the last)", got, want)
	}
}
