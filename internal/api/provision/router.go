package provision

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// Config wires the dialect to the directory and the authenticators.
type Config struct {
	Directory *directory.Service
	Basic     *auth.Basic
	Tokens    *auth.Tokens
	Logger    *slog.Logger
}

type api struct {
	dir   *directory.Service
	authn auth.Authenticator
	log   *slog.Logger
}

// Path is the one route, below the /api mount point.
const Path = "/ProvisionGroup"

// New returns the handler to mount at /api. The server must wrap it in
// httpx.WithRequestIDs.
func New(cfg Config) http.Handler {
	a := &api{dir: cfg.Directory, authn: auth.Authenticator{Basic: cfg.Basic, Tokens: cfg.Tokens}, log: cfg.Logger}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a
}

// ServeHTTP is the pipeline: route, recover panics, authenticate, attach
// the caller, authorise, then provision.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}
	}()
	if path := routePath(r); path != Path {
		a.writeError(w, r, &apiError{status: http.StatusNotFound, code: "NotFound",
			message: "No API operation at " + path + ". The provisioning API is POST /api/ProvisionGroup."})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		a.writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			message: "The method " + r.Method + " is not allowed; use POST."})
		return
	}
	ctx := r.Context()
	p, err := a.authn.Authenticate(ctx, r, auth.Want{Origin: httpx.Origin(r), Audiences: []string{auth.AudienceGraph}})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ctx = auth.WithPrincipal(ctx, p)
	ctx = directory.WithCaller(ctx, directory.Caller{
		Actor: p.Actor(), RequestID: httpx.RequestID(ctx), ClientAddr: httpx.ClientAddr(r), Roles: p.Roles,
	})
	r = r.WithContext(ctx)
	if !p.Allowed(auth.NeedProvision) {
		a.writeError(w, r, denied())
		return
	}
	if err := a.provision(w, r, p.TenantID); err != nil {
		a.writeError(w, r, err)
	}
}

// routePath is the path below the mount point, as chi routes it.
func routePath(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		return rctx.RoutePath
	}
	return r.URL.Path
}
