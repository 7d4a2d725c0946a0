package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

// qTenantChanges and qTenantChangesInTx read a tenant's change log rows
// after a position ($1, $2), at most $3, tenant $4.
var qTenantChanges, qTenantChangesInTx = tenantChangesQueries(changeCols)

// tenantChangesQueries returns the queries of a tenant's change log after
// a position with the columns cols: outside a transaction, only rows of
// ended transactions (the visibility rule of qChanges); inside one, its
// own rows too.
func tenantChangesQueries(cols string) (plain, inTx string) {
	plain = `SELECT ` + cols + ` FROM changes
WHERE tenant_id = $4 AND (xid, ord) > ($1, $2) AND xid < ` + visibleXmin + `
ORDER BY xid, ord LIMIT $3`
	inTx = `SELECT ` + cols + ` FROM changes
WHERE tenant_id = $4 AND (xid, ord) > ($1, $2)
	AND (xid < ` + visibleXmin + ` OR xid = pg_current_xact_id_if_assigned()::text::bigint)
ORDER BY xid, ord LIMIT $3`
	return plain, inTx
}

const (
	// The horizon counts too: once the newest rows were trimmed, the log
	// alone would move the position back.
	qChangePosition = `SELECT GREATEST(COALESCE((SELECT (xid << 20) | ord FROM changes
WHERE xid < ` + visibleXmin + ` ORDER BY xid DESC, ord DESC LIMIT 1), 0),
	(SELECT cursor FROM change_horizon WHERE id = 1))`
	qChangeHorizon = `SELECT cursor FROM change_horizon WHERE id = 1`
	// The trim reads the log from its oldest row in cursor order, at most
	// $2 rows, and deletes them up to the first row written in the
	// retention period ($1 to $3, now); see directory.Tx.TrimChanges.
	// Only rows of ended transactions go, so a row that commits late is
	// never trimmed before a reader could see it. A row a change log
	// consumer (a subscription) has not passed yet stays,
	// whatever its age: trimming it would lose it. That bound is given as
	// a key (xid, ord) so that the scan of the primary key stops there.
	qTrimChanges = `WITH k AS (
	SELECT LEAST(COALESCE((SELECT MIN(cursor) FROM change_positions), 9223372036854775807),
		COALESCE((SELECT MIN(position) FROM subscriptions), 9223372036854775807)) AS c
), b AS (
	SELECT xid, ord, at FROM changes
	WHERE xid < ` + visibleXmin + ` AND (xid, ord) <= ((SELECT c >> 20 FROM k), (SELECT (c & 1048575)::integer FROM k))
	ORDER BY xid, ord LIMIT $2
), d AS (
	DELETE FROM changes c USING b
	WHERE c.xid = b.xid AND c.ord = b.ord AND ((b.xid << 20) | b.ord) < COALESCE(
		(SELECT min((xid << 20) | ord) FROM b WHERE at >= $1 AND at <= $3), 9223372036854775807)
	RETURNING (c.xid << 20) | c.ord AS c
), h AS (
	UPDATE change_horizon SET cursor = GREATEST(cursor, (SELECT max(c) FROM d))
	WHERE id = 1 AND EXISTS (SELECT 1 FROM d)
)
SELECT count(*) FROM d`

	deletedNameFilter = ` AND ($4 = '' OR ($5 AND left(%[1]s.display_name_key, char_length($4)) = $4)
	OR (NOT $5 AND %[1]s.display_name_key = $4))`
	qDeletedUser = `SELECT ` + userCols + ` FROM users u
WHERE u.id = $1 AND u.tenant_id = $2 AND u.deleted_at IS NOT NULL`
	qDeletedGroup = `SELECT ` + groupCols + ` FROM groups g
WHERE g.id = $1 AND g.tenant_id = $2 AND g.deleted_at IS NOT NULL`
	qExpiredDeleted = `SELECT tenant_id, id, kind FROM (
	SELECT tenant_id, id, 'user' AS kind, deleted_at FROM users WHERE deleted_at IS NOT NULL AND deleted_at < $1
	UNION ALL
	SELECT tenant_id, id, 'group', deleted_at FROM groups WHERE deleted_at IS NOT NULL AND deleted_at < $1) d
ORDER BY deleted_at LIMIT $2`

	qRestoreUser  = `UPDATE users SET deleted_at = NULL WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NOT NULL`
	qRestoreGroup = `UPDATE groups SET deleted_at = NULL WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NOT NULL`
	// The relations of $1 whose other side is visible, where $1 is the
	// member or owner.
	qRestoredAsRelated = `SELECT m.group_id, 'm', m.member_id, m.member_kind FROM memberships m
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
WHERE m.member_id = $1 AND m.tenant_id = $2
UNION ALL
SELECT m.group_id, 'o', m.owner_id, m.owner_kind FROM ownerships m
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
WHERE m.owner_id = $1 AND m.tenant_id = $2
ORDER BY 2, 1`

	qPurgeUser = `WITH d AS (DELETE FROM users WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NOT NULL RETURNING id),
m AS (DELETE FROM memberships WHERE member_id = $1 AND tenant_id = $2 AND EXISTS (SELECT 1 FROM d)),
o AS (DELETE FROM ownerships WHERE owner_id = $1 AND tenant_id = $2 AND EXISTS (SELECT 1 FROM d)),
s AS (DELETE FROM search_tokens WHERE object_id = $1 AND kind = 'user' AND tenant_id = $2 AND EXISTS (SELECT 1 FROM d))
SELECT count(*) FROM d`

	qDeltaSecret       = `SELECT secret FROM delta_secrets WHERE tenant_id = $1`
	qInsertDeltaSecret = `INSERT INTO delta_secrets (tenant_id, secret) VALUES ($1, $2)
ON CONFLICT (tenant_id) DO NOTHING`
)

var (
	qExistingMemberships = `SELECT m.group_id, m.member_id, m.member_kind
FROM unnest($1::text[], $2::text[]) AS r(g, mid)
JOIN memberships m ON m.group_id = r.g AND m.member_id = r.mid AND m.tenant_id = $3` +
		visibleJoin("member_id", "member_kind") + `
JOIN groups p ON p.id = m.group_id AND p.deleted_at IS NULL
WHERE u.id IS NOT NULL OR g.id IS NOT NULL`
	qDeletedUsers = `SELECT ` + userCols + ` FROM users u
WHERE u.tenant_id = $1 AND u.deleted_at IS NOT NULL AND u.id > $2` + fmt.Sprintf(deletedNameFilter, "u") + `
ORDER BY u.id LIMIT $3`
	qDeletedGroups = `SELECT ` + groupCols + ` FROM groups g
WHERE g.tenant_id = $1 AND g.deleted_at IS NOT NULL AND g.id > $2` + fmt.Sprintf(deletedNameFilter, "g") + `
ORDER BY g.id LIMIT $3`
	// Where the restored group $1 is the group.
	qRestoredAsGroup = `SELECT m.group_id, 'm', m.member_id, m.member_kind FROM memberships m` +
		visibleJoin("member_id", "member_kind") + `WHERE m.group_id = $1 AND m.tenant_id = $2 AND (u.id IS NOT NULL OR g.id IS NOT NULL)
UNION ALL
SELECT m.group_id, 'o', m.owner_id, m.owner_kind FROM ownerships m` + visibleJoin("owner_id", "owner_kind") + `
WHERE m.group_id = $1 AND m.tenant_id = $2
	AND (u.id IS NOT NULL OR g.id IS NOT NULL OR m.owner_kind NOT IN ('user', 'group'))
ORDER BY 2, 3`
)

// TenantChanges reads one tenant's rows in visibility order (changes.go).
func (r reader) TenantChanges(ctx context.Context, tenant directory.TenantID, after int64, limit int) ([]directory.Change, error) {
	return r.changesAfter(ctx, "read tenant changes", qTenantChanges, qTenantChangesInTx, false, after, limit, string(tenant))
}

func (r reader) ChangePosition(ctx context.Context) (int64, error) {
	var n int64
	return n, r.fail("change position", r.q.QueryRow(ctx, qChangePosition).Scan(&n))
}

func (r reader) ChangeHorizon(ctx context.Context) (int64, error) {
	var n int64
	return n, r.fail("change horizon", r.q.QueryRow(ctx, qChangeHorizon).Scan(&n))
}

func (r reader) DeletedObjects(ctx context.Context, tenant directory.TenantID, req directory.DeletedListRequest) (directory.Page[directory.Object], error) {
	top := req.Page.Top
	if top <= 0 {
		top = defaultTop
	}
	q := qDeletedUsers
	if req.Kind == directory.KindGroup {
		q = qDeletedGroups
	}
	rows, err := r.q.Query(ctx, q, string(tenant), req.Page.After, top+1, fold(req.DisplayName), req.Prefix)
	if err != nil {
		return directory.Page[directory.Object]{}, r.fail("list deleted", err)
	}
	defer rows.Close()
	var out directory.Page[directory.Object]
	for rows.Next() {
		o, err := scanDeleted(rows.Scan, req.Kind)
		if err != nil {
			return out, r.fail("list deleted", err)
		}
		out.Items = append(out.Items, o)
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Object]{}, r.fail("list deleted", err)
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
			return directory.Object{}, err
		}
		g := row.group()
		return directory.Object{Group: &g}, nil
	}
	var row userRow
	if err := scan(row.dest()...); err != nil {
		return directory.Object{}, err
	}
	u := row.user()
	return directory.Object{User: &u}, nil
}

func (r reader) DeletedObject(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Object, error) {
	r.touch("o", string(tenant), string(id))
	for _, k := range []struct {
		kind directory.ObjectKind
		q    string
	}{{directory.KindUser, qDeletedUser}, {directory.KindGroup, qDeletedGroup}} {
		o, err := scanDeleted(r.q.QueryRow(ctx, k.q, string(id), string(tenant)).Scan, k.kind)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return directory.Object{}, r.fail("read deleted object", err)
		}
	}
	return directory.Object{}, &directory.NotFoundError{Kind: directory.KindAny, ID: string(id)}
}

func (r reader) ExpiredDeleted(ctx context.Context, before time.Time, limit int) ([]directory.DeletedRef, error) {
	rows, err := r.q.Query(ctx, qExpiredDeleted, before, limit)
	if err != nil {
		return nil, r.fail("list expired", err)
	}
	defer rows.Close()
	var out []directory.DeletedRef
	for rows.Next() {
		var d directory.DeletedRef
		if err := rows.Scan(&d.TenantID, &d.ID, &d.Kind); err != nil {
			return nil, r.fail("list expired", err)
		}
		out = append(out, d)
	}
	return out, r.fail("list expired", rows.Err())
}

func (r reader) DeltaSecret(ctx context.Context, tenant directory.TenantID) ([]byte, error) {
	var b []byte
	err := r.q.QueryRow(ctx, qDeltaSecret, string(tenant)).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return b, r.fail("read delta secret", err)
}

func (t *tx) InsertDeltaSecret(ctx context.Context, tenant directory.TenantID, secret []byte) error {
	_, err := t.q.Exec(ctx, qInsertDeltaSecret, string(tenant), secret)
	return t.fail("insert delta secret", err)
}

func (t *tx) TrimChanges(ctx context.Context, before, now time.Time, limit int) (int, error) {
	var n int
	err := t.q.QueryRow(ctx, qTrimChanges, before, limit, now).Scan(&n)
	return n, t.fail("trim changes", err)
}

// RestoreObject clears deleted_at and counts the object again; search
// tokens of soft-deleted objects never left.
func (t *tx) RestoreObject(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Restored, error) {
	o, err := t.DeletedObject(ctx, tenant, id)
	if err != nil {
		return directory.Restored{}, err
	}
	out := directory.Restored{Kind: o.Kind()}
	if o.User != nil {
		t.touch("upn", string(tenant), fold(o.User.UserPrincipalName))
		if _, err := t.q.Exec(ctx, qRestoreUser, string(id), string(tenant)); err != nil {
			if c := userConflict(err, *o.User); c != nil {
				t.fail("restore user", err)
				return out, c
			}
			return out, t.fail("restore user", err)
		}
	} else {
		t.touch("nick", string(tenant), fold(o.Group.MailNickname))
		if _, err := t.q.Exec(ctx, qRestoreGroup, string(id), string(tenant)); err != nil {
			if c := groupConflict(err, *o.Group); c != nil {
				t.fail("restore group", err)
				return out, c
			}
			return out, t.fail("restore group", err)
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
	rows, err := t.q.Query(ctx, q, string(id), string(tenant))
	if err != nil {
		return t.fail("restored relations", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rel   directory.Relation
			which string
		)
		if err := rows.Scan(&rel.Group, &which, &rel.Related.ID, &rel.Related.Kind); err != nil {
			return t.fail("restored relations", err)
		}
		if which == "m" {
			out.Memberships = append(out.Memberships, rel)
		} else {
			out.Ownerships = append(out.Ownerships, rel)
		}
	}
	return t.fail("restored relations", rows.Err())
}

func (t *tx) PurgeObject(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	o, err := t.DeletedObject(ctx, tenant, id)
	if err != nil {
		return err
	}
	if o.Group != nil {
		return t.DeleteGroup(ctx, tenant, id)
	}
	var n int
	if err := t.q.QueryRow(ctx, qPurgeUser, string(id), string(tenant)).Scan(&n); err != nil {
		return t.fail("purge user", err)
	}
	if n == 0 {
		return &directory.NotFoundError{Kind: directory.KindUser, ID: string(id)}
	}
	// The user was counted out when it was soft deleted: no bump here.
	return nil
}

func (r reader) ExistingMemberships(ctx context.Context, tenant directory.TenantID, pairs []directory.Relation) ([]directory.Relation, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	gs, ms := make([]string, len(pairs)), make([]string, len(pairs))
	for i, p := range pairs {
		gs[i], ms[i] = string(p.Group), string(p.Related.ID)
	}
	rows, err := r.q.Query(ctx, qExistingMemberships, gs, ms, string(tenant))
	if err != nil {
		return nil, r.fail("existing memberships", err)
	}
	defer rows.Close()
	var out []directory.Relation
	for rows.Next() {
		var rel directory.Relation
		if err := rows.Scan(&rel.Group, &rel.Related.ID, &rel.Related.Kind); err != nil {
			return nil, r.fail("existing memberships", err)
		}
		out = append(out, rel)
	}
	return out, r.fail("existing memberships", rows.Err())
}
