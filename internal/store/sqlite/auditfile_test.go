package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
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

func copyAll(t *testing.T, s *Store, batch int) int {
	t.Helper()
	total := 0
	for {
		n, err := s.CopyAudit(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		if total += n; n < batch {
			return total
		}
	}
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

// TestAuditCopyAcrossRestarts: a copy stopped by a restart goes on where
// it stood, so each change is audited exactly once.
func TestAuditCopyAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	tid := seedTenant(t, s)
	appendAuditChanges(t, s, tid, 7, time.Now())
	if n, err := s.CopyAudit(ctx, 3); n != 3 || err != nil {
		t.Fatalf("CopyAudit(3) = %d, %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CopyAudit(ctx, 3); err == nil {
		t.Error("CopyAudit after Close succeeded")
	}
	for round := range 2 {
		if s, err = Open(ctx, path); err != nil {
			t.Fatal(err)
		}
		appendAuditChanges(t, s, tid, 5, time.Now())
		if n := copyAll(t, s, 4); n == 0 {
			t.Errorf("round %d: nothing copied", round)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, want := audited(t, s, tid), logged(t, s)
	if len(want) != 17 || strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
		t.Errorf("audit log after restarts:\n%v\nwant the change log:\n%v", got, want)
	}
}

func ids(xs []directory.ObjectID) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// TestTrimChangesKeepsUncopied: the change log keeps what the audit copier
// has not copied, whatever its age, once the copier has a position.
func TestTrimChangesKeepsUncopied(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	tid := seedTenant(t, s)
	old := time.Now().Add(-48 * time.Hour)
	appendAuditChanges(t, s, tid, 5, old)
	trim := func() int {
		t.Helper()
		var n int
		if err := s.Update(ctx, func(tx directory.Tx) error {
			var err error
			n, err = tx.TrimChanges(ctx, time.Now().Add(-time.Hour), time.Now(), 100)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, err := s.CopyAudit(ctx, 2); n != 2 || err != nil {
		t.Fatalf("CopyAudit(2) = %d, %v", n, err)
	}
	if n := trim(); n != 2 {
		t.Errorf("trimmed %d rows, want the 2 copied", n)
	}
	if left := logged(t, s); len(left) != 3 {
		t.Errorf("change log after the trim: %d rows, want 3", len(left))
	}
	if n := copyAll(t, s, 100); n != 3 {
		t.Errorf("copied %d after the trim, want 3", n)
	}
	if n := trim(); n != 3 {
		t.Errorf("trimmed %d rows, want 3", n)
	}
	if got := audited(t, s, tid); len(got) != 5 {
		t.Errorf("audit log: %d rows, want 5", len(got))
	}
}

// TestAuditCopyQueriesUseIndexes: the copy reads one range of the change
// log, on the copier's connection where the directory is attached.
func TestAuditCopyQueriesUseIndexes(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"audit copy bounds", qAuditBounds, []any{0, 2000}},
		{"audit copy", qCopyAudit, []any{0, 2000, "signingKey"}},
	} {
		plan := auditPlan(t, s, c.query, c.args)
		for _, line := range plan {
			if fullScan.MatchString(line) {
				t.Errorf("%s scans a table: %q\nplan:\n%s", c.name, line, strings.Join(plan, "\n"))
			}
		}
	}
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
	pos, err := s.audit.position(ctx)
	if err != nil || pos.Int64 != 3 {
		t.Errorf("audit position %v, %v; want 3", pos, err)
	}
	// Changes 4 and 5 were not copied yet; the copy goes on from 3.
	if n := copyAll(t, s, 100); n != 2 {
		t.Errorf("copied %d, want 2", n)
	}
	pg, err := s.AuditLog(ctx, directory.TenantID(tid), directory.AuditQuery{Page: directory.PageRequest{Top: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range pg.Items {
		got = append(got, string(r.ObjectID))
	}
	if g := strings.Join(got, " "); g != "c4 c3 obj9 obj8 obj3" {
		t.Errorf("audit log after the move: %s", g)
	}
	if pg.Items[2].Seq != 9 || pg.Items[1].Seq <= 9 || len(pg.Items[4].Properties) != 1 {
		t.Errorf("moved rows: %+v", pg.Items)
	}
}

// TestBackupHasAuditLog: a backup is the directory's file and its audit
// file, and opens as it is.
func TestBackupHasAuditLog(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	tid := seedTenant(t, s)
	appendAuditChanges(t, s, tid, 3, time.Now())
	copyAll(t, s, 100)
	appendAuditChanges(t, s, tid, 2, time.Now())
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
	if got := audited(t, b, tid); len(got) != 3 {
		t.Errorf("backup's audit log: %d rows, want 3", len(got))
	}
	if n := copyAll(t, b, 100); n != 2 {
		t.Errorf("backup copies %d more, want 2", n)
	}
	if got, want := audited(t, b, tid), logged(t, b); strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
		t.Errorf("backup's audit log %v, want %v", got, want)
	}
}

// TestAuditCopyTwoStores: two Stores on one file (as a server and a
// command beside it) copying at once audit each change once: the copy
// takes the audit file's write lock before it reads the position.
func TestAuditCopyTwoStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "groupd.db")
	s1, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	tid := seedTenant(t, s1)
	stop := make(chan struct{})
	errs := make(chan error, 2)
	for _, s := range []*Store{s1, s2} {
		go func() {
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				if _, err := s.CopyAudit(ctx, 3); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 20 {
		appendAuditChanges(t, s1, tid, 2, time.Now())
	}
	close(stop)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	copyAll(t, s2, 100)
	got, want := audited(t, s1, tid), logged(t, s1)
	if len(want) != 40 || strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
		t.Errorf("audit log of two copiers: %d rows, want the change log's %d in order", len(got), len(want))
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

// TestAuditFilePages: a new audit file has the large pages its batched
// appends want, in WAL mode; a file an earlier version made with SQLite's
// default pages keeps them, and the copy goes on in it.
func TestAuditFilePages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "groupd.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := auditFilePragma(t, path, "page_size"); got != strconv.Itoa(auditPageSize) {
		t.Errorf("new audit file: page_size %s, want %d", got, auditPageSize)
	}
	if got := auditFilePragma(t, path, "journal_mode"); got != "wal" {
		t.Errorf("new audit file: journal_mode %s, want wal", got)
	}

	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite", AuditFile(old))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA page_size = 4096", "PRAGMA journal_mode = WAL"} {
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
	if n := copyAll(t, s, 10); n != 3 {
		t.Errorf("copied %d rows into the old audit file, want 3", n)
	}
	if got, want := audited(t, s, tid), logged(t, s); strings.Join(ids(got), " ") != strings.Join(ids(want), " ") {
		t.Errorf("old audit file holds\n%v\nwant the change log:\n%v", got, want)
	}
	if got := auditFilePragma(t, old, "page_size"); got != "4096" {
		t.Errorf("old audit file: page_size %s, want 4096 kept", got)
	}
}
