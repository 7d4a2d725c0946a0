package aadgraph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// relation is a navigation property: the collection it hangs off, its
// name on the wire and the directory list that answers it.
type relation struct {
	coll   string // "groups" or "users"
	name   string // "members", "owners", "memberOf"
	src    directory.Source
	ofKind directory.ObjectKind // memberOf: the kind {id} must be
}

var (
	relMembers        = relation{"groups", "members", directory.SourceMembers, directory.KindAny}
	relOwners         = relation{"groups", "owners", directory.SourceOwners, directory.KindAny}
	relGroupMemberOf  = relation{"groups", "memberOf", directory.SourceMemberOf, directory.KindGroup}
	relUserMemberOf   = relation{"users", "memberOf", directory.SourceMemberOf, directory.KindUser}
	directoryFragment = "directoryObjects"
)

// navList answers GET /{coll}/{id}/{nav} (the objects) and, with links,
// GET /{coll}/{id}/$links/{nav} (their URLs), a page at a time.
func (a *api) navList(rel relation, links bool) handlerFunc {
	return func(rq *request) error {
		id := rq.param("id")
		scope := rel.coll + "/" + id + "/" + rel.name
		lq, err := a.parseList(rq, noFilter, scope)
		if err != nil {
			return err
		}
		page, err := a.dir.List(rq.ctx, rq.tenant, lq.pageQuery(rel.src, id), rel.ofKind)
		if err != nil {
			return err
		}
		path := rel.coll + "/" + url.PathEscape(id) + "/"
		if links {
			path += "$links/"
		}
		path += rel.name
		out := collection{NextLink: nextLink(path, scope, lq, page.Next)}
		if links {
			value := make([]link, len(page.Items))
			for i := range page.Items {
				value[i] = rq.objectLink(&page.Items[i])
			}
			out.Metadata, out.Value = rq.metadata(directoryFragment+"/$links/"+rel.name), value
		} else {
			value := make([]any, len(page.Items))
			for i := range page.Items {
				value[i] = entity(&page.Items[i])
			}
			out.Metadata, out.Value = rq.metadata(directoryFragment), value
		}
		return sendJSON(rq.w, http.StatusOK, out)
	}
}

// addLink answers POST /groups/{id}/$links/{members|owners} {"url": ...}.
func (a *api) addLink(rel relation) handlerFunc {
	return func(rq *request) error {
		ref, err := a.linkBody(rq)
		if err != nil {
			return err
		}
		g, err := a.writableGroup(rq, true)
		if err != nil {
			return err
		}
		if rel.name == "owners" {
			err = a.dir.AddOwners(rq.ctx, rq.tenant, string(g.ID), []directory.MemberRef{ref})
		} else {
			err = a.dir.AddMembers(rq.ctx, rq.tenant, string(g.ID), []directory.MemberRef{ref}, directory.Policy{})
		}
		if err != nil {
			return err
		}
		noContent(rq.w)
		return nil
	}
}

// linkBody reads the body of a link write, one {"url": ...}, and the
// object it names.
func (a *api) linkBody(rq *request) (directory.MemberRef, error) {
	if err := rq.noOptions(); err != nil {
		return directory.MemberRef{}, err
	}
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return directory.MemberRef{}, err
	}
	raw, ok := obj.Get("url")
	u, isStr := httpx.String(raw)
	if !ok || !isStr || len(obj) != 1 {
		return directory.MemberRef{}, badRequest(codeBadRequest, "The request body must be one link: {\"url\": \"<directory object URL>\"}.")
	}
	return a.parseLink(rq.ctx, rq.tenant, u)
}

// removeLink answers DELETE /groups/{id}/$links/{members|owners}/{ref}.
// 1.6 changes only pure security groups this way.
func (a *api) removeLink(rel relation) handlerFunc {
	return func(rq *request) error {
		if err := rq.noOptions(); err != nil {
			return err
		}
		g, err := a.writableGroup(rq, false)
		if err != nil {
			return err
		}
		if rel.name == "owners" {
			err = a.dir.RemoveOwner(rq.ctx, rq.tenant, string(g.ID), rq.param("ref"))
		} else {
			err = a.dir.RemoveMember(rq.ctx, rq.tenant, string(g.ID), rq.param("ref"))
		}
		if err != nil {
			return err
		}
		noContent(rq.w)
		return nil
	}
}

// parseLink reads the URL of a link body: any host, a path ending in
// /{tenant}/directoryObjects/{id} (or /users/{id}, /groups/{id}, or a
// link list's /directoryObjects/{id}/Microsoft.DirectoryServices.User).
// The tenant segment, when present, must name the caller's tenant.
func (a *api) parseLink(ctx context.Context, tenant directory.TenantID, raw string) (directory.MemberRef, error) {
	bad := badRequest(codeBadRequest, "The link URL '%s' does not name a directory object; use <base>/{tenant}/directoryObjects/{objectId}.", raw)
	kind, id, ok := httpx.ParseRef(raw)
	if !ok {
		return directory.MemberRef{}, bad
	}
	oid, ok := directory.ParseObjectID(id)
	if !ok {
		return directory.MemberRef{}, badRequest(codeBadRequest, "Invalid object identifier '%s'.", id)
	}
	u, _ := url.Parse(strings.TrimSpace(raw)) // ParseRef parsed it already
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	at := -1
	for i, s := range segs {
		if s == id && i > 0 {
			at = i - 1 // the collection
		}
	}
	if at >= 1 && TenantShaped(segs[at-1]) {
		err := a.matchTenant(ctx, segs[at-1], tenant)
		var ae *apiError
		if errors.As(err, &ae) {
			return directory.MemberRef{}, badRequest(codeBadRequest,
				"The link URL '%s' names another tenant; objects of other tenants cannot be referenced.", raw)
		}
		if err != nil {
			return directory.MemberRef{}, err
		}
	}
	return directory.MemberRef{ID: oid, Kind: kind}, nil
}
