package sqlite

import (
	"context"
	"fmt"

	"groupd/internal/directory"
)

// Expansion statements: the related objects of every item of a page in one
// statement. The inner query numbers keys only, so object columns are read
// just for the rows kept. ?1 is the JSON array of the page's ids, ?2 the
// tenant, ?3 the limit per item.
const qExpandRelation = `WITH kept AS (
	SELECT owner, related, kind FROM (
		SELECT m.group_id AS owner, m.%[1]s AS related, m.%[2]s AS kind,
			ROW_NUMBER() OVER (PARTITION BY m.group_id ORDER BY m.%[1]s) AS rn
		FROM %[3]s m LEFT JOIN users u ON m.%[2]s = 'user' AND u.id = m.%[1]s AND u.deleted_at IS NULL
		LEFT JOIN groups g ON m.%[2]s = 'group' AND g.id = m.%[1]s AND g.deleted_at IS NULL
		WHERE m.group_id IN (SELECT value FROM json_each(?1)) AND m.tenant_id = ?2
			AND (u.id IS NOT NULL OR g.id IS NOT NULL)
	) WHERE rn <= ?3
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
		WHERE m.member_id IN (SELECT value FROM json_each(?1)) AND m.tenant_id = ?2
	) WHERE rn <= ?3
)
SELECT k.owner, ` + userCols + `, ` + groupCols + ` FROM kept k
JOIN groups g ON g.id = k.related
LEFT JOIN users u ON 0
ORDER BY k.owner, k.related`

	// qExpandDirectReports: the users each item manages (users_manager);
	// the group columns are NULL.
	qExpandDirectReports = `WITH kept AS (
	SELECT owner, related FROM (
		SELECT u.manager_id AS owner, u.id AS related,
			ROW_NUMBER() OVER (PARTITION BY u.manager_id ORDER BY u.id) AS rn
		FROM users u
		WHERE u.tenant_id = ?2 AND u.manager_id IN (SELECT value FROM json_each(?1)) AND u.deleted_at IS NULL
	) WHERE rn <= ?3
)
SELECT k.owner, ` + userCols + `, ` + groupCols + ` FROM kept k
JOIN users u ON u.id = k.related
LEFT JOIN groups g ON 0
ORDER BY k.owner, k.related`
)

// expand loads rel of every item in one statement.
func (r reader) expand(ctx context.Context, tenant directory.TenantID, items []directory.Object, rel directory.Source, limit int) (map[directory.ObjectID][]directory.Object, error) {
	var q string
	switch rel {
	case directory.SourceMembers:
		q = qExpandMembers
	case directory.SourceOwners:
		q = qExpandOwners
	case directory.SourceMemberOf:
		q = qExpandMemberOf
	case directory.SourceDirectReports:
		q = qExpandDirectReports
	default:
		return nil, fmt.Errorf("%w: cannot expand source %d", directory.ErrInvalid, rel)
	}
	ids := make([]directory.ObjectID, len(items))
	for i, o := range items {
		ids[i] = o.ID()
	}
	rows, err := r.query(ctx, q, idList(ids), string(tenant), limitOrAll(limit))
	if err != nil {
		return nil, mapErr("expand", err)
	}
	defer rows.Close()
	out := map[directory.ObjectID][]directory.Object{}
	for rows.Next() {
		var owner string
		var row objectRow
		if err := rows.Scan(append([]any{&owner}, row.dest()...)...); err != nil {
			return nil, mapErr("expand", err)
		}
		o, err := row.object()
		if err != nil {
			return nil, err
		}
		out[directory.ObjectID(owner)] = append(out[directory.ObjectID(owner)], o)
	}
	return out, mapErr("expand", rows.Err())
}
