package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"groupd/internal/api/httpx"
)

// The dialects are not meant to panic, so the recovery path is driven with
// the same middleware chain NewHandler builds around a handler that does.
func TestPanicBecomesJSON500(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := newHTTPMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	log := testLogger(t)
	var h http.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	h = observe(log, m)(h)
	h = httpx.WithRequestIDs(h)
	h = recoverer(log)(h)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1.0/groups", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	want := `{"error":{"code":"InternalServerError","message":"An internal error occurred."}}`
	if got := w.Body.String(); got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	if w.Header().Get("request-id") == "" {
		t.Error("no request-id on the 500")
	}
	var got dto.Metric
	if err := m.requests.WithLabelValues("msgraph", "GET", "500").Write(&got); err != nil {
		t.Fatal(err)
	}
	if got := got.GetCounter().GetValue(); got != 1 {
		t.Errorf("requests_total{msgraph,GET,500} = %v, want 1", got)
	}
}

// A panic after the response began cannot change it; the recoverer must
// not write a second status line into the body.
func TestPanicAfterWrite(t *testing.T) {
	h := recoverer(testLogger(t))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("partial"))
		panic("late")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusAccepted || w.Body.String() != "partial" {
		t.Errorf("got %d %q, want the 202 already sent", w.Code, w.Body.String())
	}
}

func TestAbortHandlerPassesThrough(t *testing.T) {
	h := recoverer(testLogger(t))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}

func TestOriginLookup(t *testing.T) {
	o, err := newOrigins([]string{"https://dir.example.com", "https://dir.example.com:8443", "http://[::1]:9200", "HTTPS://Upper.Example.COM/"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]string{
		"dir.example.com":      "https://dir.example.com",
		"DIR.example.com":      "https://dir.example.com",
		"dir.example.com:8443": "https://dir.example.com:8443",
		"dir.example.com:1":    "https://dir.example.com", // host name match: the first URL naming it
		"[::1]:9200":           "http://[::1]:9200",
		"[::1]":                "http://[::1]:9200",
		"upper.example.com":    "https://upper.example.com",
		"example.com":          "",
		"":                     "",
	} {
		got, ok := o.lookup(host)
		if got != want || ok != (want != "") {
			t.Errorf("lookup(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
}

func TestPublicURLValidation(t *testing.T) {
	for _, bad := range []string{"dir.example.com", "ftp://dir.example.com", "https://dir.example.com/groupd", "https://", "https://u:p@dir.example.com"} {
		if err := (Config{PublicURLs: []string{bad}}).validate(); err == nil {
			t.Errorf("--public-url %q accepted", bad)
		} else if !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("--public-url %q: error %q does not name the flag", bad, err)
		}
	}
}
