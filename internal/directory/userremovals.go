package directory

import "context"

// Provisioning resolves the names of its users before the write
// transaction, and the store checks inside it that every id still names
// a visible user (RelateNewGroup). On SQLite, whose one writer runs every
// write, that check was 102 probes a call all over the users table, and
// with owners and members drawn at random a sixth of the writer's time.
// A store that counts user removals (a number that grows whenever a user
// of any tenant stops being visible, whoever removes it) lets the writer
// skip the check while the count is the one at which the ids were known
// visible: no user has gone since.
//
// The count a name was known visible at is read before the read that saw
// the user: the count before a store lookup, or the one the write
// transaction read when it checked the user itself. A name cache entry
// keeps it, so that an entry another process has made stale (a removal
// not yet followed) always has a count below the store's.

// UserRemovalCounter is the optional Reader method of a store that counts
// user removals.
type UserRemovalCounter interface {
	UserRemovals(ctx context.Context) (int64, error)
}

// NewGroupRelaterAt is the optional Tx method of such a store:
// RelateNewGroup for ids that were visible users when the removal count
// was visibleAt, which checks them only if the count has moved since. It
// returns the count the transaction read: every id is visible at it.
type NewGroupRelaterAt interface {
	RelateNewGroupAt(ctx context.Context, tenant TenantID, group, app ObjectID, owners, members []ObjectID, visibleAt int64) (int64, error)
}

// userRemovals is the store's removal count, or -1 when the store keeps
// none or it could not be read (the write then checks every user).
func (s *Service) userRemovals(ctx context.Context) int64 {
	if c, ok := s.store.(UserRemovalCounter); ok {
		if n, err := c.UserRemovals(ctx); err == nil {
			return n
		}
	}
	return -1
}

// relateNewGroup relates users known visible at c.visibleAt (c nil or
// -1: not known) to the new group g, and sets c.checked to the removal
// count the store read, when it read one. A store that counts removals
// is asked even when the count is unknown: it then checks, and the count
// it returns lets the caller date the names it checked.
func relateNewGroup(ctx context.Context, tx Tx, g Group, app ObjectID, owners, members []MemberRef, c *removalCounts) error {
	if r, ok := tx.(NewGroupRelaterAt); ok {
		visibleAt := int64(-1)
		if c != nil {
			visibleAt = c.visibleAt
		}
		n, err := r.RelateNewGroupAt(ctx, g.TenantID, g.ID, app, refIDs(owners), refIDs(members), visibleAt)
		if err == nil && c != nil {
			c.checked = n
		}
		return err
	}
	return tx.RelateNewGroup(ctx, g.TenantID, g.ID, app, refIDs(owners), refIDs(members))
}
