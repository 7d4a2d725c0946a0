package msgraph

import (
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
)

// grammar is the navigation grammar of the routes, used to name the first
// path segment Graph would not find. For each known path prefix (keys
// written "*") it lists the segments that may follow. It is read from the
// router itself, so a new route can never leave it out of date.
type grammar map[string][]string

func grammarOf(r chi.Routes) grammar {
	g := grammar{}
	_ = chi.Walk(r, func(_, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		at := ""
		for _, s := range strings.Split(strings.Trim(route, "/"), "/") {
			if strings.HasPrefix(s, "{") {
				s = "*"
			}
			if !slices.Contains(g[at], s) {
				g[at] = append(g[at], s)
			}
			at = joinAt(at, s)
		}
		return nil
	})
	return g
}

// unknownSegment returns the first segment of path that the grammar does
// not know; for a path that is known as far as it goes, the last segment.
// A literal segment wins over a key, so "$count" is not taken for an id.
func (g grammar) unknownSegment(path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	at := ""
	for _, s := range segs {
		next := ""
		switch {
		case slices.Contains(g[at], s) && s != "*":
			next = s
		case s != "" && slices.Contains(g[at], "*"):
			next = "*"
		default:
			return unescape(s)
		}
		at = joinAt(at, next)
	}
	return unescape(segs[len(segs)-1])
}

// joinAt is the grammar's key for segment s below the prefix at.
func joinAt(at, s string) string {
	if at == "" {
		return s
	}
	return at + "/" + s
}
