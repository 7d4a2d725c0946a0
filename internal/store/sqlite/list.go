package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"groupd/internal/directory"
)

var _ directory.Querier = (*Store)(nil)

// source is the fixed part of a list statement: what it selects, from
// where, and the condition that binds it to a tenant (and to the group or
// member of a relationship). base takes the tenant then, if with is set,
// the id of the object the list hangs off, as its parameters.
type source struct {
	sc     scope
	from   string
	base   string
	withOf bool
}

const (
	memberJoin = ` LEFT JOIN users u ON m.%[2]s = 'user' AND u.id = m.%[1]s AND u.deleted_at IS NULL
LEFT JOIN groups g ON m.%[2]s = 'group' AND g.id = m.%[1]s AND g.deleted_at IS NULL`
	userJoin  = ` JOIN users u ON m.%[2]s = 'user' AND u.id = m.%[1]s AND u.deleted_at IS NULL`
	groupJoin = ` JOIN groups g ON m.%[2]s = 'group' AND g.id = m.%[1]s AND g.deleted_at IS NULL`
)

// relationSource lists the users and groups a group's relation table
// names; kind narrows to one kind (a cast) inside the join.
func relationSource(table, col, kindCol string, kind directory.ObjectKind) source {
	s := source{from: table + " m", base: "m.tenant_id = ? AND m.group_id = ?", withOf: true,
		sc: scope{users: true, groups: true, id: "m." + col, kind: "m." + kindCol}}
	switch kind {
	case directory.KindUser:
		s.sc.groups = false
		s.from += fmt.Sprintf(userJoin, col, kindCol)
	case directory.KindGroup:
		s.sc.users = false
		s.from += fmt.Sprintf(groupJoin, col, kindCol)
	default:
		s.from += fmt.Sprintf(memberJoin, col, kindCol)
		s.base += " AND (u.id IS NOT NULL OR g.id IS NOT NULL)"
	}
	return s
}

// sourceOf returns the source of q, or false when the list is empty by
// construction (a cast to a kind the list cannot hold).
func sourceOf(q directory.ListQuery) (source, bool) {
	switch q.Source {
	case directory.SourceGroups:
		return source{sc: scope{groups: true, id: "g.id"}, from: "groups g",
			base: "g.tenant_id = ? AND g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	case directory.SourceUsers:
		return source{sc: scope{users: true, id: "u.id"}, from: "users u",
			base: "u.tenant_id = ? AND u.deleted_at IS NULL"}, q.Kind != directory.KindGroup
	case directory.SourceMembers:
		return relationSource("memberships", "member_id", "member_kind", q.Kind), true
	case directory.SourceOwners:
		return relationSource("ownerships", "owner_id", "owner_kind", q.Kind), true
	case directory.SourceMemberOf:
		return source{sc: scope{groups: true, id: "m.group_id"},
			from: "memberships m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL",
			base: "m.tenant_id = ? AND m.member_id = ?", withOf: true}, q.Kind != directory.KindUser
	case directory.SourceTransitiveMemberOf, directory.SourceTransitiveMembers:
		return transitiveSource(q)
	}
	return source{}, false
}

// where writes the condition of q (without keyset) into c.
func (s source) where(c *compiler, q directory.ListQuery) error {
	c.w(" WHERE ")
	c.args = append(c.args, c.tenant)
	if s.withOf {
		c.args = append(c.args, string(q.Of))
	}
	c.w(s.base)
	if q.Filter != nil {
		c.w(" AND ")
		if err := c.expr(q.Filter); err != nil {
			return err
		}
	}
	if q.Search != nil {
		c.w(" AND ")
		if err := c.expr(q.Search); err != nil {
			return err
		}
	}
	return nil
}

func (s source) columns() string {
	switch {
	case s.sc.users && s.sc.groups:
		return userCols + ", " + groupCols
	case s.sc.users:
		return userCols
	}
	return groupCols
}

// listSQL builds the statement of one page; for a list of one table, with
// unwrapped set, only the inner statement that finds the page's ids.
func listSQL(tenant directory.TenantID, q directory.ListQuery, s source, limit int, unwrapped ...bool) (string, []any, error) {
	c := &compiler{sc: s.sc, tenant: string(tenant)}
	// A deferred join for lists of one table: the page's ids are found
	// and sorted first, from indexes where possible, and whole rows are
	// read for those ids only, not for every match a filter or search
	// sorts.
	deferred := !s.withOf
	if deferred {
		c.w("SELECT ", s.sc.id, " FROM ", s.from)
	} else {
		c.w("SELECT ", s.columns(), " FROM ", s.from)
	}
	if err := s.where(c, q); err != nil {
		return "", nil, err
	}
	key := s.sc.id
	if q.OrderBy != "" {
		expr, _, err := s.sc.column(q.OrderBy)
		if err != nil {
			return "", nil, err
		}
		key = expr
	}
	dir, cmp := " ASC", " > "
	if q.Desc {
		dir, cmp = " DESC", " < "
	}
	if q.Page.After != "" {
		id, k, err := directory.DecodeCursor(q.Page.After, q.OrderBy)
		if err != nil {
			return "", nil, err
		}
		if q.OrderBy == "" {
			c.w(" AND ", s.sc.id, cmp)
			c.arg(string(id))
		} else {
			c.w(" AND (", key, ", ", s.sc.id, ")", cmp, "(")
			c.arg(k)
			c.w(", ")
			c.arg(string(id))
			c.w(")")
		}
	}
	hide := ""
	if s.sc.selective(q.Filter) || s.sc.selective(q.Search) {
		hide = "+"
	}
	if q.OrderBy != "" {
		c.w(" ORDER BY ", hide, key, dir, ", ", hide, s.sc.id, dir)
	} else {
		c.w(" ORDER BY ", hide, s.sc.id, dir)
	}
	c.w(" LIMIT ")
	c.arg(int64(limit))
	if !deferred || len(unwrapped) > 0 {
		return c.b.String(), c.args, nil
	}
	order := " ORDER BY " + s.sc.id + dir
	if q.OrderBy != "" {
		order = " ORDER BY " + key + dir + ", " + s.sc.id + dir
	}
	return "SELECT " + s.columns() + " FROM " + s.from + " WHERE " + s.sc.id + " IN (" + c.b.String() + ")" + order, c.args, nil
}

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
	src, ok := sourceOf(q)
	if !ok {
		return out, nil
	}
	top, limit := pageSize(q.Page.Top)
	text, args, err := listSQL(tenant, q, src, limit)
	if err != nil {
		return out, queryErr(err)
	}
	rows, err := r.queryShape(ctx, text, args)
	if err != nil {
		return out, mapErr("list", err)
	}
	if out.Items, err = scanObjects(rows, src.sc); err != nil {
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
	src, ok := sourceOf(q)
	if !ok {
		return 0, nil
	}
	if kind, ok := countedKind(q); ok {
		return r.objectCount(ctx, tenant, kind)
	}
	c := &compiler{sc: src.sc, tenant: string(tenant)}
	c.w("SELECT count(*) FROM ", src.from)
	if err := src.where(c, q); err != nil {
		return 0, queryErr(err)
	}
	rows, err := r.queryShape(ctx, c.b.String(), c.args)
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
