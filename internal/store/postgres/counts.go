package postgres

import (
	"context"

	"groupd/internal/directory"
)

// Counts of the visible users and groups of a tenant (migration 20).
// Writers append delta rows, one per tenant and kind a transaction
// changed, just before it commits; no two writers touch the same row, so
// SERIALIZABLE writers never conflict over a count. A reader sums the
// rows of its tenant and kind, which is exact at its snapshot.
const (
	qAddCounts = `INSERT INTO object_count_deltas (tenant_id, kind, n)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`
	qSumCount = `SELECT COALESCE(sum(n), 0)::bigint, count(*) FROM object_count_deltas
WHERE tenant_id = $1 AND kind = $2`
	// One statement, so the rows it deletes are exactly those it sums.
	// Rows committed after its snapshot are neither deleted nor summed and
	// stay; a second folder running at once waits for the first and then
	// skips the rows the first deleted.
	qFoldCount = `WITH d AS (DELETE FROM object_count_deltas WHERE tenant_id = $1 AND kind = $2 RETURNING n)
INSERT INTO object_count_deltas (tenant_id, kind, n) SELECT $1, $2, sum(n) FROM d HAVING count(*) > 0`
)

// foldAfter is how many delta rows a reader sums before it folds them
// into one, keeping a count a read of a few index entries.
const foldAfter = 64

// bumpCount records that delta objects of kind became visible in tenant
// (hidden, when negative). It is the one place counts change: every write
// that shows or hides a user or group (insert, soft delete, hard delete
// of a visible object, restore) calls it in its transaction.
// The change is written when the transaction commits (flushCounts), so a
// bulk load adds one row, not one per object.
func (t *tx) bumpCount(_ context.Context, tenant directory.TenantID, kind directory.ObjectKind, delta int) error {
	if t.tx.counts == nil {
		t.tx.counts = map[countKey]int{}
	}
	t.tx.counts[countKey{tenant, kind}] += delta
	return nil
}

type countKey struct {
	tenant directory.TenantID
	kind   directory.ObjectKind
}

// flushCounts queues the count changes of the transaction, one statement
// that goes out with its COMMIT.
func (t *tx) flushCounts() {
	var tenants, kinds []string
	var ns []int64
	for k, n := range t.tx.counts {
		if n != 0 {
			tenants, kinds, ns = append(tenants, string(k.tenant)), append(kinds, string(k.kind)), append(ns, int64(n))
		}
	}
	if len(ns) == 0 {
		return
	}
	t.later("count", qAddCounts, tenants, kinds, ns)
}

// objectCount is the number of visible objects of kind in tenant. Outside
// a transaction it folds the delta rows when they are many; inside one
// it only reads, so that a count never makes a write conflict, and adds
// the transaction's own changes.
func (r reader) objectCount(ctx context.Context, tenant directory.TenantID, kind directory.ObjectKind) (int, error) {
	var n, rows int64
	if err := r.q.QueryRow(ctx, qSumCount, string(tenant), string(kind)).Scan(&n, &rows); err != nil {
		return 0, r.fail("count", err)
	}
	if rows > foldAfter && r.tx == nil {
		if _, err := r.q.Exec(ctx, qFoldCount, string(tenant), string(kind)); err != nil {
			return 0, r.fail("fold count", err)
		}
	}
	if r.tx != nil {
		n += int64(r.tx.counts[countKey{tenant, kind}])
	}
	return int(n), nil
}
