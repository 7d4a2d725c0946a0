package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"groupd/internal/api/aadgraph"
	"groupd/internal/api/httpx"
	"groupd/internal/api/libregraph"
	"groupd/internal/api/msgraph"
	"groupd/internal/api/oauth"
	"groupd/internal/api/provision"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// The dialect prefixes.
const (
	prefixMSGraph    = "/v1.0"
	prefixLibreGraph = "/graph/v1.0"
	prefixProvision  = "/api"
)

// readyTimeout bounds the database ping of /readyz, so that a hung database
// makes the probe fail instead of piling up probes.
const readyTimeout = 2 * time.Second

// NewHandler returns groupd's root handler: the middleware chain (recovery,
// request ids, origin, access log, metrics), the dialects under their
// prefixes, /healthz, /readyz (st.Ping) and /metrics (reg, to which the
// HTTP, Go and process collectors are added; nil makes a new registry).
// Paths outside all of them get a JSON 404 naming what groupd serves. It
// never redirects.
func NewHandler(svc *directory.Service, st directory.Store, cfg Config, reg *prometheus.Registry) (http.Handler, error) {
	cfg = cfg.withDefaults()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	metrics, err := newHTTPMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	orig, err := newOrigins(cfg.PublicURLs)
	if err != nil {
		return nil, err
	}

	r := chi.NewRouter()
	r.Use(recoverer(cfg.Logger), httpx.WithRequestIDs, scoped(svc), orig.middleware, observe(cfg.Logger, metrics))

	// One Basic authenticator for both dialects, so that a credential
	// verified on one is cached for the other.
	basic := auth.NewBasic(svc, auth.DefaultCacheTTL)
	tokens := newTokens(svc, cfg)
	r.Mount(prefixMSGraph, msgraph.New(msgraph.Config{Directory: svc, Basic: basic, Tokens: tokens, Logger: cfg.Logger}))
	r.Mount(prefixLibreGraph, libregraph.New(libregraph.Config{Directory: svc, Basic: basic, Tokens: tokens, Logger: cfg.Logger}))
	r.Mount(prefixProvision, provision.New(provision.Config{Directory: svc, Basic: basic, Tokens: tokens, Logger: cfg.Logger}))
	// The identity endpoint lives at the root, under /{tenant}/ paths it
	// names exactly, so that other /{tenant}/ paths stay free.
	idp := oauth.New(oauth.Config{Directory: svc, Tokens: tokens, Logger: cfg.Logger})
	for _, p := range oauth.Patterns {
		r.Handle(p, idp)
	}
	// Azure AD Graph takes the other /{tenant}/ paths; a first segment
	// that cannot name a tenant goes back to the 404 below.
	r.Handle(aadgraph.Pattern, aadgraph.New(aadgraph.Config{Directory: svc, Basic: basic, Tokens: tokens,
		Logger: cfg.Logger, Fallback: http.HandlerFunc(notFound)}))

	healthz := func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, status{"ok"})
	}
	readyz := func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			cfg.Logger.Warn("readiness check failed", "err", err, "request_id", httpx.RequestID(r.Context()))
			writeJSON(w, http.StatusServiceUnavailable, status{"unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, status{"ok"})
	}
	prom := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	for path, h := range map[string]http.Handler{
		"/healthz": http.HandlerFunc(healthz),
		"/readyz":  http.HandlerFunc(readyz),
		"/metrics": prom,
	} {
		r.Method(http.MethodGet, path, h)
		r.Method(http.MethodHead, path, h)
	}

	r.NotFound(notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed",
			"The method "+r.Method+" is not allowed on "+r.URL.Path+".")
	})
	return r, nil
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "NotFound", "No route for "+r.URL.Path+
		". groupd serves /v1.0, /graph/v1.0, /api/ProvisionGroup, /{tenant}/... (Azure AD Graph, with api-version), /healthz, /readyz and /metrics.")
}

type status struct {
	Status string `json:"status"`
}

// keyInitTimeout bounds loading (or on a new directory creating) the token
// signing keys at start.
const keyInitTimeout = 10 * time.Second

// newTokens returns the token service with its signing keys loaded, the
// first key created on a new directory. A failure is logged, not fatal:
// Basic auth keeps working, and the keys are loaded again on first use.
func newTokens(svc *directory.Service, cfg Config) *auth.Tokens {
	tokens := auth.NewTokens(svc)
	ctx, cancel := context.WithTimeout(context.Background(), keyInitTimeout)
	defer cancel()
	if err := tokens.Init(ctx); err != nil {
		cfg.Logger.Warn("token signing keys not loaded; bearer tokens unavailable until they load", "err", err)
	}
	return tokens
}
