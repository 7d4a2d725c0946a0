package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"groupd/internal/directory"
)

const (
	// CROSS JOIN makes SQLite loop over the names and probe users_upn for
	// each, rather than scan the tenant's users for each name.
	qUserIDsByUPN = `SELECT u.id, u.user_principal_name, u.user_type = 'Guest' FROM json_each(?2) j
CROSS JOIN users u ON u.tenant_id = ?1 AND u.upn_key = j.value AND u.deleted_at IS NULL`

	// The statements that relate users to a new group read nothing of the
	// relation tables: the group has no relations yet. OR FAIL keeps the
	// rows made before a failing one where ABORT would undo them, and so
	// spares SQLite the statement journal (see deferfk.go); the caller
	// undoes them with the rest of its update, as it fails.
	qRelateNewOwners = `INSERT OR FAIL INTO ownerships (group_id, owner_id, tenant_id, owner_kind)
SELECT ?1, j.value, ?2, 'user' FROM json_each(?3) j`
	qRelateNewMembers = `INSERT OR FAIL INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT ?1, j.value, ?2, 'user' FROM json_each(?3) j`
	// qUserRemovals is the count of users that stopped being visible
	// (migration 00200).
	qUserRemovals = `SELECT n FROM user_removals WHERE id = 1`
	// qFirstInvisible returns the first id of ?2 that names no visible
	// user of tenant ?1.
	qFirstInvisible = `SELECT j.value FROM json_each(?2) j
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = j.value AND u.tenant_id = ?1 AND u.deleted_at IS NULL)
ORDER BY j.key LIMIT 1`
)

func (r reader) UserIDsByUPN(ctx context.Context, tenant directory.TenantID, upns []string) ([]directory.UPNUser, error) {
	if len(upns) == 0 {
		return nil, nil
	}
	keys := make([]string, len(upns))
	for i, u := range upns {
		keys[i] = fold(u)
	}
	rows, err := r.query(ctx, qUserIDsByUPN, string(tenant), jsonList(keys))
	if err != nil {
		return nil, mapErr("read user ids by upn", err)
	}
	defer rows.Close()
	out := make([]directory.UPNUser, 0, len(upns))
	for rows.Next() {
		var u directory.UPNUser
		if err := rows.Scan(&u.ID, &u.UserPrincipalName, &u.Guest); err != nil {
			return nil, mapErr("read user ids by upn", err)
		}
		out = append(out, u)
	}
	return out, mapErr("read user ids by upn", rows.Err())
}

// UserRemovals reads the count the triggers of migration 00200 keep.
func (r reader) UserRemovals(ctx context.Context) (int64, error) {
	var n int64
	return n, mapErr("read user removals", r.scanRow(ctx, qUserRemovals, nil, &n))
}

// RelateNewGroupAt is RelateNewGroup without the check that the users are
// visible when the removal count is still visibleAt.
func (t *tx) RelateNewGroupAt(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID,
	owners, members []directory.ObjectID, visibleAt int64) (int64, error) {
	var n int64
	if err := t.scanRow(ctx, qUserRemovals, nil, &n); err != nil {
		return 0, mapErr("relate new group", err)
	}
	return n, t.relateNewGroup(ctx, tenant, group, app, owners, members, n != visibleAt)
}

// RelateNewGroup checks that every id names a visible user in one query,
// then inserts each relation in one statement. The engine is in-process,
// so the check costs no round trip, and statements stay plain inserts.
func (t *tx) RelateNewGroup(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID, owners, members []directory.ObjectID) error {
	return t.relateNewGroup(ctx, tenant, group, app, owners, members, true)
}

func (t *tx) relateNewGroup(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID,
	owners, members []directory.ObjectID, check bool) error {
	if err := directory.RepeatedRelations(owners, members); err != nil {
		return err
	}
	if len(owners)+len(members) == 0 {
		return t.addCreator(ctx, tenant, group, app)
	}
	// The key to groups refuses no soft-deleted group and none of another
	// tenant, so the group is read first.
	if ok, err := t.exists(ctx, qGroupVisible, string(group), string(tenant)); err != nil || !ok {
		if err != nil {
			return mapErr("relate new group", err)
		}
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
	}
	if check {
		var missing string
		err := t.scanRow(ctx, qFirstInvisible, []any{string(tenant), idList(slices.Concat(owners, members))}, &missing)
		if err == nil {
			return &directory.NotFoundError{Kind: directory.KindUser, ID: missing}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return mapErr("relate new group", err)
		}
	}
	if err := t.addCreator(ctx, tenant, group, app); err != nil {
		return err
	}
	for _, r := range []struct {
		q, table, what string
		ids            []directory.ObjectID
	}{{qRelateNewOwners, "ownerships", "add owners", owners}, {qRelateNewMembers, "memberships", "add members", members}} {
		if len(r.ids) == 0 {
			continue
		}
		if _, err := t.insertRelations(ctx, r.table, group, r.q, string(group), string(tenant), idList(r.ids)); err != nil {
			if foreignKey(err) {
				return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
			}
			return mapErr(r.what, err)
		}
	}
	return nil
}

// addCreator makes app, unless empty, an owner of group. One writer at a
// time means no reads to spare here, unlike on PostgreSQL.
func (t *tx) addCreator(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID) error {
	if app == "" {
		return nil
	}
	return t.AddOwners(ctx, tenant, group, []directory.MemberRef{{ID: app, Kind: directory.KindServicePrincipal}})
}
