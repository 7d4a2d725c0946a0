package postgres

import (
	"context"
	"testing"

	"groupd/internal/directory"
)

// TestRelationKeysMigration: migration 130 keeps every relation row of a
// database migrated up to 101 and drops only the keys to groups; the store
// then still deletes a group's rows with the group.
func TestRelationKeysMigration(t *testing.T) {
	ctx := context.Background()
	db, p, dsn, exec := migratedTo(t, 101)
	const tid = "00000000-0000-4000-8000-000000000001"
	exec(`INSERT INTO tenants (id, display_name, is_default, created_at) VALUES ($1, 't', true, now())`, tid)
	for _, g := range []string{"g1", "g2"} {
		exec(`INSERT INTO groups (id, tenant_id, display_name, display_name_key, created_at) VALUES ($1, $2, $1, $1, now())`, g, tid)
		exec(`INSERT INTO memberships VALUES ($1, 'u1', $2, 'user'), ($1, 'g0', $2, 'group')`, g, tid)
		exec(`INSERT INTO ownerships VALUES ($1, 'u1', $2, 'user')`, g, tid)
	}
	const rows = `SELECT (SELECT string_agg(group_id || ' ' || member_id, ', ' ORDER BY group_id, member_id) FROM memberships)
	|| ' / ' || (SELECT string_agg(group_id || ' ' || owner_id, ', ' ORDER BY group_id, owner_id) FROM ownerships)`
	const keys = `SELECT string_agg(conname, ', ' ORDER BY conname) FROM pg_constraint
WHERE conrelid IN ('memberships'::regclass, 'ownerships'::regclass)`
	read := func(q string) string {
		t.Helper()
		var s string
		if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	before := read(rows)
	if got, want := read(keys), "memberships_group_fkey, memberships_member_kind_check, memberships_pkey, "+
		"ownerships_group_fkey, ownerships_owner_kind_check, ownerships_pkey"; got != want {
		t.Fatalf("keys at 101: %s, want %s", got, want)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if after := read(rows); after != before {
		t.Errorf("rows after the migration: %s, want %s", after, before)
	}
	if got, want := read(keys), "memberships_member_kind_check, memberships_pkey, ownerships_owner_kind_check, ownerships_pkey"; got != want {
		t.Errorf("keys after the migration: %s, want %s", got, want)
	}

	s := openURL(t, dsn)
	if err := s.Update(ctx, func(tx directory.Tx) error { return tx.DeleteGroup(ctx, tid, "g1") }); err != nil {
		t.Fatal(err)
	}
	if got, want := read(rows), "g2 g0, g2 u1 / g2 u1"; got != want {
		t.Errorf("rows after deleting g1: %s, want %s", got, want)
	}
}
