package libregraph

import (
	"errors"
	"net/http"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// changeOwnPassword answers POST /me/changePassword as oCIS does: 204, or
// 400 invalidRequest with oCIS's words for what is wrong.
func (a *api) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	p, _ := auth.PrincipalFrom(r.Context())
	if p.Kind != directory.ActorUser {
		return &apiError{status: http.StatusNotFound, code: codeItemNotFound, msg: "no user is signed in"}
	}
	obj, err := decodeBody(w, r, "", "currentPassword", "newPassword")
	if err != nil {
		return err
	}
	var pw [2]string
	for i, name := range []string{"currentPassword", "newPassword"} {
		v, err := stringField(obj, name)
		if err != nil {
			return err
		}
		if v != nil {
			pw[i] = *v
		}
	}
	err = a.dir.ChangeOwnPassword(r.Context(), tenant(r), directory.ObjectID(p.ID), pw[0], pw[1])
	var ve *directory.ValidationError
	switch {
	case errors.Is(err, directory.ErrWrongPassword):
		return invalidRequest("wrong current password")
	case errors.As(err, &ve) && ve.Reason == directory.ReasonRequired:
		if ve.Property == "currentPassword" {
			return invalidRequest("current password cannot be empty")
		}
		return invalidRequest("new password cannot be empty")
	case errors.As(err, &ve) && ve.Property == "newPassword" && ve.Reason == directory.ReasonInvalidValue:
		return invalidRequest("new password must be different from current password")
	case err != nil:
		return err
	}
	noContent(w)
	return nil
}
