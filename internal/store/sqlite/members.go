package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"

	"groupd/internal/directory"
)

// relation holds the statements of one group-to-object relation; members
// and owners differ only in table and column names.
type relation struct {
	name                                       string // "members" or "owners"
	table                                      string // "memberships" or "ownerships"
	list, existing, count, add, remove, anyRow string
}

// visibleJoin joins the object a relation row names, if it is visible.
func visibleJoin(col, kind string) string {
	return ` LEFT JOIN users u ON m.` + kind + ` = 'user' AND u.id = m.` + col + ` AND u.deleted_at IS NULL
LEFT JOIN groups g ON m.` + kind + ` = 'group' AND g.id = m.` + col + ` AND g.deleted_at IS NULL `
}

// groupVisible is true when the group ?1 of tenant ?2 is visible; SQLite
// evaluates it once per statement as it is not correlated.
const groupVisible = `EXISTS (SELECT 1 FROM groups p WHERE p.id = ?1 AND p.tenant_id = ?2 AND p.deleted_at IS NULL)`

func newRelation(name, table, col, kind string) relation {
	from := ` FROM ` + table + ` m` + visibleJoin(col, kind) +
		`WHERE m.group_id = ?1 AND m.tenant_id = ?2 AND (u.id IS NOT NULL OR g.id IS NOT NULL) AND ` + groupVisible
	return relation{
		name:  name,
		table: table,
		list: `SELECT ` + userCols + `, ` + groupCols + from + ` AND m.` + col + ` > ?3
ORDER BY m.` + col + ` LIMIT ?4`,
		existing: `SELECT m.` + col + from + ` AND m.` + col + ` IN (SELECT value FROM json_each(?3))`,
		count:    countSQL(name, table, col, kind, from),
		// An entry without a kind takes the kind of the visible object with
		// that id; when there is none the NOT NULL constraint refuses it.
		// A group that is not visible makes no rows at all.
		add: `INSERT INTO ` + table + ` (group_id, ` + col + `, tenant_id, ` + kind + `)
SELECT ?1, r.id, ?2, CASE
	WHEN r.kind <> '' THEN r.kind
	WHEN EXISTS (SELECT 1 FROM users x WHERE x.id = r.id AND x.tenant_id = ?2 AND x.deleted_at IS NULL) THEN 'user'
	WHEN EXISTS (SELECT 1 FROM groups x WHERE x.id = r.id AND x.tenant_id = ?2 AND x.deleted_at IS NULL) THEN 'group'
	END
FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.kind') AS kind FROM json_each(?3)) r
WHERE ` + groupVisible,
		remove: `DELETE FROM ` + table + ` WHERE group_id = ?1 AND ` + col + ` = ?2 AND tenant_id = ?3`,
		// anyRow finds stored rows, visible or not, to name a duplicate.
		anyRow: `SELECT m.` + col + ` FROM ` + table + ` m
WHERE m.group_id = ?1 AND m.tenant_id = ?2 AND m.` + col + ` IN (SELECT value FROM json_each(?3))`,
	}
}

var (
	members = newRelation("members", "memberships", "member_id", "member_kind")
	owners  = newRelation("owners", "ownerships", "owner_id", "owner_kind")
)

// objectVisible is true when ?1 names a visible user or group of tenant ?2.
const objectVisible = `(EXISTS (SELECT 1 FROM users x WHERE x.id = ?1 AND x.tenant_id = ?2 AND x.deleted_at IS NULL)
	OR EXISTS (SELECT 1 FROM groups x WHERE x.id = ?1 AND x.tenant_id = ?2 AND x.deleted_at IS NULL))`

const (
	qMemberOf = `SELECT ` + groupCols + ` FROM memberships m
JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
WHERE m.member_id = ?1 AND m.tenant_id = ?2 AND m.group_id > ?3 AND ` + objectVisible + `
ORDER BY m.group_id LIMIT ?4`
	qObjectVisible = `SELECT ` + objectVisible
	qGroupVisible  = `SELECT ` + groupVisible

	// qContains walks up from the member through the groups that contain it,
	// as a member's ancestors are far fewer than a big group's descendants.
	// UNION drops rows already seen, so a cycle ends the walk, and the outer
	// LIMIT stops it at the first hit.
	qContains = `WITH RECURSIVE up(id) AS (
	SELECT m.group_id FROM memberships m
	JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
	WHERE m.member_id = ?1 AND m.tenant_id = ?2 AND ` + objectVisible + `
	UNION
	SELECT m.group_id FROM up
	JOIN memberships m ON m.member_id = up.id
	JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
	WHERE m.tenant_id = ?2
)
SELECT count(*) FROM (SELECT 1 FROM up WHERE up.id = ?3 LIMIT 1)`

	qObjects = `SELECT ` + userCols + `, ` + groupCols + ` FROM json_each(?1) j
LEFT JOIN users u ON u.id = j.value AND u.tenant_id = ?2 AND u.deleted_at IS NULL
LEFT JOIN groups g ON g.id = j.value AND g.tenant_id = ?2 AND g.deleted_at IS NULL
WHERE u.id IS NOT NULL OR g.id IS NOT NULL`

	// qExpandMembers numbers the visible members of each group of a page and
	// keeps the first ?3 of each. The inner query selects keys only, so the
	// object columns are read just for the rows kept.
	qExpandMembers = `WITH kept AS (
	SELECT group_id, member_id, member_kind FROM (
		SELECT m.group_id, m.member_id, m.member_kind,
			ROW_NUMBER() OVER (PARTITION BY m.group_id ORDER BY m.member_id) AS rn
		FROM memberships m LEFT JOIN users u ON m.member_kind = 'user' AND u.id = m.member_id AND u.deleted_at IS NULL
		LEFT JOIN groups g ON m.member_kind = 'group' AND g.id = m.member_id AND g.deleted_at IS NULL
		WHERE m.group_id IN (SELECT value FROM json_each(?1)) AND m.tenant_id = ?2
			AND (u.id IS NOT NULL OR g.id IS NOT NULL)
	) WHERE rn <= ?3
)
SELECT k.group_id, ` + userCols + `, ` + groupCols + ` FROM kept k
LEFT JOIN users u ON k.member_kind = 'user' AND u.id = k.member_id
LEFT JOIN groups g ON k.member_kind = 'group' AND g.id = k.member_id
ORDER BY k.group_id, k.member_id`
)

func (r reader) Members(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Object], error) {
	return r.related(ctx, members, tenant, group, page)
}

func (r reader) Owners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Object], error) {
	return r.related(ctx, owners, tenant, group, page)
}

// related lists a page of a relation. A group that is not visible answers
// *directory.NotFoundError rather than an empty page; telling the two apart
// costs a second query only when the page is empty.
func (r reader) related(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Object], error) {
	top, limit := pageSize(page.Top)
	var out directory.Page[directory.Object]
	rows, err := r.query(ctx, rel.list, string(group), string(tenant), page.After, limit)
	if err != nil {
		return out, mapErr("list "+rel.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row objectRow
		if err := rows.Scan(row.dest()...); err != nil {
			return out, mapErr("list "+rel.name, err)
		}
		o, err := row.object()
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, o)
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Object]{}, mapErr("list "+rel.name, err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID())
	}
	if len(out.Items) == 0 {
		ok, err := r.exists(ctx, qGroupVisible, string(group), string(tenant))
		if err != nil {
			return out, mapErr("list "+rel.name, err)
		}
		if !ok {
			return out, &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
		}
	}
	return out, nil
}

// MemberOf answers *directory.NotFoundError when member is not visible.
func (r reader) MemberOf(ctx context.Context, tenant directory.TenantID, member directory.ObjectID, page directory.PageRequest) (directory.Page[directory.Group], error) {
	top, limit := pageSize(page.Top)
	rows, err := r.query(ctx, qMemberOf, string(member), string(tenant), page.After, limit)
	if err != nil {
		return directory.Page[directory.Group]{}, mapErr("list memberOf", err)
	}
	out, err := scanGroups(rows)
	if err != nil {
		return directory.Page[directory.Group]{}, mapErr("list memberOf", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	if len(out.Items) == 0 {
		ok, err := r.exists(ctx, qObjectVisible, string(member), string(tenant))
		if err != nil {
			return out, mapErr("list memberOf", err)
		}
		if !ok {
			return out, &directory.NotFoundError{Kind: directory.KindAny, ID: string(member)}
		}
	}
	return out, nil
}

func (r reader) ExistingMembers(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, ids []directory.ObjectID) ([]directory.ObjectID, error) {
	return r.existing(ctx, members, tenant, group, ids)
}

func (r reader) ExistingOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, ids []directory.ObjectID) ([]directory.ObjectID, error) {
	return r.existing(ctx, owners, tenant, group, ids)
}

func (r reader) existing(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, ids []directory.ObjectID) ([]directory.ObjectID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return r.ids(ctx, "existing "+rel.name, rel.existing, string(group), string(tenant), idList(ids))
}

func (r reader) ids(ctx context.Context, op, q string, args ...any) ([]directory.ObjectID, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []directory.ObjectID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, directory.ObjectID(id))
	}
	return out, mapErr(op, rows.Err())
}

func (r reader) CountOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID) (int, error) {
	var n int
	err := r.scanRow(ctx, owners.count, []any{string(group), string(tenant)}, &n)
	return n, mapErr("count owners", err)
}

func (r reader) Contains(ctx context.Context, tenant directory.TenantID, group, member directory.ObjectID) (bool, error) {
	var n int
	err := r.scanRow(ctx, qContains, []any{string(member), string(tenant), string(group)}, &n)
	return n > 0, mapErr("contains", err)
}

func (r reader) Objects(ctx context.Context, tenant directory.TenantID, ids []directory.ObjectID) ([]directory.Object, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rows, err := r.query(ctx, qObjects, idList(ids), string(tenant))
	if err != nil {
		return nil, mapErr("read objects", err)
	}
	defer rows.Close()
	var out []directory.Object
	for rows.Next() {
		var row objectRow
		if err := rows.Scan(row.dest()...); err != nil {
			return nil, mapErr("read objects", err)
		}
		o, err := row.object()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, mapErr("read objects", rows.Err())
}

type refJSON struct {
	ID   directory.ObjectID   `json:"id"`
	Kind directory.ObjectKind `json:"kind"`
}

func (t *tx) AddMembers(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, refs []directory.MemberRef) error {
	return t.add(ctx, members, tenant, group, refs)
}

func (t *tx) AddOwners(ctx context.Context, tenant directory.TenantID, group directory.ObjectID, refs []directory.MemberRef) error {
	return t.add(ctx, owners, tenant, group, refs)
}

// add inserts every ref in one statement; the failure paths run extra
// queries to say which ref failed.
func (t *tx) add(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, refs []directory.MemberRef) error {
	if len(refs) == 0 {
		return nil
	}
	list := make([]refJSON, len(refs))
	ids := make([]directory.ObjectID, len(refs))
	for i, r := range refs {
		list[i] = refJSON(r)
		ids[i] = r.ID
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	// A plain INSERT (ABORT): the failure paths below read the relation
	// table, which must not hold the rows made before the failing one.
	res, err := t.insertRelations(ctx, rel.table, group, rel.add, string(group), string(tenant), string(b))
	if err == nil {
		return groupSeen(res, len(refs), group)
	}
	if foreignKey(err) {
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
	}
	switch sqliteCode(err) {
	case codePrimaryKey:
		return t.duplicate(ctx, rel, tenant, group, ids, err)
	case codeNotNull:
		return t.unresolved(ctx, tenant, refs, err)
	}
	return mapErr("add "+rel.name, err)
}

// groupSeen answers *directory.NotFoundError of the group when an insert
// of want rows, all or none of them made as the group is visible or not,
// made none.
func groupSeen(res sql.Result, want int, group directory.ObjectID) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n < int64(want) {
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
	}
	return nil
}

// duplicate names the ref that is already related, or repeated in ids.
func (t *tx) duplicate(ctx context.Context, rel relation, tenant directory.TenantID, group directory.ObjectID, ids []directory.ObjectID, cause error) error {
	stored, err := t.ids(ctx, "find duplicate "+rel.name, rel.anyRow, string(group), string(tenant), idList(ids))
	if err != nil {
		return err
	}
	if len(stored) > 0 {
		return &directory.ReferenceExistsError{Relation: rel.name, ID: stored[0]}
	}
	seen := make(map[directory.ObjectID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return &directory.ReferenceExistsError{Relation: rel.name, ID: id}
		}
		seen[id] = true
	}
	return mapErr("add "+rel.name, cause)
}

// unresolved names the first ref of unknown kind that names no visible object.
func (t *tx) unresolved(ctx context.Context, tenant directory.TenantID, refs []directory.MemberRef, cause error) error {
	var ids []directory.ObjectID
	for _, r := range refs {
		if r.Kind == directory.KindAny {
			ids = append(ids, r.ID)
		}
	}
	found, err := t.Objects(ctx, tenant, ids)
	if err != nil {
		return err
	}
	visible := make(map[directory.ObjectID]bool, len(found))
	for _, o := range found {
		visible[o.ID()] = true
	}
	for _, id := range ids {
		if !visible[id] {
			return &directory.NotFoundError{Kind: directory.KindAny, ID: string(id)}
		}
	}
	return mapErr("add", cause)
}

func (t *tx) RemoveMember(ctx context.Context, tenant directory.TenantID, group, member directory.ObjectID) (bool, error) {
	return t.remove(ctx, members, tenant, group, member)
}

func (t *tx) RemoveOwner(ctx context.Context, tenant directory.TenantID, group, owner directory.ObjectID) (bool, error) {
	return t.remove(ctx, owners, tenant, group, owner)
}

func (t *tx) remove(ctx context.Context, rel relation, tenant directory.TenantID, group, id directory.ObjectID) (bool, error) {
	res, err := t.exec(ctx, rel.remove, string(group), string(id), string(tenant))
	if err != nil {
		return false, mapErr("remove from "+rel.name, err)
	}
	n, err := res.RowsAffected()
	return n > 0, mapErr("remove from "+rel.name, err)
}

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
WHERE m.group_id = ?1 AND m.tenant_id = ?2 AND (u.id IS NOT NULL OR g.id IS NOT NULL OR a.id IS NOT NULL) AND ` + groupVisible
}
