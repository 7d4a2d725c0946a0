package msgraph

import (
	"errors"
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// changePassword answers POST /users/{id}/changePassword (and so
// /me/changePassword): a user changes its own password, proving the
// current one; nobody else may, as in Graph.
func (a *api) changePassword(rq *request) error {
	p, _ := auth.PrincipalFrom(rq.ctx)
	if p.Kind != directory.ActorUser || rq.param("id") != p.ID {
		return denied()
	}
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	b := bodyReader{resource: "changePassword"}
	var current, next string
	for _, f := range obj {
		if b.dup(f.Name) {
			return b.err
		}
		switch f.Name {
		case "currentPassword":
			if v := b.str(f); v != nil {
				current = *v
			}
		case "newPassword":
			if v := b.str(f); v != nil {
				next = *v
			}
		default:
			b.fail(notParameter(f.Name, "changePassword"))
		}
		if b.err != nil {
			return b.err
		}
	}
	err = a.dir.ChangeOwnPassword(rq.ctx, rq.tenant, directory.ObjectID(p.ID), current, next)
	if errors.Is(err, directory.ErrWrongPassword) {
		return withTarget(badRequest(codeRequestBad, "The current password is incorrect."), "currentPassword", "InvalidValue")
	}
	if err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}
