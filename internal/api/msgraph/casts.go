package msgraph

import (
	"net/http"
	"strings"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// Handlers of the relationship paths below a collection segment: type
// casts (/members/microsoft.graph.user) and /members/$count.

// castSegment is the route pattern of a type-cast segment. Graph takes
// the namespace whole or by its alias, graph.user, which is how Graph's
// SDKs write it.
const castSegment = "{cast:(?:microsoft\\.)?graph\\.[a-zA-Z]+}"

// castKind reads a type-cast segment; Graph accepts these two on
// relationships of directory objects.
func castKind(seg string) (directory.ObjectKind, bool) {
	switch strings.TrimPrefix(seg, "microsoft.") {
	case "graph.user":
		return directory.KindUser, true
	case "graph.group":
		return directory.KindGroup, true
	}
	return directory.KindAny, false
}

// heldNowhere are the directory object types Graph casts relationships
// to that groupd keeps none of, with the entity set a context names: a
// cast to one lists nothing, as Graph does for a user in no role.
var heldNowhere = map[string]string{
	"directoryRole": "directoryRoles", "administrativeUnit": "administrativeUnits", "device": "devices",
	"servicePrincipal": "servicePrincipals", "orgContact": "contacts", "application": "applications",
}

// castOrNone resolves the request's cast segment to the kind it lists.
// For a type in heldNowhere it answers the empty list (or the count 0)
// itself, once owner (the object the path names, nil for none) exists,
// and done is set.
func (a *api) castOrNone(rq *request, count bool, owner func() error) (kind directory.ObjectKind, done bool, err error) {
	seg := rq.param("cast")
	if k, ok := castKind(seg); ok {
		return k, false, nil
	}
	set, ok := heldNowhere[strings.TrimPrefix(strings.TrimPrefix(seg, "microsoft."), "graph.")]
	if !ok {
		return "", false, badRequest(codeBadRequest, "Resource not found for the segment '%s'.", seg)
	}
	if owner != nil {
		if err := owner(); err != nil {
			return "", false, err
		}
	}
	if count {
		if _, err := rq.odata(odata.DirectoryObjectSchema, odata.CountOptions, true); err != nil {
			return "", false, err
		}
		sendText(rq.w, "0")
		return "", true, nil
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, set, "", false)
	e.key("value")
	e.beginArray()
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return "", true, nil
}

func (a *api) ofType(rq *request, src directory.Source, rel string, count bool) error {
	kind, done, err := a.castOrNone(rq, count, func() error {
		_, err := a.dir.Group(rq.ctx, rq.tenant, rq.param("id"))
		return err
	})
	if done || err != nil {
		return err
	}
	l := relationList(src, rel, rq, kind)
	if count {
		return a.serveCount(rq, l)
	}
	return a.serveList(rq, l)
}

// countMembers answers GET /groups/{id}/members/$count.
func (a *api) countMembers(rq *request) error {
	return a.serveCount(rq, relationList(directory.SourceMembers, "members", rq, directory.KindAny))
}

// listMembersOfType answers GET /groups/{id}/members/microsoft.graph.user
// (or .group): the cast filters inside the store query, so pages stay full.
func (a *api) listMembersOfType(rq *request) error {
	return a.ofType(rq, directory.SourceMembers, "members", false)
}

// countMembersOfType answers GET /groups/{id}/members/microsoft.graph.user/$count.
func (a *api) countMembersOfType(rq *request) error {
	return a.ofType(rq, directory.SourceMembers, "members", true)
}

// countOwners answers GET /groups/{id}/owners/$count.
func (a *api) countOwners(rq *request) error {
	return a.serveCount(rq, relationList(directory.SourceOwners, "owners", rq, directory.KindAny))
}

// countOwnersOfType answers GET /groups/{id}/owners/microsoft.graph.user/$count.
func (a *api) countOwnersOfType(rq *request) error {
	return a.ofType(rq, directory.SourceOwners, "owners", true)
}

// listOwnersOfType answers GET /groups/{id}/owners/microsoft.graph.user.
func (a *api) listOwnersOfType(rq *request) error {
	return a.ofType(rq, directory.SourceOwners, "owners", false)
}
