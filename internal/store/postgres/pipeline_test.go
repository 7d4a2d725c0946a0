package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// TestPipelineOrderAndCommit: deferred statements (BEGIN, change rows) go
// out before any later statement of the run, in order, in one batch with
// it, whichever way its result is read, and the last ones with the
// COMMIT.
func TestPipelineOrderAndCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	var seen []string
	err := s.Update(ctx, func(dtx directory.Tx) error {
		tx := dtx.(*tx)
		if err := tx.AppendChanges(ctx, []directory.Change{change(tid, "a"), change(tid, "b")}); err != nil {
			return err
		}
		if ops := deferredOps(tx); ops != "begin,append changes" {
			t.Errorf("deferred %s, want begin and the append", ops)
		}
		// One row, read after the deferred statements in their batch.
		if _, err := tx.ChangePosition(ctx); err != nil {
			return err
		}
		if err := tx.AppendChanges(ctx, []directory.Change{change(tid, "c")}); err != nil {
			return err
		}
		// Rows, the same way; the run's reads see its own rows.
		rows, err := tx.TenantChanges(ctx, tid, 0, 10)
		if err != nil {
			return err
		}
		if ops := deferredOps(tx); ops != "" {
			t.Errorf("still deferred after a read: %s", ops)
		}
		seen = requests(rows)
		return tx.AppendChanges(ctx, []directory.Change{change(tid, "d")})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, ","); got != "a,b,c" {
		t.Fatalf("the run read %s of its rows, want a,b,c", got)
	}
	rows, err := s.TenantChanges(ctx, tid, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(requests(rows), ","); got != "a,b,c,d" {
		t.Fatalf("committed rows %s, want a,b,c,d (the last one sent with the COMMIT)", got)
	}
}

// TestPipelineEmptyRun: a run that sends no statement commits without
// sending anything, and one that fails before any leaves no transaction
// open on its connection.
func TestPipelineEmptyRun(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.Update(ctx, func(directory.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	sentinel := errors.New("no")
	if err := s.Update(ctx, func(directory.Tx) error { return sentinel }); err != sentinel {
		t.Fatalf("Update: %v, want the function's error", err)
	}
	tid := seedTenant(t, s)
	if rows, err := s.TenantChanges(ctx, tid, 0, 10); err != nil || len(rows) != 0 {
		t.Fatalf("after empty runs: %v, %v", rows, err)
	}
}

func deferredOps(t *tx) string {
	var ops []string
	for _, d := range t.tx.deferred {
		ops = append(ops, d.op)
	}
	return strings.Join(ops, ",")
}

// TestPipelineFailureCommitsNothing: when the server refuses a deferred
// statement, sent with the COMMIT, Update reports it under the statement's
// name and nothing of the run is committed.
func TestPipelineFailureCommitsNothing(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	err := s.Update(ctx, func(dtx directory.Tx) error {
		tx := dtx.(*tx)
		if err := tx.AppendChanges(ctx, []directory.Change{change(tid, "lost")}); err != nil {
			return err
		}
		tx.later("check", "SELECT 1 / (SELECT count(*) FROM changes WHERE false)")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "check") || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("Update: %v, want the deferred statement's division by zero", err)
	}
	if errors.Is(err, directory.ErrUnavailable) {
		t.Fatalf("Update: %v; the server refused a statement, the outcome is known", err)
	}
	rows, err := s.TenantChanges(ctx, tid, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Fatalf("committed %v after a failed statement", requests(rows))
	}
	// The connection went back to the pool usable.
	if err := s.Update(ctx, func(dtx directory.Tx) error {
		return dtx.AppendChanges(ctx, []directory.Change{change(tid, "next")})
	}); err != nil {
		t.Fatal(err)
	}
	if rows, err := s.TenantChanges(ctx, tid, 0, 10); err != nil || len(rows) != 1 {
		t.Fatalf("after the failure: %v, %v", requests(rows), err)
	}
}

// TestTransactionIDOnlyWhenWanted: a run that asked where its change rows
// land (WantCursors, as logged updates do) has its transaction id from
// its first batch on, and AppendedCursors says where the rows land; a run
// that did not ask takes no id by reading, so a run that writes nothing
// commits without a commit record.
func TestTransactionIDOnlyWhenWanted(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	const qAssigned = "SELECT COALESCE(pg_current_xact_id_if_assigned()::text::bigint, 0)"
	var assigned int64
	if err := s.Update(ctx, func(dtx directory.Tx) error {
		return dtx.(*tx).q.QueryRow(ctx, qAssigned).Scan(&assigned)
	}); err != nil {
		t.Fatal(err)
	}
	if assigned != 0 {
		t.Errorf("a read-only run that did not ask has transaction id %d; want none", assigned)
	}
	var first, last int64
	var ok bool
	if err := s.Update(ctx, func(dtx directory.Tx) error {
		tx := dtx.(*tx)
		tx.WantCursors()
		if err := tx.q.QueryRow(ctx, qAssigned).Scan(&assigned); err != nil {
			return err
		}
		if err := tx.AppendChanges(ctx, []directory.Change{change(tid, "a"), change(tid, "b")}); err != nil {
			return err
		}
		first, last, ok = tx.AppendedCursors()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if assigned == 0 || !ok || first != assigned<<ordBits || last != first+1 {
		t.Errorf("a run that asked: id %d, cursors %d to %d (%v); want the id's first two", assigned, first, last, ok)
	}
}
