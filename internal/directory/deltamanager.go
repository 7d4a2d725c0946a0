package directory

import (
	"context"
	"slices"
)

// A users delta that selects "manager" reports managers as Graph's
// manager@delta: a list of references like a group's members@delta, the
// current manager added and the ones it replaced removed. A manager who is
// deleted reads as none, as it does on GET …/manager.

func selectsManager(st *deltaState) bool {
	return st.Kind == KindUser && slices.Contains(st.Select, SelectManager)
}

// managerIDs returns the visible users among ids, in one read; nil when
// the query does not select managers.
func (s *Service) managerIDs(ctx context.Context, st *deltaState, ids []ObjectID) (map[ObjectID]bool, error) {
	if !selectsManager(st) {
		return nil, nil
	}
	visible := map[ObjectID]bool{}
	if len(ids) == 0 {
		return visible, nil
	}
	objs, err := s.store.Objects(ctx, st.Tenant, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		if o.User != nil {
			visible[o.User.ID] = true
		}
	}
	return visible, nil
}

// passManagers gives each user of a full-pass page its visible manager.
func (s *Service) passManagers(ctx context.Context, st *deltaState, items []DeltaItem) error {
	var ids []ObjectID
	for _, it := range items {
		if u := it.Object.User; u != nil && u.ManagerID != "" {
			ids = append(ids, u.ManagerID)
		}
	}
	visible, err := s.managerIDs(ctx, st, ids)
	if err != nil || visible == nil {
		return err
	}
	for i := range items {
		if u := items[i].Object.User; u != nil && visible[u.ManagerID] {
			items[i].Manager = []MemberDelta{{Ref: MemberRef{ID: u.ManagerID, Kind: KindUser}}}
		}
	}
	return nil
}

// visibleManagers reads which current managers of the page's users whose
// manager changed are visible; nil when the query does not select them.
func (s *Service) visibleManagers(ctx context.Context, st *deltaState, order []*touched, current map[ObjectID]Object) (map[ObjectID]bool, error) {
	var ids []ObjectID
	for _, t := range order {
		if o, ok := current[t.id]; ok && t.manager && o.User != nil && o.User.ManagerID != "" {
			ids = append(ids, o.User.ManagerID)
		}
	}
	return s.managerIDs(ctx, st, ids)
}

// managerDeltas lists u's manager changes: the former managers that are
// not its manager now, removed, then its visible manager.
func managerDeltas(u *User, formers []ObjectID, visible map[ObjectID]bool) []MemberDelta {
	var out []MemberDelta
	for _, f := range formers {
		if f != u.ManagerID || !visible[f] {
			out = append(out, MemberDelta{Ref: MemberRef{ID: f, Kind: KindUser}, Removed: true})
		}
	}
	if visible[u.ManagerID] {
		out = append(out, MemberDelta{Ref: MemberRef{ID: u.ManagerID, Kind: KindUser}})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
