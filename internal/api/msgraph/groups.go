package msgraph

import (
	"errors"
	"net/http"
	"net/url"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

type group = directory.Group

// groupProps is every Graph group property in Graph's order. The first
// groupDefaults are the default response; the rest only come when selected.
// What groupd does not keep is null (or an empty collection), as in Graph
// for a cloud-only group.
var groupProps = []prop[group]{
	{"id", func(e *enc, g *group) { e.str(string(g.ID)) }},
	{"deletedDateTime", func(e *enc, g *group) { e.timePtr(g.DeletedAt) }},
	{"classification", func(e *enc, g *group) { e.strOrNull(g.Classification) }},
	{"createdDateTime", func(e *enc, g *group) { e.time(g.CreatedAt) }},
	{"creationOptions", emptyList[group]},
	{"description", func(e *enc, g *group) { e.strOrNull(g.Description) }},
	{"displayName", func(e *enc, g *group) { e.strOrNull(g.DisplayName) }},
	{"expirationDateTime", func(e *enc, g *group) { e.timePtr(g.ExpirationAt) }},
	{"groupTypes", func(e *enc, g *group) { e.strs(g.GroupTypes) }},
	{"isAssignableToRole", func(e *enc, g *group) { e.boolean(g.IsAssignableToRole) }},
	{"mail", func(e *enc, g *group) { e.strOrNull(g.Mail) }},
	{"mailEnabled", func(e *enc, g *group) { e.boolean(g.MailEnabled) }},
	{"mailNickname", func(e *enc, g *group) { e.strOrNull(g.MailNickname) }},
	{"membershipRule", func(e *enc, g *group) { e.strOrNull(g.MembershipRule) }},
	{"membershipRuleProcessingState", func(e *enc, g *group) { e.strOrNull(g.MembershipRuleProcessingState) }},
	{"onPremisesDomainName", null[group]},
	{"onPremisesLastSyncDateTime", null[group]},
	{"onPremisesNetBiosName", null[group]},
	{"onPremisesSamAccountName", null[group]},
	{"onPremisesSecurityIdentifier", null[group]},
	{"onPremisesSyncEnabled", null[group]},
	{"preferredDataLocation", null[group]},
	{"preferredLanguage", null[group]},
	{"proxyAddresses", func(e *enc, g *group) { e.strs(g.ProxyAddresses) }},
	{"renewedDateTime", func(e *enc, g *group) { e.time(g.RenewedAt) }},
	{"resourceBehaviorOptions", emptyList[group]},
	{"resourceProvisioningOptions", emptyList[group]},
	{"securityEnabled", func(e *enc, g *group) { e.boolean(g.SecurityEnabled) }},
	{"securityIdentifier", func(e *enc, g *group) { e.strOrNull(g.SecurityIdentifier) }},
	{"theme", null[group]},
	{"visibility", func(e *enc, g *group) { e.strOrNull(g.Visibility) }},
	{"onPremisesProvisioningErrors", emptyList[group]},
	{"serviceProvisioningErrors", emptyList[group]},
	// Selectable only, as in Graph.
	{"allowExternalSenders", null[group]},
	{"assignedLabels", emptyList[group]},
	{"assignedLicenses", emptyList[group]},
	{"autoSubscribeNewMembers", null[group]},
	{"hasMembersWithLicenseErrors", null[group]},
	{"hideFromAddressLists", null[group]},
	{"hideFromOutlookClients", null[group]},
	{"isSubscribedByMail", null[group]},
	{"licenseProcessingState", null[group]},
	{"unseenCount", null[group]},
}

const groupDefaults = 33

var groupSchema = newSchema("microsoft.graph.group", groupDefaults, groupProps)

func null[T any](e *enc, _ *T)      { e.raw("null") }
func emptyList[T any](e *enc, _ *T) { e.raw("[]") }

// getGroup answers GET /groups/{id}, and GET /groups/$count, which the
// route table cannot tell apart from it.
func (a *api) getGroup(rq *request) error {
	if rq.param("id") == "$count" {
		return a.serveCount(rq, groupsList())
	}
	q, err := rq.odata(odata.GroupSchema, odata.EntityOptions, false)
	if err != nil {
		return err
	}
	g, err := a.dir.Group(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	return sendEntity(a, rq, q, groupSchema, &g, "groups", g.ID, directory.KindGroup)
}

func (a *api) listGroups(rq *request) error { return a.serveList(rq, groupsList()) }

func (a *api) createGroup(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	f, members, owners, err := groupBody(obj)
	if err != nil {
		return err
	}
	g, err := a.dir.CreateGroup(rq.ctx, rq.tenant, directory.GroupCreate{
		Fields: f, Members: members, Owners: owners, Policy: directory.Policy{},
	})
	if err != nil {
		return nicknameConflict(err)
	}
	rq.w.Header().Set("Location", rq.base+"/groups/"+string(g.ID))
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "groups", "", true)
	groupSchema.write(e, &g, nil)
	e.endObject()
	send(rq.w, http.StatusCreated, e)
	return nil
}

func (a *api) updateGroup(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	f, members, owners, err := groupBody(obj)
	if err != nil {
		return err
	}
	err = a.dir.UpdateGroup(rq.ctx, rq.tenant, rq.param("id"), directory.GroupUpdate{
		Fields: f, Members: members, Owners: owners, Policy: directory.Policy{},
	})
	if err != nil {
		return nicknameConflict(err)
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) deleteGroup(rq *request) error {
	if err := a.dir.DeleteGroup(rq.ctx, rq.tenant, rq.param("id")); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) groupMemberOf(rq *request) error {
	return a.memberOf(rq, directory.KindGroup, "/groups/")
}

// nicknameConflict names mailNickname when a group write collides on mail.
// Clients cannot set a group's mail here: it is derived from the
// mailNickname, so the nickname is what the client must change (and what
// Graph names). The SQLite store may report the mail index first when both
// collide.
func nicknameConflict(err error) error {
	var ce *directory.ConflictError
	if errors.As(err, &ce) && ce.Property == "mail" {
		return &directory.ConflictError{Property: "mailNickname", Value: ce.Value}
	}
	return err
}

// groupBody reads a create or update body. Properties Graph has but groupd
// does not let clients set are read-only; anything else is unknown.
func groupBody(obj httpx.Object) (f directory.GroupFields, members, owners []directory.MemberRef, err error) {
	b := bodyReader{resource: "Group"}
	for _, fl := range obj {
		if b.dup(fl.Name) {
			break
		}
		switch fl.Name {
		case "@odata.type":
			b.entityType(fl, "group")
		case "displayName":
			f.DisplayName = b.str(fl)
		case "description":
			f.Description = b.str(fl)
		case "mailNickname":
			f.MailNickname = b.str(fl)
		case "mailEnabled":
			f.MailEnabled = b.boolean(fl)
		case "securityEnabled":
			f.SecurityEnabled = b.boolean(fl)
		case "groupTypes":
			f.GroupTypes = b.strs(fl)
		case "visibility":
			f.Visibility = b.str(fl)
		case "classification":
			f.Classification = b.str(fl)
		case "membershipRule":
			f.MembershipRule = b.str(fl)
		case "membershipRuleProcessingState":
			f.MembershipRuleProcessingState = b.str(fl)
		case "isAssignableToRole":
			f.IsAssignableToRole = b.boolean(fl)
		case "members@odata.bind":
			members = b.refs(fl)
		case "owners@odata.bind":
			owners = b.refs(fl)
		default:
			b.fail(unwritableProperty(fl.Name, groupWritableUnkept, groupSchema.has(fl.Name)))
		}
		if b.err != nil {
			break
		}
	}
	return f, members, owners, b.err
}

// groupWritableUnkept are the group properties Graph lets clients write
// that groupd does not keep (reading them gives null), as userWritableUnkept.
var groupWritableUnkept = map[string]bool{
	"theme": true, "preferredLanguage": true, "preferredDataLocation": true,
}

// escapedParam is a path parameter as it may appear in a URL we write.
func escapedParam(rq *request, name string) string {
	return url.PathEscape(rq.param(name))
}
