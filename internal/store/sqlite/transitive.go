package sqlite

import (
	"context"
	"fmt"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

// Transitive membership walks memberships with recursive queries
// (listsql.UpWalk, listsql.DownWalk; internal/directory/transitive.go says
// why there is no closure table).
// UNION drops rows already seen, so a cycle (which the domain refuses, but
// an older database may hold) ends the walk. Only visible groups enter a
// walk, so a deleted group cuts the paths through it.

// qMemberGroups: ?1 member, ?2 tenant, ?3 security groups only, ?4 limit.
// CROSS JOIN keeps the walk's few rows driving: ordered by id, the planner
// would rather scan every group of the index and probe the walk.
var qMemberGroups = fmt.Sprintf(listsql.UpWalk, "?1") + `
SELECT up.id FROM up CROSS JOIN groups g ON g.id = up.id
WHERE g.tenant_id = ?2 AND (?3 = 0 OR g.security_enabled <> 0) AND ` + objectVisible + `
ORDER BY up.id LIMIT ?4`

func (r reader) MemberGroups(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, securityOnly bool, limit int) ([]directory.ObjectID, error) {
	sec := 0
	if securityOnly {
		sec = 1
	}
	return r.ids(ctx, "member groups", qMemberGroups, string(member), string(tenant), sec, limitOrAll(limit))
}

const (
	// qDirectGroups: ?1 member, ?2 tenant, ?3 limit; memberships_member
	// yields the rows in group order.
	qDirectGroups = `SELECT m.group_id, g.security_enabled FROM memberships m
CROSS JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
WHERE m.member_id = ?1 AND m.tenant_id = ?2
ORDER BY m.group_id LIMIT ?3`
	// qNestingEdges: ?1 tenant, ?2 ?3 the last edge's child and parent,
	// ?4 limit; memberships_nesting holds just these rows, in this order.
	qNestingEdges = `SELECT m.group_id, m.member_id, p.security_enabled FROM memberships m
CROSS JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
CROSS JOIN groups c ON c.id = m.member_id AND c.deleted_at IS NULL
WHERE m.tenant_id = ?1 AND m.member_kind = 'group' AND (m.member_id, m.group_id) > (?2, ?3)
ORDER BY m.member_id, m.group_id LIMIT ?4`
)

func (r reader) DirectGroups(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, limit int) ([]directory.GroupRef, error) {
	rows, err := r.query(ctx, qDirectGroups, string(member), string(tenant), limitOrAll(limit))
	if err != nil {
		return nil, mapErr("direct groups", err)
	}
	defer rows.Close()
	var out []directory.GroupRef
	for rows.Next() {
		var g directory.GroupRef
		if err := rows.Scan(&g.ID, &g.SecurityEnabled); err != nil {
			return nil, mapErr("direct groups", err)
		}
		out = append(out, g)
	}
	return out, mapErr("direct groups", rows.Err())
}

func (r reader) NestingEdges(ctx context.Context, tenant directory.TenantID, after directory.NestEdge, limit int) ([]directory.NestEdge, error) {
	rows, err := r.query(ctx, qNestingEdges, string(tenant), string(after.Child), string(after.Parent), limitOrAll(limit))
	if err != nil {
		return nil, mapErr("nesting edges", err)
	}
	defer rows.Close()
	var out []directory.NestEdge
	for rows.Next() {
		var e directory.NestEdge
		if err := rows.Scan(&e.Parent, &e.Child, &e.ParentSecurity); err != nil {
			return nil, mapErr("nesting edges", err)
		}
		out = append(out, e)
	}
	return out, mapErr("nesting edges", rows.Err())
}
