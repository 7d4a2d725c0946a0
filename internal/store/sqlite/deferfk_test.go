package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// orphans counts the relation rows that name group.
func orphans(t *testing.T, s *Store, group directory.ObjectID) int {
	t.Helper()
	var n int
	err := s.scanRow(context.Background(), `SELECT (SELECT count(*) FROM memberships WHERE group_id = ?1)
	+ (SELECT count(*) FROM ownerships WHERE group_id = ?1)`, []any{string(group)}, &n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDanglingRelationFailsOnlyItsUpdate: an update that leaves a relation
// row naming a missing group, which the deferred key would only refuse at
// COMMIT, fails alone and changes nothing; its neighbours in the batch
// commit in the one shared commit. A dangling row undone by its update's
// own failure is no one's fault.
func TestDanglingRelationFailsOnlyItsUpdate(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	missing := directory.NewObjectID()
	dangle := func(dtx directory.Tx, member string) error {
		_, err := dtx.(*tx).exec(ctx, `INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)
VALUES (?1, ?2, ?3, 'user')`, string(missing), member, string(tid))
		return err
	}
	a, b, c, e := testUser(tid, "a"), testUser(tid, "b"), testUser(tid, "c"), testUser(tid, "e")
	refused := errors.New("refused")
	before := s.commits.Load()
	errs, panics := inOneBatch(t, s,
		func(tx directory.Tx) error { return tx.InsertUser(ctx, a) },
		func(tx directory.Tx) error {
			if err := tx.InsertUser(ctx, b); err != nil {
				return err
			}
			return dangle(tx, "x")
		},
		func(tx directory.Tx) error { return tx.InsertUser(ctx, c) },
		func(tx directory.Tx) error {
			if err := dangle(tx, "y"); err != nil {
				return err
			}
			return refused
		},
		func(tx directory.Tx) error { return tx.InsertUser(ctx, e) })
	for i, p := range panics {
		if p != nil {
			t.Fatalf("update %d panicked: %v", i, p)
		}
	}
	if errs[0] != nil || errs[2] != nil || errs[4] != nil {
		t.Fatalf("neighbours failed: %v, %v, %v", errs[0], errs[2], errs[4])
	}
	if !errors.Is(errs[1], errNoGroup) {
		t.Errorf("dangling update: got %v, want errNoGroup", errs[1])
	}
	if errs[3] != refused {
		t.Errorf("update undone by its own failure: got %v, want its own error", errs[3])
	}
	// The held update and the five queued ones.
	if got := s.commits.Load() - before; got != 1 {
		t.Errorf("the batch took %d commits, want 1", got)
	}
	for _, u := range []directory.User{a, c, e} {
		if _, err := s.User(ctx, tid, u.ID); err != nil {
			t.Errorf("user %s: %v", u.UserPrincipalName, err)
		}
	}
	if _, err := s.User(ctx, tid, b.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("user of the dangling update: %v, want it undone", err)
	}
	if n := orphans(t, s, missing); n != 0 {
		t.Errorf("%d rows name the missing group", n)
	}
}

// TestRelationsOfMissingGroup: the inserts into the relation tables report
// a missing group as the immediate key did, as *NotFoundError of the
// group, and leave nothing behind, so an update that goes on still
// commits.
func TestRelationsOfMissingGroup(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	u, v := testUser(tid, "u"), testUser(tid, "v")
	if err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		return tx.InsertUser(ctx, v)
	}); err != nil {
		t.Fatal(err)
	}
	refs := []directory.MemberRef{{ID: u.ID, Kind: directory.KindUser}, {ID: v.ID}}
	for name, relate := range map[string]func(directory.Tx, directory.ObjectID) error{
		"AddMembers": func(tx directory.Tx, g directory.ObjectID) error { return tx.AddMembers(ctx, tid, g, refs) },
		"AddOwners":  func(tx directory.Tx, g directory.ObjectID) error { return tx.AddOwners(ctx, tid, g, refs) },
		"RelateNewGroup owners": func(tx directory.Tx, g directory.ObjectID) error {
			return tx.RelateNewGroup(ctx, tid, g, "", []directory.ObjectID{u.ID, v.ID}, nil)
		},
		"RelateNewGroup members": func(tx directory.Tx, g directory.ObjectID) error {
			return tx.RelateNewGroup(ctx, tid, g, "", nil, []directory.ObjectID{u.ID, v.ID})
		},
	} {
		missing := directory.NewObjectID()
		w := testUser(tid, "w"+string(missing)[24:]) // ids begin with their time; they end random
		err := s.Update(ctx, func(tx directory.Tx) error {
			err := relate(tx, missing)
			var nf *directory.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != directory.KindGroup || nf.ID != string(missing) {
				t.Errorf("%s: got %v, want *NotFoundError of group %s", name, err, missing)
			}
			return tx.InsertUser(ctx, w)
		})
		if err != nil {
			t.Errorf("%s: the update going on after the failure: %v", name, err)
		}
		if _, err := s.User(ctx, tid, w.ID); err != nil {
			t.Errorf("%s: user written after the failure: %v", name, err)
		}
		if n := orphans(t, s, missing); n != 0 {
			t.Errorf("%s: %d rows name the missing group", name, n)
		}
	}
}

// TestDeferMigration: migration 120 keeps every relation row, index and
// planner statistic, and makes the keys to groups deferred; deleting a
// group still deletes its rows.
func TestDeferMigration(t *testing.T) {
	ctx := context.Background()
	db, p, exec := migratedTo(t, func(path string) string { return dsn(path, false) }, 101)
	exec(`INSERT INTO tenants (id, display_name, created_at) VALUES ('t', 't', 0)`)
	for _, g := range []string{"g1", "g2"} {
		exec(`INSERT INTO groups (id, tenant_id, created_at) VALUES (?1, 't', 0)`, g)
		exec(`INSERT INTO memberships VALUES (?1, 'u1', 't', 'user'), (?1, 'g0', 't', 'group')`, g)
		exec(`INSERT INTO ownerships VALUES (?1, 'u1', 't', 'user')`, g)
	}
	exec(`ANALYZE`)
	const schema = `SELECT group_concat(type || ' ' || name, ', ') FROM
	(SELECT type, name FROM sqlite_schema WHERE tbl_name IN ('memberships', 'ownerships') ORDER BY name)`
	const stats = `SELECT group_concat(tbl || ' ' || idx || ' ' || stat, ', ') FROM
	(SELECT * FROM sqlite_stat1 WHERE tbl IN ('memberships', 'ownerships') ORDER BY tbl, idx)`
	read := func(q string) string {
		t.Helper()
		var s sql.NullString
		if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s.String
	}
	wantSchema, wantStats := read(schema), read(stats)
	if wantStats == "" {
		t.Fatal("ANALYZE kept no statistics")
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := read(schema); got != wantSchema {
		t.Errorf("schema objects after the migration:\n%s\nwant\n%s", got, wantSchema)
	}
	if got := read(stats); got != wantStats {
		t.Errorf("statistics after the migration:\n%s\nwant\n%s", got, wantStats)
	}
	for _, table := range []string{"memberships", "ownerships"} {
		if ddl := read(`SELECT sql FROM sqlite_schema WHERE name = '` + table + `'`); !strings.Contains(ddl, "DEFERRABLE INITIALLY DEFERRED") {
			t.Errorf("%s: key not deferred:\n%s", table, ddl)
		}
	}
	exec(`DELETE FROM groups WHERE id = 'g1'`)
	if got := read(`SELECT group_concat(group_id || ' ' || member_id, ', ') FROM (SELECT * FROM memberships ORDER BY 1, 2)`); got != "g2 g0, g2 u1" {
		t.Errorf("memberships after deleting g1: %s", got)
	}
	if got := read(`SELECT group_concat(group_id, ', ') FROM ownerships`); got != "g2" {
		t.Errorf("ownerships after deleting g1: %s", got)
	}
	// The key is still enforced, at COMMIT.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships VALUES ('none', 'u1', 't', 'user')`); err != nil {
		t.Fatalf("a deferred key refused the statement: %v", err)
	}
	if err := tx.Commit(); sqliteCode(err) != codeForeignKey {
		t.Errorf("COMMIT of a row without its group: got %v, want a foreign key failure", err)
	}
	_ = tx.Rollback()
}
