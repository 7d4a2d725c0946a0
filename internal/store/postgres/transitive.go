package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

// Transitive membership walks memberships with recursive queries (see
// internal/directory/transitive.go for why there is no closure table).
// UNION drops rows already seen, so a cycle ends the walk. Only visible
// groups enter a walk, so a deleted group cuts the paths through it.

// upWalk is the ids of the visible groups the object $%[1]d is in, through
// any nesting, probing memberships_member (member_id, group_id) per step.
const upWalk = `WITH RECURSIVE up(id) AS (
	SELECT m.group_id FROM memberships m
	JOIN groups x ON x.id = m.group_id AND x.deleted_at IS NULL
	WHERE m.member_id = $%[1]d
	UNION
	SELECT m.group_id FROM up
	JOIN memberships m ON m.member_id = up.id
	JOIN groups x ON x.id = m.group_id AND x.deleted_at IS NULL
)`

// downWalk is the ids and kinds of everything under the group $2, through
// visible nested groups, probing the primary key (group_id, member_id).
const downWalk = `WITH RECURSIVE down(id, kind) AS (
	SELECT m.member_id, m.member_kind FROM memberships m WHERE m.group_id = $2
	UNION
	SELECT m.member_id, m.member_kind FROM down
	JOIN groups x ON down.kind = 'group' AND x.id = down.id AND x.deleted_at IS NULL
	JOIN memberships m ON m.group_id = down.id
)`

// qMemberGroups: $1 member, $2 tenant, $3 security groups only, $4 limit.
var qMemberGroups = fmt.Sprintf(upWalk, 1) + `
SELECT g.id FROM up JOIN groups g ON g.id = up.id
WHERE g.tenant_id = $2 AND (NOT $3::boolean OR g.security_enabled) AND ` + objectVisible + `
ORDER BY g.id LIMIT $4`

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

// transitiveSource is the list source of the transitive relationships. The
// walk in from names the object the list hangs off as $2, which where
// binds right after the tenant ($1).
func transitiveSource(q directory.ListQuery) (source, bool) {
	if q.Source == directory.SourceTransitiveMemberOf {
		return source{sc: scope{groups: true, id: "g.id"}, tenant: "g.tenant_id", ofInFrom: true,
			from: "(" + fmt.Sprintf(upWalk, 2) + " SELECT id FROM up) t JOIN groups g ON g.id = t.id",
			cond: "g.deleted_at IS NULL"}, q.Kind != directory.KindUser
	}
	s := source{from: "(" + downWalk + " SELECT id, kind FROM down) m", ofInFrom: true,
		sc: scope{users: true, groups: true, id: "m.id"}}
	switch q.Kind {
	case directory.KindUser:
		s.sc.groups = false
		s.from += fmt.Sprintf(userJoin, "id", "kind")
		s.tenant = "u.tenant_id"
	case directory.KindGroup:
		s.sc.users = false
		s.from += fmt.Sprintf(groupJoin, "id", "kind")
		s.tenant = "g.tenant_id"
	default:
		s.from += fmt.Sprintf(memberJoin, "id", "kind")
		s.tenant = "COALESCE(u.tenant_id, g.tenant_id)"
	}
	return s, true
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
