package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

// auditEntry is a row written straight into the audit file, at a chosen
// seq, so that a test can place rows in the buckets it needs.
type auditEntry struct {
	seq                     int64
	tenant, object, related string
}

func insertAudit(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, rows []auditEntry) {
	t.Helper()
	for _, r := range rows {
		kind := ""
		if r.related != "" {
			kind = "user"
		}
		if _, err := db.ExecContext(context.Background(), `INSERT INTO audit_log
			(seq, tenant_id, object_id, object_kind, op, related_id, related_kind, at) VALUES (?, ?, ?, 'group', 'memberAdded', ?, ?, ?)`,
			r.seq, r.tenant, r.object, r.related, kind, r.seq); err != nil {
			t.Fatal(err)
		}
	}
}

// bucketRows name the target X as object, as related, as both, in four
// buckets (seq >> 17 is 0, 1, 3 and 8), among rows of other targets and of
// another tenant. wantX is X's entries of tenant t, newest first.
var (
	bucketRows = []auditEntry{
		{5, "t", "X", ""},
		{6, "t", "Y", "Z"},
		{131071, "t", "G", "X"},
		{131072, "t", "X", "U"},
		{131073, "t", "Y", "Z"},
		{262144, "other", "X", ""},
		{400000, "t", "X", "X"},
		{400001, "t", "X", ""},
		{1<<20 + 3, "t", "G", "X"},
		{1<<20 + 4, "t", "Y", ""},
	}
	wantX = []int64{1<<20 + 3, 400001, 400000, 131072, 131071, 5}
)

// targetSeqs pages through the target's entries top at a time and returns
// their seqs in the order listed.
func targetSeqs(t *testing.T, s *Store, q directory.AuditQuery, top int) []int64 {
	t.Helper()
	var got []int64
	q.Page = directory.PageRequest{Top: top}
	for pages := 0; ; pages++ {
		p, err := s.AuditLog(context.Background(), "t", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Items {
			got = append(got, a.Seq)
		}
		if p.Next == "" || pages > 20 {
			return got
		}
		q.Page.After = p.Next
	}
}

// insertChanges writes rows straight into the change log of the closed
// Store's file at path, each at cursor seq; a row without tenant is a
// signing key's.
func insertChanges(t *testing.T, path string, rows []auditEntry) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, r := range rows {
		kind, related := "group", ""
		if r.related != "" {
			related = "user"
		}
		if r.tenant == "" {
			kind = string(directory.KindSigningKey)
		}
		if _, err := db.Exec(`INSERT INTO changes (cursor, tenant_id, object_id, object_kind, op, related_id, related_kind, at)
			VALUES (?, ?, ?, ?, 'memberAdded', ?, ?, ?)`, r.seq, cmp.Or(r.tenant, "t"), r.object, kind, r.related, related, r.seq); err != nil {
			t.Fatal(err)
		}
	}
}

// closedStore opens and closes a Store at a new path, which it returns.
func closedStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "groupd.db")
	openAt(t, path).Close()
	return path
}

// openAt opens the Store at path.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAuditTargetAcrossBuckets: the filter by target reads the buckets
// newest first and lists each entry once, across pages that end inside a
// bucket or at its end, and with the other filters; in the change log,
// which leaves out signing key rows, in the rows an earlier version
// copied, and across both.
func TestAuditTargetAcrossBuckets(t *testing.T) {
	key := auditEntry{400002, "", "X", ""}
	const copied = 500000 // the copy stopped here in the third case
	var older, newer []auditEntry
	for _, r := range bucketRows {
		if r.seq <= copied {
			older = append(older, r)
		} else {
			newer = append(newer, r)
		}
	}
	for _, c := range []struct {
		name         string
		changes, log []auditEntry
		copied       int64
	}{
		{"change log", append(slices.Clone(bucketRows), key), nil, -1},
		{"copied", nil, bucketRows, 0},
		{"both", newer, older, copied},
	} {
		path := closedStore(t)
		insertChanges(t, path, c.changes)
		if c.copied >= 0 {
			olderVersion(t, path, c.copied, c.log)
		}
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		want := wantX
		for _, top := range []int{1, 2, 3, 100} {
			if got := targetSeqs(t, s, directory.AuditQuery{Target: "X"}, top); !slices.Equal(got, want) {
				t.Errorf("%s, pages of %d: %v, want %v", c.name, top, got, want)
			}
		}
		since := time.UnixMicro(131072)
		if got := targetSeqs(t, s, directory.AuditQuery{Target: "X", Since: since}, 2); !slices.Equal(got, want[:4]) {
			t.Errorf("%s, since %d: %v, want %v", c.name, since.UnixMicro(), got, want[:4])
		}
		if got := targetSeqs(t, s, directory.AuditQuery{Target: "nobody"}, 2); len(got) != 0 {
			t.Errorf("%s, unknown target: %v", c.name, got)
		}
		if all := targetSeqs(t, s, directory.AuditQuery{}, 3); len(all) != len(bucketRows)-1 {
			t.Errorf("%s, whole log of t: %v", c.name, all)
		}
		s.Close()
	}
}

// TestAuditBucketMigration: an audit file made before the buckets keeps
// its rows, and its indexes by target lead with the bucket afterwards.
func TestAuditBucketMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	db, err := sql.Open("sqlite", auditDSN(AuditFile(path), false))
	if err != nil {
		t.Fatal(err)
	}
	if err := setAuditWAL(ctx, db); err != nil {
		t.Fatal(err)
	}
	p, err := newAuditProvider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	insertAudit(t, db, bucketRows)
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := targetSeqs(t, s, directory.AuditQuery{Target: "X"}, 2); !slices.Equal(got, wantX) {
		t.Errorf("after the migration: %v, want %v", got, wantX)
	}
	for _, name := range []string{"audit_log_object", "audit_log_related"} {
		var def string
		if err := s.audit.c.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = ?`, name).Scan(&def); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(def, "seq >> 17") {
			t.Errorf("%s: %s", name, def)
		}
	}
}

// TestAuditTargetPlan: each bucket's read is two ordered scans of the
// indexes by target, not of the table, and sorts no more than a page, in
// the change log and in the audit file; the read without a target is one
// range of the tenant's index.
func TestAuditTargetPlan(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	changes := s.changeLogSource()
	changes.floor = 5
	for _, src := range []auditSource{changes, s.audit.copiedSource()} {
		plan := func(q directory.AuditQuery) []string {
			text, args := src.auditSQL("t", q, 1<<40, 11)
			if q.Target != "" {
				args[3], args[4] = 9, 2
			}
			if src.changeLog {
				p, err := s.ExplainQueryPlan(context.Background(), text, args...)
				if err != nil {
					t.Fatal(err)
				}
				return strings.Split(p, "\n")
			}
			return auditPlan(t, s, text, args)
		}
		byTarget := plan(directory.AuditQuery{Target: "X", ActorID: "a"})
		joined := strings.Join(byTarget, "\n")
		index, keys := "audit_log_", "rowid<?)"
		if src.changeLog {
			index, keys = "changes_", "rowid>? AND rowid<?)" // after the copied ones
		}
		for _, want := range []string{"INDEX " + index + "object (<expr>=? AND object_id=? AND " + keys,
			"INDEX " + index + "related (<expr>=? AND related_id=? AND " + keys, "MERGE (UNION ALL)"} {
			if !strings.Contains(joined, want) {
				t.Errorf("%s: plan lacks %q:\n%s", src.table, want, joined)
			}
		}
		whole := plan(directory.AuditQuery{ActorID: "a"})
		for _, line := range append(byTarget, whole...) {
			if fullScan.MatchString(line) {
				t.Errorf("%s: plan scans a table: %q\n%s", src.table, line, strings.Join(append(byTarget, whole...), "\n"))
			}
		}
		if w := strings.Join(whole, "\n"); !strings.Contains(w, "INDEX "+index+"tenant") {
			t.Errorf("%s: the read without a target does not use the tenant's index:\n%s", src.table, w)
		}
	}
}
