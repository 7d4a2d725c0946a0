package msgraph

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// OData lets a client call a bound function or action by its
// namespace-qualified name, and older Graph SDKs (PowerShell's 1.x among
// them) do: /users/{id}/microsoft.graph.getMemberGroups,
// /users/microsoft.graph.delta(). The router knows the plain names, so the
// last segment is routed by its plain name.

// operations are the bound functions and actions the dialect serves.
var operations = map[string]bool{
	"delta": true, "getByIds": true, "validateProperties": true, "checkMemberGroups": true,
	"checkMemberObjects": true, "getMemberGroups": true, "getMemberObjects": true,
	"changePassword": true, "restore": true,
}

// unqualifyOperations routes a qualified operation by its plain name.
func unqualifyOperations(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := unqualified(routePath(r)); ok {
			if rctx := chi.RouteContext(r.Context()); rctx != nil {
				rctx.RoutePath = p
			}
		}
		next.ServeHTTP(w, r)
	})
}

// unqualified is path with its last segment's namespace (microsoft.graph.
// or its alias graph.) taken off when that segment names an operation.
func unqualified(path string) (string, bool) {
	i := strings.LastIndexByte(path, '/')
	last := path[i+1:]
	name, ok := strings.CutPrefix(strings.TrimPrefix(last, "microsoft."), "graph.")
	if !ok || !operations[strings.TrimSuffix(name, "()")] {
		return "", false
	}
	return path[:i+1] + name, true
}
