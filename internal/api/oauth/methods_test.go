package oauth_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// wantOAuthError checks an Entra OAuth error body: error, the one AADSTS
// code, and a description that starts with that code and message.
func (r *resp) wantOAuthError(t *testing.T, status int, code string, aadsts int, message string) {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, r.body)
	}
	if ct := r.h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	b := r.json(t)
	if b["error"] != code {
		t.Errorf("error = %v, want %s", b["error"], code)
	}
	if codes, _ := b["error_codes"].([]any); len(codes) != 1 || codes[0] != float64(aadsts) {
		t.Errorf("error_codes = %v, want [%d]", b["error_codes"], aadsts)
	}
	prefix := "AADSTS" + strconv.Itoa(aadsts) + ": " + message + " Trace ID: "
	if d, _ := b["error_description"].(string); !strings.HasPrefix(d, prefix) {
		t.Errorf("error_description %q, want it to start with %q", d, prefix)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
		if _, ok := b[k].(string); !ok {
			t.Errorf("%s = %v, want a string", k, b[k])
		}
	}
}

// documentPaths are the GET endpoints, with the tenant as its id.
func (e *env) documentPaths() []string {
	tid := "/" + string(e.tenant.ID)
	return []string{
		tid + "/v2.0/.well-known/openid-configuration", tid + "/.well-known/openid-configuration",
		"/common/v2.0/.well-known/openid-configuration", "/organizations/.well-known/openid-configuration",
		tid + "/discovery/v2.0/keys", tid + "/discovery/keys", "/common/discovery/v2.0/keys",
		"/discovery/keys", "/discovery/v2.0/keys",
	}
}

// TestMethodNotAllowed: a wrong method names the methods the endpoint
// takes, in Allow and in Entra's AADSTS900561 wording.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	tid := "/" + string(e.tenant.ID)
	for _, path := range []string{tid + "/oauth2/v2.0/token", tid + "/oauth2/token", "/common/oauth2/v2.0/token"} {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			r := e.call(m, path, "", "")
			if got := r.h.Get("Allow"); got != "POST" {
				t.Errorf("%s %s: Allow %q, want POST", m, path, got)
			}
			if m == http.MethodHead {
				if r.code != http.StatusMethodNotAllowed || len(r.body) != 0 {
					t.Errorf("HEAD %s: %d with %d bytes", path, r.code, len(r.body))
				}
				continue
			}
			r.wantOAuthError(t, http.StatusMethodNotAllowed, "invalid_request", 900561,
				"The endpoint only accepts POST requests. Received a "+m+" request.")
		}
	}
	for _, path := range e.documentPaths() {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			r := e.call(m, path, "", "")
			if got := r.h.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q, want GET, HEAD", m, path, got)
			}
			r.wantOAuthError(t, http.StatusMethodNotAllowed, "invalid_request", 900561,
				"The endpoint only accepts GET, HEAD requests. Received a "+m+" request.")
		}
	}
}

// TestHeadDocuments: HEAD on a document answers GET's status and headers
// without the body.
func TestHeadDocuments(t *testing.T) {
	e := newEnv(t)
	for _, path := range e.documentPaths() {
		get := e.call(http.MethodGet, path, "", "")
		head := e.call(http.MethodHead, path, "", "")
		if get.code != http.StatusOK || head.code != http.StatusOK {
			t.Errorf("%s: GET %d, HEAD %d, want 200 both; GET body %s", path, get.code, head.code, get.body)
			continue
		}
		if len(head.body) != 0 {
			t.Errorf("HEAD %s: body %s", path, head.body)
		}
		for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
			if head.h.Get(h) != get.h.Get(h) {
				t.Errorf("%s: HEAD %s %q, GET %q", path, h, head.h.Get(h), get.h.Get(h))
			}
		}
		if cl := get.h.Get("Content-Length"); cl != strconv.Itoa(len(get.body)) {
			t.Errorf("GET %s: Content-Length %q for %d bytes", path, cl, len(get.body))
		}
	}
}
