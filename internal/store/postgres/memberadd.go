package postgres

import (
	"context"

	"groupd/internal/directory"
)

// qAddUserMember adds one user member when the group and the user are
// visible; an existing row leaves the statement without effect, so that
// the domain's full checks run and name the duplicate. A row a concurrent
// transaction inserted is a serialization failure, and the run is retried.
const qAddUserMember = `INSERT INTO memberships (group_id, member_id, tenant_id, member_kind)
SELECT $1, u.id, $2, 'user' FROM users u
WHERE u.id = $3 AND u.tenant_id = $2 AND u.deleted_at IS NULL
	AND EXISTS (SELECT 1 FROM groups p WHERE p.id = $1 AND p.tenant_id = $2 AND p.deleted_at IS NULL)
ON CONFLICT DO NOTHING`

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
