package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Transitive membership: the groups an object is in through any nesting,
// and the directory functions built on them (checkMemberGroups,
// getMemberGroups, ...).
//
// Storage answers with recursive queries over the memberships table rather
// than a closure table. The walk that matters (the groups a principal is
// in) goes up from the member along the (member_id, group_id) index, and a
// member's ancestors are few (tens at depth 5) even when groups hold
// thousands, so the walk costs tens of index probes. A closure table would
// make every nesting change rewrite the rows of every descendant (a group
// nested under ten others with 10,000 users below writes 100,000 rows),
// which durable member adds at tens of thousands per second cannot afford,
// and it would store many times the 1M memberships. Reads stay exact after
// every commit on every instance as there is nothing to invalidate.

// MaxCheckIDs is how many ids checkMemberGroups and checkMemberObjects take.
const MaxCheckIDs = 20

// DefaultResultSizeLimit is the most groups getMemberGroups returns on
// Microsoft Graph; more is an error, not a truncated answer.
const DefaultResultSizeLimit = 11000

// TransitiveReader answers nesting questions; it is part of Reader.
type TransitiveReader interface {
	// MemberGroups returns the ids of the visible groups member is in,
	// directly or through visible nested groups, ordered by id, at most
	// limit of them. With securityOnly only securityEnabled groups are
	// returned (the walk still passes through the others). An invisible
	// member is in no group.
	MemberGroups(ctx context.Context, tenant TenantID, member ObjectID, securityOnly bool, limit int) ([]ObjectID, error)
	// DirectGroups returns the visible groups member is a direct member
	// of, ordered by id, at most limit. Whether member is visible is the
	// caller's concern.
	DirectGroups(ctx context.Context, tenant TenantID, member ObjectID, limit int) ([]GroupRef, error)
	// NestingEdges returns the memberships of visible groups in visible
	// groups, ordered by (Child, Parent), after the edge after (zero: from
	// the start), at most limit.
	NestingEdges(ctx context.Context, tenant TenantID, after NestEdge, limit int) ([]NestEdge, error)
}

// GroupRef is a group with the property getMemberGroups filters on.
type GroupRef struct {
	ID              ObjectID
	SecurityEnabled bool
}

// NestEdge says group Child is a direct member of group Parent.
type NestEdge struct {
	Parent, Child  ObjectID
	ParentSecurity bool // Parent's securityEnabled
}

// ResultSizeLimitError says a function's answer would hold more than Limit
// ids; Graph answers Directory_ResultSizeLimitExceeded.
type ResultSizeLimitError struct {
	Limit int
}

func (e *ResultSizeLimitError) Error() string {
	return fmt.Sprintf("result size limit of %d exceeded", e.Limit)
}
func (e *ResultSizeLimitError) Is(target error) bool { return target == ErrLimit }

// memberKey resolves the object a function is called on: a user or group
// by id, or a user by userPrincipalName.
func (s *Service) memberKey(ctx context.Context, tenant TenantID, key string) (Object, error) {
	if _, ok := ParseObjectID(key); !ok && strings.Contains(key, "@") {
		u, err := s.User(ctx, tenant, key)
		if err != nil {
			return Object{}, err
		}
		return Object{User: &u}, nil
	}
	return s.DirectoryObject(ctx, tenant, key)
}

// IsMemberOf reports whether memberID is in groupID directly or through any
// nesting. Either id naming no visible object is *NotFoundError.
func (s *Service) IsMemberOf(ctx context.Context, tenant TenantID, groupID, memberID ObjectID) (bool, error) {
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return false, err
	}
	g, err := s.Group(ctx, tenant, string(groupID))
	if err != nil {
		return false, err
	}
	m, err := s.memberKey(ctx, tenant, string(memberID))
	if err != nil {
		return false, err
	}
	if s.index(ctx, tenant) == nil {
		return s.store.Contains(ctx, tenant, g.ID, m.ID())
	}
	in, err := s.memberGroups(ctx, tenant, m.ID(), false, 0)
	return slices.Contains(in, g.ID), err
}

// CheckMemberGroups returns those of groupIDs (at most MaxCheckIDs, else
// *LimitError) that the object key names is in, transitively, in the order
// given and without repeats. Ids that name no visible group are left out.
func (s *Service) CheckMemberGroups(ctx context.Context, tenant TenantID, key string, groupIDs []ObjectID) ([]ObjectID, error) {
	return s.checkMember(ctx, tenant, key, "groupIds", groupIDs)
}

// CheckMemberObjects is CheckMemberGroups for the ids of any directory
// objects; groups are the only objects with members in groupd, so other
// ids are never in the answer.
func (s *Service) CheckMemberObjects(ctx context.Context, tenant TenantID, key string, ids []ObjectID) ([]ObjectID, error) {
	return s.checkMember(ctx, tenant, key, "ids", ids)
}

func (s *Service) checkMember(ctx context.Context, tenant TenantID, key, what string, ids []ObjectID) ([]ObjectID, error) {
	if len(ids) > MaxCheckIDs {
		return nil, &LimitError{What: what, Limit: MaxCheckIDs}
	}
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return nil, err
	}
	o, err := s.memberKey(ctx, tenant, key)
	if err != nil {
		return nil, err
	}
	out := []ObjectID{}
	if len(ids) == 0 {
		return out, nil
	}
	in, err := s.memberGroups(ctx, tenant, o.ID(), false, DefaultResultSizeLimit+1)
	if err != nil {
		return nil, err
	}
	if !slices.IsSorted(in) { // an engine's order of ids may not be Go's
		in = slices.Sorted(slices.Values(in))
	}
	seen := make(map[ObjectID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		_, ok := slices.BinarySearch(in, id)
		if !ok && len(in) > DefaultResultSizeLimit {
			// The walk was cut short; ask about this group alone.
			if ok, err = s.store.Contains(ctx, tenant, id, o.ID()); err != nil {
				return nil, err
			}
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// GetMemberGroups returns every group the object key names is in,
// transitively, ordered by id; with securityEnabledOnly only security
// groups. More than limit groups (DefaultResultSizeLimit when limit <= 0)
// is *ResultSizeLimitError.
func (s *Service) GetMemberGroups(ctx context.Context, tenant TenantID, key string, securityEnabledOnly bool, limit int) ([]ObjectID, error) {
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return nil, err
	}
	o, err := s.memberKey(ctx, tenant, key)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultResultSizeLimit
	}
	ids, err := s.memberGroups(ctx, tenant, o.ID(), securityEnabledOnly, limit+1)
	if err != nil {
		return nil, err
	}
	if len(ids) > limit {
		return nil, &ResultSizeLimitError{Limit: limit}
	}
	return append([]ObjectID{}, ids...), nil // the caller's to change
}

// GetMemberObjects is GetMemberGroups for every kind of object that has
// members; in groupd those are groups (no directory roles or
// administrative units), so the answers agree.
func (s *Service) GetMemberObjects(ctx context.Context, tenant TenantID, key string, securityEnabledOnly bool, limit int) ([]ObjectID, error) {
	return s.GetMemberGroups(ctx, tenant, key, securityEnabledOnly, limit)
}

// TransitiveMemberOf lists a page of the groups the object key names is
// in through any nesting (kind as for MemberOf); List with
// SourceTransitiveMemberOf adds filters, search, casts and order.
func (s *Service) TransitiveMemberOf(ctx context.Context, tenant TenantID, key string, kind ObjectKind, page PageRequest) (ListPage, error) {
	return s.List(ctx, tenant, ListQuery{Source: SourceTransitiveMemberOf, Of: ObjectID(key), Page: page}, kind)
}

// TransitiveMembers lists a page of the users and groups under a group
// through any nesting; List with SourceTransitiveMembers adds the rest.
func (s *Service) TransitiveMembers(ctx context.Context, tenant TenantID, groupKey string, page PageRequest) (ListPage, error) {
	return s.List(ctx, tenant, ListQuery{Source: SourceTransitiveMembers, Of: ObjectID(groupKey), Page: page}, KindGroup)
}
