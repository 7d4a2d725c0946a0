package sqlite

import (
	"context"

	"groupd/internal/directory"
)

// Counts of the visible users and groups of a tenant, one row each in
// object_counts. SQLite has one writer, so the row is no point of
// contention.
const (
	qBumpCount = `INSERT INTO object_counts (tenant_id, kind, n) VALUES (?1, ?2, ?3)
ON CONFLICT (tenant_id, kind) DO UPDATE SET n = n + excluded.n`
	qObjectCount = `SELECT COALESCE((SELECT n FROM object_counts WHERE tenant_id = ?1 AND kind = ?2), 0)`
)

// bumpCount records that delta objects of kind became visible in tenant
// (hidden, when negative). It is the one place counts change: every write
// that shows or hides a user or group (insert, soft delete, hard delete
// of a visible object, restore) calls it in its transaction.
func (t *tx) bumpCount(ctx context.Context, tenant directory.TenantID, kind directory.ObjectKind, delta int) error {
	_, err := t.exec(ctx, qBumpCount, string(tenant), string(kind), int64(delta))
	return mapErr("count "+string(kind), err)
}

// objectCount is the number of visible objects of kind in tenant.
func (r reader) objectCount(ctx context.Context, tenant directory.TenantID, kind directory.ObjectKind) (int, error) {
	n := 0
	err := r.scanRow(ctx, qObjectCount, []any{string(tenant), string(kind)}, &n)
	return n, mapErr("count", err)
}
