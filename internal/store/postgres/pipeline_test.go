package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// TestPipelineOrderAndCommit: deferred statements run before any later
// statement of the run, in order, and are committed with it.
func TestPipelineOrderAndCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := seedTenant(t, s)
	var seen []int64
	err := s.Update(ctx, func(dtx directory.Tx) error {
		tx := dtx.(*tx)
		if err := tx.AppendChanges(ctx, []directory.Change{change(tid, "a"), change(tid, "b")}); err != nil {
			return err
		}
		if n := len(tx.tx.deferred); n != 1 {
			t.Errorf("%d statements deferred, want the append", n)
		}
		// A read inside the run sees its own rows.
		rows, err := tx.TenantChanges(ctx, tid, 0, 10)
		if err != nil {
			return err
		}
		if len(tx.tx.deferred) != 0 {
			t.Error("the read did not send the deferred statement first")
		}
		for _, r := range rows {
			seen = append(seen, r.Cursor)
		}
		return tx.AppendChanges(ctx, []directory.Change{change(tid, "c")})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 {
		t.Fatalf("the run read %d of its rows, want 2", len(seen))
	}
	rows, err := s.TenantChanges(ctx, tid, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := requests(rows); strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("committed rows %v, want a,b,c (the last one sent with the COMMIT)", got)
	}
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
