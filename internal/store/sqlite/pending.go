package sqlite

import (
	"context"
	"encoding/json"

	"groupd/internal/directory"
)

// qPending reads the log's end and the tenant's rows after the position in
// one statement, so no commit falls between the two. One writer at a time
// commits in cursor order, so the newest cursor is the horizon: nothing at
// or below it can appear later. Trimmed rows count as the end as well
// (change_horizon), as for ChangePosition.
const qPending = `SELECT max(COALESCE((SELECT MAX(cursor) FROM changes), 0),
		(SELECT cursor FROM change_horizon WHERE id = 1)),
	(SELECT cursor FROM change_horizon WHERE id = 1),
	COALESCE(c.cursor, 0), COALESCE(c.object_id, ''), COALESCE(c.object_kind, ''), COALESCE(c.op, ''),
	COALESCE(c.related_id, ''), COALESCE(c.related_kind, ''), COALESCE(c.properties, '[]')
FROM (SELECT 1) LEFT JOIN (SELECT cursor, object_id, object_kind, op, related_id, related_kind, properties
	FROM changes WHERE tenant_id = ?1 AND cursor > ?2
		AND NOT EXISTS (SELECT 1 FROM json_each(?4) s
			WHERE cursor BETWEEN s.value ->> 0 AND s.value ->> 1)
	ORDER BY cursor LIMIT ?3) c
ORDER BY c.cursor`

// PendingChanges implements directory.TrackingReader. It does not wait for
// the rows to be durable: a cache only drops entries on them.
func (r reader) PendingChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int, skip []directory.CursorRange) (directory.Pending, error) {
	ranges := make([][2]int64, len(skip))
	for i, s := range skip {
		ranges[i] = [2]int64{s.First, s.Last}
	}
	skipJSON, err := json.Marshal(ranges)
	if err != nil {
		return directory.Pending{}, err
	}
	rows, err := r.query(ctx, qPending, string(tenant), after, limit+1, string(skipJSON))
	if err != nil {
		return directory.Pending{}, mapErr("read pending changes", err)
	}
	defer rows.Close()
	var (
		out          directory.Pending
		end, trimmed int64
	)
	for rows.Next() {
		var (
			c     directory.Change
			props string
		)
		if err := rows.Scan(&end, &trimmed, &c.Cursor, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID,
			&c.RelatedKind, &props); err != nil {
			return directory.Pending{}, mapErr("read pending changes", err)
		}
		if c.Cursor == 0 {
			continue // the tenant has no row after the position
		}
		if c.Properties, err = parseList(props); err != nil {
			return directory.Pending{}, err
		}
		c.TenantID = tenant
		out.Changes = append(out.Changes, c)
	}
	if err := rows.Err(); err != nil {
		return directory.Pending{}, mapErr("read pending changes", err)
	}
	out.Horizon = max(after, end)
	if len(out.Changes) > limit || trimmed > after {
		out.Changes, out.TooMany = nil, true
	}
	return out, nil
}
