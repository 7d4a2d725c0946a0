package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"groupd/internal/directory"
)

const (
	qTenantChanges = `SELECT cursor, tenant_id, object_id, object_kind, op, related_id, related_kind,
	properties, actor_kind, actor_id, actor_name, request_id, client_addr, at
FROM changes WHERE tenant_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3`
	// The horizon counts too: once the newest rows were trimmed, MAX alone
	// would move the position back.
	qChangePosition = `SELECT max(COALESCE((SELECT MAX(cursor) FROM changes), 0),
	(SELECT cursor FROM change_horizon WHERE id = 1))`
	qChangeHorizon = `SELECT cursor FROM change_horizon WHERE id = 1`
	// The trim reads the log from its oldest row, at most ?2 rows, and
	// deletes them up to the first row written in the retention period
	// (?1 to ?3, now); see directory.Tx.TrimChanges. A row a change log
	// consumer (a subscription, a stored position) has not passed yet
	// stays, whatever its age: trimming it would lose it.
	qTrimChanges = `DELETE FROM changes WHERE cursor IN (
	WITH b AS (SELECT cursor, at FROM changes WHERE cursor <= ` + consumed + ` ORDER BY cursor LIMIT ?2)
	SELECT cursor FROM b WHERE cursor < COALESCE(
		(SELECT min(cursor) FROM b WHERE at >= ?1 AND at <= ?3), 9223372036854775807)
) RETURNING cursor`
	consumed = `min(COALESCE((SELECT MIN(cursor) FROM change_positions), 9223372036854775807),
	COALESCE((SELECT MIN(position) FROM subscriptions), 9223372036854775807))`
	qRaiseHorizon = `UPDATE change_horizon SET cursor = max(cursor, ?1) WHERE id = 1`

	// displayName filter: ?4 is the folded value, ?5 whether it is a prefix.
	deletedNameFilter = ` AND (?4 = '' OR (?5 AND substr(%[1]s.display_name_key, 1, length(?4)) = ?4)
	OR (NOT ?5 AND %[1]s.display_name_key = ?4))`
	qDeletedUser = `SELECT ` + userCols + ` FROM users u
WHERE u.id = ?1 AND u.tenant_id = ?2 AND u.deleted_at IS NOT NULL`
	qDeletedGroup = `SELECT ` + groupCols + ` FROM groups g
WHERE g.id = ?1 AND g.tenant_id = ?2 AND g.deleted_at IS NOT NULL`
	qExpiredDeleted = `SELECT tenant_id, id, kind FROM (
	SELECT tenant_id, id, 'user' AS kind, deleted_at FROM users WHERE deleted_at IS NOT NULL AND deleted_at < ?1
	UNION ALL
	SELECT tenant_id, id, 'group', deleted_at FROM groups WHERE deleted_at IS NOT NULL AND deleted_at < ?1)
ORDER BY deleted_at LIMIT ?2`

	qRestoreUser  = `UPDATE users SET deleted_at = NULL WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NOT NULL`
	qRestoreGroup = `UPDATE groups SET deleted_at = NULL WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NOT NULL`
	// The relations of ?1 whose other side is visible: where ?1 is the
	// member or owner, and (for a group) where it is the group.
	qRestoredAsRelated = `SELECT m.group_id, 'm', m.member_id, m.member_kind FROM memberships m
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
WHERE m.member_id = ?1 AND m.tenant_id = ?2
UNION ALL
SELECT m.group_id, 'o', m.owner_id, m.owner_kind FROM ownerships m
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
WHERE m.owner_id = ?1 AND m.tenant_id = ?2
ORDER BY 2, 1`

	qPurgeUser            = `DELETE FROM users WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NOT NULL`
	qPurgeUserMemberships = `DELETE FROM memberships WHERE member_id = ?1 AND tenant_id = ?2`
	qPurgeUserOwnerships  = `DELETE FROM ownerships WHERE owner_id = ?1 AND tenant_id = ?2`

	qDeltaSecret       = `SELECT secret FROM delta_secrets WHERE tenant_id = ?1`
	qInsertDeltaSecret = `INSERT INTO delta_secrets (tenant_id, secret) VALUES (?1, ?2)
ON CONFLICT (tenant_id) DO NOTHING`
)

var (
	deletedUserName  = fmt.Sprintf(deletedNameFilter, "u")
	deletedGroupName = fmt.Sprintf(deletedNameFilter, "g")
	visibleMember    = visibleJoin("member_id", "member_kind")
	visibleOwner     = visibleJoin("owner_id", "owner_kind")

	qExistingMemberships = `SELECT m.group_id, m.member_id, m.member_kind FROM
	(SELECT json_extract(value, '$.g') AS g, json_extract(value, '$.m') AS mid FROM json_each(?1)) r
JOIN memberships m ON m.group_id = r.g AND m.member_id = r.mid AND m.tenant_id = ?2` + visibleMember + `
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
WHERE u.id IS NOT NULL OR g.id IS NOT NULL`
	qDeletedUsers = `SELECT ` + userCols + ` FROM users u
WHERE u.tenant_id = ?1 AND u.deleted_at IS NOT NULL AND u.id > ?2` + deletedUserName + `
ORDER BY u.id LIMIT ?3`
	qDeletedGroups = `SELECT ` + groupCols + ` FROM groups g
WHERE g.tenant_id = ?1 AND g.deleted_at IS NOT NULL AND g.id > ?2` + deletedGroupName + `
ORDER BY g.id LIMIT ?3`
	qRestoredAsGroup = `SELECT m.group_id, 'm', m.member_id, m.member_kind FROM memberships m` +
		visibleMember + `WHERE m.group_id = ?1 AND m.tenant_id = ?2 AND (u.id IS NOT NULL OR g.id IS NOT NULL)
UNION ALL
SELECT m.group_id, 'o', m.owner_id, m.owner_kind FROM ownerships m` + visibleOwner + `
WHERE m.group_id = ?1 AND m.tenant_id = ?2
	AND (u.id IS NOT NULL OR g.id IS NOT NULL OR m.owner_kind NOT IN ('user', 'group'))
ORDER BY 2, 3`
)

// TenantChanges reads one tenant's rows in cursor order, which is commit
// order here (see Changes).
func (r reader) TenantChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int) ([]directory.Change, error) {
	if limit <= 0 {
		limit = defaultTop
	}
	rows, err := r.changeRows(ctx, "read tenant changes", qTenantChanges, false, string(tenant), after, limit)
	return r.whenDurable(ctx, rows, err)
}

func (r reader) ChangePosition(ctx context.Context) (int64, error) {
	var n int64
	if err := r.scanRow(ctx, qChangePosition, nil, &n); err != nil {
		return 0, mapErr("change position", err)
	}
	// The position is handed out ($deltatoken=latest): only a durable one.
	if r.durable != nil {
		if err := r.durable(ctx, n); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (r reader) ChangeHorizon(ctx context.Context) (int64, error) {
	var n int64
	return n, mapErr("change horizon", r.scanRow(ctx, qChangeHorizon, nil, &n))
}

func (r reader) DeletedObjects(ctx context.Context, tenant directory.TenantID, req directory.DeletedListRequest) (directory.Page[directory.Object], error) {
	top, limit := pageSize(req.Page.Top)
	q := qDeletedUsers
	if req.Kind == directory.KindGroup {
		q = qDeletedGroups
	}
	rows, err := r.query(ctx, q, string(tenant), req.Page.After, limit, fold(req.DisplayName), req.Prefix)
	if err != nil {
		return directory.Page[directory.Object]{}, mapErr("list deleted", err)
	}
	defer rows.Close()
	var out directory.Page[directory.Object]
	for rows.Next() {
		o, err := scanDeleted(rows.Scan, req.Kind)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, o)
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Object]{}, mapErr("list deleted", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID())
	}
	return out, nil
}

// scanDeleted scans one row of userCols or groupCols.
func scanDeleted(scan func(...any) error, kind directory.ObjectKind) (directory.Object, error) {
	if kind == directory.KindGroup {
		var row groupRow
		if err := scan(row.dest()...); err != nil {
			return directory.Object{}, mapErr("read deleted group", err)
		}
		g, err := row.group()
		return directory.Object{Group: &g}, err
	}
	var row userRow
	if err := scan(row.dest()...); err != nil {
		return directory.Object{}, mapErr("read deleted user", err)
	}
	u, err := row.user()
	return directory.Object{User: &u}, err
}

func (r reader) DeletedObject(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Object, error) {
	for _, k := range []struct {
		kind directory.ObjectKind
		q    string
	}{{directory.KindUser, qDeletedUser}, {directory.KindGroup, qDeletedGroup}} {
		o, err := scanDeleted(func(dest ...any) error {
			return r.scanRow(ctx, k.q, []any{string(id), string(tenant)}, dest...)
		}, k.kind)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return directory.Object{}, err
		}
	}
	return directory.Object{}, &directory.NotFoundError{Kind: directory.KindAny, ID: string(id)}
}

func (r reader) ExpiredDeleted(ctx context.Context, before time.Time, limit int) ([]directory.DeletedRef, error) {
	rows, err := r.query(ctx, qExpiredDeleted, micros(before), limit)
	if err != nil {
		return nil, mapErr("list expired", err)
	}
	defer rows.Close()
	var out []directory.DeletedRef
	for rows.Next() {
		var d directory.DeletedRef
		if err := rows.Scan(&d.TenantID, &d.ID, &d.Kind); err != nil {
			return nil, mapErr("list expired", err)
		}
		out = append(out, d)
	}
	return out, mapErr("list expired", rows.Err())
}

func (r reader) DeltaSecret(ctx context.Context, tenant directory.TenantID) ([]byte, error) {
	var b []byte
	err := r.scanRow(ctx, qDeltaSecret, []any{string(tenant)}, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, mapErr("read delta secret", err)
}

func (t *tx) InsertDeltaSecret(ctx context.Context, tenant directory.TenantID, secret []byte) error {
	_, err := t.exec(ctx, qInsertDeltaSecret, string(tenant), secret)
	return mapErr("insert delta secret", err)
}

// TrimChanges trims the change log (qTrimChanges). The audit log is read
// from it, so the directory keeps its rows for the audit retention too
// (directory.WithAuditRetention).
func (t *tx) TrimChanges(ctx context.Context, before, now time.Time, limit int) (int, error) {
	rows, err := t.query(ctx, qTrimChanges, micros(before), limit, micros(now))
	if err != nil {
		return 0, mapErr("trim changes", err)
	}
	var n int
	var top int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, mapErr("trim changes", err)
		}
		n++
		top = max(top, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, mapErr("trim changes", err)
	}
	if n == 0 {
		return 0, nil
	}
	_, err = t.exec(ctx, qRaiseHorizon, top)
	return n, mapErr("raise change horizon", err)
}

// RestoreObject clears deleted_at and counts the object again; its search
// tokens never left (a soft delete keeps them).
func (t *tx) RestoreObject(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Restored, error) {
	o, err := t.DeletedObject(ctx, tenant, id)
	if err != nil {
		return directory.Restored{}, err
	}
	out := directory.Restored{Kind: o.Kind()}
	if o.User != nil {
		if _, err := t.exec(ctx, qRestoreUser, string(id), string(tenant)); err != nil {
			if c := userConflict(err, *o.User); c != nil {
				return out, c
			}
			return out, mapErr("restore user", err)
		}
	} else {
		if _, err := t.exec(ctx, qRestoreGroup, string(id), string(tenant)); err != nil {
			if c := groupConflict(err, *o.Group); c != nil {
				return out, c
			}
			return out, mapErr("restore group", err)
		}
	}
	if err := t.bumpCount(ctx, tenant, o.Kind(), 1); err != nil {
		return out, err
	}
	qs := []string{qRestoredAsRelated}
	if o.Group != nil {
		qs = append(qs, qRestoredAsGroup)
	}
	for _, q := range qs {
		if err := t.restoredRelations(ctx, q, tenant, id, &out); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (t *tx) restoredRelations(ctx context.Context, q string, tenant directory.TenantID, id directory.ObjectID, out *directory.Restored) error {
	rows, err := t.query(ctx, q, string(id), string(tenant))
	if err != nil {
		return mapErr("restored relations", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rel   directory.Relation
			which string
		)
		if err := rows.Scan(&rel.Group, &which, &rel.Related.ID, &rel.Related.Kind); err != nil {
			return mapErr("restored relations", err)
		}
		if which == "m" {
			out.Memberships = append(out.Memberships, rel)
		} else {
			out.Ownerships = append(out.Ownerships, rel)
		}
	}
	return mapErr("restored relations", rows.Err())
}

func (t *tx) PurgeObject(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	o, err := t.DeletedObject(ctx, tenant, id)
	if err != nil {
		return err
	}
	if o.Group != nil {
		return t.DeleteGroup(ctx, tenant, id)
	}
	for _, q := range []string{qPurgeUser, qPurgeUserMemberships, qPurgeUserOwnerships} {
		if _, err := t.exec(ctx, q, string(id), string(tenant)); err != nil {
			return mapErr("purge user", err)
		}
	}
	// The user was counted out when it was soft deleted: no bump here.
	_, err = t.exec(ctx, qDeleteTokens, string(id), string(directory.KindUser))
	return mapErr("purge user tokens", err)
}

func (r reader) ExistingMemberships(ctx context.Context, tenant directory.TenantID, pairs []directory.Relation) ([]directory.Relation, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	type pair struct {
		G directory.ObjectID `json:"g"`
		M directory.ObjectID `json:"m"`
	}
	list := make([]pair, len(pairs))
	for i, p := range pairs {
		list[i] = pair{p.Group, p.Related.ID}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("existing memberships: %w", err)
	}
	rows, err := r.query(ctx, qExistingMemberships, string(b), string(tenant))
	if err != nil {
		return nil, mapErr("existing memberships", err)
	}
	defer rows.Close()
	var out []directory.Relation
	for rows.Next() {
		var rel directory.Relation
		if err := rows.Scan(&rel.Group, &rel.Related.ID, &rel.Related.Kind); err != nil {
			return nil, mapErr("existing memberships", err)
		}
		out = append(out, rel)
	}
	return out, mapErr("existing memberships", rows.Err())
}
