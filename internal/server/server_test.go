package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"groupd/internal/directory"
	"groupd/internal/store/testdb"
)

const (
	testPassword = "Test-Passw0rd"
	testDomain   = "example.org"
)

// testEnv is a groupd handler on a real SQLite store in a temp dir.
type testEnv struct {
	srv *httptest.Server
	st  directory.Store
}

func newTestEnv(t *testing.T, cfg Config) testEnv {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t) // a fresh store on the engine of this run (see main_test.go)
	svc := directory.New(st, directory.WithPasswordCost(bcrypt.MinCost))
	if _, err := svc.Bootstrap(ctx, testDomain, testPassword); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	h, err := NewHandler(svc, st, cfg, prometheus.NewRegistry())
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return testEnv{srv: srv, st: st}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewJSONHandler(t.Output(), nil))
}

// do sends a request and returns the response with its body read.
func (e testEnv) do(t *testing.T, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	// No redirect is ever followed, so a redirect would show as itself.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func wantJSON(t *testing.T, resp *http.Response, body string, status int, want string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d (body %s)", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", resp.Request.URL.Path, ct)
	}
	var got, exp any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%s: body is not JSON: %v: %s", resp.Request.URL.Path, err, body)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(exp)
	if string(g) != string(w) {
		t.Errorf("%s: body %s, want %s", resp.Request.URL.Path, g, w)
	}
}

func TestHealthz(t *testing.T) {
	e := newTestEnv(t, Config{})
	resp, body := e.do(t, http.MethodGet, "/healthz", nil)
	wantJSON(t, resp, body, http.StatusOK, `{"status":"ok"}`)
}

func TestReadyz(t *testing.T) {
	e := newTestEnv(t, Config{})
	resp, body := e.do(t, http.MethodGet, "/readyz", nil)
	wantJSON(t, resp, body, http.StatusOK, `{"status":"ok"}`)

	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	resp, body = e.do(t, http.MethodGet, "/readyz", nil)
	wantJSON(t, resp, body, http.StatusServiceUnavailable, `{"status":"unavailable"}`)
	// Liveness does not depend on the database.
	resp, body = e.do(t, http.MethodGet, "/healthz", nil)
	wantJSON(t, resp, body, http.StatusOK, `{"status":"ok"}`)
}

func TestMetrics(t *testing.T) {
	e := newTestEnv(t, Config{})
	e.do(t, http.MethodGet, "/healthz", nil)
	e.do(t, http.MethodGet, "/v1.0/groups/0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11", nil)
	e.do(t, http.MethodGet, "/no/such/path", nil)
	e.do(t, http.MethodGet, "/myorganization/groups", nil)
	e.do(t, "BREW", "/healthz", nil)

	resp, body := e.do(t, http.MethodGet, "/metrics", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`groupd_http_request_duration_seconds_bucket{code="200",dialect="health",method="GET",le="0.001"}`,
		`groupd_http_requests_total{code="200",dialect="health",method="GET"} 1`,
		`groupd_http_requests_total{code="401",dialect="msgraph",method="GET"} 1`,
		`groupd_http_requests_total{code="404",dialect="none",method="GET"} 1`,
		`groupd_http_requests_total{code="400",dialect="aadgraph",method="GET"} 1`,
		`groupd_http_requests_total{code="405",dialect="health",method="other"} 1`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Labels never carry the path, so an id cannot become a series.
	if strings.Contains(body, "0b9f5a7e") || strings.Contains(body, "/no/such") {
		t.Error("/metrics exposes a request path")
	}
}

func TestUnknownPath(t *testing.T) {
	e := newTestEnv(t, Config{})
	for _, path := range []string{"/", "/nope", "/healthz/", "/graph", "/v1", "/v1.0x/groups"} {
		resp, body := e.do(t, http.MethodGet, path, nil)
		wantJSON(t, resp, body, http.StatusNotFound, `{"error":{"code":"NotFound","message":"No route for `+path+
			`. groupd serves /v1.0, /graph/v1.0, /api/ProvisionGroup, /{tenant}/... (Azure AD Graph, with api-version), /healthz, /readyz and /metrics."}}`)
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Errorf("GET %s: Location %q, want no redirect", path, loc)
		}
	}
	resp, body := e.do(t, http.MethodPost, "/healthz", nil)
	wantJSON(t, resp, body, http.StatusMethodNotAllowed,
		`{"error":{"code":"MethodNotAllowed","message":"The method POST is not allowed on /healthz."}}`)
}

func TestRequestIDs(t *testing.T) {
	e := newTestEnv(t, Config{})
	for _, path := range []string{"/healthz", "/nope", "/v1.0/groups", "/graph/v1.0/groups"} {
		resp, _ := e.do(t, http.MethodGet, path, nil)
		rid := resp.Header.Get("request-id")
		if len(rid) != 36 {
			t.Errorf("GET %s: request-id %q, want a GUID", path, rid)
		}
		if got := resp.Header.Get("client-request-id"); got != rid {
			t.Errorf("GET %s without client-request-id: echoed %q, want the request-id %q", path, got, rid)
		}
		resp, _ = e.do(t, http.MethodGet, path, map[string]string{"client-request-id": "my-trace-42"})
		if got := resp.Header.Get("client-request-id"); got != "my-trace-42" {
			t.Errorf("GET %s: client-request-id %q, want my-trace-42", path, got)
		}
	}
}

func TestOriginFromPublicURL(t *testing.T) {
	e := newTestEnv(t, Config{PublicURLs: []string{"https://Dir.Example.com", "http://alt.example.net:8080/"}})
	cases := []struct {
		host, want string
	}{
		{"dir.example.com", "https://dir.example.com"},
		{"dir.example.com:9200", "https://dir.example.com"}, // proxy kept our port
		{"alt.example.net:8080", "http://alt.example.net:8080"},
		{"other.example.org:1234", "http://other.example.org:1234"}, // not public: the request's own
	}
	for i, c := range cases {
		loc := createGroup(t, e, c.host, fmt.Sprintf("origin%d", i))
		if !strings.HasPrefix(loc, c.want+"/v1.0/groups/") {
			t.Errorf("Host %s: Location %q, want it under %s/v1.0/groups/", c.host, loc, c.want)
		}
	}
}

// createGroup creates a group through the Microsoft Graph dialect and
// returns the Location header, which carries the request's origin.
func createGroup(t *testing.T, e testEnv, host, nickname string) string {
	t.Helper()
	body := `{"displayName":"Origin test","mailEnabled":false,"mailNickname":"` + nickname + `","securityEnabled":true}`
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1.0/groups", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", testPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1.0/groups: %d %s", resp.StatusCode, b)
	}
	return resp.Header.Get("Location")
}
