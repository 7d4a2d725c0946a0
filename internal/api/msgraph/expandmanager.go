package msgraph

import (
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// The manager is the one single-valued relationship $expand may name. A
// page's managers are read at once by id and each written as an object,
// left out where a user has none (or a deleted one), as Graph does.

// expandsManager reports whether q expands a user's manager.
func expandsManager(q *odata.Query) bool {
	return q.Expand != nil && q.Expand.Relationship == "manager"
}

// managersOf returns the visible managers of the users among items, by
// id, in one read.
func (a *api) managersOf(rq *request, items []directory.Object) (map[directory.ObjectID]directory.Object, error) {
	seen := map[directory.ObjectID]bool{}
	var ids []directory.ObjectID
	for _, o := range items {
		if o.User != nil && o.User.ManagerID != "" && !seen[o.User.ManagerID] {
			seen[o.User.ManagerID] = true
			ids = append(ids, o.User.ManagerID)
		}
	}
	out := make(map[directory.ObjectID]directory.Object, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	objs, err := a.dir.ObjectsByID(rq.ctx, rq.tenant, ids, []directory.ObjectKind{directory.KindUser})
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		out[o.ID()] = o
	}
	return out, nil
}

// writeManagerOf writes the member "manager" of u (nil: not a user): its
// manager from managers, a typed object with the properties of the
// expansion's $select; nothing when it has no visible one.
func writeManagerOf(e *enc, managers map[directory.ObjectID]directory.Object, u *directory.User, uIdx, gIdx []int) {
	if u == nil {
		return
	}
	m, ok := managers[u.ManagerID]
	if !ok {
		return
	}
	e.key("manager")
	e.beginObject()
	objectMembers(e, &m, uIdx, gIdx)
	e.endObject()
}
