package sqlite

import (
	"context"

	"groupd/internal/directory"
)

// qAddUserMember adds one user member when the group and the user are
// visible; an existing row leaves the statement without effect, so that
// the domain's full checks run and name the duplicate.
const qAddUserMember = `INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT ?1, u.id, ?2, 'user' FROM users u
WHERE u.id = ?3 AND u.tenant_id = ?2 AND u.deleted_at IS NULL AND ` + groupVisible + `
ON CONFLICT DO NOTHING`

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
