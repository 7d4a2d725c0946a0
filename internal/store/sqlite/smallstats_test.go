package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestSmallChangeStatsDropped: statistics of a change log of two rows (as
// PRAGMA optimize leaves them after `bench generate`) do not make the
// change follower's and the audit log's reads scan the log whole, and
// those of a grown log stay.
func TestSmallChangeStatsDropped(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	tid := directory.NewTenantID()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	appendAuditChanges(t, s, tid, 2, time.Now())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if stat := analyzeChanges(t, path); !strings.HasPrefix(stat, "2 ") {
		t.Fatalf("statistics of the two-row log: %q", stat)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.ExplainQueryPlan(ctx, qChanges, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "SEARCH changes USING INTEGER PRIMARY KEY") {
		t.Errorf("changes: plan %q; want a seek to the cursor", plan)
	}
	audit, args := s.auditSources()[0].auditSQL(tid, directory.AuditQuery{}, 50, 100)
	if plan, err = s.ExplainQueryPlan(ctx, audit, args...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "SEARCH changes USING INDEX changes_tenant (tenant_id=?") {
		t.Errorf("audit log: plan %q; want a seek to the tenant's cursor", plan)
	}
	appendAuditChanges(t, s, tid, minChangeStatRows, time.Now())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	analyzeChanges(t, path)
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if stat := changeStat(t, path); !strings.HasPrefix(stat, "10002 ") {
		t.Errorf("statistics of the grown log after open: %q; want them kept", stat)
	}
}

// analyzeChanges takes the statistics of the change log of the closed
// database at path and returns them.
func analyzeChanges(t *testing.T, path string) string {
	t.Helper()
	return changeStat(t, path, "ANALYZE changes")
}

// changeStat runs stmts on the closed database at path, then returns the
// statistics row of the change log's tenant index, or "".
func changeStat(t *testing.T, path string, stmts ...string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var stat string
	err = db.QueryRow(`SELECT stat FROM sqlite_stat1 WHERE idx = 'changes_tenant'`).Scan(&stat)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return stat
}
