package msgraph

import (
	"net/http"
	"slices"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

const getByIDs = "getByIds"

// directoryTypes are the types Graph's getByIds takes, by lower-case name.
// groupd holds users and groups only, so the others match nothing.
var directoryTypes = map[string]directory.ObjectKind{
	"user": directory.KindUser, "group": directory.KindGroup,
	"device": "device", "serviceprincipal": "servicePrincipal", "application": "application",
	"orgcontact": "orgContact", "directoryrole": "directoryRole", "directoryroletemplate": "directoryRoleTemplate",
	"administrativeunit": "administrativeUnit", "contract": "contract",
	"directoryobjectpartnerreference": "directoryObjectPartnerReference",
}

// getByIDsOf answers POST /{collection}/getByIds, as Graph's SDKs call it
// on /users and /groups: getByIds of the collection's type only.
func (a *api) getByIDsOf(kind directory.ObjectKind) handlerFunc {
	return func(rq *request) error { return a.getByIDsIn(rq, kind) }
}

// getByIDs answers POST /directoryObjects/getByIds: {"ids": [...]} with
// optional "types", the users and groups among them in the order given,
// each with its @odata.type.
func (a *api) getByIDs(rq *request) error { return a.getByIDsIn(rq, directory.KindAny) }

// getByIDsIn is getByIds of a collection of kind (KindAny: every type).
func (a *api) getByIDsIn(rq *request, kind directory.ObjectKind) error {
	if err := rq.q.only(optSelect); err != nil {
		return err
	}
	sel, err := resolveSelect(rq.q.selRaw, objectTypeName, userSchema.lookup, groupSchema.lookup)
	if err != nil {
		return err
	}
	ids, kinds, err := getByIDsBody(rq)
	if err != nil {
		return err
	}
	if kind != directory.KindAny {
		// The collection's type only; a body naming only others asks for
		// nothing.
		if len(kinds) > 0 && !slices.Contains(kinds, kind) {
			ids = nil
		}
		kinds = []directory.ObjectKind{kind}
	}
	objs, err := a.dir.ObjectsByID(rq.ctx, rq.tenant, ids, kinds)
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "directoryObjects", sel.proj(""), false)
	e.key("value")
	writeObjects(e, objs, indexes(userSchema, sel), indexes(groupSchema, sel))
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// getByIDsBody reads {"ids": [...], "types": [...]}; ids is required.
func getByIDsBody(rq *request) (ids []directory.ObjectID, kinds []directory.ObjectKind, err error) {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return nil, nil, err
	}
	b := bodyReader{resource: getByIDs}
	found := false
	for _, f := range obj {
		if b.dup(f.Name) {
			return nil, nil, b.err
		}
		list, ok := httpx.Strings(f.Value)
		if (f.Name == "ids" || f.Name == "types") && (!ok || httpx.IsNull(f.Value)) {
			return nil, nil, invalidValue(f.Name, getByIDs)
		}
		switch f.Name {
		case "ids":
			found = true
			if ids, err = objectIDs(list); err != nil {
				b.fail(err)
			}
		case "types":
			for _, s := range list {
				kind, ok := directoryTypes[strings.ToLower(strings.TrimPrefix(s, "microsoft.graph."))]
				if !ok {
					b.fail(badRequest(codeRequestBad, "Invalid type '%s' in types: give directory object types such as user and group.", s))
					break
				}
				kinds = append(kinds, kind)
			}
		default:
			b.fail(notParameter(f.Name, getByIDs))
		}
		if b.err != nil {
			return nil, nil, b.err
		}
	}
	if !found {
		return nil, nil, badRequest(codeBadRequest, "The parameter 'ids' is missing in the request payload of the operation '%s'.", getByIDs)
	}
	return ids, kinds, nil
}
