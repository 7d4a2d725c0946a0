package sqlite

import (
	"context"

	"groupd/internal/directory"
)

const (
	qChanges = `SELECT cursor, tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at
FROM changes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2`
	qChangeKeys = `SELECT cursor, tenant_id, object_id, object_kind, op, related_id, related_kind,
	CASE op WHEN 'updated' THEN properties ELSE '[]' END
FROM changes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2`
)

// Changes reads in cursor order. With one writer at a time a cursor is
// assigned inside the write lock and committed before the next one is
// assigned, so cursor order is commit order and no row appears late.
func (r reader) Changes(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	return r.durableAfter(ctx, "read changes", qChanges, false, after, limit)
}

// ChangeKeys reads as Changes does, fewer columns (directory.ChangeKeyReader).
func (r reader) ChangeKeys(ctx context.Context, after int64, limit int) ([]directory.Change, error) {
	return r.durableAfter(ctx, "read change keys", qChangeKeys, true, after, limit)
}

// durableAfter runs a change log read of at most limit rows (defaultTop
// when not positive) after the cursor after (?1 and ?2), and returns its
// rows once they are durable.
func (r reader) durableAfter(ctx context.Context, what, q string, keys bool, after int64, limit int) ([]directory.Change, error) {
	if limit <= 0 {
		limit = defaultTop
	}
	rows, err := r.changeRows(ctx, what, q, keys, after, limit)
	return r.whenDurable(ctx, rows, err)
}

// whenDurable returns rows once they are durable (see durable.go).
func (r reader) whenDurable(ctx context.Context, rows []directory.Change, err error) ([]directory.Change, error) {
	if err != nil || len(rows) == 0 || r.durable == nil {
		return rows, err
	}
	if err := r.durable(ctx, rows[len(rows)-1].Cursor); err != nil {
		return nil, err
	}
	return rows, nil
}

// changeRows runs a change log query whose columns are those of qChanges,
// or of qChangeKeys when keys is set.
func (r reader) changeRows(ctx context.Context, what, query string, keys bool, args ...any) ([]directory.Change, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []directory.Change
	for rows.Next() {
		var (
			c     directory.Change
			props string
			at    int64
		)
		dest := []any{&c.Cursor, &c.TenantID, &c.ObjectID, &c.ObjectKind, &c.Op, &c.RelatedID, &c.RelatedKind, &props}
		if !keys {
			dest = append(dest, &c.Actor.Kind, &c.Actor.ID, &c.Actor.Name, &c.RequestID, &c.ClientAddr, &at)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, mapErr(what, err)
		}
		if c.Properties, err = parseList(props); err != nil {
			return nil, err
		}
		if !keys {
			c.At = fromMicros(nullInt(at))
		}
		out = append(out, c)
	}
	return out, mapErr(what, rows.Err())
}
