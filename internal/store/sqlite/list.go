package sqlite

import (
	"context"
	"database/sql"
	"math"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

var _ directory.Querier = (*Store)(nil)

// maxShapes bounds the prepared statements kept for list queries: their
// text depends on the shape of the client's filter, so it is unbounded.
const maxShapes = 256

func (c *stmtCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// queryShape runs a statement whose text comes from a client's query:
// prepared and kept while the cache is small, run unprepared after.
func (r reader) queryShape(ctx context.Context, q string, args []any) (*sql.Rows, error) {
	if sc, ok := r.c.(*stmtCache); ok && sc.size() >= maxShapes {
		if sc.closed.Load() {
			return nil, errClosed
		}
		return sc.db.QueryContext(ctx, q, args...)
	}
	return r.query(ctx, q, args...)
}

// List runs one page of a list query (directory.Querier).
func (r reader) List(ctx context.Context, tenant directory.TenantID, q directory.ListQuery) (directory.ListPage, error) {
	var out directory.ListPage
	src, ok := listsql.SourceOf(q)
	if !ok {
		return out, nil
	}
	top, limit := pageSize(q.Page.Top)
	text, args, err := listsql.Page(lite, tenant, q, src, limit, false)
	if err != nil {
		return out, listsql.Err(err)
	}
	rows, err := r.queryShape(ctx, text, args)
	if err != nil {
		return out, mapErr("list", err)
	}
	if out.Items, err = scanObjects(rows, src.Scope); err != nil {
		return out, mapErr("list", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = directory.EncodeCursor(out.Items[top-1], q.OrderBy)
	}
	if q.Expand != 0 && len(out.Items) > 0 {
		out.Expanded, err = r.expand(ctx, tenant, out.Items, q.Expand, q.ExpandLimit)
	}
	return out, err
}

// Count counts the objects of a list query (directory.Querier).
func (r reader) Count(ctx context.Context, tenant directory.TenantID, q directory.ListQuery) (int, error) {
	src, ok := listsql.SourceOf(q)
	if !ok {
		return 0, nil
	}
	if kind, ok := listsql.CountedKind(q); ok {
		return r.objectCount(ctx, tenant, kind)
	}
	text, args, err := listsql.Count(lite, tenant, q, src)
	if err != nil {
		return 0, listsql.Err(err)
	}
	rows, err := r.queryShape(ctx, text, args)
	if err != nil {
		return 0, mapErr("count", err)
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	return n, mapErr("count", err)
}

func limitOrAll(n int) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return int64(n)
}
