package msgraph

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// mountManager registers a user's manager; its reverse, directReports, is
// a list of the nesting table (transitive.go).
func (a *api) mountManager(r chi.Router) {
	r.Get("/users/{id}/manager", a.endpoint(auth.NeedUserReadSelf, optSelect, "User", a.getManager))
	r.Put("/users/{id}/manager/$ref", a.endpoint(auth.NeedUserWrite, 0, "User", a.setManager))
	r.Delete("/users/{id}/manager/$ref", a.endpoint(auth.NeedUserWrite, 0, "User", a.removeManager))
}

// getManager answers GET /users/{id}/manager with the manager as a
// directory object (typed), or 404 naming "manager" when there is none.
func (a *api) getManager(rq *request) error {
	return sendObject(rq, func() (directory.Object, error) {
		m, err := a.dir.Manager(rq.ctx, rq.tenant, rq.param("id"))
		return directory.Object{User: &m}, err
	})
}

// setManager answers PUT /users/{id}/manager/$ref {"@odata.id": a user}.
func (a *api) setManager(rq *request) error {
	ref, err := refBody(rq)
	if err != nil {
		return err
	}
	if err := a.dir.SetManager(rq.ctx, rq.tenant, rq.param("id"), ref.ID); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeManager answers DELETE /users/{id}/manager/$ref.
func (a *api) removeManager(rq *request) error {
	if err := a.dir.RemoveManager(rq.ctx, rq.tenant, rq.param("id")); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}
