package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
		{"pending changes", qPending, []any{tid, 0, 0, 1001, []int64{1 << 20}, []int64{1<<20 + 5}}},
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

// TestAuditTargetPageIsOrdered: a page of the audit log filtered by a
// target with many entries reads the target's indexes newest first, a
// bucket at a time, and stops after about a page and one bucket's worth of
// each, whether the plan is made for the target (a large share of the log,
// whose entries are older than the rest) or generic, as a prepared
// statement's may be: it neither collects all of the target's entries to
// sort them nor walks the log's own key past them. The pages are those a
// plain sort of the target's entries gives.
func TestAuditTargetPageIsOrdered(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tid, g := string(directory.NewTenantID()), string(directory.NewObjectID())
	// Batches of 1,000 entries, each in a bucket of its own (transaction
	// ids 4,096 apart): first 20 batches of member adds to the target,
	// the last of them adding it to itself, then 20 of other groups, 50 of
	// each adding the target as a member.
	const batch = 1000
	add := `INSERT INTO changes (xid, ord, tenant_id, object_id, object_kind, op, related_id, related_kind, at)
	SELECT $5::bigint, n, $1, CASE WHEN $3::boolean THEN $2 ELSE 'g' || $4::integer || '.' || n END, 'group', 'memberAdded',
		CASE WHEN $3 AND $4 = 19 AND n = 999 OR NOT $3 AND n < 50 THEN $2 ELSE 'u' || $4 || '.' || n END, 'user', now()
	FROM generate_series(0, 999) n`
	for i := range 40 {
		if _, err := s.pool.Exec(ctx, add, tid, g, i < 20, i, int64(1<<20+i<<12)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE changes"); err != nil {
		t.Fatal(err)
	}
	var want []int64 // the target's entries, newest first
	rows, err := s.pool.Query(ctx, `SELECT (xid << 20) | ord FROM changes WHERE tenant_id = $1
	AND (object_id = $2 OR related_id = $2) ORDER BY 1 DESC`, tid, g)
	if err == nil {
		want, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil || len(want) != 21000 {
		t.Fatalf("%d entries, %v", len(want), err)
	}
	middle := want[10000]
	for _, q := range []directory.AuditQuery{
		{Target: directory.ObjectID(g), Page: directory.PageRequest{Top: 50}},
		{Target: directory.ObjectID(g), Page: directory.PageRequest{Top: 50, After: strconv.FormatInt(middle, 10)}},
		{Target: directory.ObjectID(g), Since: time.Now().Add(-time.Hour), Page: directory.PageRequest{Top: 100}},
	} {
		page, err := s.AuditLog(ctx, directory.TenantID(tid), q)
		if err != nil {
			t.Fatal(err)
		}
		from := 0
		if q.Page.After != "" {
			from = 10001
		}
		for i, a := range page.Items {
			if a.Seq != want[from+i] {
				t.Fatalf("audit log %+v: entry %d is %d, want %d", q, i, a.Seq, want[from+i])
			}
		}
		if len(page.Items) != q.Page.Top {
			t.Errorf("audit log %+v: %d entries", q, len(page.Items))
		}
		sql, args, err := auditSQL(directory.TenantID(tid), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			plan := explainAnalyze(t, s, mode, sql, args)
			indexes := map[string]bool{}
			var check func(n planNode)
			check = func(n planNode) {
				if n.Relation == "changes" || strings.HasPrefix(n.Index, "changes") {
					if n.Index != "" {
						indexes[n.Index] = true
					}
					if n.Index == "changes_pkey" || strings.HasPrefix(n.Type, "Seq Scan") {
						t.Errorf("audit log %+v: %s %s walks the log", q, n.Type, n.Index)
					}
					if read := n.Rows + n.Removed; read > 2*(q.Page.Top+1)+batch {
						t.Errorf("audit log %+v: %s %s read %d rows of changes", q, n.Type, n.Index, read)
					}
				}
				for _, c := range n.Plans {
					check(c)
				}
			}
			check(plan)
			if len(indexes) != 2 || !indexes["changes_object"] || !indexes["changes_related"] {
				t.Errorf("audit log %+v, %s: read changes by %v, want changes_object and changes_related", q, mode, indexes)
			}
			if t.Failed() {
				t.Fatalf("plan:\n%s", plan)
			}
		}
	}
}

// planNode is a node of EXPLAIN (ANALYZE, FORMAT JSON).
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Rows     int        `json:"Actual Rows"`
	Removed  int        `json:"Rows Removed by Filter"`
	Plans    []planNode `json:"Plans"`
}

func (n planNode) String() string {
	var b strings.Builder
	var walk func(n planNode, indent string)
	walk = func(n planNode, indent string) {
		fmt.Fprintf(&b, "%s%s %s %s: %d rows, %d removed\n", indent, n.Type, n.Relation, n.Index, n.Rows, n.Removed)
		for _, c := range n.Plans {
			walk(c, indent+"  ")
		}
	}
	walk(n, "")
	return b.String()
}

// explainAnalyze runs sql as a prepared statement under plan_cache_mode
// mode and returns its plan, on a connection of its own that it closes
// after.
func explainAnalyze(t *testing.T, s *Store, mode, sql string, args []any) planNode {
	t.Helper()
	ctx := context.Background()
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := pc.Hijack()
	defer c.Close(ctx)
	// The simple protocol: PREPARE's parameters are its statement's, and
	// EXECUTE's arguments go in as literals.
	if err := c.PgConn().Exec(ctx, "SET plan_cache_mode = "+mode+"; PREPARE p AS "+sql).Close(); err != nil {
		t.Fatal(err)
	}
	marks := make([]string, len(args))
	for i := range args {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	var text string
	if err := c.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE p("+strings.Join(marks, ", ")+")",
		append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(&text); err != nil {
		t.Fatal(err)
	}
	var out []struct{ Plan planNode }
	if err := json.Unmarshal([]byte(text), &out); err != nil || len(out) != 1 {
		t.Fatalf("plan %q: %v", text, err)
	}
	return out[0].Plan
}
