package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestTrackingQueriesUseIndexes: delta pages and the deleted items read
// one index range, whatever the size of the log or the directory.
func TestTrackingQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid := string(directory.NewTenantID())
	id := string(directory.NewObjectID())
	cases := []struct {
		name  string
		query string
		args  []any
	}{
		{"tenant changes", qTenantChanges, []any{0, 0, 200, tid}},
		{"pending changes", qPending, []any{tid, 0, 0, 1001}},
		{"deleted users", qDeletedUsers, []any{tid, "", 101, "", false}},
		{"deleted groups", qDeletedGroups, []any{tid, "", 101, "ab", true}},
		{"existing memberships", qExistingMemberships, []any{[]string{id}, []string{id}, tid}},
		{"deleted user", qDeletedUser, []any{id, tid}},
		{"deleted group", qDeletedGroup, []any{id, tid}},
		{"restored as related", qRestoredAsRelated, []any{id, tid}},
		{"restored as group", qRestoredAsGroup, []any{id, tid}},
		{"purge user", qPurgeUser, []any{id, tid}},
		{"expired", qExpiredDeleted, []any{time.Now(), 100}},
		{"trim changes", qTrimChanges, []any{time.Now(), 100, time.Now()}},
		{"trim audit", qTrimAudit, []any{time.Now(), 5000}},
	}
	for _, c := range cases {
		plan, err := s.ExplainQueryPlan(ctx, c.query, c.args...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if m := seqScan.FindString(plan); m != "" {
			t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, m, plan)
		}
	}
	// The audit log reads the change log by its tenant index or, for a
	// target, by the object and related indexes, never the whole log.
	for _, q := range []directory.AuditQuery{
		{Page: directory.PageRequest{Top: 100}},
		{Page: directory.PageRequest{Top: 100, After: "123456789012"}},
		{Target: directory.ObjectID(id), Page: directory.PageRequest{Top: 100}},
		{ActorID: id, Since: time.Now(), Page: directory.PageRequest{Top: 10}},
	} {
		sql, args, err := auditSQL(directory.TenantID(tid), q)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := s.ExplainQueryPlan(ctx, sql, args...)
		if err != nil {
			t.Fatalf("audit log %+v: %v", q, err)
		}
		if m := seqScan.FindString(plan); m != "" || strings.Contains(plan, "Seq Scan on audit_log") {
			t.Errorf("audit log %+v scans a table\nplan:\n%s", q, plan)
		}
	}
}
