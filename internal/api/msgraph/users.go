package msgraph

import (
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

type user = directory.User

// userProps lists user properties: Graph's default set in Graph's order
// first, then what $select may add. Properties groupd does not keep are
// null or empty, as for a cloud-only user without a mailbox.
var userProps = []prop[user]{
	{"businessPhones", func(e *enc, u *user) { e.strs(u.BusinessPhones) }},
	{"displayName", func(e *enc, u *user) { e.strOrNull(u.DisplayName) }},
	{"givenName", func(e *enc, u *user) { e.strOrNull(u.GivenName) }},
	{"jobTitle", func(e *enc, u *user) { e.strOrNull(u.JobTitle) }},
	{"mail", func(e *enc, u *user) { e.strOrNull(u.Mail) }},
	{"mobilePhone", func(e *enc, u *user) { e.strOrNull(u.MobilePhone) }},
	{"officeLocation", func(e *enc, u *user) { e.strOrNull(u.OfficeLocation) }},
	{"preferredLanguage", func(e *enc, u *user) { e.strOrNull(u.PreferredLanguage) }},
	{"surname", func(e *enc, u *user) { e.strOrNull(u.Surname) }},
	{"userPrincipalName", func(e *enc, u *user) { e.strOrNull(u.UserPrincipalName) }},
	{"id", func(e *enc, u *user) { e.str(string(u.ID)) }},
	// Selectable only.
	{"accountEnabled", func(e *enc, u *user) { e.boolean(u.AccountEnabled) }},
	{"ageGroup", null[user]},
	{"assignedLicenses", emptyList[user]},
	{"assignedPlans", emptyList[user]},
	{"city", null[user]},
	{"companyName", null[user]},
	{"consentProvidedForMinor", null[user]},
	{"country", null[user]},
	{"createdDateTime", func(e *enc, u *user) { e.time(u.CreatedAt) }},
	{"creationType", null[user]},
	{"deletedDateTime", func(e *enc, u *user) { e.timePtr(u.DeletedAt) }},
	{"department", func(e *enc, u *user) { e.strOrNull(u.Department) }},
	{"employeeHireDate", null[user]},
	{"employeeId", null[user]},
	{"employeeLeaveDateTime", null[user]},
	{"employeeType", null[user]},
	{"externalUserState", null[user]},
	{"externalUserStateChangeDateTime", null[user]},
	{"faxNumber", null[user]},
	{"identities", emptyList[user]},
	{"imAddresses", emptyList[user]},
	{"isResourceAccount", null[user]},
	{"lastPasswordChangeDateTime", null[user]},
	{"legalAgeGroupClassification", null[user]},
	{"mailNickname", func(e *enc, u *user) { e.strOrNull(u.MailNickname) }},
	{"onPremisesDistinguishedName", null[user]},
	{"onPremisesDomainName", null[user]},
	{"onPremisesImmutableId", null[user]},
	{"onPremisesLastSyncDateTime", null[user]},
	{"onPremisesProvisioningErrors", emptyList[user]},
	{"onPremisesSamAccountName", func(e *enc, u *user) { e.strOrNull(u.OnPremisesSamAccountName) }},
	{"onPremisesSecurityIdentifier", null[user]},
	{"onPremisesSyncEnabled", null[user]},
	{"onPremisesUserPrincipalName", null[user]},
	{"otherMails", func(e *enc, u *user) { e.strs(u.OtherMails) }},
	{"passwordPolicies", null[user]},
	{"passwordProfile", null[user]}, // write-only: never returned
	{"postalCode", null[user]},
	{"preferredDataLocation", null[user]},
	{"preferredName", null[user]},
	{"provisionedPlans", emptyList[user]},
	{"proxyAddresses", emptyList[user]},
	{"securityIdentifier", null[user]},
	{"showInAddressList", null[user]},
	{"signInSessionsValidFromDateTime", null[user]},
	{"state", null[user]},
	{"streetAddress", null[user]},
	{"usageLocation", null[user]},
	{"userType", func(e *enc, u *user) { e.str(userType(u.UserType)) }},
}

const userDefaults = 11

var userSchema = newSchema("microsoft.graph.user", userDefaults, userProps)

// getUser answers GET /users/{id}, and GET /users/$count, which the route
// table cannot tell apart from it.
func (a *api) getUser(rq *request) error {
	if rq.param("id") == "$count" {
		return a.serveCount(rq, usersList())
	}
	q, err := rq.odata(odata.UserSchema, odata.EntityOptions, false)
	if err != nil {
		return err
	}
	u, err := a.dir.User(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	return sendEntity(a, rq, q, userSchema, &u, "users", u.ID, directory.KindUser)
}

func (a *api) listUsers(rq *request) error { return a.serveList(rq, usersList()) }

func (a *api) createUser(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	f, err := userBody(obj)
	if err != nil {
		return err
	}
	u, err := a.dir.CreateUser(rq.ctx, rq.tenant, f, directory.Policy{})
	if err != nil {
		return err
	}
	rq.w.Header().Set("Location", rq.base+"/users/"+string(u.ID))
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "users", "", true)
	userSchema.write(e, &u, nil)
	e.endObject()
	send(rq.w, http.StatusCreated, e)
	return nil
}

func (a *api) updateUser(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	f, err := userBody(obj)
	if err != nil {
		return err
	}
	if _, err := a.dir.UpdateUser(rq.ctx, rq.tenant, rq.param("id"), f); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) deleteUser(rq *request) error {
	if err := a.dir.DeleteUser(rq.ctx, rq.tenant, rq.param("id")); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) userMemberOf(rq *request) error {
	return a.memberOf(rq, directory.KindUser, "/users/")
}

// userBody reads a create or update body; like groupBody, properties Graph
// has but groupd does not let clients set are read-only.
func userBody(obj httpx.Object) (directory.UserFields, error) {
	var f directory.UserFields
	b := bodyReader{resource: "User"}
	for _, fl := range obj {
		if b.dup(fl.Name) {
			break
		}
		switch fl.Name {
		case "@odata.type":
			b.entityType(fl, "user")
		case "accountEnabled":
			f.AccountEnabled = b.boolean(fl)
		case "displayName":
			f.DisplayName = b.str(fl)
		case "givenName":
			f.GivenName = b.str(fl)
		case "surname":
			f.Surname = b.str(fl)
		case "userPrincipalName":
			f.UserPrincipalName = b.str(fl)
		case "mailNickname":
			f.MailNickname = b.str(fl)
		case "mail":
			f.Mail = b.str(fl)
		case "jobTitle":
			f.JobTitle = b.str(fl)
		case "department":
			f.Department = b.str(fl)
		case "officeLocation":
			f.OfficeLocation = b.str(fl)
		case "mobilePhone":
			f.MobilePhone = b.str(fl)
		case "preferredLanguage":
			f.PreferredLanguage = b.str(fl)
		case "businessPhones":
			f.BusinessPhones = b.strs(fl)
		case "otherMails":
			f.OtherMails = b.strs(fl)
		case "passwordProfile":
			f.Password = b.password(fl)
		case "userType":
			f.UserType = b.str(fl)
		default:
			b.fail(unwritableProperty(fl.Name, userWritableUnkept, userSchema.has(fl.Name)))
		}
		if b.err != nil {
			break
		}
	}
	return f, b.err
}

// userWritableUnkept are the user properties Graph lets clients write that
// groupd does not keep (reading them gives null or []).
var userWritableUnkept = map[string]bool{
	"ageGroup": true, "city": true, "companyName": true, "consentProvidedForMinor": true, "country": true,
	"employeeHireDate": true, "employeeId": true, "employeeLeaveDateTime": true, "employeeType": true,
	"faxNumber": true, "identities": true, "onPremisesImmutableId": true, "passwordPolicies": true,
	"postalCode": true, "preferredDataLocation": true, "showInAddressList": true, "state": true,
	"streetAddress": true, "usageLocation": true,
}

// password reads passwordProfile {password, forceChangePasswordNextSignIn…};
// groupd has no sign-in flow that could force a change, so the flags are
// accepted and not kept.
func (b *bodyReader) password(fl httpx.Field) *string {
	obj, err := httpx.ParseObject(fl.Value)
	if err != nil {
		b.fail(invalidValue(fl.Name, b.resource))
		return nil
	}
	var pw *string
	for _, f := range obj {
		switch f.Name {
		case "@odata.type":
		case "password":
			if s, ok := httpx.String(f.Value); ok {
				pw = &s
			} else if !httpx.IsNull(f.Value) {
				b.fail(invalidValue("passwordProfile", b.resource))
			}
		case "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa":
			if _, ok := httpx.Bool(f.Value); !ok && !httpx.IsNull(f.Value) {
				b.fail(invalidValue("passwordProfile", b.resource))
			}
		default:
			b.fail(invalidProperty(f.Name))
		}
	}
	return pw
}

// userType is the wire value of a stored user type; a user read before
// types were kept is a member.
func userType(t string) string {
	if t == "" {
		return directory.UserTypeMember
	}
	return t
}
