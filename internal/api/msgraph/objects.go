package msgraph

import (
	"net/http"

	"groupd/internal/directory"
)

// objectTypeName is the base type of relationship items; $select on them
// may name a property of either user or group.
const objectTypeName = "microsoft.graph.directoryObject"

// writeObject writes a user or a group with its @odata.type first, so that
// the SDKs build typed objects from mixed lists.
func writeObject(e *enc, o *directory.Object, userSel, groupSel []int) {
	e.beginObject()
	objectMembers(e, o, userSel, groupSel)
	e.endObject()
}

// objectMembers writes @odata.type and the properties of o into the
// current JSON object.
func objectMembers(e *enc, o *directory.Object, userSel, groupSel []int) {
	e.key("@odata.type")
	if o.User != nil {
		e.str(userSchema.odata)
		userSchema.write(e, o.User, userSel)
	} else if o.Group != nil {
		writeGroup(e, o.Group, groupSel)
	} else if sp := o.ServicePrincipal; sp != nil {
		// Owners lists carry service principals (apps that created the
		// group with Group.Create), and /directoryObjects/{id} reads one;
		// $select does not apply to them.
		e.str("#microsoft.graph.servicePrincipal")
		e.key("id")
		e.str(string(sp.ID))
		e.key("appId")
		e.str(sp.AppID)
		e.key("displayName")
		e.str(sp.DisplayName)
	}
}

// writeObjects writes a JSON array of directory objects.
func writeObjects(e *enc, objs []directory.Object, userSel, groupSel []int) {
	e.beginArray()
	for i := range objs {
		writeObject(e, &objs[i], userSel, groupSel)
	}
	e.endArray()
}

// getDirectoryObject answers GET /directoryObjects/{id}.
func (a *api) getDirectoryObject(rq *request) error {
	return sendObject(rq, func() (directory.Object, error) {
		return a.dir.AnyObject(rq.ctx, rq.tenant, rq.param("id"))
	})
}

// sendObject answers one directory object that load reads, typed, with
// the request's $select (checked before the read).
func sendObject(rq *request, load func() (directory.Object, error)) error {
	if err := rq.q.only(optSelect); err != nil {
		return err
	}
	sel, err := resolveSelect(rq.q.selRaw, objectTypeName, userSchema.lookup, groupSchema.lookup)
	if err != nil {
		return err
	}
	o, err := load()
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "directoryObjects", sel.proj(""), true)
	objectMembers(e, &o, indexes(userSchema, sel), indexes(groupSchema, sel))
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}
