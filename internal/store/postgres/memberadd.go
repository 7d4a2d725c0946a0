package postgres

import (
	"context"

	"groupd/internal/directory"
)

// qAddUserMember adds one user member when the group and the user are
// visible; an existing row leaves the statement without effect, so that
// the domain's full checks run and name the duplicate; a guest joins a
// Microsoft 365 group only by that path, which applies the tenant's guest
// policy. A row a concurrent transaction inserted is a serialization
// failure, and the run is retried.
var qAddUserMember = `INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT $1, u.id, $2, 'user' FROM users u
WHERE u.id = $3 AND u.tenant_id = $2 AND u.deleted_at IS NULL
	AND EXISTS (SELECT 1 FROM groups p WHERE p.id = $1 AND p.tenant_id = $2 AND p.deleted_at IS NULL
		AND ` + notGuestInto("p", "$3", "$2") + `)
ON CONFLICT DO NOTHING`

// notGuestInto is false when the group of alias g is a Microsoft 365
// group and user a guest: the single-statement adds leave such a pair to
// the domain's full path, which applies the tenant's guest policy. Only
// an add to a Microsoft 365 group probes the partial index of guests
// (migration 00211), empty where the tenant has none.
func notGuestInto(g, user, tenant string) string {
	return `(NOT ` + g + `.is_unified OR NOT EXISTS (SELECT 1 FROM users x
		WHERE x.tenant_id = ` + tenant + ` AND x.id = ` + user + ` AND x.user_type = 'Guest'))`
}

var _ directory.UserMemberAdder = (*tx)(nil)

func (t *tx) AddUserMember(ctx context.Context, tenant directory.TenantID, group, user directory.ObjectID) (bool, error) {
	t.touch("o", string(tenant), string(group))
	t.touch("o", string(tenant), string(user))
	tag, err := t.q.Exec(ctx, qAddUserMember, string(group), string(tenant), string(user))
	if err != nil {
		return false, t.fail("add member", err)
	}
	return tag.RowsAffected() == 1, nil
}

// qAddUserMembers is qAddUserMember for many pairs at once; RETURNING
// names the rows added, which are the pairs that were visible and new.
var qAddUserMembers = `INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT p.g, p.m, $1, 'user' FROM unnest($2::text[], $3::text[]) AS p(g, m)
WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = p.m AND u.tenant_id = $1 AND u.deleted_at IS NULL)
	AND EXISTS (SELECT 1 FROM groups g WHERE g.id = p.g AND g.tenant_id = $1 AND g.deleted_at IS NULL
		AND ` + notGuestInto("g", "p.m", "$1") + `)
ON CONFLICT DO NOTHING
RETURNING group_id, member_id`

func (t *tx) AddUserMembers(ctx context.Context, tenant directory.TenantID, pairs []directory.GroupUser) ([]bool, error) {
	added := make([]bool, len(pairs))
	if len(pairs) == 0 {
		return added, nil
	}
	groups, users := make([]string, len(pairs)), make([]string, len(pairs))
	for i, p := range pairs {
		groups[i], users[i] = string(p.Group), string(p.User)
		t.touch("o", string(tenant), string(p.Group))
	}
	rows, err := t.q.Query(ctx, qAddUserMembers, string(tenant), groups, users)
	if err != nil {
		return nil, t.fail("add members", err)
	}
	defer rows.Close()
	var ins []directory.GroupUser
	for rows.Next() {
		var g, u string
		if err := rows.Scan(&g, &u); err != nil {
			return nil, t.fail("add members", err)
		}
		ins = append(ins, directory.GroupUser{Group: directory.ObjectID(g), User: directory.ObjectID(u)})
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("add members", err)
	}
	return directory.MarkAdded(pairs, ins), nil
}
