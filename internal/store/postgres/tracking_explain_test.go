package postgres

import (
	"context"
	"regexp"
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
		{"copy audit", qCopyAudit, []any{0, 0, 2000, string(directory.KindSigningKey)}},
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
	// The audit copy reads its range of the change log once. A second
	// read, joined to the first, is planned as a scan of the whole log
	// once the planner expects the range to be small, as it usually is.
	plan, err := s.ExplainQueryPlan(ctx, qCopyAudit, 0, 0, 2000, string(directory.KindSigningKey))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(changesScan.FindAllString(plan, -1)); n != 1 {
		t.Errorf("the audit copy reads the change log %d times, want once\nplan:\n%s", n, plan)
	}
}

var changesScan = regexp.MustCompile(`Scan (using \S+ )?on changes\b`)
