package directory

import (
	"context"
	"errors"
)

// ErrWrongPassword says the current password given to ChangeOwnPassword
// is not the user's.
var ErrWrongPassword = errors.New("wrong current password")

// ChangeOwnPassword sets a user's password once its current one is
// proven, which any user may do for itself, administrator or not. The new
// password must differ from the current one and meet the same rules as
// any other (checkPasswordComplexity).
func (s *Service) ChangeOwnPassword(ctx context.Context, tenant TenantID, id ObjectID, current, next string) error {
	switch {
	case current == "":
		return &ValidationError{Property: "currentPassword", Reason: ReasonRequired}
	case next == "":
		return &ValidationError{Property: "newPassword", Reason: ReasonRequired}
	case next == current:
		return &ValidationError{Property: "newPassword", Reason: ReasonInvalidValue,
			Detail: "the new password must differ from the current one"}
	}
	u, err := s.store.User(ctx, tenant, id)
	if err != nil {
		return err
	}
	if !passwordMatches(u.PasswordHash, current) {
		return ErrWrongPassword
	}
	_, err = s.UpdateUser(ctx, tenant, string(id), UserFields{Password: &next})
	// The rules name the property a create or update sets; here the
	// caller gave newPassword.
	var ve *ValidationError
	if errors.As(err, &ve) && ve.Property == "passwordProfile" {
		out := *ve
		out.Property = "newPassword"
		return &out
	}
	return err
}
