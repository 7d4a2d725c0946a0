package directory

import (
	"context"
	"strings"
)

// NameProblemKind says how a proposed group name breaks a policy.
type NameProblemKind string

const (
	NameMissingPrefixSuffix NameProblemKind = "missingPrefixSuffix"
	NameBlockedWord         NameProblemKind = "blockedWord"
	NameTaken               NameProblemKind = "taken"
)

// NameProblem is one way a proposed Microsoft 365 group name breaks the
// tenant's rules (ValidateGroupNames).
type NameProblem struct {
	Property       string // displayName or mailNickname
	Kind           NameProblemKind
	Prefix, Suffix string // the naming policy's, resolved (NameMissingPrefixSuffix)
	Word           string // the blocked word found (NameBlockedWord)
}

// NamePolicyError carries what ValidateGroupNames found.
type NamePolicyError struct{ Problems []NameProblem }

func (e *NamePolicyError) Error() string {
	var parts []string
	for _, p := range e.Problems {
		parts = append(parts, p.Property+": "+string(p.Kind))
	}
	return "group names break the tenant's policy: " + strings.Join(parts, ", ")
}

// GroupNames are what ValidateGroupNames checks: the names given (nil:
// not checked), whose attributes fill the naming policy's tokens (a user
// id; empty: the calling user, none for an application), and the
// existing group being renamed, if any.
type GroupNames struct {
	DisplayName, MailNickname *string
	OnBehalfOf                ObjectID
	Group                     ObjectID
}

// ValidateGroupNames checks names for a Microsoft 365 group against the
// tenant's Group.Unified policy, as Graph's validateProperties does, and
// stops at the first rule broken: every name missing the naming policy's
// prefix or suffix, then a blocked word, then (for a new group) a
// mailNickname already taken. It returns a *NamePolicyError for a broken
// rule, nil when the names pass.
func (s *Service) ValidateGroupNames(ctx context.Context, tenant TenantID, n GroupNames) error {
	if n.DisplayName == nil && n.MailNickname == nil {
		return &ValidationError{Property: "displayName", Reason: ReasonRequired,
			Detail: "give displayName, mailNickname or both"}
	}
	if n.Group != "" {
		if _, err := s.store.Group(ctx, tenant, n.Group); err != nil {
			return err
		}
	}
	values, err := s.unifiedValues(ctx, s.store, tenant)
	if err != nil {
		return err
	}
	p := parseUnified(values)
	subject := n.OnBehalfOf
	if c := CallerFrom(ctx); subject == "" && c.Actor.Kind == ActorUser {
		subject = ObjectID(c.Actor.ID)
	}
	var u User
	if subject != "" {
		if u, err = s.store.User(ctx, tenant, subject); err != nil {
			return err
		}
	}
	if u.IsAdmin { // as on creation (applyUnifiedPolicy)
		p = p.exemptNames()
	}
	var names []groupName
	if n.DisplayName != nil {
		names = append(names, groupName{"displayName", *n.DisplayName})
	}
	if n.MailNickname != nil {
		names = append(names, groupName{"mailNickname", *n.MailNickname})
	}
	var problems []NameProblem
	if p.naming != "" {
		prefix, suffix := namingAffixes(p.naming, u)
		for _, nm := range names {
			pre, suf := prefix, suffix
			if nm.prop == "mailNickname" {
				pre, suf = nicknameChars(pre), nicknameChars(suf)
			}
			if !hasAffixes(nm.value, pre, suf) {
				problems = append(problems, NameProblem{Property: nm.prop, Kind: NameMissingPrefixSuffix, Prefix: pre, Suffix: suf})
			}
		}
	}
	if len(problems) > 0 {
		return &NamePolicyError{Problems: problems}
	}
	if prop, w := p.firstBlocked(names); w != "" {
		return &NamePolicyError{Problems: []NameProblem{{Property: prop, Kind: NameBlockedWord, Word: w}}}
	}
	if n.Group == "" && n.MailNickname != nil {
		// The names are a Microsoft 365 group's, which shares its
		// nickname only with security groups that have no mail.
		taken, err := s.store.MailNicknameTaken(ctx, tenant, *n.MailNickname, true)
		if err != nil {
			return err
		}
		if taken {
			return &NamePolicyError{Problems: []NameProblem{{Property: "mailNickname", Kind: NameTaken}}}
		}
	}
	return nil
}

// nicknameChars drops what a mailNickname may not hold from a naming
// policy's prefix or suffix, as Entra leaves those characters out of the
// policy's checks of a nickname: @ ( ) \ [ ] " ; : < > , and spaces.
func nicknameChars(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`@()\[]";:<>, `, r) {
			return -1
		}
		return r
	}, s)
}
