package aadgraph

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// Config wires the dialect to the directory and the authenticators.
type Config struct {
	Directory *directory.Service
	Basic     *auth.Basic
	// Tokens verifies bearer tokens; nil refuses them.
	Tokens *auth.Tokens
	Logger *slog.Logger
	// Fallback answers paths whose first segment cannot name a tenant
	// ("/nope/x"), so that the dialect does not claim every unknown path.
	Fallback http.Handler
}

// Pattern is the root pattern the server routes here. Routes with a fixed
// first segment (/v1.0, /graph/v1.0, /healthz) and the identity endpoints
// under /{tenant}/oauth2/... are more specific and win.
const Pattern = "/{tenant}/*"

// APIVersion is the only version served.
const APIVersion = "1.6"

type api struct {
	dir      *directory.Service
	authn    auth.Authenticator
	log      *slog.Logger
	router   *chi.Mux
	fallback http.Handler
}

// New returns the handler for Pattern, routed on the full request path.
// The server must wrap it in httpx.WithRequestIDs and record the origin.
func New(cfg Config) http.Handler {
	a := &api{dir: cfg.Directory, authn: auth.Authenticator{Basic: cfg.Basic, Tokens: cfg.Tokens},
		log: cfg.Logger, fallback: cfg.Fallback}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.fallback == nil {
		a.fallback = http.NotFoundHandler()
	}
	r := chi.NewRouter()
	r.Use(httpx.HeadAsGet(r))
	a.router = r
	r.NotFound(a.endpoint(auth.NeedSignedIn, a.notFound))
	r.MethodNotAllowed(a.endpoint(auth.NeedSignedIn, a.methodNotAllowed))

	// The permission each call needs is the reference's table, as for
	// /v1.0; see internal/auth/perms.go for the sets.
	const t = "/{tenant}"
	r.Get(t+"/groups", a.endpoint(auth.NeedGroupRead, a.listGroups))
	r.Get(t+"/directoryObjects/$/Microsoft.DirectoryServices.Group", a.endpoint(auth.NeedGroupRead, a.listGroups))
	r.Post(t+"/groups", a.endpoint(auth.NeedGroupCreate, a.createGroup))
	r.Get(t+"/groups/{id}", a.endpoint(auth.NeedGroupRead, a.getGroup))
	r.Patch(t+"/groups/{id}", a.endpoint(auth.NeedGroupWrite, a.updateGroup))
	r.Delete(t+"/groups/{id}", a.endpoint(auth.NeedGroupWrite, a.deleteGroup))

	for _, g := range []string{"/groups", "/group"} { // the seed also spells reads /group/{id}/{nav}
		r.Get(t+g+"/{id}/members", a.endpoint(auth.NeedGroupRead, a.navList(relMembers, false)))
		r.Get(t+g+"/{id}/owners", a.endpoint(auth.NeedGroupRead, a.navList(relOwners, false)))
		r.Get(t+g+"/{id}/memberOf", a.endpoint(auth.NeedGroupRead, a.navList(relGroupMemberOf, false)))
	}
	r.Get(t+"/groups/{id}/$links/members", a.endpoint(auth.NeedGroupRead, a.navList(relMembers, true)))
	r.Get(t+"/groups/{id}/$links/owners", a.endpoint(auth.NeedGroupRead, a.navList(relOwners, true)))
	r.Get(t+"/groups/{id}/$links/memberOf", a.endpoint(auth.NeedGroupRead, a.navList(relGroupMemberOf, true)))
	r.Post(t+"/groups/{id}/$links/members", a.endpoint(auth.NeedMemberWrite, a.addLink(relMembers)))
	r.Post(t+"/groups/{id}/$links/owners", a.endpoint(auth.NeedOwnerWrite, a.addLink(relOwners)))
	r.Delete(t+"/groups/{id}/$links/members/{ref}", a.endpoint(auth.NeedMemberWrite, a.removeLink(relMembers)))
	r.Delete(t+"/groups/{id}/$links/owners/{ref}", a.endpoint(auth.NeedOwnerWrite, a.removeLink(relOwners)))

	r.Get(t+"/users", a.endpoint(auth.NeedUserRead, a.listUsers))
	r.Get(t+"/directoryObjects", a.endpoint(auth.NeedSignedIn, a.listDirectoryObjects))
	r.Get(t+"/directoryObjects/$/Microsoft.DirectoryServices.User", a.endpoint(auth.NeedUserRead, a.listUsers))
	r.Get(t+"/users/{id}", a.endpoint(auth.NeedUserRead, a.getUser))
	r.Get(t+"/users/{id}/memberOf", a.endpoint(auth.NeedUserMemberOf, a.navList(relUserMemberOf, false)))
	r.Get(t+"/users/{id}/$links/memberOf", a.endpoint(auth.NeedUserMemberOf, a.navList(relUserMemberOf, true)))

	a.mountObjects(r, t)
	a.mountMe(r, t)
	a.mountManager(r, t)
	a.mountTenantDetails(r, t)

	r.Post(t+"/isMemberOf", a.endpoint(auth.NeedGroupRead, a.isMemberOf))
	for _, f := range []struct {
		coll string
		kind directory.ObjectKind
		need auth.Need
	}{
		{"groups", directory.KindGroup, auth.NeedGroupRead},
		{"users", directory.KindUser, auth.NeedUserMemberOf},
		// Either kind; subject asks for the kind's permission.
		{"directoryObjects", directory.KindAny, auth.NeedObjectRead},
	} {
		r.Post(t+"/"+f.coll+"/{id}/checkMemberGroups", a.endpoint(f.need, a.checkMemberGroups(f.kind)))
		r.Post(t+"/"+f.coll+"/{id}/getMemberGroups", a.endpoint(f.need, a.getMemberGroups(f.kind, false)))
		r.Post(t+"/"+f.coll+"/{id}/getMemberObjects", a.endpoint(f.need, a.getMemberGroups(f.kind, true)))
	}
	return a
}

// ServeHTTP hands paths whose first segment cannot name a tenant to the
// fallback and routes the rest, with "%24links" read as "$links".
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !TenantShaped(tenantSegment(r)) {
		a.fallback.ServeHTTP(w, r)
		return
	}
	if rctx := chi.RouteContext(r.Context()); rctx != nil {
		p := r.URL.Path
		if r.URL.RawPath != "" {
			p = r.URL.RawPath
		}
		rctx.RoutePath = strings.ReplaceAll(p, "%24", "$")
	}
	a.router.ServeHTTP(w, r)
}

// routePath is the path the router matched, "$links" unescaped.
func routePath(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		return rctx.RoutePath
	}
	return r.URL.Path
}

func (a *api) notFound(rq *request) error {
	segs := strings.Split(strings.Trim(routePath(rq.r), "/"), "/")
	last := segs[len(segs)-1]
	if len(segs) >= 2 {
		last = segs[1]
		switch strings.ToLower(last) {
		case "groups", "users", "directoryobjects", "group":
			last = segs[len(segs)-1]
		}
	}
	if u, err := url.PathUnescape(last); err == nil {
		last = u
	}
	return &apiError{status: http.StatusNotFound, code: codeNotFound,
		msg: fmt.Sprintf("Resource not found for the segment '%s'.", last)}
}

func (a *api) methodNotAllowed(rq *request) error {
	allowed := httpx.AllowedMethods(a.router, routePath(rq.r))
	if len(allowed) == 0 {
		return a.notFound(rq)
	}
	rq.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return &apiError{status: http.StatusMethodNotAllowed, code: codeBadRequest,
		msg: fmt.Sprintf("The HTTP method '%s' is not allowed for the request target.", rq.r.Method)}
}
