package msgraph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/api/msgraph"
	"groupd/internal/auth"
)

// BenchmarkGetGroup measures GET /v1.0/groups/{id} through the request-id
// middleware, the pipeline and the encoder, without the network, to show
// what the dialect adds to the store read (compare BenchmarkStoreGroup).
func BenchmarkGetGroup(b *testing.B) {
	e := newEnv(b)
	id := e.secGroup("bench")
	root := chi.NewRouter()
	root.Mount("/v1.0", msgraph.New(msgraph.Config{Directory: e.dir, Basic: auth.NewBasic(e.dir, time.Minute), Logger: quiet}))
	h := httpx.WithRequestIDs(root)
	req := httptest.NewRequest("GET", "/v1.0/groups/"+id, nil)
	req.SetBasicAuth(adminLogin, adminPass)
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
