package directory

import (
	"context"
	"slices"
)

// MaxObjectsByID is how many ids one ObjectsByID call takes, as Graph's
// directoryObjects/getByIds.
const MaxObjectsByID = 1000

// ObjectsByID returns the visible users and groups among ids, in the
// order of ids and each once, answered by one store read; an id of no
// visible object, or of a kind not in kinds (when kinds is not empty), is
// left out.
func (s *Service) ObjectsByID(ctx context.Context, tenant TenantID, ids []ObjectID, kinds []ObjectKind) ([]Object, error) {
	if len(ids) > MaxObjectsByID {
		return nil, &LimitError{What: "ids", Limit: MaxObjectsByID}
	}
	unique := make([]ObjectID, 0, len(ids))
	seen := make(map[ObjectID]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	if len(unique) == 0 {
		return nil, nil
	}
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return nil, err
	}
	objs, err := s.store.Objects(ctx, tenant, unique)
	if err != nil {
		return nil, err
	}
	byID := make(map[ObjectID]Object, len(objs))
	for _, o := range objs {
		if len(kinds) == 0 || slices.Contains(kinds, o.Kind()) {
			byID[o.ID()] = o
		}
	}
	out := make([]Object, 0, len(byID))
	for _, id := range unique {
		if o, ok := byID[id]; ok {
			out = append(out, o)
		}
	}
	return out, nil
}
