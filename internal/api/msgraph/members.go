package msgraph

import (
	"net/http"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

// listMembers answers GET /groups/{id}/members: a page of direct members,
// each item typed with @odata.type.
func (a *api) listMembers(rq *request) error {
	return a.serveList(rq, relationList(directory.SourceMembers, "members", rq, directory.KindAny))
}

// listRefs answers GET /groups/{id}/members/$ref and …/owners/$ref: the
// relationship as entity references, as the SDKs' Members().Ref().Get()
// asks for it.
func (a *api) listRefs(src directory.Source, rel string) handlerFunc {
	return func(rq *request) error {
		l := relationList(src, rel, rq, directory.KindAny)
		l.refs, l.path = true, l.path+"/$ref"
		return a.serveList(rq, l)
	}
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

// relationList lists a group relationship of mixed type; cast narrows it
// to users or groups (/members/microsoft.graph.user), validated against
// that type's schema.
func relationList(src directory.Source, rel string, rq *request, cast directory.ObjectKind) list {
	l := list{src: src, schema: odata.DirectoryObjectSchema, kind: cast, set: "directoryObjects", typed: true,
		path: "/groups/" + escapedParam(rq, "id") + "/" + rel}
	switch cast {
	case directory.KindUser:
		l.schema, l.set, l.path = odata.UserSchema, "users", l.path+"/microsoft.graph.user"
	case directory.KindGroup:
		l.schema, l.set, l.path = odata.GroupSchema, "groups", l.path+"/microsoft.graph.group"
	}
	return l
}

// memberOf lists the groups a user or group is a direct member of; prefix
// is the collection of the path ("/users/").
func (a *api) memberOf(rq *request, kind directory.ObjectKind, prefix string) error {
	return a.serveList(rq, list{src: directory.SourceMemberOf, schema: odata.GroupSchema, ofKind: kind,
		set: "directoryObjects", typed: true, path: prefix + escapedParam(rq, "id") + "/memberOf"})
}
