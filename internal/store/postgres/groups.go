package postgres

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

const (
	qGroupByID = `SELECT ` + groupCols + ` FROM groups g
WHERE g.id = $1 AND g.tenant_id = $2 AND g.deleted_at IS NULL`
	qGroups = `SELECT ` + groupCols + ` FROM groups g
WHERE g.tenant_id = $1 AND g.deleted_at IS NULL AND g.id > $2
ORDER BY g.id LIMIT $3`
	qDisplayNameTaken = `SELECT EXISTS (SELECT 1 FROM groups g
WHERE g.tenant_id = $1 AND g.display_name_key = $2 AND g.deleted_at IS NULL AND g.id <> $3)`
	qMailNicknameTaken = `SELECT EXISTS (SELECT 1 FROM groups g
WHERE g.tenant_id = $1 AND g.mail_nickname_key = $2 AND g.deleted_at IS NULL
	AND (NOT $3 OR g.mail_enabled OR g.is_unified))`

	qInsertGroup = `INSERT INTO groups (id, tenant_id, display_name, display_name_key,
	description, mail_nickname, mail_nickname_key, mail_enabled, security_enabled,
	is_unified, group_types, visibility, classification, mail, mail_key, proxy_addresses,
	membership_rule, membership_rule_processing_state, is_assignable_to_role,
	security_identifier, renewed_at, expiration_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
	$18, $19, $20, $21, $22, $23)`
	// created_at and deleted_at are not replaced, as for users.
	qUpdateGroup = `UPDATE groups SET display_name = $3, display_name_key = $4,
	description = $5, mail_nickname = $6, mail_nickname_key = $7, mail_enabled = $8,
	security_enabled = $9, is_unified = $10, group_types = $11, visibility = $12,
	classification = $13, mail = $14, mail_key = $15, proxy_addresses = $16,
	membership_rule = $17, membership_rule_processing_state = $18,
	is_assignable_to_role = $19, security_identifier = $20, renewed_at = $21,
	expiration_at = $22
WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL`
	qSoftDeleteGroup = `UPDATE groups SET deleted_at = $3
WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL`
	// One round trip: the relation rows of the group itself and those
	// naming it as a member or owner go in the same statement, only if the
	// group existed. No key cascades: the rows of the group must go here
	// (migration 00130 says why that is enough under concurrency).
	qDeleteGroup = `WITH g AS (DELETE FROM groups WHERE id = $1 AND tenant_id = $2 RETURNING id, deleted_at IS NULL AS visible),
gm AS (DELETE FROM memberships WHERE group_id = $1 AND EXISTS (SELECT 1 FROM g)),
gow AS (DELETE FROM ownerships WHERE group_id = $1 AND EXISTS (SELECT 1 FROM g)),
m AS (DELETE FROM memberships WHERE member_id = $1 AND tenant_id = $2 AND EXISTS (SELECT 1 FROM g)),
o AS (DELETE FROM ownerships WHERE owner_id = $1 AND tenant_id = $2 AND EXISTS (SELECT 1 FROM g)),
s AS (DELETE FROM search_tokens WHERE object_id = $1 AND kind = 'group' AND tenant_id = $2 AND EXISTS (SELECT 1 FROM g)),
st AS (DELETE FROM group_settings WHERE group_id = $1 AND tenant_id = $2 AND EXISTS (SELECT 1 FROM g))
SELECT count(*), COALESCE(bool_or(visible), false) FROM g`
)

func (r reader) Group(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Group, error) {
	r.touch("o", string(tenant), string(id))
	var row groupRow
	if err := r.q.QueryRow(ctx, qGroupByID, string(id), string(tenant)).Scan(row.dest()...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return directory.Group{}, &directory.NotFoundError{Kind: directory.KindGroup, ID: string(id)}
		}
		return directory.Group{}, r.fail("read group", err)
	}
	return row.group(), nil
}

func (r reader) Groups(ctx context.Context, tenant directory.TenantID, req directory.GroupListRequest) (directory.Page[directory.Group], error) {
	top, limit := pageSize(req.Page.Top)
	out, err := r.groupPage(ctx, "list groups", qGroups, string(tenant), req.Page.After, limit)
	if err != nil {
		return out, err
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	if req.Expand && len(out.Items) > 0 {
		if err := r.expandMembers(ctx, tenant, out.Items, req.ExpandLimit); err != nil {
			return directory.Page[directory.Group]{}, err
		}
	}
	return out, nil
}

// groupPage runs a query selecting groupCols.
func (r reader) groupPage(ctx context.Context, op, q string, args ...any) (directory.Page[directory.Group], error) {
	var out directory.Page[directory.Group]
	rows, err := r.q.Query(ctx, q, args...)
	if err != nil {
		return out, r.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row groupRow
		if err := rows.Scan(row.dest()...); err != nil {
			return directory.Page[directory.Group]{}, r.fail(op, err)
		}
		out.Items = append(out.Items, row.group())
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.Group]{}, r.fail(op, err)
	}
	return out, nil
}

// expandMembers loads the members of every group of a page in one query.
func (r reader) expandMembers(ctx context.Context, tenant directory.TenantID, groups []directory.Group, limit int) error {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	gids := make([]string, len(groups))
	index := make(map[directory.ObjectID]int, len(groups))
	for i, g := range groups {
		gids[i] = string(g.ID)
		index[g.ID] = i
	}
	rows, err := r.q.Query(ctx, qExpandMembers, gids, string(tenant), limit)
	if err != nil {
		return r.fail("expand members", err)
	}
	defer rows.Close()
	for rows.Next() {
		var group string
		var row objectRow
		if err := rows.Scan(append([]any{&group}, row.dest()...)...); err != nil {
			return r.fail("expand members", err)
		}
		i := index[directory.ObjectID(group)]
		groups[i].Members = append(groups[i].Members, row.object())
	}
	return r.fail("expand members", rows.Err())
}

func (r reader) GroupDisplayNameTaken(ctx context.Context, tenant directory.TenantID, displayName string, except directory.ObjectID) (bool, error) {
	r.touch("dn", string(tenant), fold(displayName))
	var ok bool
	err := r.q.QueryRow(ctx, qDisplayNameTaken, string(tenant), fold(displayName), string(except)).Scan(&ok)
	return ok, r.fail("check displayName", err)
}

func (r reader) MailNicknameTaken(ctx context.Context, tenant directory.TenantID, nickname string, mailOnly bool) (bool, error) {
	if nickname == "" {
		return false, nil
	}
	r.touch("nick", string(tenant), fold(nickname))
	var ok bool
	err := r.q.QueryRow(ctx, qMailNicknameTaken, string(tenant), fold(nickname), mailOnly).Scan(&ok)
	return ok, r.fail("check mailNickname", err)
}

func groupArgs(g directory.Group) []any {
	return []any{string(g.ID), string(g.TenantID), g.DisplayName, fold(g.DisplayName),
		g.Description, g.MailNickname, fold(g.MailNickname), g.MailEnabled, g.SecurityEnabled,
		g.IsUnified(), list(g.GroupTypes), g.Visibility, g.Classification, g.Mail,
		fold(g.Mail), list(g.ProxyAddresses), g.MembershipRule,
		g.MembershipRuleProcessingState, g.IsAssignableToRole, g.SecurityIdentifier,
		timeOrNull(g.RenewedAt), timePtr(g.ExpirationAt)}
}

func groupConflict(err error, g directory.Group) error {
	return conflict(err, map[string]string{
		"mailNickname": g.MailNickname,
		"mail":         g.Mail,
		"id":           string(g.ID),
	})
}

func (t *tx) InsertGroup(ctx context.Context, g directory.Group) error {
	t.touch("nick", string(g.TenantID), fold(g.MailNickname))
	_, err := t.q.Exec(ctx, qInsertGroup, append(groupArgs(g), g.CreatedAt)...)
	if err != nil {
		err = t.fail("insert group", err)
		if c := groupConflict(err, g); c != nil {
			return c
		}
		if foreignKey(err, "groups_tenant_fkey") {
			return &directory.NotFoundError{Kind: "tenant", ID: string(g.TenantID)}
		}
		return err
	}
	t.tx.newGroups = append(t.tx.newGroups, groupKey{g.TenantID, g.ID})
	if err := t.bumpCount(ctx, g.TenantID, directory.KindGroup, 1); err != nil {
		return err
	}
	t.insertTokens(g.TenantID, directory.KindGroup, g.ID, "displayName", g.DisplayName, "description", g.Description)
	return nil
}

func (t *tx) UpdateGroup(ctx context.Context, g directory.Group) error {
	t.touch("o", string(g.TenantID), string(g.ID))
	tag, err := t.q.Exec(ctx, qUpdateGroup, groupArgs(g)...)
	if err != nil {
		err = t.fail("update group", err)
		if c := groupConflict(err, g); c != nil {
			return c
		}
		return err
	}
	if err := mustAffect(tag, directory.KindGroup, g.ID); err != nil {
		return err
	}
	t.writeTokens(g.TenantID, directory.KindGroup, g.ID, "displayName", g.DisplayName, "description", g.Description)
	return nil
}

func (t *tx) SoftDeleteGroup(ctx context.Context, tenant directory.TenantID, id directory.ObjectID, at time.Time) error {
	t.touch("o", string(tenant), string(id))
	t.forgetNewGroup(id)
	tag, err := t.q.Exec(ctx, qSoftDeleteGroup, string(id), string(tenant), at)
	if err != nil {
		return t.fail("delete group", err)
	}
	if err := mustAffect(tag, directory.KindGroup, id); err != nil {
		return err
	}
	return t.bumpCount(ctx, tenant, directory.KindGroup, -1)
}

// DeleteGroup also purges a soft-deleted group, so that emptying the
// recycle bin can use it.
func (t *tx) DeleteGroup(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	t.touch("o", string(tenant), string(id))
	t.forgetNewGroup(id)
	var n int
	var visible bool
	if err := t.q.QueryRow(ctx, qDeleteGroup, string(id), string(tenant)).Scan(&n, &visible); err != nil {
		return t.fail("delete group", err)
	}
	if n == 0 {
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(id)}
	}
	if visible {
		return t.bumpCount(ctx, tenant, directory.KindGroup, -1)
	}
	return nil
}
