package msgraph

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// The directory functions (all transitive): checkMemberGroups,
// checkMemberObjects, getMemberGroups and getMemberObjects, on
// /directoryObjects/{id}, /users/{id} and /groups/{id}. Each answers
// {"@odata.context":"<base>/$metadata#Collection(Edm.String)","value":[ids]}.

// functionNames are the actions every collection below takes.
var functionNames = []string{"checkMemberGroups", "checkMemberObjects", "getMemberGroups", "getMemberObjects"}

func (a *api) mountFunctions(r chi.Router) {
	for _, fn := range functionNames {
		r.Post("/users/{id}/"+fn, a.endpoint(auth.NeedUserMemberOfSelf, 0, "User", a.function(fn, directory.KindUser)))
		r.Post("/groups/{id}/"+fn, a.endpoint(auth.NeedGroupRead, 0, "Group", a.function(fn, directory.KindGroup)))
		r.Post("/directoryObjects/{id}/"+fn, a.endpoint(auth.NeedObjectRead, 0, "DirectoryObject", a.function(fn, directory.KindAny)))
	}
}

// function answers one action on the object {id}, which must be of kind
// (KindAny: either, with the permission its kind needs).
func (a *api) function(name string, kind directory.ObjectKind) handlerFunc {
	return func(rq *request) error {
		ctx, err := a.dir.CheckedRequest(rq.ctx, rq.tenant)
		if err != nil {
			return err
		}
		rq.ctx = ctx
		key, err := a.functionTarget(rq, kind)
		if err != nil {
			return err
		}
		in, err := functionBody(rq, name)
		if err != nil {
			return err
		}
		var ids []directory.ObjectID
		switch name {
		case "checkMemberGroups":
			ids, err = a.dir.CheckMemberGroups(rq.ctx, rq.tenant, key, in.ids)
		case "checkMemberObjects":
			ids, err = a.dir.CheckMemberObjects(rq.ctx, rq.tenant, key, in.ids)
		case "getMemberGroups":
			ids, err = a.dir.GetMemberGroups(rq.ctx, rq.tenant, key, in.securityOnly, directory.DefaultResultSizeLimit)
		default:
			ids, err = a.dir.GetMemberObjects(rq.ctx, rq.tenant, key, in.securityOnly, directory.DefaultResultSizeLimit)
		}
		if err != nil {
			return err
		}
		e := getEnc()
		e.beginObject()
		e.metadataContext(rq.base, "Collection(Edm.String)", "", false)
		e.key("value")
		e.beginArray()
		for _, id := range ids {
			e.str(string(id))
		}
		e.endArray()
		e.endObject()
		send(rq.w, http.StatusOK, e)
		return nil
	}
}

// functionTarget resolves {id} to the id of an object of kind and checks
// the permission reading its memberships needs.
func (a *api) functionTarget(rq *request, kind directory.ObjectKind) (string, error) {
	switch kind {
	case directory.KindUser:
		u, err := a.dir.User(rq.ctx, rq.tenant, rq.param("id"))
		return string(u.ID), err
	case directory.KindGroup:
		g, err := a.dir.Group(rq.ctx, rq.tenant, rq.param("id"))
		return string(g.ID), err
	}
	o, err := a.dir.DirectoryObject(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return "", err
	}
	if !auth.MayReadMemberships(rq.ctx, o) {
		return "", denied()
	}
	return string(o.ID()), nil
}

// functionInput is the body of an action.
type functionInput struct {
	ids          []directory.ObjectID
	securityOnly bool
}

// functionBody reads {"groupIds":[…]} (checkMemberGroups), {"ids":[…]}
// (checkMemberObjects) or {"securityEnabledOnly":bool} (the get
// functions); the parameter is required and nothing else is accepted.
func functionBody(rq *request, name string) (functionInput, error) {
	var in functionInput
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return in, err
	}
	param := "securityEnabledOnly"
	switch name {
	case "checkMemberGroups":
		param = "groupIds"
	case "checkMemberObjects":
		param = "ids"
	}
	b := bodyReader{resource: name}
	found := false
	for _, f := range obj {
		if b.dup(f.Name) {
			return in, b.err
		}
		switch {
		case f.Name == param && param == "securityEnabledOnly":
			if v := b.boolean(f); v != nil {
				in.securityOnly, found = *v, true
			}
		case f.Name == param:
			list, ok := httpx.Strings(f.Value)
			if !ok || httpx.IsNull(f.Value) {
				b.fail(invalidValue(f.Name, name))
				break
			}
			found = true
			if in.ids, err = objectIDs(list); err != nil {
				b.fail(err)
			}
		default:
			b.fail(notParameter(f.Name, name))
		}
		if b.err != nil {
			return in, b.err
		}
	}
	if !found {
		return in, badRequest(codeBadRequest, "The parameter '%s' is missing in the request payload of the operation '%s'.", param, name)
	}
	return in, nil
}

// objectIDs parses a body's list of object ids.
func objectIDs(list []string) ([]directory.ObjectID, error) {
	ids := make([]directory.ObjectID, 0, len(list))
	for _, s := range list {
		id, ok := directory.ParseObjectID(s)
		if !ok {
			return nil, badRequest(codeRequestBad, "Invalid object identifier '%s'.", s)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// notParameter refuses a member of an action's body that the action does
// not take.
func notParameter(name, operation string) *apiError {
	return badRequest(codeBadRequest, "The parameter '%s' in the request payload is not a valid parameter for the operation '%s'.", name, operation)
}
