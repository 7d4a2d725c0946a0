package sqlite

import (
	"context"

	"groupd/internal/directory"
)

// qAddUserMember adds one user member when the group and the user are
// visible; an existing row leaves the statement without effect, so that
// the domain's full checks run and name the duplicate. The statement
// checks that the group exists, and its values are never NULL, so no
// constraint can fail part-way: OR FAIL spares SQLite the statement
// journal (see deferfk.go) without changing what it does.
var qAddUserMember = `INSERT OR FAIL INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT ?1, u.id, ?2, 'user' FROM users u
WHERE u.id = ?3 AND u.tenant_id = ?2 AND u.deleted_at IS NULL
	AND EXISTS (SELECT 1 FROM groups p WHERE p.id = ?1 AND p.tenant_id = ?2 AND p.deleted_at IS NULL
		AND ` + notGuestInto("p", "?3", "?2") + `)
ON CONFLICT DO NOTHING`

// notGuestInto is false when the group of alias g is a Microsoft 365
// group and user a guest: the single-statement adds leave such a pair to
// the domain's full path, which applies the tenant's guest policy. The
// visibility check of the group reads is_unified from its covering index
// (migration 00210), so an add to a security group asks nothing more, and
// one to a Microsoft 365 group probes the partial index of guests, empty
// where the tenant has none.
func notGuestInto(g, user, tenant string) string {
	return `(NOT ` + g + `.is_unified OR NOT EXISTS (SELECT 1 FROM users x INDEXED BY users_guests
		WHERE x.tenant_id = ` + tenant + ` AND x.id = ` + user + ` AND x.user_type = 'Guest'))`
}

var _ directory.UserMemberAdder = (*tx)(nil)

func (t *tx) AddUserMember(ctx context.Context, tenant directory.TenantID, group, user directory.ObjectID) (bool, error) {
	res, err := t.exec(ctx, qAddUserMember, string(group), string(tenant), string(user))
	if err != nil {
		return false, mapErr("add member", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapErr("add member", err)
	}
	return n == 1, nil
}

// qAddUserMembers is qAddUserMember for many pairs at once, given as a
// pairList of [group, member]; RETURNING names the rows added. As there,
// OR FAIL only spares the statement journal, and pairRows, which calls no
// SQL function, keeps it spared.
var qAddUserMembers = `INSERT OR FAIL INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT p.a, p.b, ?1, 'user' FROM ` + pairRows("?2") + ` p
WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = p.b AND u.tenant_id = ?1 AND u.deleted_at IS NULL)
	AND EXISTS (SELECT 1 FROM groups g WHERE g.id = p.a AND g.tenant_id = ?1 AND g.deleted_at IS NULL
		AND ` + notGuestInto("g", "p.b", "?1") + `)
ON CONFLICT DO NOTHING
RETURNING group_id, member_id`

func (t *tx) AddUserMembers(ctx context.Context, tenant directory.TenantID, pairs []directory.GroupUser) ([]bool, error) {
	if len(pairs) == 0 {
		return []bool{}, nil
	}
	list := make([][2]directory.ObjectID, len(pairs))
	for i, p := range pairs {
		list[i] = [2]directory.ObjectID{p.Group, p.User}
	}
	rows, err := t.query(ctx, qAddUserMembers, string(tenant), pairList(list))
	if err != nil {
		return nil, mapErr("add members", err)
	}
	defer rows.Close()
	var ins []directory.GroupUser
	for rows.Next() {
		var g, u string
		if err := rows.Scan(&g, &u); err != nil {
			return nil, mapErr("add members", err)
		}
		ins = append(ins, directory.GroupUser{Group: directory.ObjectID(g), User: directory.ObjectID(u)})
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("add members", err)
	}
	return directory.MarkAdded(pairs, ins), nil
}
