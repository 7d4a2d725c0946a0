package sqlite

import (
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

// TestAuditTargetAcrossBuckets: the filter by target reads the buckets
// newest first and lists each entry once, across pages that end inside a
// bucket or at its end, and with the other filters.
func TestAuditTargetAcrossBuckets(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	insertAudit(t, s.audit.c, bucketRows)
	for _, top := range []int{1, 2, 3, 100} {
		if got := targetSeqs(t, s, directory.AuditQuery{Target: "X"}, top); !slices.Equal(got, wantX) {
			t.Errorf("pages of %d: %v, want %v", top, got, wantX)
		}
	}
	since := time.UnixMicro(131072)
	if got := targetSeqs(t, s, directory.AuditQuery{Target: "X", Since: since}, 2); !slices.Equal(got, wantX[:4]) {
		t.Errorf("since %d: %v, want %v", since.UnixMicro(), got, wantX[:4])
	}
	if got := targetSeqs(t, s, directory.AuditQuery{Target: "nobody"}, 2); len(got) != 0 {
		t.Errorf("unknown target: %v", got)
	}
	all := targetSeqs(t, s, directory.AuditQuery{}, 3)
	if len(all) != len(bucketRows)-1 {
		t.Errorf("whole log of t: %v", all)
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
	if err := setAuditPages(ctx, db); err != nil {
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
// indexes by target, not of the table, and sorts no more than a page.
func TestAuditTargetPlan(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	text, args := auditSQL("t", directory.AuditQuery{Target: "X", ActorID: "a"}, 1<<40, 11)
	args[3] = 2
	plan := auditPlan(t, s, text, args)
	joined := strings.Join(plan, "\n")
	for _, want := range []string{"INDEX audit_log_object (<expr>=? AND object_id=? AND rowid<?)",
		"INDEX audit_log_related (<expr>=? AND related_id=? AND rowid<?)", "MERGE (UNION ALL)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("plan lacks %q:\n%s", want, joined)
		}
	}
	for _, line := range plan {
		if fullScan.MatchString(line) {
			t.Errorf("plan scans a table: %q\n%s", line, joined)
		}
	}
}
