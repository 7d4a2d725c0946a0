package msgraph

import (
	"strings"

	"groupd/internal/directory"
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

func (a *api) ofType(rq *request, src directory.Source, rel string, count bool) error {
	kind, ok := castKind(rq.param("cast"))
	if !ok {
		return badRequest(codeBadRequest, "Resource not found for the segment '%s'.", rq.param("cast"))
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
