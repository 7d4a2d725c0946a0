package msgraph

import (
	"groupd/internal/directory"
	"groupd/internal/odata"
)

// The manager is the one single-valued relationship $expand may name. A
// page's managers are read at once by id and each written as an object,
// left out where a user has none (or a deleted one), as Graph does. On one
// user, $levels follows the chain of managers, each nested in the one
// below it; a list refuses $levels, as Graph does.

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
	if m, ok := managers[u.ManagerID]; ok {
		writeManagerChain(e, []directory.Object{m}, uIdx, gIdx)
	}
}

// managerChain reads the managers of u up the chain, at most levels of
// them ($levels), one read a level. Entra does not keep chains from
// looping, so the walk stops at a user it has seen; it also stops at a
// manager who is not visible.
func (a *api) managerChain(rq *request, u *directory.User, levels int) ([]directory.Object, error) {
	var chain []directory.Object
	seen := map[directory.ObjectID]bool{u.ID: true}
	for next := u.ManagerID; len(chain) < levels && next != "" && !seen[next]; {
		objs, err := a.dir.ObjectsByID(rq.ctx, rq.tenant, []directory.ObjectID{next}, []directory.ObjectKind{directory.KindUser})
		if err != nil {
			return nil, err
		}
		if len(objs) == 0 || objs[0].User == nil {
			break
		}
		seen[next] = true
		chain = append(chain, objs[0])
		next = objs[0].User.ManagerID
	}
	return chain, nil
}

// writeManagerChain writes chain as nested "manager" members: each
// manager's object holds the next one's.
func writeManagerChain(e *enc, chain []directory.Object, uIdx, gIdx []int) {
	for i := range chain {
		e.key("manager")
		e.beginObject()
		objectMembers(e, &chain[i], uIdx, gIdx)
	}
	for range chain {
		e.endObject()
	}
}
