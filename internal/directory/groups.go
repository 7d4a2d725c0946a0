package directory

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// GroupFields carries group properties to set; nil is "not given".
type GroupFields struct {
	DisplayName                   *string
	Description                   *string
	MailNickname                  *string
	MailEnabled                   *bool
	SecurityEnabled               *bool
	GroupTypes                    *[]string
	Visibility                    *string
	Classification                *string
	MembershipRule                *string
	MembershipRuleProcessingState *string
	IsAssignableToRole            *bool
}

// GroupCreate is a new group with the members and owners bound at create.
type GroupCreate struct {
	Fields  GroupFields
	Members []MemberRef
	Owners  []MemberRef
	Policy  Policy

	// resolved says Members and Owners are users just looked up
	// (provisioning): no nesting rule applies to them and the store checks
	// their visibility as it adds them, so no second lookup is due.
	resolved bool
	// removals, when set, holds the user removal count at which they were
	// known visible (-1: not known) and receives the count the store read
	// as it related them (userremovals.go). Unset, nothing is known: the
	// count of a new database is 0, so a zero count may not mean that.
	removals *removalCounts
	// guests holds the resolved users that are guests, whom the tenant's
	// guest policy may keep out.
	guests map[ObjectID]bool
}

// removalCounts are the user removal counts of a provisioning call.
type removalCounts struct {
	visibleAt, checked int64
}

// GroupUpdate changes properties and binds further members and owners, all
// in one transaction.
type GroupUpdate struct {
	Fields  GroupFields
	Members []MemberRef
	Owners  []MemberRef
	Policy  Policy
}

// CreateGroup validates and stores a group with its bound members and
// owners, all or nothing. Without p.DeriveDefaults displayName,
// mailNickname, mailEnabled and securityEnabled are required.
func (s *Service) CreateGroup(ctx context.Context, tenant TenantID, c GroupCreate) (Group, error) {
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return Group{}, err
	}
	f := c.Fields
	if c.Policy.DeriveDefaults {
		if f.MailEnabled == nil {
			f.MailEnabled = ptr(false)
		}
		if f.SecurityEnabled == nil {
			f.SecurityEnabled = ptr(true)
		}
	}
	for _, req := range []struct {
		name  string
		given bool
	}{
		{"displayName", f.DisplayName != nil},
		{"mailNickname", f.MailNickname != nil || c.Policy.DeriveDefaults},
		{"mailEnabled", f.MailEnabled != nil},
		{"securityEnabled", f.SecurityEnabled != nil},
	} {
		if !req.given {
			return Group{}, &ValidationError{Property: req.name, Reason: ReasonRequired}
		}
	}
	if len(c.Members)+len(c.Owners) > MaxBindRefs {
		return Group{}, &LimitError{What: "references", Limit: MaxBindRefs}
	}
	g, err := s.newGroup(tenant, f)
	if err != nil {
		return Group{}, err
	}
	var out Group
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		out = g // a retried run starts again from the validated group
		return s.insertGroupTx(ctx, tx, log, t, &out, f, c)
	})
	if err != nil {
		return Group{}, err
	}
	return out, nil
}

// newGroup validates f into a new group, not yet stored.
func (s *Service) newGroup(tenant TenantID, f GroupFields) (Group, error) {
	now := s.clock()
	id := NewObjectID()
	g := Group{ID: id, TenantID: tenant, CreatedAt: now, RenewedAt: now, GroupTypes: []string{},
		SecurityIdentifier: securityIdentifier(id)}
	if err := applyGroupFields(&g, f, true); err != nil {
		return Group{}, err
	}
	if g.IsUnified() {
		if g.Visibility == "" {
			g.Visibility = VisibilityPublic
		}
	}
	return g, nil
}

// insertGroupTx stores g with the members and owners of c inside tx: the
// create path every dialect shares, so the tenant's Group.Unified policy
// (policy.go) holds for every Microsoft 365 group however it is created.
func (s *Service) insertGroupTx(ctx context.Context, tx Tx, log *changeLog, t Tenant, g *Group, f GroupFields, c GroupCreate) error {
	tenant := t.ID
	if f.MailNickname == nil {
		nick, err := uniqueNickname(ctx, tx, tenant, deriveMailNickname(g.DisplayName))
		if err != nil {
			return err
		}
		g.MailNickname = nick
	}
	if g.IsUnified() {
		if err := s.applyUnifiedPolicy(ctx, tx, g, f.Classification != nil, c.Owners); err != nil {
			return err
		}
	}
	if g.MailEnabled || g.IsUnified() {
		g.Mail = g.MailNickname + "@" + t.DefaultDomain()
		g.ProxyAddresses = []string{"SMTP:" + g.Mail}
	}
	if c.Policy.UniqueDisplayName {
		if err := checkDisplayNameFree(ctx, tx, tenant, g.DisplayName, ""); err != nil {
			return err
		}
	}
	if err := tx.InsertGroup(ctx, *g); err != nil {
		// The mail address is derived from the alias, so a taken address
		// means a taken alias: name the property the caller wrote.
		var ce *ConflictError
		if errors.As(err, &ce) && ce.Property == "mail" {
			return &ConflictError{Property: "mailNickname", Value: g.MailNickname}
		}
		return err
	}
	log.add(KindGroup, g.ID, OpCreated, setGroupProps(f))
	if err := checkUserRefs(ctx, tx, tenant, append(append([]MemberRef{}, c.Members...), c.Owners...)); err != nil {
		return err
	}
	if c.resolved {
		if err := s.refuseResolvedGuests(ctx, tx, *g, c); err != nil {
			return err
		}
		return relateUsersTx(ctx, tx, log, *g, c)
	}
	if err := s.ownCreated(ctx, tx, log, *g); err != nil {
		return err
	}
	if err := s.addOwnersTx(ctx, tx, log, *g, c.Owners); err != nil {
		return err
	}
	return s.addMembersTx(ctx, tx, log, *g, c.Members, c.Policy)
}

func ptr[T any](v T) *T { return &v }

// applyGroupFields validates f and writes it into g. Some properties may be
// set at create only.
func applyGroupFields(g *Group, f GroupFields, create bool) error {
	if f.DisplayName != nil {
		if err := validDisplayName(*f.DisplayName); err != nil {
			return err
		}
		g.DisplayName = *f.DisplayName
	}
	if f.Description != nil {
		if err := maxLen("description", *f.Description, MaxDescriptionLen); err != nil {
			return err
		}
		g.Description = *f.Description
	}
	if f.MailNickname != nil {
		if err := validMailNickname(*f.MailNickname); err != nil {
			return err
		}
		g.MailNickname = *f.MailNickname
	}
	if f.GroupTypes != nil {
		var types []string
		for _, gt := range *f.GroupTypes {
			v, err := oneOf("groupTypes", gt, GroupTypeUnified, GroupTypeDynamicMembership)
			if err != nil {
				return err
			}
			if !hasFold(types, v) {
				types = append(types, v)
			}
		}
		if types == nil {
			types = []string{}
		}
		if !create && hasFold(types, GroupTypeUnified) != g.IsUnified() {
			return &ValidationError{Property: "groupTypes", Reason: ReasonInvalidValue,
				Detail: "a group cannot be changed between security and Microsoft 365 group"}
		}
		g.GroupTypes = types
	}
	if f.MailEnabled != nil {
		g.MailEnabled = *f.MailEnabled
	}
	if f.SecurityEnabled != nil {
		g.SecurityEnabled = *f.SecurityEnabled
	}
	if f.Visibility != nil {
		if *f.Visibility == "" {
			g.Visibility = ""
		} else {
			v, err := oneOf("visibility", *f.Visibility, VisibilityPrivate, VisibilityPublic, VisibilityHiddenMembership)
			if err != nil {
				return err
			}
			if v == VisibilityHiddenMembership && !create {
				return &ValidationError{Property: "visibility", Reason: ReasonInvalidValue,
					Detail: "HiddenMembership can be set only when the group is created"}
			}
			g.Visibility = v
		}
	}
	if f.Classification != nil {
		if err := maxLen("classification", *f.Classification, MaxDisplayNameLen); err != nil {
			return err
		}
		g.Classification = *f.Classification
	}
	if f.MembershipRule != nil {
		if err := maxLen("membershipRule", *f.MembershipRule, 3072); err != nil {
			return err
		}
		g.MembershipRule = *f.MembershipRule
	}
	if f.MembershipRuleProcessingState != nil {
		v, err := oneOf("membershipRuleProcessingState", *f.MembershipRuleProcessingState, "On", "Paused")
		if err != nil {
			return err
		}
		g.MembershipRuleProcessingState = v
	}
	if f.IsAssignableToRole != nil {
		if !create {
			return &ValidationError{Property: "isAssignableToRole", Reason: ReasonReadOnly}
		}
		g.IsAssignableToRole = *f.IsAssignableToRole
	}
	if hasFold(g.GroupTypes, GroupTypeDynamicMembership) && g.MembershipRule == "" {
		return &ValidationError{Property: "membershipRule", Reason: ReasonRequired,
			Detail: "a DynamicMembership group needs a membershipRule"}
	}
	if g.IsAssignableToRole && (!g.SecurityEnabled || hasFold(g.GroupTypes, GroupTypeDynamicMembership)) {
		return &ValidationError{Property: "isAssignableToRole", Reason: ReasonInvalidValue,
			Detail: "a role-assignable group must be a security-enabled group with assigned membership"}
	}
	return nil
}

func setGroupProps(f GroupFields) []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(f.DisplayName != nil, "displayName")
	add(f.Description != nil, "description")
	add(f.MailNickname != nil, "mailNickname")
	add(f.MailEnabled != nil, "mailEnabled")
	add(f.SecurityEnabled != nil, "securityEnabled")
	add(f.GroupTypes != nil, "groupTypes")
	add(f.Visibility != nil, "visibility")
	add(f.Classification != nil, "classification")
	add(f.MembershipRule != nil, "membershipRule")
	add(f.MembershipRuleProcessingState != nil, "membershipRuleProcessingState")
	add(f.IsAssignableToRole != nil, "isAssignableToRole")
	return out
}

// uniqueNickname appends a number to base until no group has it.
func uniqueNickname(ctx context.Context, tx Tx, tenant TenantID, base string) (string, error) {
	nick := base
	for i := 2; ; i++ {
		taken, err := tx.MailNicknameTaken(ctx, tenant, nick, false)
		if err != nil {
			return "", err
		}
		if !taken {
			return nick, nil
		}
		nick = base + strconv.Itoa(i)
		if i > 10000 {
			return base + strings.ReplaceAll(uuid.NewString()[:8], "-", ""), nil
		}
	}
}

func checkDisplayNameFree(ctx context.Context, tx Tx, tenant TenantID, name string, except ObjectID) error {
	taken, err := tx.GroupDisplayNameTaken(ctx, tenant, name, except)
	if err != nil {
		return err
	}
	if taken {
		return &ConflictError{Property: "displayName", Value: name}
	}
	return nil
}

// securityIdentifier derives the S-1-12-1 SID Entra gives cloud objects from
// the four 32-bit little-endian words of the object id.
func securityIdentifier(id ObjectID) string {
	u, err := uuid.Parse(string(id))
	if err != nil {
		return ""
	}
	b := u[:]
	// Entra reads the GUID in its Windows byte order.
	win := []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]}
	return fmt.Sprintf("S-1-12-1-%d-%d-%d-%d",
		binary.LittleEndian.Uint32(win[0:4]), binary.LittleEndian.Uint32(win[4:8]),
		binary.LittleEndian.Uint32(win[8:12]), binary.LittleEndian.Uint32(win[12:16]))
}

// Group returns a group by id.
func (s *Service) Group(ctx context.Context, tenant TenantID, key string) (Group, error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return Group{}, &NotFoundError{Kind: KindGroup, ID: key}
	}
	ctx, err := s.checkCaches(ctx, tenant)
	if err != nil {
		return Group{}, err
	}
	c := s.objects(ctx, tenant)
	if c == nil {
		return s.store.Group(ctx, tenant, id)
	}
	k := cacheKey{tenant, id}
	if g, ok := c.group(k); ok {
		return g, nil
	}
	gen := c.generation()
	g, err := s.store.Group(ctx, tenant, id)
	if err == nil {
		c.putGroup(k, g, gen)
	}
	return g, err
}

// GroupWithMembers returns a group with up to limit members (0: all).
func (s *Service) GroupWithMembers(ctx context.Context, tenant TenantID, key string, limit int) (Group, error) {
	g, err := s.Group(ctx, tenant, key)
	if err != nil {
		return Group{}, err
	}
	members, err := s.allMembers(ctx, tenant, g.ID, limit)
	if err != nil {
		return Group{}, err
	}
	g.Members = members
	return g, nil
}

// allMembers pages through a group's members until limit (0: no limit).
func (s *Service) allMembers(ctx context.Context, tenant TenantID, group ObjectID, limit int) ([]Object, error) {
	out := []Object{}
	page := PageRequest{Top: 999}
	for {
		if limit > 0 && limit-len(out) < page.Top {
			page.Top = limit - len(out)
		}
		p, err := s.store.Members(ctx, tenant, group, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		page.After = p.Next
	}
}

// Groups lists a page of groups, with members when req.Expand is set.
func (s *Service) Groups(ctx context.Context, tenant TenantID, req GroupListRequest) (Page[Group], error) {
	return s.store.Groups(ctx, tenant, req)
}

// UpdateGroup changes properties and binds members and owners in one
// transaction. At most MaxBindRefs references per relationship.
func (s *Service) UpdateGroup(ctx context.Context, tenant TenantID, key string, u GroupUpdate) error {
	if len(u.Members) > MaxBindRefs {
		return &LimitError{What: "members", Limit: MaxBindRefs}
	}
	if len(u.Owners) > MaxBindRefs {
		return &LimitError{What: "owners", Limit: MaxBindRefs}
	}
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, key)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, len(setGroupProps(u.Fields)) == 0 && len(u.Owners) == 0); err != nil {
			return err
		}
		if props := setGroupProps(u.Fields); len(props) > 0 {
			if err := applyGroupFields(&g, u.Fields, false); err != nil {
				return err
			}
			if err := s.applyUnifiedRename(ctx, tx, &g, u.Fields); err != nil {
				return err
			}
			if u.Fields.DisplayName != nil && u.Policy.UniqueDisplayName {
				if err := checkDisplayNameFree(ctx, tx, tenant, g.DisplayName, g.ID); err != nil {
					return err
				}
			}
			if err := tx.UpdateGroup(ctx, g); err != nil {
				return err
			}
			log.add(KindGroup, g.ID, OpUpdated, props)
		}
		if err := s.addOwnersTx(ctx, tx, log, g, u.Owners); err != nil {
			return err
		}
		return s.addMembersTx(ctx, tx, log, g, u.Members, u.Policy)
	})
}

// DeleteGroup soft-deletes a Microsoft 365 group (restorable, memberships
// kept) and removes a security group for good, as Entra does.
func (s *Service) DeleteGroup(ctx context.Context, tenant TenantID, key string) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, key)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, false); err != nil {
			return err
		}
		if s.softDeletes(g) {
			if err := tx.SoftDeleteGroup(ctx, tenant, g.ID, log.at); err != nil {
				return err
			}
			log.add(KindGroup, g.ID, OpDeleted, nil)
			return nil
		}
		if err := tx.DeleteGroup(ctx, tenant, g.ID); err != nil {
			return err
		}
		log.add(KindGroup, g.ID, OpHardDeleted, nil)
		return nil
	})
}

func (s *Service) groupTx(ctx context.Context, tx Tx, tenant TenantID, key string) (Group, error) {
	id, ok := ParseObjectID(key)
	if !ok {
		return Group{}, &NotFoundError{Kind: KindGroup, ID: key}
	}
	return tx.Group(ctx, tenant, id)
}
