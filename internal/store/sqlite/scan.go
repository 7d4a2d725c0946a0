package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"groupd/internal/directory"
)

// Times are stored as unix microseconds: exact for what the domain writes
// (it truncates to microseconds) and the precision PostgreSQL keeps too.
func micros(t time.Time) int64 { return t.UnixMicro() }

// microsOrNull stores the zero time as NULL so "not set" survives.
func microsOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: true} }

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func fromMicrosPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMicro(v.Int64).UTC()
	return &t
}

// fold is the domain's case folding; the *_key columns hold its result.
func fold(s string) string { return strings.ToLower(s) }

func jsonList(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	b, err := json.Marshal(list)
	if err != nil {
		// Marshalling a []string cannot fail.
		panic(err)
	}
	return string(b)
}

// parseList reads a JSON list; an empty list reads back as nil.
func parseList(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("decode list %q: %w", s, err)
	}
	return list, nil
}

// userCols must stay in the order of userRow.dest.
const userCols = `u.id, u.tenant_id, u.display_name, u.given_name, u.surname,
	u.user_principal_name, u.mail_nickname, u.mail, u.account_enabled, u.job_title,
	u.department, u.office_location, u.mobile_phone, u.preferred_language,
	u.business_phones, u.other_mails, u.sam_account_name, u.password_hash,
	u.is_admin, u.created_at, u.deleted_at, u.user_type, u.manager_id`

// userRow scans userCols; its fields are nullable because the same columns
// come from LEFT JOINs where the object is a group.
type userRow struct {
	id, tenant, displayName, givenName, surname, upn, mailNickname, mail sql.NullString
	jobTitle, department, officeLocation, mobilePhone, preferredLanguage sql.NullString
	businessPhones, otherMails, sam, passwordHash, userType, managerID   sql.NullString
	accountEnabled, isAdmin                                              sql.NullBool
	createdAt, deletedAt                                                 sql.NullInt64
}

func (r *userRow) dest() []any {
	return []any{&r.id, &r.tenant, &r.displayName, &r.givenName, &r.surname,
		&r.upn, &r.mailNickname, &r.mail, &r.accountEnabled, &r.jobTitle,
		&r.department, &r.officeLocation, &r.mobilePhone, &r.preferredLanguage,
		&r.businessPhones, &r.otherMails, &r.sam, &r.passwordHash,
		&r.isAdmin, &r.createdAt, &r.deletedAt, &r.userType, &r.managerID}
}

func (r *userRow) user() (directory.User, error) {
	u := directory.User{
		ID:                       directory.ObjectID(r.id.String),
		TenantID:                 directory.TenantID(r.tenant.String),
		DisplayName:              r.displayName.String,
		GivenName:                r.givenName.String,
		Surname:                  r.surname.String,
		UserPrincipalName:        r.upn.String,
		MailNickname:             r.mailNickname.String,
		Mail:                     r.mail.String,
		AccountEnabled:           r.accountEnabled.Bool,
		JobTitle:                 r.jobTitle.String,
		Department:               r.department.String,
		OfficeLocation:           r.officeLocation.String,
		MobilePhone:              r.mobilePhone.String,
		PreferredLanguage:        r.preferredLanguage.String,
		OnPremisesSamAccountName: r.sam.String,
		PasswordHash:             r.passwordHash.String,
		IsAdmin:                  r.isAdmin.Bool,
		UserType:                 r.userType.String,
		ManagerID:                directory.ObjectID(r.managerID.String),
		CreatedAt:                fromMicros(r.createdAt),
		DeletedAt:                fromMicrosPtr(r.deletedAt),
	}
	var err error
	if u.BusinessPhones, err = parseList(r.businessPhones.String); err != nil {
		return u, err
	}
	if u.OtherMails, err = parseList(r.otherMails.String); err != nil {
		return u, err
	}
	return u, nil
}

// groupCols must stay in the order of groupRow.dest.
const groupCols = `g.id, g.tenant_id, g.display_name, g.description, g.mail_nickname,
	g.mail_enabled, g.security_enabled, g.group_types, g.visibility, g.classification,
	g.mail, g.proxy_addresses, g.membership_rule, g.membership_rule_processing_state,
	g.is_assignable_to_role, g.security_identifier, g.created_at, g.renewed_at,
	g.expiration_at, g.deleted_at`

type groupRow struct {
	id, tenant, displayName, description, mailNickname           sql.NullString
	groupTypes, visibility, classification, mail, proxyAddresses sql.NullString
	membershipRule, membershipRuleState, securityIdentifier      sql.NullString
	mailEnabled, securityEnabled, isAssignableToRole             sql.NullBool
	createdAt, renewedAt, expirationAt, deletedAt                sql.NullInt64
}

func (r *groupRow) dest() []any {
	return []any{&r.id, &r.tenant, &r.displayName, &r.description, &r.mailNickname,
		&r.mailEnabled, &r.securityEnabled, &r.groupTypes, &r.visibility, &r.classification,
		&r.mail, &r.proxyAddresses, &r.membershipRule, &r.membershipRuleState,
		&r.isAssignableToRole, &r.securityIdentifier, &r.createdAt, &r.renewedAt,
		&r.expirationAt, &r.deletedAt}
}

func (r *groupRow) group() (directory.Group, error) {
	g := directory.Group{
		ID:                            directory.ObjectID(r.id.String),
		TenantID:                      directory.TenantID(r.tenant.String),
		DisplayName:                   r.displayName.String,
		Description:                   r.description.String,
		MailNickname:                  r.mailNickname.String,
		MailEnabled:                   r.mailEnabled.Bool,
		SecurityEnabled:               r.securityEnabled.Bool,
		Visibility:                    r.visibility.String,
		Classification:                r.classification.String,
		Mail:                          r.mail.String,
		MembershipRule:                r.membershipRule.String,
		MembershipRuleProcessingState: r.membershipRuleState.String,
		IsAssignableToRole:            r.isAssignableToRole.Bool,
		SecurityIdentifier:            r.securityIdentifier.String,
		CreatedAt:                     fromMicros(r.createdAt),
		RenewedAt:                     fromMicros(r.renewedAt),
		ExpirationAt:                  fromMicrosPtr(r.expirationAt),
		DeletedAt:                     fromMicrosPtr(r.deletedAt),
	}
	var err error
	if g.GroupTypes, err = parseList(r.groupTypes.String); err != nil {
		return g, err
	}
	if g.ProxyAddresses, err = parseList(r.proxyAddresses.String); err != nil {
		return g, err
	}
	return g, nil
}

// objectRow scans userCols then groupCols, as the LEFT JOIN queries of
// mixed objects select them; exactly one side is non-NULL.
type objectRow struct {
	u userRow
	g groupRow
}

func (r *objectRow) dest() []any { return append(r.u.dest(), r.g.dest()...) }

func (r *objectRow) object() (directory.Object, error) {
	if r.u.id.Valid {
		u, err := r.u.user()
		return directory.Object{User: &u}, err
	}
	g, err := r.g.group()
	return directory.Object{Group: &g}, err
}

// idList passes ids as one JSON array parameter, read with json_each.
func idList(ids []directory.ObjectID) string { return stringsJSON(ids) }

// stringsJSON is the JSON of a value made of strings only, which cannot
// fail to marshal.
func stringsJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// pairRows is a subquery of the rows (a, b) of pairList(...) in parameter
// p, for multi-row inserts. It calls no SQL function: for a multi-row
// insert whose statement calls one (json_extract, substr, ...), SQLite
// opens a statement journal even under OR FAIL or OR IGNORE (measured),
// and copies into it every page the insert changes: 30 % of the batched
// member add's insert. Each pair is read as a JSON array of its own.
func pairRows(p string) string {
	return `(SELECT pa.value AS a, pb.value AS b FROM json_each(` + p + `) pr, json_each(pr.value) pa, json_each(pr.value) pb
	WHERE pa.key = 0 AND pb.key = 1)`
}

// pairList passes pairs as one JSON array parameter, read with pairRows.
func pairList[T ~string](pairs [][2]T) string { return stringsJSON(pairs) }

// pageSize applies the default page size and returns the LIMIT to query
// with: one more than the page, to learn whether a next page exists.
func pageSize(top int) (int, int) {
	if top <= 0 {
		top = defaultTop
	}
	return top, top + 1
}

const defaultTop = 100
