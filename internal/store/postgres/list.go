package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"groupd/internal/directory"
)

var _ directory.Querier = (*Store)(nil)

// source is the fixed part of a list statement: what it selects, from
// where, and the columns that bind it to a tenant and, for relationships,
// to the object it hangs off (of); cond is a further fixed condition.
type source struct {
	sc     scope
	from   string
	tenant string
	of     string
	cond   string
	// ofInFrom says from names the object the list hangs off as $2.
	ofInFrom bool
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
	s := source{from: table + " m", tenant: "m.tenant_id", of: "m.group_id",
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
		s.cond = "(u.id IS NOT NULL OR g.id IS NOT NULL)"
	}
	return s
}

// sourceOf returns the source of q, or false when the list is empty by
// construction (a cast to a kind the list cannot hold).
func sourceOf(q directory.ListQuery) (source, bool) {
	switch q.Source {
	case directory.SourceGroups:
		return source{sc: scope{groups: true, id: "g.id"}, from: "groups g", tenant: "g.tenant_id",
			cond: "g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	case directory.SourceUsers:
		return source{sc: scope{users: true, id: "u.id"}, from: "users u", tenant: "u.tenant_id",
			cond: "u.deleted_at IS NULL"}, q.Kind != directory.KindGroup
	case directory.SourceMembers:
		return relationSource("memberships", "member_id", "member_kind", q.Kind), true
	case directory.SourceOwners:
		return relationSource("ownerships", "owner_id", "owner_kind", q.Kind), true
	case directory.SourceMemberOf:
		return source{sc: scope{groups: true, id: "m.group_id"}, tenant: "m.tenant_id", of: "m.member_id",
			from: "memberships m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	case directory.SourceTransitiveMemberOf, directory.SourceTransitiveMembers:
		return transitiveSource(q)
	}
	return source{}, false
}

// where writes the condition of q (without keyset) into c.
func (s source) where(c *compiler, q directory.ListQuery) error {
	c.w(" WHERE ", s.tenant, " = ")
	c.arg(c.tenant)
	if s.ofInFrom {
		c.args = append(c.args, string(q.Of))
	}
	if s.of != "" {
		c.w(" AND ", s.of, " = ")
		c.arg(string(q.Of))
	}
	if s.cond != "" {
		c.w(" AND ", s.cond)
	}
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

// listSQL builds the statement of one page.
func listSQL(tenant directory.TenantID, q directory.ListQuery, s source, limit int) (string, []any, error) {
	c := &compiler{sc: s.sc, tenant: string(tenant)}
	c.w("SELECT ", s.columns(), " FROM ", s.from)
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
		if micros, ok := k.(int64); ok {
			k = time.UnixMicro(micros).UTC()
		}
		if q.OrderBy == "" {
			c.w(" AND ", s.sc.id, cmp)
			c.arg(string(id))
		} else {
			// A row comparison, which a btree index on (…, key, id)
			// serves as one range.
			c.w(" AND (", key, ", ", s.sc.id, ")", cmp, "(")
			c.arg(k)
			c.w(", ")
			c.arg(string(id))
			c.w(")")
		}
	}
	id := s.sc.id
	if s.sc.selective(q.Filter) || s.sc.selective(q.Search) {
		// Under LIMIT the planner may walk the order's index and filter,
		// which reads most of the tenant whenever its statistics lag (after
		// a bulk load, before autoanalyze). For filters an index range
		// serves, the order is made an expression no index has, so the
		// filter's index drives and only the matches are sorted.
		key, id = hideIndex(key, q.OrderBy), hideIndex(id, "id")
	}
	if q.OrderBy != "" {
		c.w(" ORDER BY ", key, dir, ", ", id, dir)
	} else {
		c.w(" ORDER BY ", id, dir)
	}
	c.w(" LIMIT ")
	c.arg(int64(limit))
	return c.b.String(), c.args, nil
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
	rows, err := r.q.Query(ctx, text, args...)
	if err != nil {
		return out, r.fail("list", err)
	}
	if out.Items, err = scanObjects(rows, src.sc); err != nil {
		return out, r.fail("list", err)
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
	var n int64
	err := r.q.QueryRow(ctx, c.b.String(), c.args...).Scan(&n)
	return int(n), r.fail("count", err)
}

// Expansion statements: the related objects of every item of a page in
// one statement ($1 the page's ids, $2 the tenant, $3 the limit per item).
const qExpandRelation = `WITH kept AS (
	SELECT owner, related, kind FROM (
		SELECT m.group_id AS owner, m.%[1]s AS related, m.%[2]s AS kind,
			ROW_NUMBER() OVER (PARTITION BY m.group_id ORDER BY m.%[1]s) AS rn
		FROM %[3]s m LEFT JOIN users u ON m.%[2]s = 'user' AND u.id = m.%[1]s AND u.deleted_at IS NULL
		LEFT JOIN groups g ON m.%[2]s = 'group' AND g.id = m.%[1]s AND g.deleted_at IS NULL
		WHERE m.group_id = ANY ($1::text[]) AND m.tenant_id = $2
			AND (u.id IS NOT NULL OR g.id IS NOT NULL)
	) numbered WHERE rn <= $3
)
SELECT k.owner, ` + userCols + `, ` + groupCols + ` FROM kept k
LEFT JOIN users u ON k.kind = 'user' AND u.id = k.related
LEFT JOIN groups g ON k.kind = 'group' AND g.id = k.related
ORDER BY k.owner, k.related`

var (
	qExpandOwners = fmt.Sprintf(qExpandRelation, "owner_id", "owner_kind", "ownerships")

	// qExpandMemberOf: the groups each item is a direct member of; the
	// user columns are NULL so that rows scan like the other expansions.
	qExpandMemberOf = `WITH kept AS (
	SELECT owner, related FROM (
		SELECT m.member_id AS owner, m.group_id AS related,
			ROW_NUMBER() OVER (PARTITION BY m.member_id ORDER BY m.group_id) AS rn
		FROM memberships m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
		WHERE m.member_id = ANY ($1::text[]) AND m.tenant_id = $2
	) numbered WHERE rn <= $3
)
SELECT k.owner, ` + userCols + `, ` + groupCols + ` FROM kept k
JOIN groups g ON g.id = k.related
LEFT JOIN users u ON false
ORDER BY k.owner, k.related`
)

// expand loads rel of every item in one statement.
func (r reader) expand(ctx context.Context, tenant directory.TenantID, items []directory.Object, rel directory.Source, limit int) (map[directory.ObjectID][]directory.Object, error) {
	var q string
	switch rel {
	case directory.SourceMembers:
		q = fmt.Sprintf(qExpandRelation, "member_id", "member_kind", "memberships")
	case directory.SourceOwners:
		q = qExpandOwners
	case directory.SourceMemberOf:
		q = qExpandMemberOf
	default:
		return nil, fmt.Errorf("%w: cannot expand source %d", directory.ErrInvalid, rel)
	}
	if limit <= 0 {
		limit = math.MaxInt32
	}
	list := make([]string, len(items))
	for i, o := range items {
		list[i] = string(o.ID())
	}
	rows, err := r.q.Query(ctx, q, list, string(tenant), limit)
	if err != nil {
		return nil, r.fail("expand", err)
	}
	defer rows.Close()
	out := map[directory.ObjectID][]directory.Object{}
	for rows.Next() {
		var owner string
		var row objectRow
		if err := rows.Scan(append([]any{&owner}, row.dest()...)...); err != nil {
			return nil, r.fail("expand", err)
		}
		out[directory.ObjectID(owner)] = append(out[directory.ObjectID(owner)], row.object())
	}
	return out, r.fail("expand", rows.Err())
}

// hideIndex is expr with the same order but no index on it.
func hideIndex(expr, prop string) string {
	if prop == "createdDateTime" {
		return "(" + expr + " + interval '0 s')"
	}
	return "((" + expr + " || '') COLLATE \"C\")"
}
