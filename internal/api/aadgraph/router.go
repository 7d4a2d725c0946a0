package aadgraph

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
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
	r.Get(t+"/directoryObjects/$/Microsoft.DirectoryServices.User", a.endpoint(auth.NeedUserRead, a.listUsers))
	r.Get(t+"/users/{id}", a.endpoint(auth.NeedUserRead, a.getUser))
	r.Get(t+"/users/{id}/memberOf", a.endpoint(auth.NeedUserMemberOf, a.navList(relUserMemberOf, false)))
	r.Get(t+"/users/{id}/$links/memberOf", a.endpoint(auth.NeedUserMemberOf, a.navList(relUserMemberOf, true)))

	r.Post(t+"/isMemberOf", a.endpoint(auth.NeedGroupRead, a.isMemberOf))
	for _, f := range []struct {
		coll string
		kind directory.ObjectKind
		need auth.Need
	}{
		{"groups", directory.KindGroup, auth.NeedGroupRead},
		{"users", directory.KindUser, auth.NeedUserMemberOf},
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

// TenantShaped reports whether seg can name a tenant: myorganization, a
// GUID or a domain name (dot-separated labels ending in letters).
func TenantShaped(seg string) bool {
	if strings.EqualFold(seg, "myorganization") {
		return true
	}
	if _, ok := directory.ParseTenantID(seg); ok {
		return true
	}
	labels := strings.Split(seg, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
		for _, c := range l {
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == len(labels)-1 || !(c >= '0' && c <= '9' || c == '-')) {
				return false
			}
		}
	}
	return true
}

// request is what every handler gets: the pipeline has checked the
// api-version, authenticated the caller, matched the path's tenant and
// checked the permission.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	tenant directory.TenantID
	// base is <origin>/{tenant} with {tenant} as the caller wrote it, the
	// root of every URL in responses.
	base  string
	query url.Values
}

// param returns a path parameter, percent-decoded.
func (rq *request) param(name string) string {
	v := chi.URLParam(rq.r, name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

type handlerFunc func(rq *request) error

// audiences: tokens for Azure AD Graph only (the reference's "Decisions").
var audiences = []string{auth.AudienceAADGraph}

// endpoint is the pipeline every route runs through, once: recover
// panics, check api-version, authenticate, match the path's tenant with
// the caller's, authorise, run the handler, and render any error in this
// dialect's shape.
func (a *api) endpoint(need auth.Need, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		if err := a.serve(w, r, need, h); err != nil {
			a.writeError(w, r, err)
		}
	}
}

func (a *api) serve(w http.ResponseWriter, r *http.Request, need auth.Need, h handlerFunc) error {
	values, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	if err := checkVersion(values); err != nil {
		return err
	}
	ctx := r.Context()
	p, err := a.authn.Authenticate(ctx, r, auth.Want{Origin: httpx.Origin(r), Audiences: audiences})
	if err != nil {
		return err
	}
	seg := tenantSegment(r)
	if err := a.matchTenant(ctx, seg, p.TenantID); err != nil {
		return err
	}
	ctx = auth.WithPrincipal(ctx, p)
	ctx = directory.WithCaller(ctx, directory.Caller{
		Actor: p.Actor(), RequestID: httpx.RequestID(ctx), ClientAddr: httpx.ClientAddr(r), Roles: p.Roles,
	})
	r = r.WithContext(ctx)
	if !p.Allowed(need) {
		return denied()
	}
	return h(&request{w: w, r: r, ctx: ctx, tenant: p.TenantID, base: httpx.Origin(r) + "/" + seg, query: values})
}

// parseQuery reads the query string. A parameter that cannot be read is
// skipped when it is no OData option (the seed's samples send "&amp;"),
// and refused when it might be one, so that no option is ever ignored.
func parseQuery(raw string) (url.Values, error) {
	values := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(k)
		val, verr := url.QueryUnescape(v)
		switch {
		case kerr == nil && verr == nil && !strings.Contains(k, ";"):
			values[key] = append(values[key], val)
		case strings.HasPrefix(k, "$") || strings.HasPrefix(strings.ToLower(k), "%24") || strings.HasPrefix(k, "api-version"):
			return nil, badRequest(codeBadRequest, "The query parameter '%s' is not valid.", k)
		}
	}
	return values, nil
}

// tenantSegment is the path's first segment, as the caller wrote it.
func tenantSegment(r *http.Request) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return seg
}

// checkVersion requires api-version=1.6 on every call, DELETE included.
func checkVersion(values url.Values) error {
	v, ok := values["api-version"]
	switch {
	case !ok || len(v) == 0 || v[0] == "":
		return badRequest(codeBadRequest, "The api-version query parameter is not present.")
	case len(v) > 1 || v[0] != APIVersion:
		return badRequest(codeBadRequest, "The specified api-version is invalid. The value must exactly match a supported version.")
	}
	return nil
}

// matchTenant checks that the path's {tenant} names the caller's tenant:
// myorganization always does; a tenant id must be the caller's; a domain
// must be one the caller's tenant verified.
func (a *api) matchTenant(ctx context.Context, seg string, tenant directory.TenantID) error {
	if strings.EqualFold(seg, "myorganization") {
		return nil
	}
	if id, ok := directory.ParseTenantID(seg); ok {
		if id == tenant {
			return nil
		}
		return foreignTenant(seg)
	}
	t, err := a.dir.Tenant(ctx, tenant)
	if err != nil {
		return err
	}
	if t.HasDomain(seg) {
		return nil
	}
	return foreignTenant(seg)
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

var allMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (a *api) methodNotAllowed(rq *request) error {
	path := routePath(rq.r)
	var allowed []string
	for _, m := range allMethods {
		if a.router.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return a.notFound(rq)
	}
	rq.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return &apiError{status: http.StatusMethodNotAllowed, code: codeBadRequest,
		msg: fmt.Sprintf("The HTTP method '%s' is not allowed for the request target.", rq.r.Method)}
}
