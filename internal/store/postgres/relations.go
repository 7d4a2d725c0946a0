package postgres

// The statements of the group relations (members, owners), the nesting
// walk and the object lookups. Lists of ids travel as one text[] parameter.

// relation holds the statements of one group-to-object relation; members
// and owners differ only in table and column names.
type relation struct {
	name                       string // "members" or "owners"
	list, existing, count, add string
	remove                     string
}

// visibleJoin joins the object a relation row names, if it is visible.
func visibleJoin(col, kind string) string {
	return ` LEFT JOIN users u ON m.` + kind + ` = 'user' AND u.id = m.` + col + ` AND u.deleted_at IS NULL
LEFT JOIN groups g ON m.` + kind + ` = 'group' AND g.id = m.` + col + ` AND g.deleted_at IS NULL `
}

// groupVisible is true when the group $1 of tenant $2 is visible; it is not
// correlated, so PostgreSQL evaluates it once per statement.
const groupVisible = `EXISTS (SELECT 1 FROM groups p WHERE p.id = $1 AND p.tenant_id = $2 AND p.deleted_at IS NULL)`

func newRelation(name, table, col, kind string) relation {
	from := ` FROM ` + table + ` m` + visibleJoin(col, kind) +
		`WHERE m.group_id = $1 AND m.tenant_id = $2 AND (u.id IS NOT NULL OR g.id IS NOT NULL) AND ` + groupVisible
	return relation{
		name: name,
		list: `SELECT ` + userCols + `, ` + groupCols + from + ` AND m.` + col + ` > $3
ORDER BY m.` + col + ` LIMIT $4`,
		existing: `SELECT m.` + col + from + ` AND m.` + col + ` = ANY ($3::text[])`,
		count:    countSQL(name, table, col, kind, from),
		// add inserts all refs in one statement, or none: an entry without
		// a kind takes the kind of the visible object with that id, and a
		// group that is not visible (why 'group', n 0), or else the first
		// entry (in the caller's order) that names no visible object, is
		// stored already (visible or not) or repeats an earlier one is
		// returned instead of inserting anything. Reading the group here is
		// what keeps rows of missing groups out (migration 00130). Checking inside the
		// statement, rather than catching a constraint error and asking
		// again, matters here: after an error PostgreSQL accepts nothing
		// more in the transaction.
		add: `WITH r AS (
	SELECT x.id, x.n, CASE
		WHEN x.kind <> '' THEN x.kind
		WHEN EXISTS (SELECT 1 FROM users y WHERE y.id = x.id AND y.tenant_id = $2 AND y.deleted_at IS NULL) THEN 'user'
		WHEN EXISTS (SELECT 1 FROM groups y WHERE y.id = x.id AND y.tenant_id = $2 AND y.deleted_at IS NULL) THEN 'group'
		END AS kind
	FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS x(id, kind, n)
), bad AS (
	SELECT 0::bigint AS n, $1 AS id, 'group' AS why WHERE NOT ` + groupVisible + `
	UNION ALL
	SELECT r.n, r.id, 'missing' FROM r WHERE r.kind IS NULL
	UNION ALL
	SELECT r.n, r.id, 'exists' FROM r
	WHERE EXISTS (SELECT 1 FROM ` + table + ` e WHERE e.group_id = $1 AND e.` + col + ` = r.id)
	UNION ALL
	SELECT r.n, r.id, 'exists' FROM r WHERE EXISTS (SELECT 1 FROM r q WHERE q.id = r.id AND q.n < r.n)
), ins AS (
	INSERT INTO ` + table + ` (group_id, ` + col + `, tenant_id, ` + kind + `)
	SELECT $1, r.id, $2, r.kind FROM r WHERE NOT EXISTS (SELECT 1 FROM bad)
)
SELECT id, why FROM bad ORDER BY n, why DESC LIMIT 1`,
		remove: `DELETE FROM ` + table + ` WHERE group_id = $1 AND ` + col + ` = $2 AND tenant_id = $3`,
	}
}

var (
	members = newRelation("members", "memberships", "member_id", "member_kind")
	owners  = newRelation("owners", "ownerships", "owner_id", "owner_kind")
)

// objectVisible is true when $1 names a visible user or group of tenant $2.
const objectVisible = `(EXISTS (SELECT 1 FROM users x WHERE x.id = $1 AND x.tenant_id = $2 AND x.deleted_at IS NULL)
	OR EXISTS (SELECT 1 FROM groups x WHERE x.id = $1 AND x.tenant_id = $2 AND x.deleted_at IS NULL))`

const (
	qMemberOf = `SELECT ` + groupCols + ` FROM memberships m
JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
WHERE m.member_id = $1 AND m.tenant_id = $2 AND m.group_id > $3 AND ` + objectVisible + `
ORDER BY m.group_id LIMIT $4`
	qObjectVisible = `SELECT ` + objectVisible
	qGroupVisible  = `SELECT ` + groupVisible

	// qContains walks up from the member through the groups that contain it,
	// as a member's ancestors are far fewer than a big group's descendants.
	// UNION drops rows already seen, so a cycle ends the walk, and
	// PostgreSQL computes a WITH query only as far as the outer query
	// reads it, so EXISTS stops the walk at the first hit.
	qContains = `WITH RECURSIVE up(id) AS (
	SELECT m.group_id FROM memberships m
	JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
	WHERE m.member_id = $1 AND m.tenant_id = $2 AND ` + objectVisible + `
	UNION
	SELECT m.group_id FROM up
	JOIN memberships m ON m.member_id = up.id
	JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
	WHERE m.tenant_id = $2
)
SELECT EXISTS (SELECT 1 FROM up WHERE up.id = $3)`

	qObjects = `SELECT ` + userCols + `, ` + groupCols + ` FROM unnest($1::text[]) AS j(id)
LEFT JOIN users u ON u.id = j.id AND u.tenant_id = $2 AND u.deleted_at IS NULL
LEFT JOIN groups g ON g.id = j.id AND g.tenant_id = $2 AND g.deleted_at IS NULL
WHERE u.id IS NOT NULL OR g.id IS NOT NULL`

	// qExpandMembers numbers the visible members of each group of a page and
	// keeps the first $3 of each. The inner query selects keys only, so the
	// object columns are read just for the rows kept.
	qExpandMembers = `WITH kept AS (
	SELECT group_id, member_id, member_kind FROM (
		SELECT m.group_id, m.member_id, m.member_kind,
			ROW_NUMBER() OVER (PARTITION BY m.group_id ORDER BY m.member_id) AS rn
		FROM memberships m LEFT JOIN users u ON m.member_kind = 'user' AND u.id = m.member_id AND u.deleted_at IS NULL
		LEFT JOIN groups g ON m.member_kind = 'group' AND g.id = m.member_id AND g.deleted_at IS NULL
		WHERE m.group_id = ANY ($1::text[]) AND m.tenant_id = $2
			AND (u.id IS NOT NULL OR g.id IS NOT NULL)
	) numbered WHERE rn <= $3
)
SELECT k.group_id, ` + userCols + `, ` + groupCols + ` FROM kept k
LEFT JOIN users u ON k.member_kind = 'user' AND u.id = k.member_id
LEFT JOIN groups g ON k.member_kind = 'group' AND g.id = k.member_id
ORDER BY k.group_id, k.member_id`
)

// countSQL counts the visible rows of a relation. Owners may also be
// applications (the service principal of a Group.Create app owns what it
// creates); they count toward the owner limit and keep a group from
// losing its last owner.
func countSQL(name, table, col, kind, from string) string {
	if name != "owners" {
		return `SELECT count(*)` + from
	}
	return `SELECT count(*) FROM ` + table + ` m` + visibleJoin(col, kind) +
		`LEFT JOIN applications a ON m.` + kind + ` = 'servicePrincipal' AND a.service_principal_id = m.` + col +
		` AND a.tenant_id = m.tenant_id
WHERE m.group_id = $1 AND m.tenant_id = $2 AND (u.id IS NOT NULL OR g.id IS NOT NULL OR a.id IS NOT NULL) AND ` + groupVisible
}
