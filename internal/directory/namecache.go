package directory

import "context"

// The read cache also maps userPrincipalNames to user ids, for the names a
// provisioning call gives: a hundred names and more a call, each a probe
// of the store's index of names, which was a sixth of groupd's CPU time
// in provisioning on SQLite, whose readers keep no page from one read to
// the next while the writer is busy.
//
// A user's name changes only by a change whose object is the user (an
// update, a delete, a restore), so such rows drop the user's name; the
// relation rows that name users as members or owners leave it. The cache
// follows the rules of the rest of objectCache: strict for this Service's
// writes, within Follow's delay for other processes' on SQLite, checked
// against the change log before use on engines shared by several
// processes. And a name resolved here still leads only to an id: the
// write transaction checks again that the user is visible, unless no user
// has gone since the entry's removal count (userremovals.go).

type nameKey struct {
	tenant TenantID
	key    string // foldKey of the userPrincipalName
}

// nameEntry is a user's id, whether it is a guest, and the store's count
// of user removals read before the user was last seen visible (-1: none
// known). A change of userType is an update of the user, which drops the
// entry like a rename.
type nameEntry struct {
	id    ObjectID
	guest bool
	at    int64
}

// userByName returns the entry of the user whose folded name is key.
func (c *objectCache) userByName(tenant TenantID, key string) (nameEntry, bool) {
	c.mu.RLock()
	e, ok := c.names[nameKey{tenant, key}]
	c.mu.RUnlock()
	return e, ok
}

// seenVisible records that the users named by keys were visible when the
// removal count was at, unless they have been dropped or renamed since.
func (c *objectCache) seenVisible(tenant TenantID, keys map[string]ObjectID, at int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, id := range keys {
		k := nameKey{tenant, key}
		if e, ok := c.names[k]; ok && e.id == id && e.at < at {
			e.at = at
			c.names[k] = e
		}
	}
}

// putNames remembers the names of users read when the cache was at
// generation gen and the removal count at at, unless the cache has been
// invalidated since.
func (c *objectCache) putNames(tenant TenantID, users []UPNUser, gen uint64, at int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.names)+len(users) > c.max {
		clear(c.names)
		clear(c.nameOf)
		users = users[:min(len(users), c.max)]
	}
	for _, u := range users {
		k := cacheKey{tenant, u.ID}
		if old, ok := c.nameOf[k]; ok {
			delete(c.names, nameKey{tenant, old})
		}
		key := foldKey(u.UserPrincipalName)
		c.names[nameKey{tenant, key}] = nameEntry{id: u.ID, guest: u.Guest, at: at}
		c.nameOf[k] = key
	}
}

// forgetName drops the name of the user k, if it is known; c.mu is held.
func (c *objectCache) forgetName(k cacheKey) {
	if key, ok := c.nameOf[k]; ok {
		delete(c.names, nameKey{k.tenant, key})
		delete(c.nameOf, k)
	}
}

// userIDsByUPN is the store's UserIDsByUPN through the read cache: only
// the names it does not know go to the store. Names it knows come back as
// given, which the caller compares case-insensitively, as the store does.
// It also returns the removal count at which every user returned was
// known visible: the lowest of the cache entries' and mark, the count
// read before this call (-1: none).
func (s *Service) userIDsByUPN(ctx context.Context, tenant TenantID, upns []string, mark int64) ([]UPNUser, int64, error) {
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return nil, -1, err
	}
	c := s.objects(ctx, tenant)
	if c == nil {
		users, err := s.store.UserIDsByUPN(ctx, tenant, upns)
		return users, mark, err
	}
	out := make([]UPNUser, 0, len(upns))
	var missing []string
	at := mark
	for _, n := range upns {
		if e, ok := c.userByName(tenant, foldKey(n)); ok {
			out = append(out, UPNUser{ID: e.id, UserPrincipalName: n, Guest: e.guest})
			at = min(at, e.at)
		} else {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return out, at, nil
	}
	gen := c.generation()
	found, err := s.store.UserIDsByUPN(ctx, tenant, missing)
	if err != nil {
		return nil, -1, err
	}
	c.putNames(tenant, found, gen, mark)
	return append(out, found...), at, nil
}
