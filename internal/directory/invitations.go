package directory

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// Invitation asks for an external user to be added as a guest (Microsoft
// Graph's invitation). groupd sends no mail and has no redemption step:
// the guest exists at once, and signs in only once an operator gives it a
// password.
type Invitation struct {
	Email       string  // invitedUserEmailAddress
	DisplayName *string // invitedUserDisplayName
	RedirectURL string  // inviteRedirectUrl
	UserType    *string // invitedUserType: Guest (default) or Member
}

// OpInvited: a user was invited (its change log row follows the user's
// creation, or stands alone when an address is invited again), for the
// audit log's "Invite external user".
const OpInvited ChangeOp = "invited"

// Invited is the user an invitation made, or the one an earlier
// invitation of the same address made (Created false).
type Invited struct {
	User    User
	Created bool
}

// Invite adds the external user inv names, as Entra does: its
// userPrincipalName is the address with @ turned into _, followed by
// #EXT# and the tenant's default domain, and its mail the address. A
// second invitation of an address returns the user of the first.
func (s *Service) Invite(ctx context.Context, tenant TenantID, inv Invitation) (Invited, error) {
	return s.invite(ctx, tenant, inv, true)
}

// invite is Invite; retry: a conflict with a concurrent invitation of the
// address runs it once more, to invite the user that one made.
func (s *Service) invite(ctx context.Context, tenant TenantID, inv Invitation, retry bool) (Invited, error) {
	const emailProp = "invitedUserEmailAddress"
	email := strings.TrimSpace(inv.Email)
	if err := firstErr(required(emailProp, email), validMail(emailProp, email)); err != nil {
		return Invited{}, err
	}
	if err := validRedirect(inv.RedirectURL); err != nil {
		return Invited{}, err
	}
	userType := UserTypeGuest
	if inv.UserType != nil {
		v, err := oneOf("invitedUserType", *inv.UserType, UserTypeGuest, UserTypeMember)
		if err != nil {
			return Invited{}, err
		}
		userType = v
	}
	t, err := s.store.Tenant(ctx, tenant)
	if err != nil {
		return Invited{}, err
	}
	external := strings.ReplaceAll(email, "@", "_") + "#EXT#"
	u := User{ID: NewObjectID(), TenantID: tenant, UserPrincipalName: external + "@" + t.DefaultDomain(),
		MailNickname: external, Mail: email, AccountEnabled: true, UserType: userType, CreatedAt: s.clock()}
	u.DisplayName, _, _ = strings.Cut(email, "@")
	if inv.DisplayName != nil && strings.TrimSpace(*inv.DisplayName) != "" {
		if err := validDisplayName(*inv.DisplayName); err != nil {
			return Invited{}, err
		}
		u.DisplayName = *inv.DisplayName
	}
	if err := validUPN(t, u.UserPrincipalName); err != nil {
		return Invited{}, &ValidationError{Property: emailProp, Reason: ReasonInvalidValue,
			Detail: "the address cannot form a guest's userPrincipalName " + u.UserPrincipalName}
	}
	var out Invited
	err = s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		out = Invited{User: u, Created: true}
		prev, err := tx.UserByUPN(ctx, tenant, u.UserPrincipalName)
		if err == nil {
			out = Invited{User: prev}
			log.add(KindUser, prev.ID, OpInvited, nil)
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		log.add(KindUser, u.ID, OpCreated, []string{"displayName", "userPrincipalName", "mail", "userType"})
		log.add(KindUser, u.ID, OpInvited, nil)
		return nil
	})
	var ce *ConflictError
	switch {
	case errors.As(err, &ce) && ce.Property == "userPrincipalName" && retry:
		// A concurrent invitation of the address made the user first: this
		// one invites it again.
		return s.invite(ctx, tenant, inv, false)
	case errors.As(err, &ce) && ce.Property == "mail":
		// A user of the tenant already has the address.
		return Invited{}, &ConflictError{Property: emailProp, Value: email}
	case err != nil:
		return Invited{}, err
	}
	return out, nil
}

// validRedirect checks inviteRedirectUrl: an absolute http or https URL.
func validRedirect(v string) error {
	const prop = "inviteRedirectUrl"
	if err := required(prop, v); err != nil {
		return err
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &ValidationError{Property: prop, Reason: ReasonInvalidValue, Detail: "an absolute http or https URL is required"}
	}
	return nil
}
