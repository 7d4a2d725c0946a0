package sqlite

import (
	"context"
	"fmt"
	"testing"

	"groupd/internal/directory"
)

// TestAppendedCursors: a transaction says where the rows of its last
// AppendChanges landed, across statements and across the two kinds of
// insert (rows of one request, and rows of several), and the log holds
// exactly those rows there.
func TestAppendedCursors(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	tid := directory.TenantID("t")
	row := func(req string, i int) directory.Change {
		return directory.Change{TenantID: tid, ObjectID: directory.ObjectID(fmt.Sprint("o", i)), ObjectKind: directory.KindUser,
			Op: directory.OpCreated, RequestID: req}
	}
	var batches [][]directory.Change
	var one []directory.Change
	for i := range 150 { // a run of one request, more than one statement
		one = append(one, row("one", i))
	}
	batches = append(batches, one, []directory.Change{row("a", 1), row("b", 2), row("c", 3)})
	mixed := []directory.Change{row("x", 1), row("x", 2)}
	for i := range 5 {
		mixed = append(mixed, row("run", i))
	}
	batches = append(batches, append(mixed, row("y", 9)))
	for _, rows := range batches {
		var first, last int64
		var ok bool
		if err := s.Update(ctx, func(tx directory.Tx) error {
			if err := tx.AppendChanges(ctx, rows[:1]); err != nil {
				return err
			}
			if err := tx.AppendChanges(ctx, rows); err != nil {
				return err
			}
			first, last, ok = tx.(directory.AppendedCursors).AppendedCursors()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !ok || last-first+1 != int64(len(rows)) {
			t.Fatalf("%d rows: cursors %d to %d, %v", len(rows), first, last, ok)
		}
		got, err := s.Changes(ctx, first-1, len(rows)+10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) || got[0].Cursor != first || got[len(got)-1].Cursor != last {
			t.Fatalf("%d rows from cursor %d: %d read, %d to %d", len(rows), first, len(got), got[0].Cursor, got[len(got)-1].Cursor)
		}
		for i, c := range got {
			if c.RequestID != rows[i].RequestID || c.ObjectID != rows[i].ObjectID {
				t.Fatalf("row %d: %+v, want %+v", i, c, rows[i])
			}
		}
	}
}
