package libregraph

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"groupd/internal/directory"
)

// updateUser applies f to u. A rename of onPremisesSamAccountName carries
// the names groupd derived from the old account name along with it
// (directory.UserFields.FollowAccountName): oCIS has no userPrincipalName;
// its LDAP backend renames the entry (ModifyDN of uid), after which the old
// name is free for a new user. Left behind, the old principal name would
// keep the old account name taken.
func (a *api) updateUser(ctx context.Context, t directory.TenantID, u directory.User, f directory.UserFields) (directory.User, error) {
	f.FollowAccountName = true
	out, err := a.dir.UpdateUser(ctx, t, string(u.ID), f)
	if err != nil {
		return directory.User{}, a.upnConflict(ctx, t, f.OnPremisesSamAccountName, err)
	}
	return out, nil
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
