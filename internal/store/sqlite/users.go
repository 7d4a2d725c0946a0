package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"groupd/internal/directory"
)

const (
	qUserByID = `SELECT ` + userCols + ` FROM users u
WHERE u.id = ?1 AND u.tenant_id = ?2 AND u.deleted_at IS NULL`
	qUserByUPN = `SELECT ` + userCols + ` FROM users u
WHERE u.tenant_id = ?1 AND u.upn_key = ?2 AND u.deleted_at IS NULL`
	// sam_key <> '' repeats the partial index's condition so the planner
	// may use it.
	qUserBySam = `SELECT ` + userCols + ` FROM users u
WHERE u.tenant_id = ?1 AND u.sam_key = ?2 AND u.sam_key <> '' AND u.deleted_at IS NULL`
	qUsers = `SELECT ` + userCols + ` FROM users u
WHERE u.tenant_id = ?1 AND u.deleted_at IS NULL AND u.id > ?2
ORDER BY u.id LIMIT ?3`

	qInsertUser = `INSERT INTO users (id, tenant_id, display_name, given_name, surname,
	user_principal_name, upn_key, mail_nickname, mail, mail_key, account_enabled,
	job_title, department, office_location, mobile_phone, preferred_language,
	business_phones, other_mails, sam_account_name, sam_key, password_hash, is_admin,
	user_type, manager_id, created_at, display_name_key)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
	?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)`
	// created_at and deleted_at are not replaced: the first is history, the
	// second changes only through SoftDeleteUser.
	qUpdateUser = `UPDATE users SET display_name = ?3, given_name = ?4, surname = ?5,
	user_principal_name = ?6, upn_key = ?7, mail_nickname = ?8, mail = ?9, mail_key = ?10,
	account_enabled = ?11, job_title = ?12, department = ?13, office_location = ?14,
	mobile_phone = ?15, preferred_language = ?16, business_phones = ?17, other_mails = ?18,
	sam_account_name = ?19, sam_key = ?20, password_hash = ?21, is_admin = ?22,
	user_type = ?23, manager_id = ?24, display_name_key = ?25
WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`
	qSoftDeleteUser = `UPDATE users SET deleted_at = ?3
WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`
)

func (r reader) User(ctx context.Context, tenant directory.TenantID, id directory.ObjectID) (directory.User, error) {
	return r.user(ctx, string(id), qUserByID, string(id), string(tenant))
}

func (r reader) UserByUPN(ctx context.Context, tenant directory.TenantID, upn string) (directory.User, error) {
	return r.user(ctx, upn, qUserByUPN, string(tenant), fold(upn))
}

func (r reader) UserBySamAccountName(ctx context.Context, tenant directory.TenantID, sam string) (directory.User, error) {
	return r.user(ctx, sam, qUserBySam, string(tenant), fold(sam))
}

func (r reader) user(ctx context.Context, name, q string, args ...any) (directory.User, error) {
	var row userRow
	if err := r.scanRow(ctx, q, args, row.dest()...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return directory.User{}, &directory.NotFoundError{Kind: directory.KindUser, ID: name}
		}
		return directory.User{}, mapErr("read user", err)
	}
	return row.user()
}

func (r reader) Users(ctx context.Context, tenant directory.TenantID, page directory.PageRequest) (directory.Page[directory.User], error) {
	top, limit := pageSize(page.Top)
	rows, err := r.query(ctx, qUsers, string(tenant), page.After, limit)
	if err != nil {
		return directory.Page[directory.User]{}, mapErr("list users", err)
	}
	defer rows.Close()
	var out directory.Page[directory.User]
	for rows.Next() {
		var row userRow
		if err := rows.Scan(row.dest()...); err != nil {
			return out, mapErr("list users", err)
		}
		u, err := row.user()
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, u)
	}
	if err := rows.Err(); err != nil {
		return directory.Page[directory.User]{}, mapErr("list users", err)
	}
	if len(out.Items) > top {
		out.Items = out.Items[:top]
		out.Next = string(out.Items[top-1].ID)
	}
	return out, nil
}

func userArgs(u directory.User) []any {
	return []any{string(u.ID), string(u.TenantID), u.DisplayName, u.GivenName, u.Surname,
		u.UserPrincipalName, fold(u.UserPrincipalName), u.MailNickname, u.Mail, fold(u.Mail),
		u.AccountEnabled, u.JobTitle, u.Department, u.OfficeLocation, u.MobilePhone,
		u.PreferredLanguage, jsonList(u.BusinessPhones), jsonList(u.OtherMails),
		u.OnPremisesSamAccountName, fold(u.OnPremisesSamAccountName), u.PasswordHash, u.IsAdmin,
		userType(u), string(u.ManagerID)}
}

func userConflict(err error, u directory.User) error {
	return conflict(err, map[string]string{
		"userPrincipalName":        u.UserPrincipalName,
		"onPremisesSamAccountName": u.OnPremisesSamAccountName,
		"mail":                     u.Mail,
		"id":                       string(u.ID),
	})
}

func (t *tx) InsertUser(ctx context.Context, u directory.User) error {
	_, err := t.exec(ctx, qInsertUser, append(userArgs(u), micros(u.CreatedAt), fold(u.DisplayName))...)
	if err != nil {
		if c := userConflict(err, u); c != nil {
			return c
		}
		if sqliteCode(err) == codeForeignKey {
			return &directory.NotFoundError{Kind: "tenant", ID: string(u.TenantID)}
		}
		return mapErr("insert user", err)
	}
	if err := t.bumpCount(ctx, u.TenantID, directory.KindUser, 1); err != nil {
		return err
	}
	return mapErr("index user", writeTokens(ctx, txExec{t}, u.TenantID, directory.KindUser, u.ID, userTokens(u)))
}

func (t *tx) UpdateUser(ctx context.Context, u directory.User) error {
	res, err := t.exec(ctx, qUpdateUser, append(userArgs(u), fold(u.DisplayName))...)
	if err != nil {
		if c := userConflict(err, u); c != nil {
			return c
		}
		return mapErr("update user", err)
	}
	if err := mustAffect(res, directory.KindUser, u.ID); err != nil {
		return err
	}
	return mapErr("index user", writeTokens(ctx, txExec{t}, u.TenantID, directory.KindUser, u.ID, userTokens(u)))
}

func (t *tx) SoftDeleteUser(ctx context.Context, tenant directory.TenantID, id directory.ObjectID, at time.Time) error {
	res, err := t.exec(ctx, qSoftDeleteUser, string(id), string(tenant), micros(at))
	if err != nil {
		return mapErr("delete user", err)
	}
	if err := mustAffect(res, directory.KindUser, id); err != nil {
		return err
	}
	return t.bumpCount(ctx, tenant, directory.KindUser, -1)
}

// mustAffect turns "no row changed" into a *directory.NotFoundError.
func mustAffect(res sql.Result, kind directory.ObjectKind, id directory.ObjectID) error {
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr("rows affected", err)
	}
	if n == 0 {
		return &directory.NotFoundError{Kind: kind, ID: string(id)}
	}
	return nil
}

// userType is the stored user type: users made before the property
// existed, or by code that leaves it unset, are members.
func userType(u directory.User) string {
	if u.UserType == "" {
		return directory.UserTypeMember
	}
	return u.UserType
}
