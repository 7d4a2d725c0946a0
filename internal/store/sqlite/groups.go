package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"groupd/internal/directory"
)

const (
	qGroupByID = `SELECT ` + groupCols + ` FROM groups g
WHERE g.id = ?1 AND g.tenant_id = ?2 AND g.deleted_at IS NULL`
	qGroups = `SELECT ` + groupCols + ` FROM groups g
WHERE g.tenant_id = ?1 AND g.deleted_at IS NULL AND g.id > ?2
ORDER BY g.id LIMIT ?3`
	qDisplayNameTaken = `SELECT EXISTS (SELECT 1 FROM groups g
WHERE g.tenant_id = ?1 AND g.display_name_key = ?2 AND g.deleted_at IS NULL AND g.id <> ?3)`
	qMailNicknameTaken = `SELECT EXISTS (SELECT 1 FROM groups g
WHERE g.tenant_id = ?1 AND g.mail_nickname_key = ?2 AND g.deleted_at IS NULL
	AND (NOT ?3 OR g.mail_enabled OR g.is_unified))`

	qInsertGroup = `INSERT INTO groups (id, tenant_id, display_name, display_name_key,
	description, mail_nickname, mail_nickname_key, mail_enabled, security_enabled,
	is_unified, group_types, visibility, classification, mail, mail_key, proxy_addresses,
	membership_rule, membership_rule_processing_state, is_assignable_to_role,
	security_identifier, renewed_at, expiration_at, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
	?18, ?19, ?20, ?21, ?22, ?23)`
	// created_at and deleted_at are not replaced, as for users.
	qUpdateGroup = `UPDATE groups SET display_name = ?3, display_name_key = ?4,
	description = ?5, mail_nickname = ?6, mail_nickname_key = ?7, mail_enabled = ?8,
	security_enabled = ?9, is_unified = ?10, group_types = ?11, visibility = ?12,
	classification = ?13, mail = ?14, mail_key = ?15, proxy_addresses = ?16,
	membership_rule = ?17, membership_rule_processing_state = ?18,
	is_assignable_to_role = ?19, security_identifier = ?20, renewed_at = ?21,
	expiration_at = ?22
WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`
	qSoftDeleteGroup = `UPDATE groups SET deleted_at = ?3
WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`
	// The memberships and ownerships of the group itself go by ON DELETE
	// CASCADE; the rows naming it as a member or owner have no foreign key.
	qDeleteGroup         = `DELETE FROM groups WHERE id = ?1 AND tenant_id = ?2 RETURNING deleted_at IS NULL`
	qDeleteGroupAsMember = `DELETE FROM memberships WHERE member_id = ?1 AND tenant_id = ?2`
	qDeleteGroupAsOwner  = `DELETE FROM ownerships WHERE owner_id = ?1 AND tenant_id = ?2`
	qDeleteGroupSettings = `DELETE FROM group_settings WHERE group_id = ?1 AND tenant_id = ?2`
)

func (r reader) Group(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.Group, error) {
	var row groupRow
	if err := r.scanRow(ctx, qGroupByID, []any{string(id), string(tenant)}, row.dest()...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return directory.Group{}, &directory.NotFoundError{Kind: directory.KindGroup, ID: string(id)}
		}
		return directory.Group{}, mapErr("read group", err)
	}
	return row.group()
}

func (r reader) Groups(ctx context.Context, tenant directory.TenantID, req directory.GroupListRequest) (directory.Page[directory.Group], error) {
	top, limit := pageSize(req.Page.Top)
	rows, err := r.query(ctx, qGroups, string(tenant), req.Page.After, limit)
	if err != nil {
		return directory.Page[directory.Group]{}, mapErr("list groups", err)
	}
	out, err := scanGroups(rows)
	if err != nil {
		return out, mapErr("list groups", err)
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

func scanGroups(rows *sql.Rows) (directory.Page[directory.Group], error) {
	defer rows.Close()
	var out directory.Page[directory.Group]
	for rows.Next() {
		var row groupRow
		if err := rows.Scan(row.dest()...); err != nil {
			return out, err
		}
		g, err := row.group()
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, g)
	}
	return out, rows.Err()
}

// expandMembers loads the members of every group of a page in one query.
func (r reader) expandMembers(ctx context.Context, tenant directory.TenantID, groups []directory.Group, limit int) error {
	if limit <= 0 {
		limit = math.MaxInt64
	}
	ids := make([]directory.ObjectID, len(groups))
	index := make(map[directory.ObjectID]int, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
		index[g.ID] = i
	}
	rows, err := r.query(ctx, qExpandMembers, idList(ids), string(tenant), limit)
	if err != nil {
		return mapErr("expand members", err)
	}
	defer rows.Close()
	for rows.Next() {
		var group string
		var row objectRow
		if err := rows.Scan(append([]any{&group}, row.dest()...)...); err != nil {
			return mapErr("expand members", err)
		}
		o, err := row.object()
		if err != nil {
			return err
		}
		i := index[directory.ObjectID(group)]
		groups[i].Members = append(groups[i].Members, o)
	}
	return mapErr("expand members", rows.Err())
}

func (r reader) GroupDisplayNameTaken(ctx context.Context, tenant directory.TenantID, displayName string, except directory.ObjectID) (bool, error) {
	ok, err := r.exists(ctx, qDisplayNameTaken, string(tenant), fold(displayName), string(except))
	return ok, mapErr("check displayName", err)
}

func (r reader) MailNicknameTaken(ctx context.Context, tenant directory.TenantID, nickname string, mailOnly bool) (bool, error) {
	if nickname == "" {
		return false, nil
	}
	ok, err := r.exists(ctx, qMailNicknameTaken, string(tenant), fold(nickname), mailOnly)
	return ok, mapErr("check mailNickname", err)
}

func groupArgs(g directory.Group) []any {
	return []any{string(g.ID), string(g.TenantID), g.DisplayName, fold(g.DisplayName),
		g.Description, g.MailNickname, fold(g.MailNickname), g.MailEnabled, g.SecurityEnabled,
		g.IsUnified(), jsonList(g.GroupTypes), g.Visibility, g.Classification, g.Mail,
		fold(g.Mail), jsonList(g.ProxyAddresses), g.MembershipRule,
		g.MembershipRuleProcessingState, g.IsAssignableToRole, g.SecurityIdentifier,
		microsOrNull(g.RenewedAt), microsPtr(g.ExpirationAt)}
}

func groupConflict(err error, g directory.Group) error {
	return conflict(err, map[string]string{
		"mailNickname": g.MailNickname,
		"mail":         g.Mail,
		"id":           string(g.ID),
	})
}

func (t *tx) InsertGroup(ctx context.Context, g directory.Group) error {
	_, err := t.exec(ctx, qInsertGroup, append(groupArgs(g), micros(g.CreatedAt))...)
	if err != nil {
		if c := groupConflict(err, g); c != nil {
			return c
		}
		if sqliteCode(err) == codeForeignKey {
			return &directory.NotFoundError{Kind: "tenant", ID: string(g.TenantID)}
		}
		return mapErr("insert group", err)
	}
	if err := t.bumpCount(ctx, g.TenantID, directory.KindGroup, 1); err != nil {
		return err
	}
	return mapErr("index group", writeTokens(ctx, txExec{t}, g.TenantID, directory.KindGroup, g.ID, groupTokens(g)))
}

func (t *tx) UpdateGroup(ctx context.Context, g directory.Group) error {
	res, err := t.exec(ctx, qUpdateGroup, groupArgs(g)...)
	if err != nil {
		if c := groupConflict(err, g); c != nil {
			return c
		}
		return mapErr("update group", err)
	}
	if err := mustAffect(res, directory.KindGroup, g.ID); err != nil {
		return err
	}
	return mapErr("index group", writeTokens(ctx, txExec{t}, g.TenantID, directory.KindGroup, g.ID, groupTokens(g)))
}

func (t *tx) SoftDeleteGroup(ctx context.Context, tenant directory.TenantID, id directory.ObjectID, at time.Time) error {
	res, err := t.exec(ctx, qSoftDeleteGroup, string(id), string(tenant), micros(at))
	if err != nil {
		return mapErr("delete group", err)
	}
	if err := mustAffect(res, directory.KindGroup, id); err != nil {
		return err
	}
	return t.bumpCount(ctx, tenant, directory.KindGroup, -1)
}

// DeleteGroup also purges a soft-deleted group, so that emptying the
// recycle bin can use it.
func (t *tx) DeleteGroup(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) error {
	var visible bool
	err := t.scanRow(ctx, qDeleteGroup, []any{string(id), string(tenant)}, &visible)
	if errors.Is(err, sql.ErrNoRows) {
		return &directory.NotFoundError{Kind: directory.KindGroup, ID: string(id)}
	}
	if err != nil {
		return mapErr("delete group", err)
	}
	if visible {
		if err := t.bumpCount(ctx, tenant, directory.KindGroup, -1); err != nil {
			return err
		}
	}
	if _, err := t.exec(ctx, qDeleteGroupAsMember, string(id), string(tenant)); err != nil {
		return mapErr("delete group memberships", err)
	}
	if _, err := t.exec(ctx, qDeleteGroupAsOwner, string(id), string(tenant)); err != nil {
		return mapErr("delete group ownerships", err)
	}
	if _, err := t.exec(ctx, qDeleteTokens, string(id), string(directory.KindGroup)); err != nil {
		return mapErr("delete group tokens", err)
	}
	if _, err := t.exec(ctx, qDeleteGroupSettings, string(id), string(tenant)); err != nil {
		return mapErr("delete group settings", err)
	}
	return nil
}
