package libregraph

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

// Config wires the dialect to the directory and the Basic authenticator.
type Config struct {
	Directory *directory.Service
	Basic     *auth.Basic
	// Tokens verifies bearer tokens, which LibreGraph accepts besides
	// Basic credentials; nil refuses them.
	Tokens *auth.Tokens
	Logger *slog.Logger
}

// policy is the set of directory rules LibreGraph switches on: group names
// are unique, only users are members, minimal create bodies get defaults.
var policy = directory.Policy{UniqueDisplayName: true, MembersUsersOnly: true, DeriveDefaults: true}

type api struct {
	dir   *directory.Service
	authn auth.Authenticator
	log   *slog.Logger
	mux   *chi.Mux
}

// handlerFunc is a LibreGraph endpoint: it writes a success response or
// returns an error that writeError renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns the LibreGraph handler, to be mounted at /graph/v1.0. Every
// request passes the same pipeline: panic recovery, path normalisation,
// Basic authentication, caller attribution and the read/write permission
// check; unknown paths and methods get LibreGraph 404 and 405 bodies.
func New(cfg Config) http.Handler {
	a := &api{dir: cfg.Directory, authn: auth.Authenticator{Basic: cfg.Basic, Tokens: cfg.Tokens}, log: cfg.Logger, mux: chi.NewRouter()}
	if a.log == nil {
		a.log = slog.Default()
	}
	m := a.mux
	m.Use(a.recoverPanics, normalizePath, httpx.HeadAsGet(m), a.authenticate)
	m.NotFound(a.notFound)
	m.MethodNotAllowed(a.methodNotAllowed)

	// The permission each call needs is the reference's table; see
	// internal/auth/perms.go. A PATCH may bind members, so it needs
	// member write too.
	m.Get("/groups", a.handle(auth.NeedGroupRead, a.listGroups))
	m.Post("/groups", a.handle(auth.NeedGroupCreate, a.createGroup))
	m.Get("/groups/{groupID}", a.handle(auth.NeedGroupRead, a.getGroup))
	m.Patch("/groups/{groupID}", a.handle(needGroupPatch, a.patchGroup))
	m.Delete("/groups/{groupID}", a.handle(auth.NeedGroupWrite, a.deleteGroup))
	m.Get("/groups/{groupID}/members", a.handle(auth.NeedGroupRead, a.listMembers))
	m.Post("/groups/{groupID}/members/$ref", a.handle(auth.NeedMemberWrite, a.addMember))
	m.Delete("/groups/{groupID}/members/{memberID}/$ref", a.handle(auth.NeedMemberWrite, a.removeMember))

	m.Get("/users", a.handle(auth.NeedUserRead, a.listUsers))
	m.Post("/users", a.handle(auth.NeedUserWrite, a.createUser))
	m.Get("/users/{userID}", a.handle(auth.NeedUserRead, a.getUser))
	m.Patch("/users/{userID}", a.handle(auth.NeedUserWrite, a.patchUser))
	m.Delete("/users/{userID}", a.handle(auth.NeedUserWrite, a.deleteUser))
	m.Get("/me", a.handle(auth.NeedSignedIn, a.getMe))
	m.Post("/me/changePassword", a.handle(auth.NeedSignedIn, a.changeOwnPassword))
	return m
}

// needGroupPatch: a PATCH may change properties and bind members at once.
var needGroupPatch = append(append(auth.Need{}, auth.NeedGroupWrite...), auth.NeedMemberWrite...)

// handle runs fn once the principal (attached by authenticate) satisfies
// need; otherwise the answer is 403 accessDenied.
func (a *api) handle(need auth.Need, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p, _ := auth.PrincipalFrom(r.Context()); !p.Allowed(need) {
			a.writeError(w, r, errAccessDenied)
			return
		}
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// recoverPanics turns a panic into a logged 500 generalException.
func (a *api) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.writeError(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// normalizePath lets "%24ref" stand for "$ref" and ignores one trailing
// slash, so that the routes match however a client spells them; nothing is
// ever redirected.
func normalizePath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rctx := chi.RouteContext(r.Context()); rctx != nil {
			p := routePath(r)
			if i := strings.Index(strings.ToLower(p), "%24ref"); i >= 0 {
				p = p[:i] + "$ref" + p[i+len("%24ref"):]
			}
			if len(p) > 1 {
				p = strings.TrimSuffix(p, "/")
			}
			rctx.RoutePath = p
		}
		next.ServeHTTP(w, r)
	})
}

// routePath is the path the mux routes on, relative to its mount point.
func routePath(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		return rctx.RoutePath
	}
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}

// authenticate checks Basic credentials or a bearer token and attaches
// principal and caller; each route checks its permission in handle.
func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := a.authn.Authenticate(ctx, r, auth.Want{Origin: httpx.Origin(r), Audiences: graphAudiences})
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		ctx = auth.WithPrincipal(ctx, p)
		ctx = directory.WithCaller(ctx, directory.Caller{
			Actor: p.Actor(), RequestID: httpx.RequestID(ctx), ClientAddr: httpx.ClientAddr(r), Roles: p.Roles,
		})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// graphAudiences are the token audiences LibreGraph accepts, as /v1.0.
var graphAudiences = []string{auth.AudienceGraph}

func (a *api) notFound(w http.ResponseWriter, r *http.Request) {
	a.writeError(w, r, &apiError{status: http.StatusNotFound, code: codeItemNotFound, msg: "not found"})
}

func (a *api) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", strings.Join(httpx.AllowedMethods(a.mux, routePath(r)), ", "))
	a.writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: codeNotAllowed,
		msg: fmt.Sprintf("method %s is not allowed on this resource", r.Method)})
}

// tenant is the tenant of the authenticated principal.
func tenant(r *http.Request) directory.TenantID {
	p, _ := auth.PrincipalFrom(r.Context())
	return p.TenantID
}

// param returns a path parameter, percent-decoded.
func param(r *http.Request, name string) string {
	v := chi.URLParam(r, name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}
