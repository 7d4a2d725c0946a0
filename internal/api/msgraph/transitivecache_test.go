package msgraph_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"groupd/internal/directory"
	"groupd/internal/server"
)

// TestTransitiveMemberOfFromCache: a server whose directory keeps the
// read cache answers plain transitiveMemberOf lists and groups by id from
// memory; its bodies (items, counts, nextLinks) must be those of a server
// reading the same database through the store, page by page, and each
// server's nextLinks must page on the other, before and after writes.
func TestTransitiveMemberOfFromCache(t *testing.T) {
	n := newNesting(t)
	plain := n.e
	dir := directory.New(plain.dir.Store(), directory.WithReadCache(1000), directory.WithPasswordCost(4))
	h, err := server.NewHandler(dir, plain.dir.Store(), server.Config{Logger: quiet}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cached := &env{t: t, dir: dir, tenant: plain.tenant, admin: plain.admin, url: srv.URL, base: srv.URL + "/v1.0"}

	paths := []string{
		"/users/" + n.ann + "/transitiveMemberOf",
		"/users/" + n.ann + "/transitiveMemberOf?$top=1&$count=true",
		"/users/ann@example.org/transitiveMemberOf/microsoft.graph.group?$top=2&$count=true&$select=id,displayName",
		"/users/" + n.ann + "/transitiveMemberOf/microsoft.graph.user?$count=true",
		"/users/" + n.bob + "/transitiveMemberOf?$select=displayName",
		"/groups/" + n.leaf + "/transitiveMemberOf?$top=1",
		"/groups/" + n.leaf + "/transitiveMemberOf/microsoft.graph.group?$count=true",
		"/users/" + n.ann + "/transitiveMemberOf?$filter=securityEnabled+eq+true&$top=1",
		// Groups by id, whose default properties the cached server may
		// copy from its memo of encodings: the same bodies, also after
		// the rename below.
		"/groups/" + n.top,
		"/groups/" + n.leaf,
		"/groups/" + n.leaf + "?$select=id,displayName",
		"/groups/" + n.mid + "?$expand=members",
	}
	counts := []string{
		"/users/" + n.ann + "/transitiveMemberOf/$count",
		"/users/" + n.ann + "/transitiveMemberOf/microsoft.graph.group/$count",
		"/users/" + n.ann + "/transitiveMemberOf/microsoft.graph.user/$count",
		"/groups/" + n.leaf + "/transitiveMemberOf/$count",
	}
	eventual := header("ConsistencyLevel", "eventual")
	compare := func(stage string, want map[string]int) {
		t.Helper()
		for _, p := range paths {
			pages := 0
			next := cached.base + p
			for next != "" {
				c := cached.do("GET", next, nil, eventual).want(t, http.StatusOK)
				// The same page, asked of the other server by the same
				// link (a nextLink of the cached server after the first).
				o := plain.do("GET", strings.Replace(next, cached.base, plain.base, 1), nil, eventual).want(t, http.StatusOK)
				cb := strings.ReplaceAll(string(c.body), cached.base, plain.base)
				if cb != string(o.body) {
					t.Errorf("%s: %s page %d:\ncached %s\nstore  %s", stage, p, pages, cb, o.body)
					break
				}
				next, _ = c.obj(t)["@odata.nextLink"].(string)
				if next != "" {
					// The store's nextLink pages on the cached server.
					on, _ := o.obj(t)["@odata.nextLink"].(string)
					oc := cached.do("GET", strings.Replace(on, plain.base, cached.base, 1), nil, eventual).want(t, http.StatusOK)
					oo := plain.do("GET", on, nil, eventual).want(t, http.StatusOK)
					if strings.ReplaceAll(string(oc.body), cached.base, plain.base) != string(oo.body) {
						t.Errorf("%s: %s: the store's nextLink on the cached server:\n%s\n%s", stage, p, oc.body, oo.body)
					}
				}
				pages++
			}
			if w, ok := want[p]; ok && pages != w {
				t.Errorf("%s: %s: %d pages, want %d", stage, p, pages, w)
			}
		}
		for _, p := range counts {
			c := cached.do("GET", p, nil, eventual)
			o := plain.do("GET", p, nil, eventual)
			if c.code != http.StatusOK || string(c.body) != string(o.body) {
				t.Errorf("%s: %s: %d %s, store %d %s", stage, p, c.code, c.body, o.code, o.body)
			}
			if w, ok := want[p]; ok && string(c.body) != string(rune('0'+w)) {
				t.Errorf("%s: %s = %s, want %d", stage, p, c.body, w)
			}
		}
	}
	compare("start", map[string]int{paths[1]: 4, paths[2]: 2, paths[5]: 2, counts[0]: 4, counts[2]: 0, counts[3]: 2})

	// Writes through the cached server are seen by its next read.
	cached.do("POST", "/groups/"+n.uni+"/members/$ref", ref(cached, "users", n.bob)).want(t, http.StatusNoContent)
	cached.do("DELETE", "/groups/"+n.mid+"/members/"+n.leaf+"/$ref", nil).want(t, http.StatusNoContent)
	compare("after writes", map[string]int{paths[1]: 2, paths[5]: 1, counts[0]: 2, counts[3]: 0})
	cached.do("POST", "/groups/"+n.top+"/members/$ref", ref(cached, "groups", n.leaf)).want(t, http.StatusNoContent)
	cached.do("PATCH", "/groups/"+n.top, map[string]any{"displayName": "renamed"}).want(t, http.StatusNoContent)
	compare("after nesting and rename", map[string]int{paths[1]: 3, counts[0]: 3, counts[3]: 1})
}
