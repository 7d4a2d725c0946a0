package libregraph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"groupd/internal/directory"
)

// updateUser applies f to u. A rename of onPremisesSamAccountName carries
// the names groupd derived from the old account name along with it:
// userPrincipalName (sam@domain) and mailNickname (sam), each only while it
// still holds the derived value, so that one set through another dialect
// stays. oCIS has no userPrincipalName; its LDAP backend renames the entry
// (ModifyDN of uid), after which the old name is free for a new user. Left
// behind, the old principal name would keep the old account name taken.
//
// An account name may form no valid derived value (a trailing period, two
// periods in a row, a domain too long); then the rename is applied without
// them rather than fail on properties the client never sent, and the 409 a
// later create meets names the principal name (upnConflict).
func (a *api) updateUser(ctx context.Context, t directory.TenantID, u directory.User, f directory.UserFields) (directory.User, error) {
	derived, err := a.deriveRenamed(ctx, t, u, &f)
	if err != nil {
		return directory.User{}, err
	}
	out, err := a.dir.UpdateUser(ctx, t, string(u.ID), f)
	var ve *directory.ValidationError
	if derived && errors.As(err, &ve) && (ve.Property == "userPrincipalName" || ve.Property == "mailNickname") {
		f.UserPrincipalName, f.MailNickname = nil, nil
		out, err = a.dir.UpdateUser(ctx, t, string(u.ID), f)
	}
	if err != nil {
		return directory.User{}, a.upnConflict(ctx, t, f.OnPremisesSamAccountName, err)
	}
	return out, nil
}

// deriveRenamed adds to f the derived names that follow a change of the
// account name, reporting whether it added any. The principal name keeps
// its domain.
func (a *api) deriveRenamed(ctx context.Context, t directory.TenantID, u directory.User, f *directory.UserFields) (bool, error) {
	if f.OnPremisesSamAccountName == nil || u.OnPremisesSamAccountName == "" ||
		*f.OnPremisesSamAccountName == u.OnPremisesSamAccountName {
		return false, nil
	}
	sam, old := *f.OnPremisesSamAccountName, u.OnPremisesSamAccountName
	ten, err := a.dir.Tenant(ctx, t)
	if err != nil {
		return false, err
	}
	derived := false
	alias, domain, _ := strings.Cut(u.UserPrincipalName, "@")
	if strings.EqualFold(alias, old) && ten.HasDomain(domain) {
		upn := sam + "@" + domain
		f.UserPrincipalName, derived = &upn, true
	}
	if strings.EqualFold(u.MailNickname, old) {
		nick := sam
		f.MailNickname, derived = &nick, true
	}
	return derived, nil
}

// upnConflict words a 409 on userPrincipalName. When the account name
// itself is taken the answer is oCIS's ("a user with that name already
// exists"); when only the principal name derived from it is (one set
// through another dialect, or left by a rename that could not carry it),
// the answer names it: oCIS has no principal names, so no words for this.
func (a *api) upnConflict(ctx context.Context, t directory.TenantID, sam *string, err error) error {
	var ce *directory.ConflictError
	if !errors.As(err, &ce) || ce.Property != "userPrincipalName" || sam == nil {
		return err
	}
	if _, lerr := a.dir.UserByLogin(ctx, t, *sam); !errors.Is(lerr, directory.ErrNotFound) {
		return err
	}
	return &apiError{status: http.StatusConflict, code: codeNameAlreadyExists,
		msg: fmt.Sprintf("a user with the userPrincipalName '%s' already exists", ce.Value)}
}
