package msgraph

import (
	"context"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/auth"
	"groupd/internal/directory"
)

// signedInKey marks the context of a request that this dialect dispatches
// to its own router (a batched request, or /me as /users/{id}) with the
// principal the outer request authenticated, so that endpoint does not
// authenticate it again (with Basic credentials, a password hash each
// time). Only dispatched sets it; a client cannot.
type signedInKey struct{}

func dispatchedPrincipal(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(signedInKey{}).(auth.Principal)
	return p, ok
}

// dispatched returns ctx for a request to run through the router as p. Its
// routing context is a fresh one: chi would otherwise route it by the
// outer request's path.
func dispatched(ctx context.Context, p auth.Principal) context.Context {
	ctx = context.WithValue(ctx, signedInKey{}, p)
	return context.WithValue(ctx, chi.RouteCtxKey, (*chi.Context)(nil))
}

// me answers /me and every path below it as the same path below
// /users/{id} of the signed-in user, with the same method, query and
// body. As in Graph, an application has no /me.
func (a *api) me(rq *request) error {
	p, _ := auth.PrincipalFrom(rq.ctx)
	if p.Kind != directory.ActorUser {
		return badRequest(codeBadRequest, "/me request is only valid with delegated authentication flow.")
	}
	rest := strings.TrimPrefix(routePath(rq.r), "/me")
	sub := rq.r.Clone(dispatched(rq.ctx, p))
	sub.URL.Path, sub.URL.RawPath = "/users/"+p.ID+unescape(rest), ""
	if rest != unescape(rest) {
		sub.URL.RawPath = "/users/" + p.ID + rest
	}
	sub.RequestURI = sub.URL.RequestURI()
	a.router.ServeHTTP(rq.w, sub)
	return nil
}
