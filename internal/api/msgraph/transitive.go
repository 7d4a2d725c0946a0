package msgraph

import (
	"github.com/go-chi/chi/v5"

	"groupd/internal/auth"
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// Relationship lists that follow nesting (transitiveMemberOf,
// transitiveMembers) and the type casts and counts of memberOf, mounted
// by mountNesting. Each relationship answers four paths:
// /{rel}, /{rel}/$count, /{rel}/microsoft.graph.{type} and
// /{rel}/microsoft.graph.{type}/$count.

// nestedRel is one such relationship.
type nestedRel struct {
	prefix string // "/users/" or "/groups/"
	name   string // path segment
	src    directory.Source
	ofKind directory.ObjectKind // the kind {id} must name
	groups bool                 // the relationship holds groups only
}

const castPattern = "/" + castSegment

func (a *api) mountNesting(r chi.Router) {
	rels := []struct {
		rel      nestedRel
		need     auth.Need
		resource string
		hasPlain bool // the plain list is mounted elsewhere
	}{
		{nestedRel{"/users/", "memberOf", directory.SourceMemberOf, directory.KindUser, true}, auth.NeedUserMemberOfSelf, "User", true},
		{nestedRel{"/users/", "transitiveMemberOf", directory.SourceTransitiveMemberOf, directory.KindUser, true}, auth.NeedUserMemberOfSelf, "User", false},
		{nestedRel{"/groups/", "memberOf", directory.SourceMemberOf, directory.KindGroup, true}, auth.NeedGroupRead, "Group", true},
		{nestedRel{"/groups/", "transitiveMemberOf", directory.SourceTransitiveMemberOf, directory.KindGroup, true}, auth.NeedGroupRead, "Group", false},
		{nestedRel{"/groups/", "transitiveMembers", directory.SourceTransitiveMembers, directory.KindGroup, false}, auth.NeedGroupRead, "Group", false},
		// A user owns groups only: groupd keeps no other owned objects.
		{nestedRel{"/users/", "ownedObjects", directory.SourceOwnedObjects, directory.KindUser, true}, auth.NeedUserMemberOf, "User", false},
		{nestedRel{"/users/", "directReports", directory.SourceDirectReports, directory.KindUser, false}, auth.NeedUserReadSelf, "User", false},
	}
	for _, x := range rels {
		rel := x.rel
		path := rel.prefix + "{id}/" + rel.name
		if !x.hasPlain {
			r.Get(path, a.endpoint(x.need, optList, x.resource, func(rq *request) error {
				return a.serveList(rq, rel.list(rq, directory.KindAny))
			}))
		}
		r.Get(path+"/$count", a.endpoint(x.need, optList, x.resource, func(rq *request) error {
			return a.serveCount(rq, rel.list(rq, directory.KindAny))
		}))
		r.Get(path+castPattern, a.endpoint(x.need, optList, x.resource, func(rq *request) error {
			return a.nestedCast(rq, rel, false)
		}))
		r.Get(path+castPattern+"/$count", a.endpoint(x.need, optList, x.resource, func(rq *request) error {
			return a.nestedCast(rq, rel, true)
		}))
	}
	a.mountFunctions(r)
}

func (a *api) nestedCast(rq *request, rel nestedRel, count bool) error {
	kind, done, err := a.castOrNone(rq, count, func() error {
		if rel.ofKind == directory.KindGroup {
			_, err := a.dir.Group(rq.ctx, rq.tenant, rq.param("id"))
			return err
		}
		_, err := a.dir.User(rq.ctx, rq.tenant, rq.param("id"))
		return err
	})
	if done || err != nil {
		return err
	}
	if count {
		return a.serveCount(rq, rel.list(rq, kind))
	}
	return a.serveList(rq, rel.list(rq, kind))
}

// list describes the relationship of {id}, cast to one kind or not. A
// list of groups takes group properties in its query options even
// uncast, as Graph's memberOf does.
func (rel nestedRel) list(rq *request, cast directory.ObjectKind) list {
	l := list{src: rel.src, schema: odata.DirectoryObjectSchema, kind: cast, ofKind: rel.ofKind,
		set: "directoryObjects", typed: true, path: rel.prefix + escapedParam(rq, "id") + "/" + rel.name}
	if rel.groups {
		l.schema = odata.GroupSchema
	}
	switch cast {
	case directory.KindUser:
		l.schema, l.set, l.path = odata.UserSchema, "users", l.path+"/microsoft.graph.user"
	case directory.KindGroup:
		l.schema, l.set, l.path = odata.GroupSchema, "groups", l.path+"/microsoft.graph.group"
	}
	return l
}
