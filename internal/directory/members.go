package directory

import (
	"context"
	"errors"
)

// AddMembers adds direct members to a group, all or nothing, after checking
// every membership rule.
func (s *Service) AddMembers(ctx context.Context, tenant TenantID, groupKey string, refs []MemberRef, p Policy) error {
	if pair, ok := s.batchAddable(ctx, groupKey, refs); ok {
		if done, err := s.addBatched(ctx, tenant, pair); done || err != nil {
			return err
		}
	}
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		if done, err := addUserMemberFast(ctx, tx, log, tenant, groupKey, refs); done || err != nil {
			return err
		}
		g, err := s.groupTx(ctx, tx, tenant, groupKey)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, true); err != nil {
			return err
		}
		return s.addMembersTx(ctx, tx, log, g, refs, p)
	})
}

// AddOwners adds owners to a group, all or nothing.
func (s *Service) AddOwners(ctx context.Context, tenant TenantID, groupKey string, refs []MemberRef) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, groupKey)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, false); err != nil {
			return err
		}
		return s.addOwnersTx(ctx, tx, log, g, refs)
	})
}

// resolveRefs loads the referenced objects in one round trip. A reference
// to nothing, to a deleted object or to an object of another kind than
// the one named is not found. A reference given twice is a duplicate.
func resolveRefs(ctx context.Context, tx Tx, tenant TenantID, relation string, refs []MemberRef) ([]Object, error) {
	ids := make([]ObjectID, 0, len(refs))
	seen := make(map[ObjectID]bool, len(refs))
	for _, r := range refs {
		if seen[r.ID] {
			return nil, &ReferenceExistsError{Relation: relation, ID: r.ID}
		}
		seen[r.ID] = true
		ids = append(ids, r.ID)
	}
	objs, err := tx.Objects(ctx, tenant, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[ObjectID]Object, len(objs))
	for _, o := range objs {
		byID[o.ID()] = o
	}
	out := make([]Object, 0, len(refs))
	for _, r := range refs {
		o, ok := byID[r.ID]
		if !ok || (r.Kind != KindAny && r.Kind != o.Kind()) {
			return nil, &NotFoundError{Kind: r.Kind, ID: string(r.ID)}
		}
		out = append(out, o)
	}
	return out, nil
}

func (s *Service) addMembersTx(ctx context.Context, tx Tx, log *changeLog, g Group, refs []MemberRef, p Policy) error {
	if len(refs) == 0 {
		return nil
	}
	objs, err := resolveRefs(ctx, tx, g.TenantID, "members", refs)
	if err != nil {
		return err
	}
	add := make([]MemberRef, 0, len(objs))
	for _, o := range objs {
		if err := checkMembership(ctx, tx, g, o, p); err != nil {
			return err
		}
		add = append(add, MemberRef{ID: o.ID(), Kind: o.Kind()})
	}
	if err := s.refuseGuests(ctx, tx, g, "members", firstGuest(objs)); err != nil {
		return err
	}
	if err := refuseExisting(ctx, tx, g, add, "members"); err != nil {
		return err
	}
	if err := tx.AddMembers(ctx, g.TenantID, g.ID, add); err != nil {
		return err
	}
	for _, r := range add {
		log.relate(g.ID, OpMemberAdded, r)
	}
	return nil
}

// checkMembership applies the nesting rules of the reference to one
// prospective member o of group g.
func checkMembership(ctx context.Context, tx Tx, g Group, o Object, p Policy) error {
	rule := func(r Rule) error { return &RuleError{Rule: r, GroupID: g.ID, MemberID: o.ID()} }
	if o.Group == nil {
		return nil
	}
	switch {
	case p.MembersUsersOnly:
		return rule(RuleMembersUsersOnly)
	case g.IsUnified():
		return rule(RuleUnifiedMembersUsersOnly)
	case o.Group.IsUnified():
		return rule(RuleUnifiedNotNestable)
	case g.IsMailEnabledSecurity():
		return rule(RuleMailEnabledNoGroups)
	case g.IsAssignableToRole:
		return rule(RuleRoleAssignableNoGroups)
	case o.Group.ID == g.ID:
		return rule(RuleCycle)
	}
	// g would contain o; a cycle closes when o already contains g.
	cycle, err := tx.Contains(ctx, g.TenantID, o.Group.ID, g.ID)
	if err != nil {
		return err
	}
	if cycle {
		return rule(RuleCycle)
	}
	return nil
}

func refuseExisting(ctx context.Context, tx Tx, g Group, refs []MemberRef, relation string) error {
	ids := make([]ObjectID, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	var existing []ObjectID
	var err error
	if relation == "owners" {
		existing, err = tx.ExistingOwners(ctx, g.TenantID, g.ID, ids)
	} else {
		existing, err = tx.ExistingMembers(ctx, g.TenantID, g.ID, ids)
	}
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return &ReferenceExistsError{Relation: relation, ID: existing[0]}
	}
	return nil
}

func (s *Service) addOwnersTx(ctx context.Context, tx Tx, log *changeLog, g Group, refs []MemberRef) error {
	if len(refs) == 0 {
		return nil
	}
	objs, err := resolveRefs(ctx, tx, g.TenantID, "owners", refs)
	if err != nil {
		return err
	}
	add := make([]MemberRef, 0, len(objs))
	for _, o := range objs {
		if o.User == nil {
			return &RuleError{Rule: RuleOwnersUsersOnly, GroupID: g.ID, MemberID: o.ID()}
		}
		add = append(add, MemberRef{ID: o.ID(), Kind: KindUser})
	}
	if err := s.refuseGuests(ctx, tx, g, "owners", firstGuest(objs)); err != nil {
		return err
	}
	if err := refuseExisting(ctx, tx, g, add, "owners"); err != nil {
		return err
	}
	n, err := tx.CountOwners(ctx, g.TenantID, g.ID)
	if err != nil {
		return err
	}
	if n+len(add) > MaxOwners {
		return &LimitError{What: "owners", Limit: MaxOwners}
	}
	if err := tx.AddOwners(ctx, g.TenantID, g.ID, add); err != nil {
		return err
	}
	for _, r := range add {
		log.relate(g.ID, OpOwnerAdded, r)
	}
	return nil
}

// RemoveMember removes a direct member; removing a non-member is not found.
func (s *Service) RemoveMember(ctx context.Context, tenant TenantID, groupKey, memberKey string) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, groupKey)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, true); err != nil {
			return err
		}
		obj, err := objectTx(ctx, tx, tenant, memberKey)
		if err != nil {
			return err
		}
		removed, err := tx.RemoveMember(ctx, tenant, g.ID, obj.ID())
		if err != nil {
			return err
		}
		if !removed {
			return &NotFoundError{Kind: obj.Kind(), ID: memberKey, Relation: "members"}
		}
		log.relate(g.ID, OpMemberRemoved, MemberRef{ID: obj.ID(), Kind: obj.Kind()})
		return nil
	})
}

// RemoveOwner removes an owner. The last owner of a Microsoft 365 group
// stays, so that someone can always manage it.
func (s *Service) RemoveOwner(ctx context.Context, tenant TenantID, groupKey, ownerKey string) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, groupKey)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, false); err != nil {
			return err
		}
		obj, err := objectTx(ctx, tx, tenant, ownerKey)
		if errors.Is(err, ErrNotFound) {
			// Not a user or group: perhaps an application that owns g.
			if removed, aerr := s.removeAppOwner(ctx, tx, log, g, ownerKey); removed || aerr != nil {
				return aerr
			}
		}
		if err != nil {
			return err
		}
		existing, err := tx.ExistingOwners(ctx, tenant, g.ID, []ObjectID{obj.ID()})
		if err != nil {
			return err
		}
		if len(existing) == 0 {
			return &NotFoundError{Kind: obj.Kind(), ID: ownerKey, Relation: "owners"}
		}
		if g.IsUnified() {
			n, err := tx.CountOwners(ctx, tenant, g.ID)
			if err != nil {
				return err
			}
			if n <= 1 {
				return &RuleError{Rule: RuleLastOwner, GroupID: g.ID, MemberID: obj.ID()}
			}
		}
		if _, err := tx.RemoveOwner(ctx, tenant, g.ID, obj.ID()); err != nil {
			return err
		}
		log.relate(g.ID, OpOwnerRemoved, MemberRef{ID: obj.ID(), Kind: obj.Kind()})
		return nil
	})
}

func objectTx(ctx context.Context, tx Tx, tenant TenantID, key string) (Object, error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return Object{}, &NotFoundError{Kind: KindAny, ID: key}
	}
	objs, err := tx.Objects(ctx, tenant, []ObjectID{id})
	if err != nil {
		return Object{}, err
	}
	if len(objs) == 0 {
		return Object{}, &NotFoundError{Kind: KindAny, ID: key}
	}
	return objs[0], nil
}

// Members lists a page of a group's direct members.
func (s *Service) Members(ctx context.Context, tenant TenantID, groupKey string, page PageRequest) (Page[Object], error) {
	g, err := s.Group(ctx, tenant, groupKey)
	if err != nil {
		return Page[Object]{}, err
	}
	return s.store.Members(ctx, tenant, g.ID, page)
}

// AllMembers lists every direct member of a group (LibreGraph answers
// member lists whole).
func (s *Service) AllMembers(ctx context.Context, tenant TenantID, groupKey string) ([]Object, error) {
	g, err := s.Group(ctx, tenant, groupKey)
	if err != nil {
		return nil, err
	}
	return s.allMembers(ctx, tenant, g.ID, 0)
}

// Owners lists a page of a group's owners.
func (s *Service) Owners(ctx context.Context, tenant TenantID, groupKey string, page PageRequest) (Page[Object], error) {
	g, err := s.Group(ctx, tenant, groupKey)
	if err != nil {
		return Page[Object]{}, err
	}
	p, err := s.store.Owners(ctx, tenant, g.ID, page)
	if err != nil {
		return p, err
	}
	return s.withAppOwners(ctx, tenant, g.ID, p)
}

// MemberOf lists a page of the groups a user or group is a direct member of.
// kind KindAny accepts either; otherwise the object must be of that kind.
func (s *Service) MemberOf(ctx context.Context, tenant TenantID, key string, kind ObjectKind, page PageRequest) (Page[Group], error) {
	var id ObjectID
	switch kind {
	case KindUser:
		u, err := s.User(ctx, tenant, key)
		if err != nil {
			return Page[Group]{}, err
		}
		id = u.ID
	default:
		o, err := s.DirectoryObject(ctx, tenant, key)
		if err != nil {
			return Page[Group]{}, err
		}
		if kind == KindGroup && o.Group == nil {
			return Page[Group]{}, &NotFoundError{Kind: KindGroup, ID: key}
		}
		id = o.ID()
	}
	return s.store.MemberOf(ctx, tenant, id, page)
}
