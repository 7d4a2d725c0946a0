package postgres

import (
	"context"
	"fmt"
	"slices"

	"groupd/internal/directory"
)

// qUserIDsByUPN reads the users of a list of names with upn_key = ANY, as
// qVisibleUsers reads ids, for the same reason: a join of the list with
// users was, on a small tenant with stale statistics, a nested loop
// comparing every name with every user (102 names, 105 users: 0.57 ms a
// call against 0.21 ms, pg_stat_statements); on 100,000 users both are
// index scans (0.36 and 0.27 ms).
const qUserIDsByUPN = `SELECT u.id, u.user_principal_name, u.user_type = 'Guest' FROM users u
WHERE u.upn_key = ANY ($2::text[]) AND u.tenant_id = $1 AND u.deleted_at IS NULL`

var (
	// qRelateNewGroup and qVisibleUsers read the users of a list of ids
	// in one scan with id = ANY: an index scan of it when the table is
	// large, and one pass with a hashed list when it is small (or its
	// statistics say so). A probe per id through a LATERAL subquery would
	// be the same on a large table, but on a small analyzed one the
	// planner makes each probe a scan of the whole table: for 102 ids and
	// 102 users, 1.5 ms against 0.04 ms for one pass (EXPLAIN ANALYZE).
	// On 100,000 users both are index scans of about 0.3 ms, also right
	// after the table grew from 102 without a new ANALYZE. ids are given
	// once each, so the count of users found says whether all are
	// visible.
	// qRelateNewGroup inserts the owners ($4, and the service principal
	// $6 unless empty) and members ($5) of the new group $1 when the
	// group and every user of $3 (both lists, each id once) are visible,
	// and nothing otherwise, saying which. Nothing here
	// reads the relation tables: under SERIALIZABLE a read of their index
	// pages would conflict with every concurrent write landing on those
	// pages, and the group being new, there is nothing there to read. The
	// group is read once, for all rows (migration 00130).
	qRelateNewGroup = relateNewGroup(groupVisible)
	// qRelateOwnNewGroup is qRelateNewGroup for a group this transaction
	// inserted (and did not delete): no other transaction can see it
	// before the commit, let alone delete it, so it needs no read. The
	// read would take a SERIALIZABLE predicate lock on the groups_pkey
	// page where concurrent calls insert their own new groups, and each
	// such pair of calls would then fail one of them.
	qRelateOwnNewGroup = relateNewGroup("true")
	qVisibleUsers      = `SELECT u.id FROM users u
WHERE u.id = ANY ($2::text[]) AND u.tenant_id = $1 AND u.deleted_at IS NULL`
)

// relateNewGroup returns qRelateNewGroup with grp, the condition that the
// group is visible.
func relateNewGroup(grp string) string {
	return `WITH visible AS MATERIALIZED (
	SELECT count(*) = cardinality($3::text[]) AS users, ` + grp + ` AS grp FROM users u
	WHERE u.id = ANY ($3::text[]) AND u.tenant_id = $2 AND u.deleted_at IS NULL
), o AS (
	INSERT INTO ownerships (group_id, owner_id, tenant_id, owner_kind)
	SELECT $1, x.id, $2, 'user' FROM unnest($4::text[]) AS x(id) WHERE (SELECT users AND grp FROM visible)
	UNION ALL
	SELECT $1, $6, $2, 'servicePrincipal' WHERE $6 <> '' AND (SELECT users AND grp FROM visible)
), m AS (
	INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)
	SELECT $1, x.id, $2, 'user' FROM unnest($5::text[]) AS x(id) WHERE (SELECT users AND grp FROM visible)
)
SELECT users, grp FROM visible`
}

func (r reader) UserIDsByUPN(ctx context.Context, tenant directory.TenantID, upns []string) ([]directory.UPNUser, error) {
	if len(upns) == 0 {
		return nil, nil
	}
	keys := make([]string, len(upns))
	for i, u := range upns {
		keys[i] = fold(u)
	}
	rows, err := r.q.Query(ctx, qUserIDsByUPN, string(tenant), keys)
	if err != nil {
		return nil, r.fail("read user ids by upn", err)
	}
	defer rows.Close()
	out := make([]directory.UPNUser, 0, len(upns))
	for rows.Next() {
		var u directory.UPNUser
		if err := rows.Scan(&u.ID, &u.UserPrincipalName, &u.Guest); err != nil {
			return nil, r.fail("read user ids by upn", err)
		}
		out = append(out, u)
	}
	return out, r.fail("read user ids by upn", rows.Err())
}

func (t *tx) RelateNewGroup(ctx context.Context, tenant directory.TenantID, group, app directory.ObjectID, owners, members []directory.ObjectID) error {
	if err := directory.RepeatedRelations(owners, members); err != nil {
		return err
	}
	if len(owners)+len(members) == 0 && app == "" {
		return nil
	}
	all := make([]string, 0, len(owners)+len(members))
	seen := make(map[directory.ObjectID]bool, len(owners)+len(members))
	for _, id := range slices.Concat(owners, members) {
		if !seen[id] {
			seen[id] = true
			all = append(all, string(id))
		}
	}
	q := qRelateNewGroup
	if slices.Contains(t.tx.newGroups, groupKey{tenant, group}) {
		q = qRelateOwnNewGroup
	}
	var users, grp bool
	err := t.q.QueryRow(ctx, q, string(group), string(tenant), all, idStrings(owners), idStrings(members), string(app)).Scan(&users, &grp)
	switch {
	case err != nil:
		return t.fail("relate new group", err)
	case !grp:
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(group)}
	case users:
		return nil
	}
	return t.firstInvisible(ctx, tenant, all)
}

// firstInvisible names the first of ids that is no visible user. A
// SERIALIZABLE transaction reads one snapshot throughout, so the user the
// insert found missing is missing here too.
func (t *tx) firstInvisible(ctx context.Context, tenant directory.TenantID, ids []string) error {
	rows, err := t.q.Query(ctx, qVisibleUsers, string(tenant), ids)
	if err != nil {
		return t.fail("relate new group", err)
	}
	defer rows.Close()
	visible := make(map[string]bool, len(ids))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return t.fail("relate new group", err)
		}
		visible[id] = true
	}
	if err := rows.Err(); err != nil {
		return t.fail("relate new group", err)
	}
	for _, id := range ids {
		if !visible[id] {
			return &directory.NotFoundError{Kind: directory.KindUser, ID: id}
		}
	}
	return fmt.Errorf("relate new group: no user is missing on a second look")
}

// forgetNewGroup notes that the run deleted a group it may have inserted.
func (t *tx) forgetNewGroup(id directory.ObjectID) {
	t.tx.newGroups = slices.DeleteFunc(t.tx.newGroups, func(k groupKey) bool { return k.id == id })
}

func idStrings(ids []directory.ObjectID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
