package postgres

import (
	"context"
	"fmt"
	"math"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

var _ directory.Querier = (*Store)(nil)

// List runs one page of a list query (directory.Querier).
func (r reader) List(ctx context.Context, tenant directory.TenantID, q directory.ListQuery) (directory.ListPage, error) {
	var out directory.ListPage
	src, ok := listsql.SourceOf(q)
	if !ok {
		return out, nil
	}
	top, limit := pageSize(q.Page.Top)
	text, args, err := listsql.Page(pg, tenant, q, src, limit, false)
	if err != nil {
		return out, listsql.Err(err)
	}
	rows, err := r.q.Query(ctx, text, args...)
	if err != nil {
		return out, r.fail("list", err)
	}
	if out.Items, err = scanObjects(rows, src.Scope); err != nil {
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
	src, ok := listsql.SourceOf(q)
	if !ok {
		return 0, nil
	}
	if kind, ok := listsql.CountedKind(q); ok {
		return r.objectCount(ctx, tenant, kind)
	}
	text, args, err := listsql.Count(pg, tenant, q, src)
	if err != nil {
		return 0, listsql.Err(err)
	}
	var n int64
	err = r.q.QueryRow(ctx, text, args...).Scan(&n)
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

	// qExpandDirectReports: the users each item manages (users_manager);
	// the group columns are NULL.
	qExpandDirectReports = `WITH kept AS (
	SELECT owner, related FROM (
		SELECT u.manager_id AS owner, u.id AS related,
			ROW_NUMBER() OVER (PARTITION BY u.manager_id ORDER BY u.id) AS rn
		FROM users u
		WHERE u.tenant_id = $2 AND u.manager_id = ANY ($1::text[]) AND u.deleted_at IS NULL
	) numbered WHERE rn <= $3
)
SELECT k.owner, ` + userCols + `, ` + groupCols + ` FROM kept k
JOIN users u ON u.id = k.related
LEFT JOIN groups g ON false
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
	case directory.SourceDirectReports:
		q = qExpandDirectReports
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
