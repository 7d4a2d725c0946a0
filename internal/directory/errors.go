package directory

import (
	"errors"
	"fmt"
)

// Kind sentinels. Every error the Service returns on purpose matches exactly
// one of them with errors.Is; anything else is an internal failure whose text
// must not reach a client. The struct types below carry the detail dialects
// need and match their sentinel through Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid")
	ErrForbidden    = errors.New("forbidden")
	ErrLimit        = errors.New("limit exceeded")
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnavailable says the store cannot be reached right now; the caller
	// may retry later.
	ErrUnavailable = errors.New("unavailable")
)

// NotFoundError names the object that does not exist (or is deleted, or
// belongs to another tenant, which callers must not be able to tell apart).
type NotFoundError struct {
	Kind ObjectKind // KindAny when the id was looked up as any directory object
	ID   string
	// Relation is set when the object exists but the relationship does not
	// ("members" for removing a non-member, "owners" likewise).
	Relation string
}

func (e *NotFoundError) Error() string {
	if e.Relation != "" {
		return fmt.Sprintf("%s %s not in %s", kindName(e.Kind), e.ID, e.Relation)
	}
	return fmt.Sprintf("%s %s not found", kindName(e.Kind), e.ID)
}
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ConflictError says a unique property's value is taken in the tenant.
type ConflictError struct {
	Property string // "userPrincipalName", "mailNickname", "mail", "displayName", "onPremisesSamAccountName"
	Value    string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %q is already in use", e.Property, e.Value)
}
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Reasons a property value is refused.
type Reason string

const (
	ReasonRequired     Reason = "required"     // missing or empty
	ReasonTooLong      Reason = "tooLong"      // longer than Limit characters
	ReasonInvalidChars Reason = "invalidChars" // contains a character that is not allowed
	ReasonInvalidValue Reason = "invalidValue" // not one of the allowed values / wrong shape
	ReasonUnknown      Reason = "unknown"      // no such property
	ReasonReadOnly     Reason = "readOnly"     // may not be written
	ReasonDomain       Reason = "unverifiedDomain"
	ReasonPassword     Reason = "passwordComplexity"
)

// ValidationError says one property has a bad value.
type ValidationError struct {
	Property string
	Reason   Reason
	Limit    int    // for ReasonTooLong
	Detail   string // human-readable addition, may be empty
}

func (e *ValidationError) Error() string {
	if e.Reason == ReasonPassword {
		// The command line prints this; the dialects word it themselves.
		return fmt.Sprintf("property %s: the password must be 8 to %d characters long and contain three of "+
			"lower case letters, upper case letters, digits and symbols", e.Property, MaxPasswordLen)
	}
	s := fmt.Sprintf("property %s: %s", e.Property, e.Reason)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// ReferenceExistsError says an added member or owner is one already.
type ReferenceExistsError struct {
	Relation string // "members" or "owners"
	ID       ObjectID
}

func (e *ReferenceExistsError) Error() string {
	return fmt.Sprintf("%s already in %s", e.ID, e.Relation)
}
func (e *ReferenceExistsError) Is(target error) bool { return target == ErrInvalid }

// Rule names a membership or ownership rule that a change would break.
type Rule string

const (
	RuleUnifiedMembersUsersOnly Rule = "unifiedMembersUsersOnly" // Unified groups take users only
	RuleUnifiedNotNestable      Rule = "unifiedNotNestable"      // a Unified group is nobody's member
	RuleMailEnabledNoGroups     Rule = "mailEnabledNoGroups"     // mail-enabled security groups take no groups
	RuleRoleAssignableNoGroups  Rule = "roleAssignableNoGroups"  // role-assignable groups take no groups
	RuleCycle                   Rule = "cycle"                   // the change would make a group its own member
	RuleOwnersUsersOnly         Rule = "ownersUsersOnly"         // owners are users (or apps)
	RuleLastOwner               Rule = "lastOwner"               // the last owner of a Unified group stays
	RuleMembersUsersOnly        Rule = "membersUsersOnly"        // dialect switch: members must be users
)

// RuleError says a change breaks a membership rule.
type RuleError struct {
	Rule     Rule
	GroupID  ObjectID
	MemberID ObjectID
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("rule %s refuses %s in %s", e.Rule, e.MemberID, e.GroupID)
}
func (e *RuleError) Is(target error) bool { return target == ErrInvalid }

// GuestPolicyError says the tenant's Group.Unified setting keeps a guest
// user out of a Microsoft 365 group: as a member when AllowToAddGuests is
// false, as an owner unless AllowGuestsToBeGroupOwner is true.
type GuestPolicyError struct {
	Relation string // "members" or "owners"
	GroupID  ObjectID
	UserID   ObjectID
}

func (e *GuestPolicyError) Error() string {
	return fmt.Sprintf("the guest %s may not be added to the %s of %s", e.UserID, e.Relation, e.GroupID)
}
func (e *GuestPolicyError) Is(target error) bool { return target == ErrForbidden }

// LimitError says a request asks for more than a limit allows.
type LimitError struct {
	What  string // "members@odata.bind", "owners", "bind", ...
	Limit int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: at most %d allowed", e.What, e.Limit)
}
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// ForbiddenError says the caller may not do this.
type ForbiddenError struct{ Action string }

func (e *ForbiddenError) Error() string        { return "not allowed: " + e.Action }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

func kindName(k ObjectKind) string {
	if k == KindAny {
		return "object"
	}
	return string(k)
}
