package storetest

import (
	"fmt"
	"testing"

	"groupd/internal/directory"
)

// testAppendedCursors: a transaction that has sent a statement says where
// the rows of its last AppendChanges landed (directory.AppendedCursors),
// across the kinds of insert (rows of one request, more than one
// statement's worth, and rows of several), and the log holds exactly
// those rows there.
func testAppendedCursors(t *testing.T, f *fixture) {
	ctx := f.ctx
	row := func(req string, i int) directory.Change {
		return directory.Change{TenantID: f.tenant.ID, ObjectID: directory.ObjectID(fmt.Sprint("o", i)),
			ObjectKind: directory.KindUser, Op: directory.OpCreated, RequestID: req, At: f.now}
	}
	var one []directory.Change
	for i := range 150 {
		one = append(one, row("one", i))
	}
	mixed := []directory.Change{row("x", 1), row("x", 2)}
	for i := range 5 {
		mixed = append(mixed, row("run", i))
	}
	batches := [][]directory.Change{one, {row("a", 1), row("b", 2), row("c", 3)}, append(mixed, row("y", 9))}
	for _, rows := range batches {
		var (
			first, last int64
			ok, known   bool
		)
		f.update(func(tx directory.Tx) error {
			// As the directory's logged updates do: the run asks first,
			// and says where its rows land once it has sent a statement.
			if w, ok := tx.(directory.CursorsWanted); ok {
				w.WantCursors()
			}
			if _, err := tx.ChangePosition(ctx); err != nil {
				return err
			}
			if err := tx.AppendChanges(ctx, rows[:1]); err != nil {
				return err
			}
			if err := tx.AppendChanges(ctx, rows); err != nil {
				return err
			}
			var a directory.AppendedCursors
			if a, known = tx.(directory.AppendedCursors); known {
				first, last, ok = a.AppendedCursors()
			}
			return nil
		})
		if !known {
			t.Skip("the engine does not say where change rows land")
		}
		if !ok || last-first+1 != int64(len(rows)) {
			t.Fatalf("%d rows: cursors %d to %d, %v", len(rows), first, last, ok)
		}
		got, err := f.s.Changes(ctx, first-1, len(rows)+10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) || got[0].Cursor != first || got[len(got)-1].Cursor != last {
			t.Fatalf("%d rows from cursor %d: %d read", len(rows), first, len(got))
		}
		for i, c := range got {
			if c.RequestID != rows[i].RequestID || c.ObjectID != rows[i].ObjectID {
				t.Fatalf("row %d: %+v, want %+v", i, c, rows[i])
			}
		}
	}
}
