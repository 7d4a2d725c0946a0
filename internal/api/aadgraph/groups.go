package aadgraph

import (
	"net/http"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// Metadata fragments and the relative path odata.nextLink names for the
// next page of groups.
const (
	groupSetFragment = "directoryObjects/" + typeGroup
	groupElement     = groupSetFragment + "/@Element"
	groupsNextPath   = "directoryObjects/$/" + typeGroup
)

// noOptions refuses every OData system query option: entity reads and
// writes take none, and ignoring one would answer another question.
func (rq *request) noOptions() error {
	for k := range rq.query {
		if strings.HasPrefix(k, "$") {
			return badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
		}
	}
	return nil
}

func (a *api) listGroups(rq *request) error {
	if rq.isDifferential() {
		return a.differential(rq, directory.KindGroup, "groups", "")
	}
	lq, err := a.parseList(rq, groupSchema, "groups")
	if err != nil {
		return err
	}
	page, err := a.dir.List(rq.ctx, rq.tenant, lq.pageQuery(directory.SourceGroups, ""), directory.KindAny)
	if err != nil {
		return err
	}
	items := make([]groupEntity, 0, len(page.Items))
	for i := range page.Items {
		if g := page.Items[i].Group; g != nil {
			items = append(items, newGroupEntity(g))
		}
	}
	return sendJSON(rq.w, http.StatusOK, collection{Metadata: rq.metadata(groupSetFragment), Value: items,
		NextLink: nextLink(groupsNextPath, "groups", lq, page.Next)})
}

func (a *api) getGroup(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	g, err := a.dir.Group(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	out := newGroupEntity(&g)
	out.Metadata = rq.metadata(groupElement)
	return sendJSON(rq.w, http.StatusOK, out)
}

// groupBody reads a create or update body. Only the writable properties
// groupd keeps are accepted; read-only ones, unknown ones and the
// properties 1.6 lacks (groupTypes, so no Microsoft 365 groups) are
// refused, as is mail enablement.
func groupBody(obj httpx.Object) (directory.GroupFields, error) {
	var f directory.GroupFields
	invalid := func(name string) error {
		return badRequest(codeBadRequest, "Invalid value specified for property '%s' of resource 'Group'.", name)
	}
	for _, fl := range obj {
		v := fl.Value
		switch fl.Name {
		case "displayName", "mailNickname":
			s, ok := httpx.String(v)
			if !ok {
				return f, invalid(fl.Name)
			}
			if fl.Name == "displayName" {
				f.DisplayName = &s
			} else {
				f.MailNickname = &s
			}
		case "description":
			s, ok := httpx.String(v)
			if !ok && !httpx.IsNull(v) {
				return f, invalid(fl.Name)
			}
			f.Description = &s
		case "mailEnabled":
			b, ok := httpx.Bool(v)
			if !ok {
				return f, invalid(fl.Name)
			}
			if b {
				return f, mailEnabledWrite()
			}
			f.MailEnabled = &b
		case "securityEnabled":
			b, ok := httpx.Bool(v)
			if !ok || !b {
				return f, invalid(fl.Name)
			}
			f.SecurityEnabled = &b
		case "odata.type":
			if s, ok := httpx.String(v); !ok || s != typeGroup {
				return f, invalid(fl.Name)
			}
		case "objectType", "objectId", "deletionTimestamp", "dirSyncEnabled", "lastDirSyncTime", "mail",
			"onPremisesSecurityIdentifier", "provisioningErrors", "proxyAddresses":
			return f, badRequest(codeBadRequest, "Property '%s' is read-only and cannot be set.", fl.Name)
		case "preferredLanguage", "theme":
			return f, badRequest(codeBadRequest, "Property '%s' is not supported by this service.", fl.Name)
		default:
			return f, unknownProperty(fl.Name, "Group")
		}
	}
	return f, nil
}

// createGroup creates a security group; 1.6 creates no other kind.
func (a *api) createGroup(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	f, err := groupBody(obj)
	if err != nil {
		return err
	}
	g, err := a.dir.CreateGroup(rq.ctx, rq.tenant, directory.GroupCreate{Fields: f})
	if err != nil {
		return err
	}
	rq.w.Header().Set("Location", httpx.Origin(rq.r)+"/v1.0/groups/"+string(g.ID))
	out := newGroupEntity(&g)
	out.Metadata = rq.metadata(groupElement)
	return sendJSON(rq.w, http.StatusCreated, out)
}

// writableGroup loads the group a write addresses. 1.6 writes security
// groups only; mailSecurityToo also admits mail-enabled security groups
// (updates and added members).
func (a *api) writableGroup(rq *request, mailSecurityToo bool) (directory.Group, error) {
	g, err := a.dir.Group(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return g, err
	}
	switch {
	case !g.SecurityEnabled || g.IsUnified():
		return g, mailEnabledWrite()
	case g.MailEnabled && !mailSecurityToo:
		return g, mailEnabledWrite()
	}
	return g, nil
}

func (a *api) updateGroup(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	f, err := groupBody(obj)
	if err != nil {
		return err
	}
	g, err := a.writableGroup(rq, true)
	if err != nil {
		return err
	}
	if f.MailEnabled != nil && *f.MailEnabled != g.MailEnabled {
		// A mail-enabled security group stays one.
		return mailEnabledWrite()
	}
	if err := a.dir.UpdateGroup(rq.ctx, rq.tenant, string(g.ID), directory.GroupUpdate{Fields: f}); err != nil {
		return err
	}
	noContent(rq.w)
	return nil
}

func (a *api) deleteGroup(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	g, err := a.writableGroup(rq, false)
	if err != nil {
		return err
	}
	if err := a.dir.DeleteGroup(rq.ctx, rq.tenant, string(g.ID)); err != nil {
		return err
	}
	noContent(rq.w)
	return nil
}
