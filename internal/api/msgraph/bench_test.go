package msgraph_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/api/msgraph"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// BenchmarkGetGroup measures GET /v1.0/groups/{id} through the request-id
// middleware, the pipeline and the encoder, without the network, to show
// what the dialect adds to the store read (compare BenchmarkStoreGroup).
func BenchmarkGetGroup(b *testing.B) {
	e := newEnv(b)
	id := e.secGroup("bench")
	benchGet(b, e.dir, "/v1.0/groups/"+id, nil)
}

// benchGet measures GET path on the Graph dialect over dir behind the
// request-id middleware, without the network; check, when given, looks at
// the first answer's body.
func benchGet(b *testing.B, dir *directory.Service, path string, check func(body []byte) bool) {
	root := chi.NewRouter()
	root.Mount("/v1.0", msgraph.New(msgraph.Config{Directory: dir, Basic: auth.NewBasic(dir, time.Minute), Logger: quiet}))
	h := httpx.WithRequestIDs(root)
	req := httptest.NewRequest("GET", path, nil)
	req.SetBasicAuth(adminLogin, adminPass)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || (check != nil && !check(w.Body.Bytes())) {
		b.Fatal(w.Code, w.Body.String())
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkStoreGroup is the store read alone.
func BenchmarkStoreGroup(b *testing.B) {
	e := newEnv(b)
	id := e.secGroup("bench")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.dir.Group(context.Background(), e.tenant, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransitiveMemberOf measures GET /v1.0/users/{id}/transitiveMemberOf
// for a user in 28 groups (20 direct, 8 through nesting) on a directory
// that keeps the read cache, as the server runs it, without the network:
// what a transitive answer costs beside BenchmarkGetGroup.
func BenchmarkTransitiveMemberOf(b *testing.B) {
	e := newEnv(b)
	dir := directory.New(e.dir.Store(), directory.WithReadCache(10000), directory.WithPasswordCost(4))
	user := e.user("bench")
	var parents []string
	for i := range 8 {
		parents = append(parents, e.secGroup(fmt.Sprintf("parent%d", i)))
	}
	for i := range 20 {
		g := e.secGroup(fmt.Sprintf("direct%d", i))
		e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "users", user)).want(b, http.StatusNoContent)
		e.do("POST", "/groups/"+parents[i%len(parents)]+"/members/$ref", ref(e, "groups", g)).want(b, http.StatusNoContent)
	}
	benchGet(b, dir, "/v1.0/users/"+user+"/transitiveMemberOf", func(body []byte) bool {
		return bytes.Count(body, []byte(`"@odata.type"`)) == 28
	})
}
