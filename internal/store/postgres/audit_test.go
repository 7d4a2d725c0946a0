package postgres

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

// TestAuditMigration: a database whose audit log was copied by an earlier
// version (migrated up to 160, three of four changes copied) lists each
// change once after migration 170, newest first across the copied rows and
// the change log, pages across the two, finds an entry by its number, and
// its former copier position no longer holds back the change log's trim
// nor lets an earlier version's copier copy again.
func TestAuditMigration(t *testing.T) {
	ctx := context.Background()
	db, p, dsn, exec := migratedTo(t, 160)
	const tid = "00000000-0000-4000-8000-000000000001"
	exec(`INSERT INTO tenants (id, display_name, is_default, created_at) VALUES ($1, 't', true, now())`, tid)
	// Four changes in two transactions; the first three copied, as the
	// copier of migration 160's schema did, and its position after them.
	add := `INSERT INTO changes (ord, tenant_id, object_id, object_kind, op, at)
	SELECT i, $1, 'o' || ($2 + i), 'group', 'created', now() FROM generate_series(0, $3 - 1) i`
	exec(add, tid, 1, 3)
	exec(add, tid, 4, 1)
	exec(`INSERT INTO audit_log (tenant_id, object_id, object_kind, op, related_id, related_kind,
		properties, actor_kind, actor_id, actor_name, request_id, client_addr, at)
	SELECT tenant_id, object_id, object_kind, op, related_id, related_kind,
		properties, actor_kind, actor_id, actor_name, request_id, client_addr, at
	FROM changes WHERE object_id IN ('o1', 'o2', 'o3') ORDER BY xid, ord`)
	exec(`INSERT INTO change_positions (name, cursor)
	SELECT 'audit', (xid << 20) | ord FROM changes WHERE object_id = 'o3'`)
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// An earlier version's copier, still running, finds its position past
	// every change and copies nothing.
	var pos int64
	if err := db.QueryRowContext(ctx, `SELECT cursor FROM change_positions WHERE name = 'audit'`).Scan(&pos); err != nil || pos != math.MaxInt64 {
		t.Errorf("the former copier's position: %d, %v; want the largest cursor", pos, err)
	}

	s := openURL(t, dsn)
	list := func(q directory.AuditQuery) directory.Page[directory.AuditRecord] {
		t.Helper()
		page, err := s.AuditLog(ctx, tid, q)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	objects := func(rows []directory.AuditRecord) string {
		out := ""
		for _, r := range rows {
			out += string(r.ObjectID) + " "
		}
		return out
	}
	all := list(directory.AuditQuery{Page: directory.PageRequest{Top: 10}})
	if got, want := objects(all.Items), "o4 o3 o2 o1 "; got != want {
		t.Fatalf("audit log after the migration: %s, want %s", got, want)
	}
	if all.Items[0].Seq <= all.Items[1].Seq || all.Items[1].Seq != 3 {
		t.Errorf("numbers %d, %d: want the change log's cursor above the copied rows' 3", all.Items[0].Seq, all.Items[1].Seq)
	}
	var paged string
	q := directory.AuditQuery{Page: directory.PageRequest{Top: 1}}
	for range 5 {
		page := list(q)
		paged += objects(page.Items)
		if page.Next == "" {
			break
		}
		q.Page.After = page.Next
	}
	if paged != "o4 o3 o2 o1 " {
		t.Errorf("pages of one: %s", paged)
	}
	for _, r := range all.Items {
		one := list(directory.AuditQuery{Page: directory.PageRequest{Top: 1, After: strconv.FormatInt(r.Seq+1, 10)}})
		if len(one.Items) != 1 || one.Items[0].Seq != r.Seq || one.Items[0].ObjectID != r.ObjectID {
			t.Errorf("entry %d: got %+v", r.Seq, one.Items)
		}
	}

	// Nothing holds back the trim now: all four rows are older than a
	// cutoff in the future.
	var trimmed int
	if err := s.Update(ctx, func(dtx directory.Tx) error {
		var err error
		trimmed, err = dtx.TrimChanges(ctx, all.Items[0].At.Add(time.Millisecond), all.Items[0].At.Add(time.Second), 100)
		return err
	}); err != nil || trimmed != 4 {
		t.Errorf("trim after the migration: %d rows, %v; want 4", trimmed, err)
	}
	if got := objects(list(directory.AuditQuery{Page: directory.PageRequest{Top: 10}}).Items); got != "o3 o2 o1 " {
		t.Errorf("after the change log's trim: %s, want the copied rows only", got)
	}
	// The copied rows go with the audit's own trim, oldest first, at most
	// limit at a time, and none that is not older than the cutoff.
	for _, step := range []struct {
		cutoff      time.Time
		limit, want int
	}{{all.Items[3].At.Add(-time.Second), 100, 0}, {all.Items[0].At.Add(time.Second), 2, 2}, {all.Items[0].At.Add(time.Second), 100, 1}} {
		if n, err := s.TrimAudit(ctx, step.cutoff, step.limit); err != nil || n != step.want {
			t.Errorf("TrimAudit(limit %d) = %d, %v; want %d", step.limit, n, err, step.want)
		}
	}
	if got := objects(list(directory.AuditQuery{Page: directory.PageRequest{Top: 10}}).Items); got != "" {
		t.Errorf("after the audit's trim: %s, want nothing", got)
	}
}

// TestAuditTargetPages: migration 180 applies to a database at 170 whose
// audit log has copied entries, and a target's entries (as the object,
// as the member, as both) then page newest first, each once, across the
// copied rows and the change log, in pages that end inside either part;
// other tenants' entries and signing keys stay out.
func TestAuditTargetPages(t *testing.T) {
	ctx := context.Background()
	db, p, dsn, exec := migratedTo(t, 170)
	const tid, other, g = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "g"
	exec(`INSERT INTO tenants (id, display_name, is_default, created_at) VALUES ($1, 't', true, now()), ($2, 'o', false, now())`, tid, other)
	// One transaction of changes: tenant, object, its kind, member and a
	// name in request_id, "-" for the entries the target's pages leave out.
	add := func(rows ...[5]string) {
		t.Helper()
		var cols [5][]string
		for _, r := range rows {
			for i, v := range r {
				cols[i] = append(cols[i], v)
			}
		}
		exec(`INSERT INTO changes (ord, tenant_id, object_id, object_kind, op, related_id, request_id, at)
		SELECT n - 1, c.t, c.o, c.k, 'memberAdded', c.r, c.l, now()
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS c(t, o, k, r, l, n)`,
			cols[0], cols[1], cols[2], cols[3], cols[4])
	}
	add([5]string{tid, g, "group", "u1", "a1"}, [5]string{tid, "x", "group", g, "a2"}, [5]string{tid, "y", "group", "z", "-"})
	add([5]string{tid, g, "group", g, "a3"}, [5]string{other, "o", "group", g, "-"})
	// Copied by a version before 170, as its copier did.
	exec(`INSERT INTO audit_log (tenant_id, object_id, object_kind, op, related_id, request_id, at)
	SELECT tenant_id, object_id, object_kind, op, related_id, request_id, at FROM changes ORDER BY xid, ord`)
	exec(`UPDATE audit_copied SET cursor = (SELECT max((xid << 20) | ord) FROM changes)`)
	add([5]string{tid, g, "group", "u2", "b1"}, [5]string{tid, "k", "signingKey", g, "-"}, [5]string{tid, "x2", "group", g, "b2"})
	add([5]string{tid, g, "group", g, "b3"}, [5]string{tid, "q", "group", "r", "-"}, [5]string{tid, g, "group", "u3", "b4"})
	add([5]string{tid, "p", "group", g, "b5"}, [5]string{other, g, "group", "u4", "-"})

	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var defs []string
	rows, err := db.QueryContext(ctx, `SELECT indexdef FROM pg_indexes WHERE indexname IN ('changes_object', 'changes_related') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	if len(defs) != 2 || !strings.HasSuffix(defs[0], "(object_id, ((xid >> 12)))") ||
		!strings.HasSuffix(defs[1], "(related_id, ((xid >> 12))) WHERE (related_id <> ''::text)") {
		t.Errorf("indexes after migration 180: %q", defs)
	}

	s := openURL(t, dsn)
	const want = "b5 b4 b3 b2 b1 a3 a2 a1 "
	for top := 1; top <= 9; top++ {
		var got string
		last := int64(math.MaxInt64)
		q := directory.AuditQuery{Target: g, Page: directory.PageRequest{Top: top}}
		for range 10 {
			page, err := s.AuditLog(ctx, tid, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Items {
				if r.Seq >= last {
					t.Errorf("pages of %d: entry %d after %d", top, r.Seq, last)
				}
				last = r.Seq
				got += r.RequestID + " "
			}
			if page.Next == "" {
				break
			}
			q.Page.After = page.Next
		}
		if got != want {
			t.Errorf("pages of %d: %s, want %s", top, got, want)
		}
	}
}

// TestAuditIndexMigrationReruns: migration 180 builds its indexes
// concurrently, outside a transaction, so a failed build can leave an
// invalid index behind; running the migration again replaces it with a
// valid one.
func TestAuditIndexMigrationReruns(t *testing.T) {
	ctx := context.Background()
	db, p, _, exec := migratedTo(t, 170)
	var super bool
	if err := db.QueryRowContext(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	if !super {
		t.Skip("marking an index invalid, as a failed concurrent build leaves it, needs a superuser")
	}
	// As a build that failed half way leaves it.
	exec(`DROP INDEX changes_object`)
	exec(`CREATE INDEX changes_object ON changes (object_id, (xid >> 12))`)
	exec(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'changes_object'::regclass`)
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var valid int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_index
	WHERE indexrelid IN ('changes_object'::regclass, 'changes_related'::regclass) AND indisvalid`).Scan(&valid); err != nil {
		t.Fatal(err)
	}
	if valid != 2 {
		t.Errorf("%d valid indexes by target after the migration, want 2", valid)
	}
}
