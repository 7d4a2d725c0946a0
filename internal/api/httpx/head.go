package httpx

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// HeadAsGet answers HEAD on every GET route of routes as that GET, whose
// body net/http drops (RFC 9110 9.3.2: HEAD is GET without the body). It
// asks routes itself rather than the route context's, which under a mount
// or a root-level handler is the server's root router.
func HeadAsGet(routes chi.Routes) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				if rctx := chi.RouteContext(r.Context()); rctx != nil {
					path := rctx.RoutePath
					if path == "" {
						path = r.URL.Path
						if r.URL.RawPath != "" {
							path = r.URL.RawPath
						}
					}
					if !routes.Match(chi.NewRouteContext(), http.MethodHead, path) &&
						routes.Match(chi.NewRouteContext(), http.MethodGet, path) {
						rctx.RouteMethod = http.MethodGet
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// routeMethods are the methods the dialects register routes for, in the
// order an Allow header lists them.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// AllowedMethods lists the methods routes has a route for at path, for the
// Allow header of a 405 (RFC 9110 15.5.6); none when path is unknown.
func AllowedMethods(routes chi.Routes, path string) []string {
	var allowed []string
	for _, m := range routeMethods {
		if routes.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	return allowed
}
