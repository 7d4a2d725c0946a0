package directory

import "context"

// Guest users join Microsoft 365 groups under the tenant's Group.Unified
// setting: AllowToAddGuests (true by default) lets them be members,
// unless the group's own Group.Unified.Guest setting says otherwise;
// AllowGuestsToBeGroupOwner (false by default) lets them be owners. The
// policy governs adds only, as in Entra: guests already in a group stay
// when it changes, and security groups take guests freely.
//
// Every path that relates users to a group applies it: the full checks of
// member and owner adds (which read the objects they add, so they see the
// user's type as the transaction does), and provisioning, which knows the
// type from resolving its names before the write (the name cache drops a
// user whose type changes, as on a rename; a change that commits between
// the resolution and the write is not seen, as a rename is not). The
// single-statement member adds (memberadd.go, addbatch.go) add no guest to
// a Microsoft 365 group: such a pair is left to the full path, which
// applies the policy.

// refuseGuests applies the policy to guest, the first guest user about to
// join g as relation ("members" or "owners"); "" is none. The setting is
// read only when there is a guest to judge.
func (s *Service) refuseGuests(ctx context.Context, r Reader, g Group, relation string, guest ObjectID) error {
	if guest == "" || !g.IsUnified() {
		return nil
	}
	values, err := s.unifiedValues(ctx, r, g.TenantID)
	if err != nil {
		return err
	}
	p := parseUnified(values)
	allowed := p.guestMembers
	if relation == "owners" {
		allowed = p.guestOwners
	} else if own, set, err := groupAllowsGuests(ctx, r, g); err != nil {
		return err
	} else if set {
		allowed = own
	}
	if allowed {
		return nil
	}
	return &GuestPolicyError{Relation: relation, GroupID: g.ID, UserID: guest}
}

// refuseResolvedGuests applies the policy to the users a provisioning call
// resolved, owners first: they are also among the members.
func (s *Service) refuseResolvedGuests(ctx context.Context, r Reader, g Group, c GroupCreate) error {
	if len(c.guests) == 0 {
		return nil
	}
	first := func(refs []MemberRef) ObjectID {
		for _, ref := range refs {
			if c.guests[ref.ID] {
				return ref.ID
			}
		}
		return ""
	}
	if err := s.refuseGuests(ctx, r, g, "owners", first(c.Owners)); err != nil {
		return err
	}
	return s.refuseGuests(ctx, r, g, "members", first(c.Members))
}

// firstGuest returns the id of the first guest user among objs, or "".
func firstGuest(objs []Object) ObjectID {
	for _, o := range objs {
		if o.User != nil && o.User.IsGuest() {
			return o.User.ID
		}
	}
	return ""
}
