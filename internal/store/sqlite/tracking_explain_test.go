package sqlite

import (
	"context"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// TestTrackingQueriesUseIndexes: delta pages and the deleted items read
// one index range, whatever the size of the log or the directory.
func TestTrackingQueriesUseIndexes(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := string(directory.NewTenantID())
	id := string(directory.NewObjectID())
	cases := []struct {
		name  string
		query string
		args  []any
	}{
		{"tenant changes", qTenantChanges, []any{tid, 0, 200}},
		{"pending changes", qPending, []any{tid, 0, 1001, "[[1,5]]"}},
		{"deleted users", qDeletedUsers, []any{tid, "", 101, "", false}},
		{"deleted groups", qDeletedGroups, []any{tid, "", 101, "ab", true}},
		{"existing memberships", qExistingMemberships, []any{`[{"g":"` + id + `","m":"` + id + `"}]`, tid}},
		{"deleted user", qDeletedUser, []any{id, tid}},
		{"deleted group", qDeletedGroup, []any{id, tid}},
		{"restored as related", qRestoredAsRelated, []any{id, tid}},
		{"restored as group", qRestoredAsGroup, []any{id, tid}},
		{"purge user memberships", qPurgeUserMemberships, []any{id, tid}},
		{"purge user ownerships", qPurgeUserOwnerships, []any{id, tid}},
		{"trim changes", qTrimChanges, []any{0, 100, 5, 0}},
	}
	for _, c := range cases {
		plan, err := s.ExplainQueryPlan(ctx, c.query, c.args...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, line := range strings.Split(plan, "\n") {
			if fullScan.MatchString(line) {
				t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, line, plan)
			}
		}
	}
}
