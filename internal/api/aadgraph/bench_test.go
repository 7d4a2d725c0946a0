package aadgraph_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/aadgraph"
	"groupd/internal/api/httpx"
	"groupd/internal/auth"
)

// BenchmarkGetGroup measures GET /myorganization/groups/{id} through the
// request-id middleware, the pipeline and the encoder, without the
// network (compare msgraph's BenchmarkGetGroup).
func BenchmarkGetGroup(b *testing.B) {
	e := newEnv(b)
	id := e.group("bench", "", "bench")
	root := chi.NewRouter()
	root.Handle(aadgraph.Pattern, aadgraph.New(aadgraph.Config{Directory: e.dir,
		Basic: auth.NewBasic(e.dir, time.Minute), Logger: slog.New(slog.DiscardHandler)}))
	h := httpx.WithRequestIDs(root)
	req := httptest.NewRequest("GET", "/myorganization/groups/"+id+"?api-version=1.6", nil)
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
