package msgraph_test

import (
	"net/http"
	"strconv"
	"testing"
)

// TestHead: HEAD answers a GET route with GET's status and headers and no
// body (RFC 9110 9.3.2), through the same authentication and checks.
func TestHead(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("head")
	for _, path := range []string{"/groups", "/groups/" + g, "/groups/" + g + "/members", "/users/admin@example.org", "/organization"} {
		get := e.do("GET", path, nil)
		head := e.do("HEAD", path, nil)
		if head.code != http.StatusOK || len(head.body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes", path, head.code, len(head.body))
		}
		if head.h.Get("Content-Type") != get.h.Get("Content-Type") || head.h.Get("OData-Version") != "4.0" ||
			head.h.Get("Content-Length") != strconv.Itoa(len(get.body)) {
			t.Errorf("HEAD %s: headers %v, GET's body %d bytes", path, head.h, len(get.body))
		}
	}
	if r := e.do("HEAD", "/groups/abc", nil); r.code != http.StatusBadRequest || len(r.body) != 0 {
		t.Errorf("HEAD /groups/abc: %d %s", r.code, r.body)
	}
	if r := e.do("HEAD", "/groups", nil, anonymous()); r.code != http.StatusUnauthorized {
		t.Errorf("HEAD /groups without credentials: %d", r.code)
	}
}
