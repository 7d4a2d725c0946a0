package directory

import "context"

// UserMemberAdder is implemented by a Tx that can add one user as a direct
// member in a single statement. Adding a user is refused by no nesting
// rule: it needs only a visible group, a visible user of the tenant and no
// existing row, so the statement checks exactly that and adds nothing
// otherwise. The write path then does one statement instead of reading the
// group, the object and the existing members first.
type UserMemberAdder interface {
	// AddUserMember adds user as a direct member of group when group is a
	// visible group and user a visible user of tenant and user is not yet
	// a member. It reports whether it added the row; when it did not,
	// nothing changed.
	AddUserMember(ctx context.Context, tenant TenantID, group, user ObjectID) (bool, error)
	// AddUserMembers does what AddUserMember does for every pair, in one
	// statement: added[i] reports whether the row of pairs[i] was added.
	// A pair given twice is added at most once (the first copy reports
	// true). Pairs that add nothing change nothing.
	AddUserMembers(ctx context.Context, tenant TenantID, pairs []GroupUser) (added []bool, err error)
}

// GroupUser names one prospective membership of a user in a group.
type GroupUser struct {
	Group, User ObjectID
}

// singleUserAdd returns the one membership refs asks for when it may be
// added by one statement (alone or in a batch): one user (or untyped)
// reference, a group key that is an id, and a caller that need not own
// the group (a Group.Create-only application must: full checks).
func singleUserAdd(ctx context.Context, groupKey string, refs []MemberRef) (GroupUser, bool) {
	if len(refs) != 1 || (refs[0].Kind != KindUser && refs[0].Kind != KindAny) {
		return GroupUser{}, false
	}
	if CallerFrom(ctx).mustOwn(true) {
		return GroupUser{}, false
	}
	gid, ok := ParseObjectID(groupKey)
	if !ok {
		return GroupUser{}, false
	}
	return GroupUser{Group: gid, User: refs[0].ID}, true
}

// addUserMemberFast adds the one user of refs in one statement when the
// caller and the reference allow it. done false (and no error) means
// nothing changed and the full checks must run, to add a group or to say
// why the add is refused.
func addUserMemberFast(ctx context.Context, tx Tx, log *changeLog, tenant TenantID, groupKey string, refs []MemberRef) (done bool, err error) {
	p, ok := singleUserAdd(ctx, groupKey, refs)
	if !ok {
		return false, nil
	}
	a, ok := tx.(UserMemberAdder)
	if !ok {
		return false, nil
	}
	added, err := a.AddUserMember(ctx, tenant, p.Group, p.User)
	if err != nil || !added {
		return false, err
	}
	log.relate(p.Group, OpMemberAdded, MemberRef{ID: p.User, Kind: KindUser})
	return true, nil
}

// MarkAdded answers AddUserMembers from the rows a store reports it
// inserted: added[i] is true for the first copy of each inserted pair.
func MarkAdded(pairs, inserted []GroupUser) []bool {
	added := make([]bool, len(pairs))
	if len(inserted) == 0 {
		return added
	}
	ins := make(map[GroupUser]bool, len(inserted))
	for _, p := range inserted {
		ins[p] = true
	}
	for i, p := range pairs {
		if ins[p] {
			added[i] = true
			delete(ins, p)
		}
	}
	return added
}
