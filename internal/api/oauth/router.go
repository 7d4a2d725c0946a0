package oauth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// Config wires the endpoint to the directory and the token service.
type Config struct {
	Directory *directory.Service
	Tokens    *auth.Tokens
	Logger    *slog.Logger
}

type api struct {
	dir      *directory.Service
	tokens   *auth.Tokens
	log      *slog.Logger
	throttle *throttle
	router   *chi.Mux
}

// Patterns are the root paths this dialect answers; the server routes
// exactly these here, so /{tenant}/groups stays free for Azure AD Graph.
var Patterns = []string{
	"/{tenant}/oauth2/*",
	"/{tenant}/v2.0/.well-known/openid-configuration",
	"/{tenant}/.well-known/openid-configuration",
	"/{tenant}/discovery/*",
	"/discovery/keys",
	"/discovery/v2.0/keys",
}

// New returns the handler for Patterns, routed on the full request path.
// The server must wrap it in httpx.WithRequestIDs and record the origin.
func New(cfg Config) http.Handler {
	a := &api{dir: cfg.Directory, tokens: cfg.Tokens, log: cfg.Logger, throttle: newThrottle()}
	if a.log == nil {
		a.log = slog.Default()
	}
	r := chi.NewRouter()
	a.router = r
	r.Post("/{tenant}/oauth2/v2.0/token", a.token(false))
	r.Post("/{tenant}/oauth2/token", a.token(true))
	// The documents are read with GET; HEAD answers the same headers, as
	// HTTP requires of every GET resource (RFC 9110 9.3.2).
	for path, h := range map[string]http.HandlerFunc{
		"/{tenant}/v2.0/.well-known/openid-configuration": a.discovery(false),
		"/{tenant}/.well-known/openid-configuration":      a.discovery(true),
		"/{tenant}/discovery/v2.0/keys":                   a.keys,
		"/{tenant}/discovery/keys":                        a.keys,
		"/discovery/keys":                                 a.keys,
		"/discovery/v2.0/keys":                            a.keys,
	} {
		r.Get(path, h)
		r.Head(path, h)
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, oerr(http.StatusNotFound, "invalid_request", 900561,
			"The endpoint only accepts POST requests for tokens and GET requests for discovery; no endpoint at %s.", r.URL.Path))
	})
	r.MethodNotAllowed(a.methodNotAllowed)
	return r
}

// methodNotAllowed names the methods the path takes, in Allow (RFC 9110
// 15.5.6) and in Entra's AADSTS900561 wording.
func (a *api) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allowed := httpx.AllowedMethods(a.router, r.URL.Path)
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, r, oerr(http.StatusMethodNotAllowed, "invalid_request", 900561,
		"The endpoint only accepts %s requests. Received a %s request.", strings.Join(allowed, ", "), r.Method))
}

// tenantFor resolves the {tenant} segment: a tenant id or a verified
// domain. common, organizations and consumers name no tenant, which client
// credentials need.
func (a *api) tenantFor(ctx context.Context, key string) (directory.Tenant, *oauthError, error) {
	switch strings.ToLower(key) {
	case "common", "organizations", "consumers":
		return directory.Tenant{}, oerr(http.StatusBadRequest, "invalid_request", 700023,
			"Client credentials need a tenant: use the tenant id or a verified domain instead of '%s'.", key), nil
	}
	var t directory.Tenant
	var err error
	if id, ok := directory.ParseTenantID(key); ok {
		t, err = a.dir.Tenant(ctx, id)
	} else {
		t, err = a.dir.TenantByDomain(ctx, key)
	}
	if errors.Is(err, directory.ErrNotFound) {
		return directory.Tenant{}, oerr(http.StatusBadRequest, "invalid_request", 90002,
			"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", key), nil
	}
	return t, nil, err
}

// internal answers a failure that is not the client's.
func (a *api) internal(w http.ResponseWriter, r *http.Request, err error) {
	status, code, num := http.StatusInternalServerError, "server_error", 90033
	if errors.Is(err, directory.ErrUnavailable) {
		status, code, num = http.StatusServiceUnavailable, "temporarily_unavailable", 90033
	}
	a.log.ErrorContext(r.Context(), "oauth: internal error", "path", r.URL.Path, "err", err.Error())
	writeError(w, r, oerr(status, code, num, "A transient error has occurred. Please try again."))
}
