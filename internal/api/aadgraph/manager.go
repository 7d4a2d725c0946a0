package aadgraph

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

var relDirectReports = relation{"users", "directReports", directory.SourceDirectReports, directory.KindUser}

// mountManager registers a user's manager and direct reports, as 1.6
// serves them (Set-AzureADUserManager writes $links/manager).
func (a *api) mountManager(r chi.Router, t string) {
	r.Get(t+"/users/{id}/manager", a.endpoint(auth.NeedUserRead, a.getManager(false)))
	r.Get(t+"/users/{id}/$links/manager", a.endpoint(auth.NeedUserRead, a.getManager(true)))
	r.Put(t+"/users/{id}/$links/manager", a.endpoint(auth.NeedUserWrite, a.setManager))
	r.Delete(t+"/users/{id}/$links/manager", a.endpoint(auth.NeedUserWrite, a.removeManager))
	r.Get(t+"/users/{id}/directReports", a.endpoint(auth.NeedUserRead, a.navList(relDirectReports, false)))
	r.Get(t+"/users/{id}/$links/directReports", a.endpoint(auth.NeedUserRead, a.navList(relDirectReports, true)))
}

// getManager answers GET /users/{id}/manager with the manager's entity
// or, with links, GET /users/{id}/$links/manager with its URL.
func (a *api) getManager(links bool) handlerFunc {
	return func(rq *request) error {
		if err := rq.noOptions(); err != nil {
			return err
		}
		m, err := a.dir.Manager(rq.ctx, rq.tenant, rq.param("id"))
		if err != nil {
			return err
		}
		if links {
			o := directory.Object{User: &m}
			return sendJSON(rq.w, http.StatusOK, struct {
				Metadata string `json:"odata.metadata"`
				link
			}{rq.metadata(directoryFragment + "/$links/manager"), rq.objectLink(&o)})
		}
		out := newUserEntity(&m)
		out.Metadata = rq.metadata(directoryFragment + "/@Element")
		return sendJSON(rq.w, http.StatusOK, out)
	}
}

// setManager answers PUT /users/{id}/$links/manager {"url": a user}.
func (a *api) setManager(rq *request) error {
	ref, err := a.linkBody(rq)
	if err != nil {
		return err
	}
	if err := a.dir.SetManager(rq.ctx, rq.tenant, rq.param("id"), ref.ID); err != nil {
		return userValidation(err)
	}
	noContent(rq.w)
	return nil
}

// removeManager answers DELETE /users/{id}/$links/manager.
func (a *api) removeManager(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	if err := a.dir.RemoveManager(rq.ctx, rq.tenant, rq.param("id")); err != nil {
		return err
	}
	noContent(rq.w)
	return nil
}
