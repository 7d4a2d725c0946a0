package directory

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// objectCache keeps users and groups by id for reads by id, the hottest
// question a directory is asked. It is strict for writes made through this
// Service (entries are dropped when the write commits, before the write is
// acknowledged) and follows the change log for writes made by other
// processes (see Follow).
//
// A read that missed fills the cache only if no invalidation happened since
// it started, so a value read before a commit can never be put back after
// the commit dropped it.
type objectCache struct {
	mu  sync.RWMutex
	gen uint64
	max int
	// Entries are pointers, never changed once put: lookups touch a
	// compact map, and readers copy the value out. Groups are keyed by id
	// alone, as ids are unique across tenants (the stores' primary key):
	// a transitive page looks up dozens of them, and hashing and comparing
	// one string instead of two was a tenth of its cost. A lookup still
	// answers only for the entry's own tenant.
	groups map[ObjectID]*Group
	users  map[cacheKey]User
	// names maps users' userPrincipalName keys to their ids, and nameOf
	// each id to its key (namecache.go).
	names  map[nameKey]nameEntry
	nameOf map[cacheKey]string
}

// revisions numbers every group put in any cache of the process, so that a
// Revision names one value even across Services.
var revisions atomic.Uint64

type cacheKey struct {
	tenant TenantID
	id     ObjectID
}

func newObjectCache(max int) *objectCache {
	return &objectCache{max: max, groups: make(map[ObjectID]*Group), users: make(map[cacheKey]User),
		names: make(map[nameKey]nameEntry), nameOf: make(map[cacheKey]string)}
}

func (c *objectCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *objectCache) group(k cacheKey) (Group, bool) {
	c.mu.RLock()
	p := c.groups[k.id]
	c.mu.RUnlock()
	if p == nil || p.TenantID != k.tenant {
		return Group{}, false
	}
	return copyGroup(p), true
}

func (c *objectCache) user(k cacheKey) (User, bool) {
	c.mu.RLock()
	u, ok := c.users[k]
	c.mu.RUnlock()
	if ok {
		u.BusinessPhones = slices.Clone(u.BusinessPhones)
		u.OtherMails = slices.Clone(u.OtherMails)
	}
	return u, ok
}

func (c *objectCache) putGroup(k cacheKey, g Group, gen uint64) {
	if g.TenantID != k.tenant || g.ID != k.id {
		return // a lookup of k would not answer with it
	}
	g.Members = nil
	detachGroup(&g)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.groups) >= c.max {
		clear(c.groups) // bounded memory without bookkeeping on the hot path
	}
	g.Revision = revisions.Add(1)
	c.groups[k.id] = &g
}

func (c *objectCache) putUser(k cacheKey, u User, gen uint64) {
	u.BusinessPhones = slices.Clone(u.BusinessPhones)
	u.OtherMails = slices.Clone(u.OtherMails)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.users) >= c.max {
		clear(c.users)
	}
	c.users[k] = u
}

// invalidate drops every object a change row names.
func (c *objectCache) invalidate(rows []Change) {
	if len(rows) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, r := range rows {
		for _, id := range []ObjectID{r.ObjectID, r.RelatedID} {
			delete(c.groups, id)
			delete(c.users, cacheKey{r.TenantID, id})
		}
		c.forgetName(cacheKey{r.TenantID, r.ObjectID})
	}
}

// reset drops everything, and values being loaded meanwhile.
func (c *objectCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.groups)
	clear(c.users)
	clear(c.names)
	clear(c.nameOf)
}

// WithReadCache keeps up to max users and max groups in memory for reads by
// id, and the nesting graph of groups (nestindex.go). Only for engines
// where this process sees every write or follows the others' through
// Follow within the documented delay (SQLite); engines shared by several
// processes take WithCheckedReadCache.
func WithReadCache(max int) Option {
	return func(s *Service) {
		if max > 0 {
			s.cache = newObjectCache(max)
			s.nest = newNestIndex()
		}
	}
}

// lastChanger is the optional store method Follow needs.
type lastChanger interface {
	LastChange(ctx context.Context) (int64, error)
}

// ChangeKeyReader is the optional store method Follow reads the change log
// with instead of Changes.
type ChangeKeyReader interface {
	// ChangeKeys is Changes with only what says which objects changed:
	// Cursor, TenantID, ObjectID, ObjectKind, Op, RelatedID, RelatedKind,
	// and Properties of updates; the other fields are zero. Follow needs
	// no more, and it reads every change of the other processes, and of
	// this one where the store cannot say which rows are its own
	// (ownchanges.go): a hundred rows a provisioning call.
	ChangeKeys(ctx context.Context, after int64, limit int) ([]Change, error)
}

// AppChangeReader is the optional store method Follow reads the change
// log with when it has no cache of objects to keep (none, or checked
// ones, which read the log themselves): then only application and signing
// key rows concern it (invalidateApps), and a store that indexes those
// apart spares reading the hundred membership rows of each provisioning
// call.
type AppChangeReader interface {
	// AppChangeKeys is ChangeKeys of the rows whose ObjectKind is
	// KindApplication or KindSigningKey only.
	AppChangeKeys(ctx context.Context, after int64, limit int) ([]Change, error)
}

// Follow reads the change log every interval, and whenever Wake is called,
// until ctx ends, and drops cached objects and applications that other
// processes changed (the command line on the same SQLite file, other
// instances on PostgreSQL). Writes through this Service need no follower.
// With a store that cannot say where its log ends, it returns at once.
func (s *Service) Follow(ctx context.Context, interval time.Duration) error {
	lc, ok := s.store.(lastChanger)
	if !ok {
		return nil
	}
	defer s.own.follow()()
	after, err := lc.LastChange(ctx)
	if err != nil {
		return err
	}
	// What was cached before the follower knew where to start may predate
	// changes at or before that position, which it will never read again.
	// Checked caches (nestsync.go) need no follower.
	cached := s.cache != nil && s.checked == nil
	if cached {
		s.cache.reset()
		s.nest.reset()
	}
	read := s.store.Changes
	if k, ok := s.store.(ChangeKeyReader); ok {
		read = k.ChangeKeys
	}
	if a, ok := s.store.(AppChangeReader); ok && !cached {
		read = a.AppChangeKeys
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
		for {
			if last, ok := s.own.skip(ctx, after); ok {
				after = last // rows this Service wrote: acted on at their commit
				continue
			}
			rows, err := read(ctx, after, 1000)
			if err != nil {
				break // the next tick tries again; reads go on meanwhile
			}
			if len(rows) == 0 {
				break
			}
			after = rows[len(rows)-1].Cursor
			rows = s.own.foreign(ctx, rows)
			if cached {
				s.cache.invalidate(rows)
				s.nest.invalidate(rows)
			}
			s.invalidateApps(rows)
		}
	}
}

// Wake makes Follow read the change log now, for engines that announce
// commits (PostgreSQL's NOTIFY) so that other instances' changes are seen
// without waiting for the next tick. It never blocks.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending; it will read this change too
	}
}
