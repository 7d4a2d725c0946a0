package msgraph

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/directory"
)

// Graph resolves paths more leniently than a router matches them, and
// clients rely on it:
//   - segment names in any letter case (/Users, /groups/{id}/Members), as
//     OData services match names case-insensitively;
//   - a key in OData's parenthesised form, /users('alice@example.org'),
//     which Graph's documentation prescribes for user principal names
//     that start with '$' (an apostrophe inside is doubled);
//   - a trailing slash (/users/, Graph's own delta examples write
//     groups/delta/?$filter=…).
//
// canonicalRetry routes a path the router did not know once more in its
// canonical form, when that differs; h answers the paths that are unknown
// in every form. Rewriting only after a miss keeps the requests that name
// their routes exactly, nearly all of them, free of the rewrite.
func (a *api) canonicalRetry(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.grammar.canonical(routePath(r))
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		rctx := chi.NewRouteContext()
		rctx.RoutePath = p
		a.router.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx)))
	})
}

// canonical is path as the routes spell it, and whether that differs. It
// stops rewriting at the first segment the grammar does not know, so that
// the 404 still names that segment as the client wrote it.
func (g grammar) canonical(path string) (string, bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	changed := false
	if len(segs) > 1 && segs[len(segs)-1] == "" {
		segs, changed = segs[:len(segs)-1], true
	}
	out := make([]string, 0, len(segs)+1)
	at := ""
	advance := func(next string) { at = joinAt(at, next) }
	for i, s := range segs {
		if s != "*" && slices.Contains(g[at], s) { // as routed; a literal wins over a key
			out = append(out, s)
			advance(s)
			continue
		}
		if lit, ok := g.literal(at, s); ok {
			out = append(out, lit)
			advance(lit)
			changed = true
			continue
		}
		if name, key, ok := keyForm(s); ok {
			if lit, ok := g.literal(at, name); ok && slices.Contains(g[joinAt(at, lit)], "*") {
				out = append(out, lit, url.PathEscape(key))
				advance(lit)
				advance("*")
				changed = true
				continue
			}
		}
		if s != "" && slices.Contains(g[at], "*") {
			out = append(out, s)
			advance("*")
			continue
		}
		out = append(out, segs[i:]...)
		break
	}
	if !changed {
		return path, false
	}
	return "/" + strings.Join(out, "/"), true
}

// literal is the literal segment at position at that s names in another
// letter case.
func (g grammar) literal(at, s string) (string, bool) {
	for _, lit := range g[at] {
		if lit != "*" && strings.EqualFold(lit, s) {
			return lit, true
		}
	}
	return "", false
}

// keyForm splits a segment written name('key'), percent-encoded or not,
// into the name and the key with its doubled apostrophes made single.
func keyForm(seg string) (name, key string, ok bool) {
	s := unescape(seg)
	open := strings.Index(s, "('")
	if open <= 0 || !strings.HasSuffix(s, "')") || len(s) < open+4 {
		return "", "", false
	}
	quoted := s[open+2 : len(s)-2]
	if strings.Count(quoted, "'")%2 != 0 {
		return "", "", false
	}
	if quoted == "" {
		return "", "", false
	}
	return s[:open], strings.ReplaceAll(quoted, "''", "'"), true
}

// invalidObjectKey refuses a group or directory object key that is no
// object id before anything is looked up, as Graph does: 400 "Invalid
// object identifier", where a user may also be keyed by its principal
// name and so is not found instead.
func invalidObjectKey(r *http.Request) error {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || len(rctx.RoutePatterns) == 0 {
		return nil
	}
	pat := rctx.RoutePatterns[len(rctx.RoutePatterns)-1]
	if !strings.HasPrefix(pat, "/groups/{id}") && !strings.HasPrefix(pat, "/directoryObjects/{id}") {
		return nil
	}
	id := unescape(chi.URLParam(r, "id"))
	if strings.HasPrefix(id, "$") { // $count and the like, which the handler reads
		return nil
	}
	if _, ok := directory.ParseObjectID(id); !ok {
		return badRequest(codeRequestBad, "Invalid object identifier '%s'.", id)
	}
	return nil
}
