package aadgraph

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// The base type's entity set: a read of one object through it names the
// set alone, and odata.type says what the object is (OData 3 JSON light).
const (
	objectSetFragment = "directoryObjects"
	objectElement     = objectSetFragment + "/@Element"
)

// mountObjects registers the reads of /directoryObjects/{id}, the URLs
// $links answers name members by, and getObjectsByObjectIds. Each asks
// for the permission of the kind it reads once it knows the kind.
func (a *api) mountObjects(r chi.Router, t string) {
	r.Get(t+"/directoryObjects/{id}", a.endpoint(auth.NeedObjectRead, a.getObject(directory.KindAny)))
	r.Get(t+"/directoryObjects/{id}/"+typeUser, a.endpoint(auth.NeedUserRead, a.getObject(directory.KindUser)))
	r.Get(t+"/directoryObjects/{id}/"+typeGroup, a.endpoint(auth.NeedGroupRead, a.getObject(directory.KindGroup)))
	r.Get(t+"/directoryObjects/{id}/"+typeSP, a.endpoint(auth.NeedObjectRead, a.getObject(directory.KindServicePrincipal)))
	r.Post(t+"/getObjectsByObjectIds", a.endpoint(auth.NeedObjectRead, a.getObjectsByObjectIDs))
}

// readNeed is the permission reading an object of kind takes.
func readNeed(kind directory.ObjectKind) auth.Need {
	switch kind {
	case directory.KindUser:
		return auth.NeedUserRead
	case directory.KindGroup:
		return auth.NeedGroupRead
	}
	return auth.NeedObjectRead // a service principal, as in owners lists
}

// getObject answers GET /directoryObjects/{objectId} (kind KindAny) and its
// casts /directoryObjects/{objectId}/Microsoft.DirectoryServices.User|Group,
// under which an object of the other type is not found, as any id that
// names nothing of the cast's type.
func (a *api) getObject(kind directory.ObjectKind) handlerFunc {
	return func(rq *request) error {
		if err := rq.noOptions(); err != nil {
			return err
		}
		key := rq.param("id")
		o, err := a.dir.AnyObject(rq.ctx, rq.tenant, key)
		if err != nil {
			return err
		}
		fragment := objectElement
		switch {
		case kind == directory.KindAny:
			if !auth.Allowed(rq.ctx, readNeed(o.Kind())) {
				return denied()
			}
		case o.Kind() != kind:
			return notFoundID(key)
		default:
			fragment = objectSetFragment + "/" + typeOf(kind) + "/@Element"
		}
		switch {
		case o.User != nil:
			out := newUserEntity(o.User)
			out.Metadata = rq.metadata(fragment)
			return sendJSON(rq.w, http.StatusOK, out)
		case o.Group != nil:
			out := newGroupEntity(o.Group)
			out.Metadata = rq.metadata(fragment)
			return sendJSON(rq.w, http.StatusOK, out)
		}
		out := newServicePrincipalEntity(o.ServicePrincipal)
		out.Metadata = rq.metadata(fragment)
		return sendJSON(rq.w, http.StatusOK, out)
	}
}

// objectTypes are the types getObjectsByObjectIds takes, by lower-case
// name without the namespace. groupd keeps users and groups only, so the
// others find nothing; directoryObject, the base type, is every type.
var objectTypes = map[string]directory.ObjectKind{
	"user": directory.KindUser, "group": directory.KindGroup, "directoryobject": directory.KindAny,
	"contact": "contact", "device": "device", "serviceprincipal": "servicePrincipal",
	"application": "application", "directoryrole": "directoryRole",
	"directoryroletemplate": "directoryRoleTemplate", "tenantdetail": "tenantDetail",
}

// getObjectsByObjectIDs answers POST /getObjectsByObjectIds {"objectIds":
// [...], "types": [...]}: the objects among the ids, in the order given,
// each once and typed; ids that name nothing are left out. A type named
// in types needs its read permission; without types, the kinds the
// caller may read are searched.
func (a *api) getObjectsByObjectIDs(rq *request) error {
	// includeDirectoryObjectReferences searches partner tenants, of which
	// groupd has none.
	obj, err := functionBody(rq, "objectIds", "types", "includeDirectoryObjectReferences")
	if err != nil {
		return err
	}
	ids, err := objectIDsParam(obj)
	if err != nil {
		return err
	}
	kinds, named, err := typesParam(obj)
	if err != nil {
		return err
	}
	if v, ok := obj.Get("includeDirectoryObjectReferences"); ok && !httpx.IsNull(v) {
		if _, ok := httpx.Bool(v); !ok {
			return invalidParam("includeDirectoryObjectReferences")
		}
	}
	if kinds, err = a.readableKinds(rq, kinds, named); err != nil {
		return err
	}
	objs, err := a.dir.ObjectsByID(rq.ctx, rq.tenant, ids, kinds)
	var le *directory.LimitError
	if errors.As(err, &le) {
		return badRequest(codeBadRequest, "At most %d objectIds may be given in one request.", le.Limit)
	}
	if err != nil {
		return err
	}
	items := make([]any, 0, len(objs))
	for i := range objs {
		items = append(items, entity(&objs[i]))
	}
	return sendJSON(rq.w, http.StatusOK, collection{Metadata: rq.metadata(objectSetFragment), Value: items})
}

// objectIDsParam reads the required objectIds.
func objectIDsParam(obj httpx.Object) ([]directory.ObjectID, error) {
	raw, ok := obj.Get("objectIds")
	if !ok {
		return nil, badRequest(codeBadRequest, "The parameter 'objectIds' is required.")
	}
	list, ok := httpx.Strings(raw)
	if !ok {
		return nil, invalidParam("objectIds")
	}
	ids := make([]directory.ObjectID, len(list))
	for i, s := range list {
		if ids[i], ok = directory.ParseObjectID(s); !ok {
			return nil, badRequest(codeBadRequest, "Invalid object identifier '%s'.", s)
		}
	}
	return ids, nil
}

// typesParam reads the optional types, by name with or without the
// namespace, in any case. kinds is nil for every type; named are the
// kinds groupd keeps that the caller named itself.
func typesParam(obj httpx.Object) (kinds, named []directory.ObjectKind, err error) {
	raw, ok := obj.Get("types")
	if !ok || httpx.IsNull(raw) {
		return nil, nil, nil
	}
	list, ok := httpx.Strings(raw)
	if !ok {
		return nil, nil, invalidParam("types")
	}
	all := len(list) == 0
	for _, s := range list {
		kind, ok := objectTypes[strings.TrimPrefix(strings.ToLower(s), "microsoft.directoryservices.")]
		if !ok {
			return nil, nil, badRequest(codeBadRequest, "Invalid value specified for parameter 'types': '%s' is no directory object type.", s)
		}
		switch kind {
		case directory.KindAny:
			all = true
			continue
		case directory.KindUser, directory.KindGroup:
			named = append(named, kind)
		}
		kinds = append(kinds, kind)
	}
	if all {
		return nil, named, nil
	}
	return kinds, named, nil
}

// readableKinds narrows the kinds asked for to those the caller may read:
// a kind named outright without its permission is 403, as reading one
// object of it would be; every type (kinds nil) becomes the kinds the
// caller may read.
func (a *api) readableKinds(rq *request, kinds, named []directory.ObjectKind) ([]directory.ObjectKind, error) {
	var readable []directory.ObjectKind
	for _, k := range []directory.ObjectKind{directory.KindUser, directory.KindGroup} {
		if auth.Allowed(rq.ctx, readNeed(k)) {
			readable = append(readable, k)
		} else if slices.Contains(named, k) {
			return nil, denied()
		}
	}
	switch {
	case kinds != nil || len(readable) == 2:
		return kinds, nil
	case len(readable) == 0:
		// No kinds would read as every kind below; the route's
		// permission keeps this from happening.
		return nil, denied()
	}
	return readable, nil
}
