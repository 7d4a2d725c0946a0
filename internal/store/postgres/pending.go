package postgres

import (
	"context"

	"groupd/internal/directory"
)

// qPending reads, in one statement and so under one snapshot, the oldest
// transaction still running (xmin), the trim horizon and the tenant's rows
// after the position. Unlike Changes it returns rows of transactions at or
// above xmin too: a cache must apply every commit it can see, and only the
// horizon it moves to is bounded by xmin, so rows that commit later with a
// smaller id are read again next time. The ranges to skip ($5, $6) are
// few (the caller's own recent commits), so each row is compared with
// each.
const qPending = `SELECT h.xmin, h.trimmed, COALESCE(c.cursor, 0), COALESCE(c.object_id, ''),
	COALESCE(c.object_kind, ''), COALESCE(c.op, ''), COALESCE(c.related_id, ''),
	COALESCE(c.related_kind, ''), c.properties
FROM (SELECT ` + visibleXmin + ` AS xmin,
	(SELECT cursor FROM change_horizon WHERE id = 1) AS trimmed) h
LEFT JOIN LATERAL (SELECT (xid << 20) | ord AS cursor, object_id, object_kind, op, related_id,
	related_kind, properties
	FROM changes WHERE tenant_id = $1 AND (xid, ord) > ($2, $3)
		AND NOT EXISTS (SELECT FROM unnest($5::bigint[], $6::bigint[]) s(first, last)
			WHERE (xid << 20) | ord BETWEEN s.first AND s.last)
	ORDER BY xid, ord LIMIT $4) c ON true
ORDER BY c.cursor`

// PendingChanges implements directory.TrackingReader. The horizon is just
// below the snapshot's xmin: every transaction with a smaller id has
// ended, so no row below it can still appear (the rule of Changes).
func (r reader) PendingChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int, skip []directory.CursorRange) (directory.Pending, error) {
	after = max(after, 0)
	first, last := make([]int64, len(skip)), make([]int64, len(skip))
	for i, s := range skip {
		first[i], last[i] = s.First, s.Last
	}
	rows, err := r.q.Query(ctx, qPending, string(tenant), after>>ordBits, after&maxOrd, limit+1, first, last)
	if err != nil {
		return directory.Pending{}, r.fail("read pending changes", err)
	}
	defer rows.Close()
	var (
		out           directory.Pending
		xmin, trimmed int64
	)
	for rows.Next() {
		var (
			c     directory.Change
			props []string
		)
		if err := rows.Scan(&xmin, &trimmed, &c.Cursor, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID,
			&c.RelatedKind, &props); err != nil {
			return directory.Pending{}, r.fail("read pending changes", err)
		}
		if c.Cursor == 0 {
			continue // the tenant has no row after the position
		}
		c.TenantID = tenant
		c.Properties = unlist(props)
		out.Changes = append(out.Changes, c)
	}
	if err := rows.Err(); err != nil {
		return directory.Pending{}, r.fail("read pending changes", err)
	}
	out.Horizon = max(after, xmin<<ordBits-1)
	if len(out.Changes) > limit || trimmed > after {
		out.Changes, out.TooMany = nil, true
	}
	return out, nil
}
