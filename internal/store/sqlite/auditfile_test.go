package sqlite

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

func appendAuditChanges(t *testing.T, s *Store, tid directory.TenantID, n int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	var cs []directory.Change
	for range n {
		cs = append(cs, directory.Change{TenantID: tid, ObjectID: directory.NewObjectID(),
			ObjectKind: directory.KindUser, Op: directory.OpCreated, At: at})
	}
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, cs) }); err != nil {
		t.Fatal(err)
	}
}

// audited lists the object ids of the audit log, oldest first.
func audited(t *testing.T, s *Store, tid directory.TenantID) []directory.ObjectID {
	t.Helper()
	p, err := s.AuditLog(context.Background(), tid, directory.AuditQuery{Page: directory.PageRequest{Top: 999}})
	if err != nil {
		t.Fatal(err)
	}
	var out []directory.ObjectID
	for i := len(p.Items) - 1; i >= 0; i-- {
		out = append(out, p.Items[i].ObjectID)
	}
	return out
}

// logged lists the object ids of the change log, oldest first.
func logged(t *testing.T, s *Store) []directory.ObjectID {
	t.Helper()
	cs, err := s.Changes(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []directory.ObjectID
	for _, c := range cs {
		out = append(out, c.ObjectID)
	}
	return out
}

func TestAuditFileBesideDatabase(t *testing.T) {
	for in, want := range map[string]string{
		"/d/groupd.db": "/d/groupd-audit.db",
		"/d/x":         "/d/x-audit",
		"/d.v/x":       "/d.v/x-audit",
		"b.sqlite":     "b-audit.sqlite",
	} {
		if got := AuditFile(in); got != want {
			t.Errorf("AuditFile(%q) = %q, want %q", in, got, want)
		}
	}
	s := openTemp(t)
	defer s.Close()
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.path), "groupd-audit.db")); err != nil {
		t.Errorf("audit file: %v", err)
	}
}

// TestAuditReadsChangeLog: every change is listed as soon as it commits,
// across restarts; signing key rows are not.
func TestAuditReadsChangeLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	var (
		tid  directory.TenantID
		keys []directory.ObjectID
	)
	for round := range 3 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			tid = seedTenant(t, s)
		}
		appendAuditChanges(t, s, tid, 4, time.Now())
		key := directory.Change{TenantID: tid, ObjectID: directory.NewObjectID(), ObjectKind: directory.KindSigningKey,
			Op: directory.OpCreated, At: time.Now()}
		if err := s.Update(ctx, func(tx directory.Tx) error { return tx.AppendChanges(ctx, []directory.Change{key}) }); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.ObjectID)
		want := slices.DeleteFunc(logged(t, s), func(id directory.ObjectID) bool { return slices.Contains(keys, id) })
		got := audited(t, s, tid)
		if len(want) < 4*(round+1) || strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
			t.Errorf("round %d: audit log\n%v\nwant the change log's other rows:\n%v", round, got, want)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(xs []directory.ObjectID) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// auditPlan is the audit file's plan of query, a line per step.
func auditPlan(t *testing.T, s *Store, query string, args []any) []string {
	t.Helper()
	rows, err := s.audit.c.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestAuditMoveMigration: migration 140 moves the audit rows and the
// copier's position out of the directory's file, also when an earlier
// attempt got as far as the audit file's commit.
func TestAuditMoveMigration(t *testing.T) {
	ctx := context.Background()
	db, p, exec := migratedTo(t, func(path string) string { return dsn(path, false) }, 139)
	var path string
	if err := db.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	tid := string(directory.NewTenantID())
	for _, seq := range []int{3, 8, 9} {
		exec(`INSERT INTO audit_log (seq, tenant_id, object_id, object_kind, op, properties, at)
	VALUES (?1, ?2, ?3, 'user', 'created', '["displayName"]', ?1)`, seq, tid, "obj"+string(rune('0'+seq)))
	}
	for i := range 5 {
		exec(`INSERT INTO changes (tenant_id, object_id, object_kind, op, at) VALUES (?1, ?2, 'user', 'created', 0)`, tid, "c"+string(rune('0'+i)))
	}
	exec(`INSERT INTO change_positions (name, cursor) VALUES ('audit', 3), ('other', 1)`)
	// A first attempt that ended after the audit file's commit.
	if err := moveAuditRows(ctx, path); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("audit_log still in the directory's file (%d, %v)", n, err)
	}
	var names string
	if err := db.QueryRowContext(ctx, `SELECT group_concat(name) FROM change_positions`).Scan(&names); err != nil || names != "other" {
		t.Errorf("change positions: %q, %v; want other", names, err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Changes 4 and 5 were not copied: they are read from the change log,
	// numbered after the copied rows' seqs.
	if s.audit.copied != 3 || s.audit.shift != 6 {
		t.Errorf("copy stopped at %d, shift %d; want 3 and 6", s.audit.copied, s.audit.shift)
	}
	for _, top := range []int{1, 2, 100} {
		if got := auditNumbers(t, s, directory.TenantID(tid), top); got != "11:c4 10:c3 9:obj9 8:obj8 3:obj3" {
			t.Errorf("audit log after the move, pages of %d: %s", top, got)
		}
	}
}

// auditNumbers lists the tenant's audit log, pages of top, as number:object.
func auditNumbers(t *testing.T, s *Store, tid directory.TenantID, top int) string {
	t.Helper()
	var out []string
	q := directory.AuditQuery{Page: directory.PageRequest{Top: top}}
	for range 50 {
		p, err := s.AuditLog(context.Background(), tid, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			out = append(out, strconv.FormatInt(r.Seq, 10)+":"+string(r.ObjectID))
		}
		if p.Next == "" {
			break
		}
		q.Page.After = p.Next
	}
	return strings.Join(out, " ")
}

// TestAuditCopyStops: the first start of this version on an audit file an
// earlier version copied into records where the copy stopped, once, and
// moves the copier's position past every cursor, so that a copier of that
// version still running copies nothing more. Entries keep their numbers
// across restarts and beside a second Store.
func TestAuditCopyStops(t *testing.T) {
	ctx := context.Background()
	path := closedStore(t)
	s := openAt(t, path)
	tid := seedTenant(t, s)
	appendAuditChanges(t, s, tid, 3, time.Now())
	s.Close()
	// As an earlier version left it: the copier had copied up to cursor 2
	// (whatever the tenant's own rows are), its seqs far above the cursors.
	olderVersion(t, path, 2, []auditEntry{{900, string(tid), "old1", ""}, {901, string(tid), "old2", ""}})

	s = openAt(t, path)
	defer s.Close()
	first := auditNumbers(t, s, tid, 2)
	n := len(logged(t, s)) - 2 // the change log's rows after cursor 2
	if !strings.HasSuffix(first, "901:old2 900:old1") || strings.Count(first, " ")+1 != n+2 ||
		!strings.HasPrefix(first, strconv.Itoa(901+n)+":") {
		t.Errorf("after the switch: %s; want %d change log entries numbered after 901, then the copied ones", first, n)
	}
	var pos int64
	if err := s.audit.c.QueryRowContext(ctx, `SELECT cursor FROM audit_position`).Scan(&pos); err != nil || pos != math.MaxInt64 {
		t.Errorf("copier's position %d, %v; want past every cursor", pos, err)
	}
	s2 := openAt(t, path)
	defer s2.Close()
	if got := auditNumbers(t, s2, tid, 100); got != first {
		t.Errorf("a second Store lists %s, want %s", got, first)
	}
	appendAuditChanges(t, s2, tid, 1, time.Now())
	if got := auditNumbers(t, s, tid, 100); !strings.HasSuffix(got, first) || strings.Count(got, " ") != strings.Count(first, " ")+1 {
		t.Errorf("after one more change: %s, want one entry before %s", got, first)
	}
}

// TestTrimAuditCopied: the rows an earlier version copied go with the
// audit's own trim, oldest first, at most limit at a time, and the trim
// stops at the first row it keeps, even when older rows follow it (a
// clock that stepped back); the change log's entries stay.
func TestTrimAuditCopied(t *testing.T) {
	ctx := context.Background()
	path := closedStore(t)
	// at is the seq in microseconds: 10, 11, 12 and 14 are old, 13 is new.
	olderVersion(t, path, 0, []auditEntry{{10, "t", "a", ""}, {11, "t", "b", ""}, {12, "t", "c", ""}, {14, "t", "e", ""}})
	db, err := sql.Open("sqlite", auditDSN(AuditFile(path), false))
	if err != nil {
		t.Fatal(err)
	}
	insertAudit(t, db, []auditEntry{{13, "t", "d", ""}})
	if _, err := db.Exec(`UPDATE audit_log SET at = ?1 WHERE seq = 13`, time.Now().UnixMicro()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	appendAuditChanges(t, s, "t", 1, time.UnixMicro(1))
	cutoff := time.Now().Add(-time.Hour)
	for _, step := range []struct{ limit, want int }{{2, 2}, {100, 1}, {100, 0}} {
		if n, err := s.TrimAudit(ctx, cutoff, step.limit); err != nil || n != step.want {
			t.Errorf("TrimAudit(limit %d) = %d, %v; want %d", step.limit, n, err, step.want)
		}
	}
	got := auditNumbers(t, s, "t", 100)
	if !strings.HasSuffix(got, " 14:e 13:d") || strings.Count(got, " ") != 2 {
		t.Errorf("after the trim: %s; want the change log's entry, then e and d", got)
	}
}

// TestAuditFileOfAnotherLog: an audit file whose copy went further than
// the directory's change log ever reached (it was kept beside another
// directory file, or beside an older backup) hides none of this change
// log's entries: they are all listed, after the copied rows, whether the
// copy stops now or stopped at an earlier start.
func TestAuditFileOfAnotherLog(t *testing.T) {
	path := closedStore(t)
	s := openAt(t, path)
	appendAuditChanges(t, s, "t", 3, time.Now())
	want := ids(logged(t, s))
	s.Close()
	olderVersion(t, path, 1000, []auditEntry{{5000, "t", "copied", ""}})
	check := func(when string) {
		t.Helper()
		s := openAt(t, path)
		defer s.Close()
		got := auditNumbers(t, s, "t", 2)
		wantList := "5003:" + want[2] + " 5002:" + want[1] + " 5001:" + want[0] + " 5000:copied"
		if len(want) != 3 || got != wantList {
			t.Errorf("%s: %s, want %s", when, got, wantList)
		}
	}
	check("the copy stops now")
	db, err := sql.Open("sqlite", auditDSN(AuditFile(path), false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_copied SET cursor = 2000, shift = 0`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	check("the copy stopped before, past this log")
}

// olderVersion makes the closed Store's files at path look as an earlier
// version left them: audit_copied not filled yet, the copier's position at
// copied, and rows in the audit file.
func olderVersion(t *testing.T, path string, copied int64, rows []auditEntry) {
	t.Helper()
	db, err := sql.Open("sqlite", auditDSN(AuditFile(path), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DELETE FROM audit_copied`, `UPDATE audit_position SET cursor = ?1`} {
		if _, err := db.Exec(q, copied); err != nil {
			t.Fatal(err)
		}
	}
	insertAudit(t, db, rows)
}

// TestBackupHasAuditLog: a backup is the directory's file and its audit
// file, and opens as it is.
func TestBackupHasAuditLog(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	tid := seedTenant(t, s)
	appendAuditChanges(t, s, tid, 3, time.Now())
	dir := t.TempDir()
	dest := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(AuditFile(dest), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Error("backup over an existing audit file succeeded")
	}
	os.Remove(AuditFile(dest))
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got, want := audited(t, b, tid), logged(t, b); strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
		t.Errorf("backup's audit log %v, want %v", got, want)
	}
}

// auditFilePragma reads one pragma of the audit file beside path.
func auditFilePragma(t *testing.T, path, pragma string) string {
	t.Helper()
	db, err := sql.Open("sqlite", AuditFile(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("PRAGMA " + pragma).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAuditFilePages: a new audit file is in WAL mode; one an earlier
// version made with 64 KiB pages keeps them, and opens.
func TestAuditFilePages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "groupd.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := auditFilePragma(t, path, "journal_mode"); got != "wal" {
		t.Errorf("new audit file: journal_mode %s, want wal", got)
	}

	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite", AuditFile(old))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA page_size = 65536", "PRAGMA journal_mode = WAL"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if s, err = Open(ctx, old); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tid := seedTenant(t, s)
	appendAuditChanges(t, s, tid, 3, time.Now())
	if got, want := audited(t, s, tid), logged(t, s); strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
		t.Errorf("beside the old audit file, the audit log holds\n%v\nwant the change log:\n%v", got, want)
	}
	if got := auditFilePragma(t, old, "page_size"); got != "65536" {
		t.Errorf("old audit file: page_size %s, want 65536 kept", got)
	}
}
