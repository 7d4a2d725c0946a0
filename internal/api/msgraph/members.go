package msgraph

import (
	"context"
	"net/http"

	"groupd/internal/directory"
)

// listMembers answers GET /groups/{id}/members: a page of direct members,
// each item typed with @odata.type.
func (a *api) listMembers(rq *request) error {
	return a.relationList(rq, "members", a.dir.Members)
}

// addMember answers POST /groups/{id}/members/$ref.
func (a *api) addMember(rq *request) error {
	ref, err := refBody(rq)
	if err != nil {
		return err
	}
	if err := a.dir.AddMembers(rq.ctx, rq.tenant, rq.param("id"), []directory.MemberRef{ref}, directory.Policy{}); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeMember answers DELETE /groups/{id}/members/{ref}/$ref; removing a
// non-member is not found.
func (a *api) removeMember(rq *request) error {
	if err := a.dir.RemoveMember(rq.ctx, rq.tenant, rq.param("id"), rq.param("ref")); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

type objectLister func(ctx context.Context, tenant directory.TenantID, key string, page directory.PageRequest) (directory.Page[directory.Object], error)

// relationList writes one page of a group relationship of mixed type.
func (a *api) relationList(rq *request, rel string, list objectLister) error {
	sel, err := resolveSelect(rq.q.selRaw, objectTypeName, userSchema.lookup, groupSchema.lookup)
	if err != nil {
		return err
	}
	id := rq.param("id")
	page, err := list(rq.ctx, rq.tenant, id, rq.q.page())
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "directoryObjects", sel.proj(""), false)
	if page.Next != "" {
		e.key("@odata.nextLink")
		e.str(nextLink(rq.base, "/groups/"+escapedParam(rq, "id")+"/"+rel, rq.r.URL.RawQuery, page.Next))
	}
	e.key("value")
	writeObjects(e, page.Items, indexes(userSchema, sel), indexes(groupSchema, sel))
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// memberOf writes one page of the groups a user or group is a direct
// member of; prefix is the collection of the path ("/users/").
func (a *api) memberOf(rq *request, kind directory.ObjectKind, prefix string) error {
	sel, err := resolveSelect(rq.q.selRaw, objectTypeName, userSchema.lookup, groupSchema.lookup)
	if err != nil {
		return err
	}
	page, err := a.dir.MemberOf(rq.ctx, rq.tenant, rq.param("id"), kind, rq.q.page())
	if err != nil {
		return err
	}
	idx := indexes(groupSchema, sel)
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "directoryObjects", sel.proj(""), false)
	if page.Next != "" {
		e.key("@odata.nextLink")
		e.str(nextLink(rq.base, prefix+escapedParam(rq, "id")+"/memberOf", rq.r.URL.RawQuery, page.Next))
	}
	e.key("value")
	e.beginArray()
	for i := range page.Items {
		e.beginObject()
		e.key("@odata.type")
		e.str(groupSchema.odata)
		groupSchema.write(e, &page.Items[i], idx)
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}
