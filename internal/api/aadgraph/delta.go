package aadgraph

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// Azure AD Graph's differential query: a list of users or groups asked
// with a deltaLink parameter (empty to start) answers the objects that
// changed since the token, in pages that end in aad.nextLink until the
// last, which ends in aad.deltaLink. It runs on the same change log as
// Microsoft Graph's delta (directory.Delta): a first call lists every
// object, later calls what changed. Deleted objects come as
// {"objectId", "aad.isDeleted": true}; a group's membership changes follow
// it as DirectoryLinkChange objects. directoryObjects takes one type at a
// time, named by $filter=isof('…').

// typeLinkChange is the type of a membership change.
const typeLinkChange = "Microsoft.DirectoryServices.DirectoryLinkChange"

// deletedEntity is an object removed since the token.
type deletedEntity struct {
	Type       string `json:"odata.type"`
	ObjectType string `json:"objectType"`
	ObjectID   string `json:"objectId"`
	IsDeleted  bool   `json:"aad.isDeleted"`
}

// linkChange is a member added to or removed from a group.
type linkChange struct {
	Type             string `json:"odata.type"`
	ObjectType       string `json:"objectType"`
	AssociationType  string `json:"associationType"`
	SourceObjectID   string `json:"sourceObjectId"`
	SourceObjectType string `json:"sourceObjectType"`
	SourceObjectURI  string `json:"sourceObjectUri"`
	TargetObjectID   string `json:"targetObjectId"`
	TargetObjectType string `json:"targetObjectType"`
	TargetObjectURI  string `json:"targetObjectUri"`
	IsDeleted        bool   `json:"aad.isDeleted,omitempty"`
}

// deltaCollection is one page of a differential query.
type deltaCollection struct {
	Metadata  string `json:"odata.metadata"`
	NextLink  string `json:"aad.nextLink,omitempty"`
	DeltaLink string `json:"aad.deltaLink,omitempty"`
	Value     []any  `json:"value"`
}

// isDifferential reports whether a list request is a differential query.
func (rq *request) isDifferential() bool {
	_, ok := rq.query["deltaLink"]
	return ok
}

// isofFilters are the $filter values directoryObjects takes with
// deltaLink, and the kind each names.
var isofFilters = map[string]directory.ObjectKind{
	"isof('" + typeUser + "')":  directory.KindUser,
	"isof('" + typeGroup + "')": directory.KindGroup,
}

// listDirectoryObjects answers GET /directoryObjects, which groupd serves
// as a differential query of one type.
func (a *api) listDirectoryObjects(rq *request) error {
	if !rq.isDifferential() {
		return badRequest(codeUnsupportedQuery, "groupd lists directoryObjects only as a differential query (deltaLink=): list /users or /groups instead.")
	}
	kind, ok := isofFilters[strings.TrimSpace(rq.query.Get("$filter"))]
	if !ok {
		return badRequest(codeUnsupportedQuery, "A differential query of directoryObjects needs $filter=isof('%s') or isof('%s'): groupd tracks users and groups apart.", typeUser, typeGroup)
	}
	need := auth.NeedUserRead
	if kind == directory.KindGroup {
		need = auth.NeedGroupRead
	}
	if !auth.Allowed(rq.ctx, need) {
		return denied()
	}
	return a.differential(rq, kind, "directoryObjects", "&$filter="+url.QueryEscape("isof('"+typeOf(kind)+"')"))
}

func typeOf(kind directory.ObjectKind) string {
	switch kind {
	case directory.KindGroup:
		return typeGroup
	case directory.KindServicePrincipal:
		return typeSP
	}
	return typeUser
}

// differential answers one page of a differential query of kind, whose
// links name path and carry extra (the $filter of directoryObjects).
func (a *api) differential(rq *request, kind directory.ObjectKind, path, extra string) error {
	for k := range rq.query {
		if strings.HasPrefix(k, "$") && !(path == "directoryObjects" && k == "$filter") {
			return badRequest(codeUnsupportedQuery, "The query option '%s' is not supported with deltaLink.", k)
		}
	}
	page, err := a.dir.Delta(rq.ctx, rq.tenant, directory.DeltaRequest{Kind: kind, Token: rq.query.Get("deltaLink")})
	var ie *directory.InvalidTokenError
	var re *directory.ResyncError
	switch {
	case errors.As(err, &ie):
		return badRequest(codeBadRequest, "The deltaLink is not valid: it was %s.", ie.Reason)
	case errors.As(err, &re):
		return badRequest(codeBadRequest, "The deltaLink has expired: the changes it follows are no longer kept. Start again with an empty deltaLink.")
	case err != nil:
		return err
	}
	out := deltaCollection{Metadata: rq.metadata("directoryObjects"), Value: []any{}}
	link := rq.base + "/" + path + "?deltaLink="
	if page.Next != "" {
		out.NextLink = link + url.QueryEscape(page.Next) + extra
	} else {
		out.DeltaLink = link + url.QueryEscape(page.Delta) + extra
	}
	for _, it := range page.Items {
		switch {
		case it.Removed != "":
			out.Value = append(out.Value, deletedEntity{Type: typeOf(kind), ObjectType: objectType(kind),
				ObjectID: string(it.ID), IsDeleted: true})
		case it.Object.User != nil:
			out.Value = append(out.Value, newUserEntity(it.Object.User))
		case it.Object.Group != nil:
			out.Value = append(out.Value, newGroupEntity(it.Object.Group))
			for _, m := range it.Members {
				out.Value = append(out.Value, rq.linkChange(it.ID, m))
			}
		}
	}
	return sendJSON(rq.w, http.StatusOK, out)
}

// objectType is the objectType property of kind's entities.
func objectType(kind directory.ObjectKind) string {
	if kind == directory.KindGroup {
		return "Group"
	}
	return "User"
}

// linkChange describes a membership change of group.
func (rq *request) linkChange(group directory.ObjectID, m directory.MemberDelta) linkChange {
	set := "users"
	if m.Ref.Kind == directory.KindGroup {
		set = "groups"
	}
	return linkChange{Type: typeLinkChange, ObjectType: "DirectoryLinkChange", AssociationType: "Member",
		SourceObjectID: string(group), SourceObjectType: "Group", SourceObjectURI: rq.base + "/groups/" + string(group),
		TargetObjectID: string(m.Ref.ID), TargetObjectType: objectType(m.Ref.Kind),
		TargetObjectURI: rq.base + "/" + set + "/" + string(m.Ref.ID), IsDeleted: m.Removed}
}
