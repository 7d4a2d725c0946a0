package directory

import (
	"context"
	"errors"
	"strings"
	"unicode"
)

// unifiedPolicy is the parsed Group.Unified setting the directory enforces
// on every Microsoft 365 group created, whatever the dialect.
type unifiedPolicy struct {
	classifications       []string
	defaultClassification string
	naming                string
	blocked               []string
	enableCreation        bool
	allowedGroup          ObjectID
	guestMembers          bool // AllowToAddGuests
	guestOwners           bool // AllowGuestsToBeGroupOwner
}

func parseUnified(values []SettingValue) unifiedPolicy {
	p := unifiedPolicy{enableCreation: true, guestMembers: true}
	for _, v := range values {
		switch v.Name {
		case SettingClassificationList:
			p.classifications = splitList(v.Value)
		case SettingDefaultClassification:
			p.defaultClassification = strings.TrimSpace(v.Value)
		case SettingNamingRequirement:
			p.naming = v.Value
		case SettingBlockedWords:
			p.blocked = splitList(v.Value)
		case SettingEnableGroupCreation:
			p.enableCreation = !strings.EqualFold(v.Value, "false")
		case SettingCreationAllowedGroup:
			p.allowedGroup = ObjectID(v.Value)
		case SettingAllowGuests:
			p.guestMembers = !strings.EqualFold(v.Value, "false")
		case SettingGuestOwners:
			p.guestOwners = strings.EqualFold(v.Value, "true")
		}
	}
	return p
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// namingAttributes are the user attributes a naming policy may name, as
// Entra spells them. Attributes groupd does not store resolve to "".
var namingAttributes = map[string]func(User) string{
	"[Department]":      func(u User) string { return u.Department },
	"[Title]":           func(u User) string { return u.JobTitle },
	"[Office]":          func(u User) string { return u.OfficeLocation },
	"[Company]":         func(User) string { return "" },
	"[CountryOrRegion]": func(User) string { return "" },
	"[StateOrProvince]": func(User) string { return "" },
	"[CountryCode]":     func(User) string { return "" },
}

const groupNameToken = "[GroupName]"

// checkUnifiedValues refuses a Group.Unified setting whose values do not
// fit together.
func checkUnifiedValues(ctx context.Context, tx Tx, tenant TenantID, p unifiedPolicy) error {
	if p.defaultClassification != "" && !hasFold(p.classifications, p.defaultClassification) {
		return &ValidationError{Property: SettingDefaultClassification, Reason: ReasonInvalidValue,
			Detail: "the default classification must be one of the ClassificationList"}
	}
	if p.naming != "" {
		if strings.Count(p.naming, groupNameToken) != 1 {
			return &ValidationError{Property: SettingNamingRequirement, Reason: ReasonInvalidValue,
				Detail: "the naming requirement must contain [GroupName] once"}
		}
		rest := strings.ReplaceAll(p.naming, groupNameToken, "")
		for {
			i := strings.IndexByte(rest, '[')
			if i < 0 {
				break
			}
			j := strings.IndexByte(rest[i:], ']')
			if j < 0 {
				return &ValidationError{Property: SettingNamingRequirement, Reason: ReasonInvalidValue,
					Detail: "an attribute token is not closed"}
			}
			if _, ok := namingAttributes[rest[i:i+j+1]]; !ok {
				return &ValidationError{Property: SettingNamingRequirement, Reason: ReasonInvalidValue,
					Detail: "unknown attribute " + rest[i:i+j+1]}
			}
			rest = rest[i+j+1:]
		}
	}
	if p.allowedGroup != "" {
		if _, err := tx.Group(ctx, tenant, p.allowedGroup); errors.Is(err, ErrNotFound) {
			return &ValidationError{Property: SettingCreationAllowedGroup, Reason: ReasonInvalidValue,
				Detail: "no group has the id " + string(p.allowedGroup)}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// applyUnifiedPolicy enforces the tenant's Group.Unified setting on a new
// Microsoft 365 group g inside the creating transaction: creation rights,
// blocked words, classification and the naming policy. Attribute tokens
// come from the calling user or, for an application, from the first owner.
// A Global Administrator is exempt from blocked words and the naming
// policy, as in Entra ("administrator override"); applications never are.
func (s *Service) applyUnifiedPolicy(ctx context.Context, tx Tx, g *Group, classificationGiven bool, owners []MemberRef) error {
	values, err := s.unifiedValues(ctx, tx, g.TenantID)
	if err != nil {
		return err
	}
	p, attrs, err := namingSubject(ctx, tx, g.TenantID, parseUnified(values), func() (User, error) {
		if len(owners) == 0 {
			return User{}, nil
		}
		return userIfAny(ctx, tx, g.TenantID, owners[0].ID)
	})
	if err != nil {
		return err
	}
	if CallerFrom(ctx).Actor.Kind == ActorUser {
		if err := checkCreationRight(ctx, tx, p, attrs); err != nil {
			return err
		}
	}
	if err := p.checkBlocked([]groupName{{"displayName", g.DisplayName}, {"mailNickname", g.MailNickname}}); err != nil {
		return err
	}
	if classificationGiven && g.Classification != "" {
		i := indexFold(p.classifications, g.Classification)
		if i < 0 {
			return &ValidationError{Property: "classification", Reason: ReasonInvalidValue}
		}
		g.Classification = p.classifications[i]
	} else if g.Classification == "" {
		g.Classification = p.defaultClassification
	}
	return p.nameDisplay(g, attrs)
}

// applyUnifiedRename enforces the rules on names when a Microsoft 365
// group's displayName or mailNickname changes, as Entra enforces them on
// edits too: blocked words in the names given, and the naming policy on a
// new displayName. Attribute tokens come from the calling user or, for an
// application, from the group's first owner; a Global Administrator is
// exempt, as on creation.
func (s *Service) applyUnifiedRename(ctx context.Context, tx Tx, g *Group, f GroupFields) error {
	if !g.IsUnified() || (f.DisplayName == nil && f.MailNickname == nil) {
		return nil
	}
	values, err := s.unifiedValues(ctx, tx, g.TenantID)
	if err != nil {
		return err
	}
	p := parseUnified(values)
	if p.naming == "" && len(p.blocked) == 0 {
		return nil
	}
	p, attrs, err := namingSubject(ctx, tx, g.TenantID, p, func() (User, error) {
		if f.DisplayName == nil {
			return User{}, nil
		}
		owners, err := tx.Owners(ctx, g.TenantID, g.ID, PageRequest{Top: 1})
		if err != nil || len(owners.Items) == 0 || owners.Items[0].User == nil {
			return User{}, err
		}
		return *owners.Items[0].User, nil
	})
	if err != nil {
		return err
	}
	var names []groupName
	if f.DisplayName != nil {
		names = append(names, groupName{"displayName", g.DisplayName})
	}
	if f.MailNickname != nil {
		names = append(names, groupName{"mailNickname", g.MailNickname})
	}
	if err := p.checkBlocked(names); err != nil {
		return err
	}
	if f.DisplayName == nil {
		return nil
	}
	return p.nameDisplay(g, attrs)
}

// namingSubject returns p as it holds for the caller's names, and whose
// attributes fill its tokens: a user's own, with none of the rules on
// names for a Global Administrator (Entra's administrator override); for
// an application, those of the user owner returns, asked only when the
// policy names, since the naming policy alone reads them.
func namingSubject(ctx context.Context, tx Tx, tenant TenantID, p unifiedPolicy, owner func() (User, error)) (unifiedPolicy, User, error) {
	switch c := CallerFrom(ctx); c.Actor.Kind {
	case ActorUser:
		u, err := userIfAny(ctx, tx, tenant, ObjectID(c.Actor.ID))
		if err != nil {
			return p, User{}, err
		}
		if u.IsAdmin {
			p = p.exemptNames()
		}
		return p, u, nil
	case ActorApp:
		if p.naming != "" {
			u, err := owner()
			return p, u, err
		}
	}
	return p, User{}, nil
}

// userIfAny reads a user whose absence is no error: the zero User then.
func userIfAny(ctx context.Context, tx Tx, tenant TenantID, id ObjectID) (User, error) {
	u, err := tx.User(ctx, tenant, id)
	if errors.Is(err, ErrNotFound) {
		return User{}, nil
	}
	return u, err
}

// checkBlocked refuses the first of names holding a blocked word.
func (p unifiedPolicy) checkBlocked(names []groupName) error {
	if prop, w := p.firstBlocked(names); w != "" {
		return &ValidationError{Property: prop, Reason: ReasonInvalidValue,
			Detail: "the " + prop + " contains the blocked word '" + w + "'"}
	}
	return nil
}

// nameDisplay wraps g's displayName in the naming policy's affixes, with
// attribute tokens from attrs.
func (p unifiedPolicy) nameDisplay(g *Group, attrs User) error {
	if p.naming == "" {
		return nil
	}
	g.DisplayName = applyNaming(p.naming, g.DisplayName, attrs)
	return validDisplayName(g.DisplayName)
}

// checkCreationRight applies EnableGroupCreation to a user: when off, only
// administrators and members of GroupCreationAllowedGroupId may create
// Microsoft 365 groups. Applications holding a create permission always
// may, as in Entra.
func checkCreationRight(ctx context.Context, tx Tx, p unifiedPolicy, u User) error {
	if p.enableCreation || u.IsAdmin {
		return nil
	}
	if p.allowedGroup != "" && u.ID != "" {
		in, err := tx.Contains(ctx, u.TenantID, p.allowedGroup, u.ID)
		if err != nil {
			return err
		}
		if in {
			return nil
		}
	}
	return &ForbiddenError{Action: "create Microsoft 365 groups (group creation is restricted in this tenant)"}
}

// applyNaming wraps name in the policy's prefix and suffix, with attribute
// tokens resolved from u. A name that already carries both is kept, so
// that a name written to the policy is not wrapped twice.
func applyNaming(policy, name string, u User) string {
	prefix, suffix := namingAffixes(policy, u)
	if hasAffixes(name, prefix, suffix) {
		return name
	}
	return prefix + name + suffix
}

// namingAffixes returns the policy's prefix and suffix with attribute
// tokens resolved from u.
func namingAffixes(policy string, u User) (prefix, suffix string) {
	prefix, suffix, _ = strings.Cut(policy, groupNameToken)
	resolve := func(s string) string {
		for tok, attr := range namingAttributes {
			s = strings.ReplaceAll(s, tok, attr(u))
		}
		return s
	}
	return resolve(prefix), resolve(suffix)
}

func hasAffixes(name, prefix, suffix string) bool {
	return strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) && len(name) >= len(prefix)+len(suffix)
}

// exemptNames is p without the rules on names that administrators are
// exempt from: blocked words and the naming policy.
func (p unifiedPolicy) exemptNames() unifiedPolicy {
	p.blocked, p.naming = nil, ""
	return p
}

// groupName is a name property of a group and its value.
type groupName struct{ prop, value string }

// firstBlocked returns the first of names holding a blocked word, and the
// word; "" when none does.
func (p unifiedPolicy) firstBlocked(names []groupName) (prop, word string) {
	for _, n := range names {
		if w := blockedWord(n.value, p.blocked); w != "" {
			return n.prop, w
		}
	}
	return "", ""
}

// blockedWord returns the first blocked word that is a whole word of s
// (case-insensitive), or "".
func blockedWord(s string, blocked []string) string {
	if len(blocked) == 0 {
		return ""
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if i := indexFold(blocked, w); i >= 0 {
			return blocked[i]
		}
	}
	return ""
}

func indexFold(list []string, v string) int {
	for i, s := range list {
		if strings.EqualFold(s, v) {
			return i
		}
	}
	return -1
}
