package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"groupd/internal/directory"
)

func sampleChanges(f *fixture) []directory.Change {
	actor := directory.Actor{Kind: directory.ActorUser, ID: string(directory.NewObjectID()), Name: "admin@contoso.example"}
	g, u := directory.NewObjectID(), directory.NewObjectID()
	at := time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.UTC)
	base := directory.Change{TenantID: f.tenant.ID, Actor: actor, RequestID: "req-1", ClientAddr: "192.0.2.7:51234", At: at}
	c1, c2, c3, c4, c5 := base, base, base, base, base
	c1.ObjectID, c1.ObjectKind, c1.Op, c1.Properties = u, directory.KindUser, directory.OpCreated, []string{"displayName", "userPrincipalName"}
	// Properties are names, but the log keeps any text.
	c2.ObjectID, c2.ObjectKind, c2.Op, c2.Properties = g, directory.KindGroup, directory.OpUpdated, []string{"description", "NULL", `a "b", {c}\d`, ""}
	c3.ObjectID, c3.ObjectKind, c3.Op, c3.RelatedID, c3.RelatedKind = g, directory.KindGroup, directory.OpMemberAdded, u, directory.KindUser
	c4.ObjectID, c4.ObjectKind, c4.Op, c4.RelatedID, c4.RelatedKind = g, directory.KindGroup, directory.OpOwnerRemoved, u, directory.KindUser
	c4.Actor = directory.Actor{Kind: directory.ActorApp, ID: string(directory.NewObjectID()), Name: "provisioner"}
	c4.RequestID, c4.ClientAddr = "req-2", "[2001:db8::1]:443"
	c5.ObjectID, c5.ObjectKind, c5.Op = directory.ObjectID(f.tenant.ID), "tenant", directory.OpHardDeleted
	c5.Actor = directory.Actor{Kind: directory.ActorSystem, ID: "groupd"}
	return []directory.Change{c1, c2, c3, c4, c5}
}

func normChange(c directory.Change) directory.Change {
	c.Cursor = 0
	c.At = normTime(c.At)
	c.Properties = normList(c.Properties)
	return c
}

func testChanges(t *testing.T, f *fixture) {
	ctx := f.ctx
	want := sampleChanges(f)
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, want[:3]) })
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, want[3:]) })

	got := sameChanges(t, f, want, 100)

	// Paging by cursor returns each row once.
	paged := pagedChanges(t, "Changes", f.s.Changes)
	if len(paged) != len(got) {
		t.Fatalf("paged Changes: %d rows, want %d", len(paged), len(got))
	}
	for i := range paged {
		if paged[i].Cursor != got[i].Cursor {
			t.Errorf("paged row %d has cursor %d, want %d", i, paged[i].Cursor, got[i].Cursor)
		}
	}
	if rest := must[[]directory.Change](t, "Changes at end")(f.s.Changes(ctx, got[len(got)-1].Cursor, 10)); len(rest) != 0 {
		t.Errorf("Changes after the last cursor: %d rows", len(rest))
	}
}

// testChangeKeys: ChangeKeys returns the rows of Changes, page by page,
// with only the fields that say what changed, and properties of updates.
func testChangeKeys(t *testing.T, f *fixture) {
	k, ok := f.s.(directory.ChangeKeyReader)
	if !ok {
		t.Skip("the store reads no change keys")
	}
	ctx := f.ctx
	rows := sampleChanges(f)
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, rows) })
	full := sameChanges(t, f, rows, 100)
	got := pagedChanges(t, "ChangeKeys", k.ChangeKeys)
	if len(got) != len(full) {
		t.Fatalf("ChangeKeys: %d rows, want %d", len(got), len(full))
	}
	for i, c := range full {
		want := directory.Change{Cursor: c.Cursor, TenantID: c.TenantID, ObjectID: c.ObjectID, ObjectKind: c.ObjectKind,
			Op: c.Op, RelatedID: c.RelatedID, RelatedKind: c.RelatedKind}
		if c.Op == directory.OpUpdated {
			want.Properties = c.Properties
		}
		if g := got[i]; !reflect.DeepEqual(normList(g.Properties), normList(want.Properties)) ||
			!reflect.DeepEqual(withoutProps(g), withoutProps(want)) {
			t.Errorf("key row %d:\n got %+v\nwant %+v", i, g, want)
		}
	}
}

// pagedChanges reads the whole log through read, two rows a page, and
// fails when a page holds more.
func pagedChanges(t *testing.T, what string, read func(ctx context.Context, after int64, limit int) ([]directory.Change, error)) []directory.Change {
	t.Helper()
	var out []directory.Change
	for after := int64(0); ; {
		page := must[[]directory.Change](t, what)(read(context.Background(), after, 2))
		if len(page) > 2 {
			t.Fatalf("%s(limit 2) returned %d rows", what, len(page))
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Cursor
	}
}

func withoutProps(c directory.Change) directory.Change {
	c.Properties = nil
	return c
}

// testConcurrentChangeOrder has two writers append while a reader follows
// the log by cursor: the reader must end up with every row, in cursor
// order, none skipped because it committed after a later cursor was seen.
func testConcurrentChangeOrder(t *testing.T, f *fixture) {
	ctx := f.ctx
	const perWriter = 60
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				c := directory.Change{
					TenantID: f.tenant.ID, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindUser,
					Op: directory.OpCreated, RequestID: string(rune('a'+w)) + "-" + string(rune('0'+i%10)), At: f.now,
				}
				if err := f.s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{c}) }); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	var seen []int64
	after := int64(0)
	follow := func() {
		page, err := f.s.Changes(ctx, after, 7)
		if err != nil {
			t.Fatalf("Changes: %v", err)
		}
		for _, c := range page {
			if c.Cursor <= after {
				t.Fatalf("cursor %d returned after %d", c.Cursor, after)
			}
			seen = append(seen, c.Cursor)
			after = c.Cursor
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		follow()
	}
	for range 2 * perWriter {
		follow()
	}
	all := must[[]directory.Change](t, "Changes")(f.s.Changes(ctx, 0, 10*perWriter))
	if len(all) != 2*perWriter {
		t.Fatalf("log holds %d rows, want %d", len(all), 2*perWriter)
	}
	if len(seen) != len(all) {
		t.Fatalf("follower saw %d rows, log holds %d", len(seen), len(all))
	}
	for i := range all {
		if seen[i] != all[i].Cursor {
			t.Fatalf("follower's row %d has cursor %d, log's has %d", i, seen[i], all[i].Cursor)
		}
	}
}

// testChangesMany appends more rows in one call than an engine may write
// in one statement and reads them back whole and in order.
func testChangesMany(t *testing.T, f *fixture) {
	ctx := f.ctx
	sample := sampleChanges(f)
	var want []directory.Change
	for i := range 203 {
		c := sample[i%len(sample)]
		c.RelatedID = directory.ObjectID(fmt.Sprintf("r%03d", i))
		want = append(want, c)
	}
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, want[:1]) })
	f.update(func(tx directory.Tx) error { return tx.AppendChanges(ctx, want[1:]) })
	sameChanges(t, f, want, 1000)
}

// testChangesRuns appends rows of several requests: runs of one
// request's rows (which the SQLite store binds its shared values once
// for) longer and shorter than a statement, between single rows and short
// runs of others, and a run broken by a row of another time. Every row
// comes back in order with every value.
func testChangesRuns(t *testing.T, f *fixture) {
	ctx := f.ctx
	sample := sampleChanges(f)
	a, b, c := sample[0], sample[3], sample[4]
	later := b
	later.At = b.At.Add(time.Millisecond)
	var want []directory.Change
	add := func(base directory.Change, n int) {
		for range n {
			x := base
			i := len(want)
			x.RelatedID = directory.ObjectID(fmt.Sprintf("r%03d", i))
			x.Properties = []string{fmt.Sprintf("p%d", i), `q "r", {s}`}[:i%3]
			want = append(want, x)
		}
	}
	add(a, 3)
	add(b, 70)
	add(c, 1)
	add(a, 5)
	add(c, 2)
	add(b, 2)
	add(later, 1)
	add(b, 4)
	add(a, 64)
	// Within one transaction: rows of one request (the PostgreSQL store
	// sends their shared values once), then of one other, then mixed.
	f.update(func(tx directory.Tx) error {
		for _, part := range [][]directory.Change{want[:3], want[3:73], want[73:]} {
			if err := tx.AppendChanges(ctx, part); err != nil {
				return err
			}
		}
		return nil
	})
	sameChanges(t, f, want, 1000)
}

// sameChanges reads the whole log (up to limit rows) and checks that it
// holds want, in order, with increasing cursors; it returns what it read.
func sameChanges(t *testing.T, f *fixture, want []directory.Change, limit int) []directory.Change {
	t.Helper()
	got := must[[]directory.Change](t, "Changes")(f.s.Changes(f.ctx, 0, limit))
	if len(got) != len(want) {
		t.Fatalf("Changes: got %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if i > 0 && got[i].Cursor <= got[i-1].Cursor {
			t.Errorf("cursor %d after %d: not increasing", got[i].Cursor, got[i-1].Cursor)
		}
		if g, w := normChange(got[i]), normChange(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("change %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	return got
}
