package postgres

import (
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"groupd/internal/directory"
)

// fold is the domain's case folding; the *_key columns hold its result.
// PostgreSQL's lower() depends on the database's locale, so the folding is
// done here, as on SQLite.
func fold(s string) string { return strings.ToLower(s) }

// list stores nil as an empty array: the columns are NOT NULL.
func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// unlist reads an empty array back as nil, as the SQLite engine does.
func unlist(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

// timeOrNull stores the zero time as NULL so "not set" survives.
func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func fromTS(v pgtype.Timestamptz) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return v.Time.UTC()
}

func fromTSPtr(v pgtype.Timestamptz) *time.Time {
	if !v.Valid {
		return nil
	}
	t := v.Time.UTC()
	return &t
}

func ids(list []directory.ObjectID) []string {
	out := make([]string, len(list))
	for i, id := range list {
		out[i] = string(id)
	}
	return out
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
	id, tenant, displayName, givenName, surname, upn, mailNickname, mail pgtype.Text
	jobTitle, department, officeLocation, mobilePhone, preferredLanguage pgtype.Text
	sam, passwordHash, userType, managerID                               pgtype.Text
	businessPhones, otherMails                                           []string
	accountEnabled, isAdmin                                              pgtype.Bool
	createdAt, deletedAt                                                 pgtype.Timestamptz
}

func (r *userRow) dest() []any {
	return []any{&r.id, &r.tenant, &r.displayName, &r.givenName, &r.surname,
		&r.upn, &r.mailNickname, &r.mail, &r.accountEnabled, &r.jobTitle,
		&r.department, &r.officeLocation, &r.mobilePhone, &r.preferredLanguage,
		&r.businessPhones, &r.otherMails, &r.sam, &r.passwordHash,
		&r.isAdmin, &r.createdAt, &r.deletedAt, &r.userType, &r.managerID}
}

func (r *userRow) user() directory.User {
	return directory.User{
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
		BusinessPhones:           unlist(r.businessPhones),
		OtherMails:               unlist(r.otherMails),
		OnPremisesSamAccountName: r.sam.String,
		PasswordHash:             r.passwordHash.String,
		IsAdmin:                  r.isAdmin.Bool,
		UserType:                 r.userType.String,
		ManagerID:                directory.ObjectID(r.managerID.String),
		CreatedAt:                fromTS(r.createdAt),
		DeletedAt:                fromTSPtr(r.deletedAt),
	}
}

// groupCols must stay in the order of groupRow.dest.
const groupCols = `g.id, g.tenant_id, g.display_name, g.description, g.mail_nickname,
	g.mail_enabled, g.security_enabled, g.group_types, g.visibility, g.classification,
	g.mail, g.proxy_addresses, g.membership_rule, g.membership_rule_processing_state,
	g.is_assignable_to_role, g.security_identifier, g.created_at, g.renewed_at,
	g.expiration_at, g.deleted_at`

type groupRow struct {
	id, tenant, displayName, description, mailNickname      pgtype.Text
	visibility, classification, mail                        pgtype.Text
	membershipRule, membershipRuleState, securityIdentifier pgtype.Text
	groupTypes, proxyAddresses                              []string
	mailEnabled, securityEnabled, isAssignableToRole        pgtype.Bool
	createdAt, renewedAt, expirationAt, deletedAt           pgtype.Timestamptz
}

func (r *groupRow) dest() []any {
	return []any{&r.id, &r.tenant, &r.displayName, &r.description, &r.mailNickname,
		&r.mailEnabled, &r.securityEnabled, &r.groupTypes, &r.visibility, &r.classification,
		&r.mail, &r.proxyAddresses, &r.membershipRule, &r.membershipRuleState,
		&r.isAssignableToRole, &r.securityIdentifier, &r.createdAt, &r.renewedAt,
		&r.expirationAt, &r.deletedAt}
}

func (r *groupRow) group() directory.Group {
	return directory.Group{
		ID:                            directory.ObjectID(r.id.String),
		TenantID:                      directory.TenantID(r.tenant.String),
		DisplayName:                   r.displayName.String,
		Description:                   r.description.String,
		MailNickname:                  r.mailNickname.String,
		MailEnabled:                   r.mailEnabled.Bool,
		SecurityEnabled:               r.securityEnabled.Bool,
		GroupTypes:                    unlist(r.groupTypes),
		Visibility:                    r.visibility.String,
		Classification:                r.classification.String,
		Mail:                          r.mail.String,
		ProxyAddresses:                unlist(r.proxyAddresses),
		MembershipRule:                r.membershipRule.String,
		MembershipRuleProcessingState: r.membershipRuleState.String,
		IsAssignableToRole:            r.isAssignableToRole.Bool,
		SecurityIdentifier:            r.securityIdentifier.String,
		CreatedAt:                     fromTS(r.createdAt),
		RenewedAt:                     fromTS(r.renewedAt),
		ExpirationAt:                  fromTSPtr(r.expirationAt),
		DeletedAt:                     fromTSPtr(r.deletedAt),
	}
}

// objectRow scans userCols then groupCols, as the LEFT JOIN queries of
// mixed objects select them; exactly one side is non-NULL.
type objectRow struct {
	u userRow
	g groupRow
}

func (r *objectRow) dest() []any { return append(r.u.dest(), r.g.dest()...) }

func (r *objectRow) object() directory.Object {
	if r.u.id.Valid {
		u := r.u.user()
		return directory.Object{User: &u}
	}
	g := r.g.group()
	return directory.Object{Group: &g}
}

// pageSize applies the default page size and returns the LIMIT to query
// with: one more than the page, to learn whether a next page exists.
func pageSize(top int) (int, int) {
	if top <= 0 {
		top = defaultTop
	}
	return top, top + 1
}

const defaultTop = 100
