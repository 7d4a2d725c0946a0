package aadgraph

import (
	"errors"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// mountMe registers /me and the paths below it that 1.6 serves for the
// signed-in user: its object, its groups, the membership functions and
// changePassword.
func (a *api) mountMe(r chi.Router, t string) {
	// A user may always read itself and its memberships, a guest too,
	// whose permissions reach no further (auth.Principal.IsGuest).
	r.Get(t+"/me", a.endpoint(auth.NeedSignedIn, a.asMe(a.getUser)))
	r.Get(t+"/me/memberOf", a.endpoint(auth.NeedSignedIn, a.asMe(a.navList(relUserMemberOf, false))))
	r.Get(t+"/me/$links/memberOf", a.endpoint(auth.NeedSignedIn, a.asMe(a.navList(relUserMemberOf, true))))
	r.Post(t+"/me/checkMemberGroups", a.endpoint(auth.NeedSignedIn, a.asMe(a.checkMemberGroups(directory.KindUser))))
	r.Post(t+"/me/getMemberGroups", a.endpoint(auth.NeedSignedIn, a.asMe(a.getMemberGroups(directory.KindUser, false))))
	r.Post(t+"/me/getMemberObjects", a.endpoint(auth.NeedSignedIn, a.asMe(a.getMemberGroups(directory.KindUser, true))))
	r.Post(t+"/me/changePassword", a.endpoint(auth.NeedSignedIn, a.asMe(a.changePassword)))
}

// asMe runs h as for /users/{id} of the signed-in user. An application
// has no /me: it signs in as itself, not on a user's behalf.
func (a *api) asMe(h handlerFunc) handlerFunc {
	return func(rq *request) error {
		p, _ := auth.PrincipalFrom(rq.ctx)
		if p.Kind != directory.ActorUser {
			return badRequest(codeBadRequest, "/me is valid only for a signed-in user, not for an application's token.")
		}
		if rctx := chi.RouteContext(rq.r.Context()); rctx != nil {
			rctx.URLParams.Add("id", p.ID)
		}
		return h(rq)
	}
}

// changePassword answers POST /me/changePassword {currentPassword,
// newPassword} with 204: a user changes its own password, proving the
// current one.
func (a *api) changePassword(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	var current, next *string
	for _, f := range obj {
		s, ok := httpx.String(f.Value)
		switch {
		case f.Name != "currentPassword" && f.Name != "newPassword":
			return unknownProperty(f.Name, "User")
		case !ok:
			return badRequest(codeBadRequest, "Invalid value specified for property '%s' of resource 'User'.", f.Name)
		case f.Name == "currentPassword" && current == nil:
			current = &s
		case f.Name == "newPassword" && next == nil:
			next = &s
		default:
			return badRequest(codeBadRequest, "The property '%s' is given more than once in the request body.", f.Name)
		}
	}
	if current == nil || next == nil {
		name := "currentPassword"
		if current != nil {
			name = "newPassword"
		}
		return badRequest(codeBadRequest, "A value is required for property '%s' of resource 'User'.", name)
	}
	err = a.dir.ChangeOwnPassword(rq.ctx, rq.tenant, directory.ObjectID(rq.param("id")), *current, *next)
	if errors.Is(err, directory.ErrWrongPassword) {
		return badRequest(codeBadRequest, "The current password is incorrect.")
	}
	if err != nil {
		return userValidation(err)
	}
	noContent(rq.w)
	return nil
}
