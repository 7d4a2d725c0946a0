package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

// Transitive membership walks memberships with recursive queries
// (listsql.UpWalk, listsql.DownWalk; internal/directory/transitive.go says
// why there is no closure table).
// UNION drops rows already seen, so a cycle ends the walk. Only visible
// groups enter a walk, so a deleted group cuts the paths through it.

// upWalk is listsql.UpWalk carrying each group's securityEnabled and
// tenant along. Groups are read through LATERAL subqueries that OFFSET 0
// keeps from being flattened into plain joins, so each is a probe of
// groups_pkey: PostgreSQL guesses a recursive query returns thousands of
// rows, and with that guess it would join a step, or the walk's result, to
// the whole groups table by hash or merge (reading every group of the
// database for the tens a member is in).
const upWalk = `WITH RECURSIVE up(id, security, tenant) AS (
	SELECT m.group_id, x.security_enabled, x.tenant_id FROM memberships m
	CROSS JOIN LATERAL (SELECT x.security_enabled, x.tenant_id FROM groups x
		WHERE x.id = m.group_id AND x.deleted_at IS NULL OFFSET 0) x
	WHERE m.member_id = %[1]s
	UNION
	SELECT m.group_id, x.security_enabled, x.tenant_id FROM up
	JOIN memberships m ON m.member_id = up.id
	CROSS JOIN LATERAL (SELECT x.security_enabled, x.tenant_id FROM groups x
		WHERE x.id = m.group_id AND x.deleted_at IS NULL OFFSET 0) x
)`

// qMemberGroups: $1 member, $2 tenant, $3 security groups only, $4 limit.
var qMemberGroups = fmt.Sprintf(upWalk, "$1") + `
SELECT id FROM up WHERE tenant = $2 AND (NOT $3::boolean OR security) AND ` + objectVisible + `
ORDER BY id LIMIT $4`

func (r reader) MemberGroups(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, securityOnly bool, limit int) ([]directory.ObjectID, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rows, err := r.q.Query(ctx, qMemberGroups, string(member), string(tenant), securityOnly, limit)
	if err != nil {
		return nil, r.fail("member groups", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[directory.ObjectID])
	return out, r.fail("member groups", err)
}

const (
	qDirectGroups = `SELECT m.group_id, g.security_enabled FROM memberships m
JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
WHERE m.member_id = $1 AND m.tenant_id = $2
ORDER BY m.group_id LIMIT $3`
	// qNestingEdges: memberships_nesting holds just these rows, in order.
	qNestingEdges = `SELECT m.group_id, m.member_id, p.security_enabled FROM memberships m
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
JOIN groups c ON c.id = m.member_id AND c.deleted_at IS NULL
WHERE m.tenant_id = $1 AND m.member_kind = 'group' AND (m.member_id, m.group_id) > ($2, $3)
ORDER BY m.member_id, m.group_id LIMIT $4`
)

func (r reader) DirectGroups(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, limit int) ([]directory.GroupRef, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rows, err := r.q.Query(ctx, qDirectGroups, string(member), string(tenant), limit)
	if err != nil {
		return nil, r.fail("direct groups", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (directory.GroupRef, error) {
		var g directory.GroupRef
		err := row.Scan(&g.ID, &g.SecurityEnabled)
		return g, err
	})
	return out, r.fail("direct groups", err)
}

func (r reader) NestingEdges(ctx context.Context, tenant directory.TenantID, after directory.NestEdge, limit int) ([]directory.NestEdge, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rows, err := r.q.Query(ctx, qNestingEdges, string(tenant), string(after.Child), string(after.Parent), limit)
	if err != nil {
		return nil, r.fail("nesting edges", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (directory.NestEdge, error) {
		var e directory.NestEdge
		err := row.Scan(&e.Parent, &e.Child, &e.ParentSecurity)
		return e, err
	})
	return out, r.fail("nesting edges", err)
}
