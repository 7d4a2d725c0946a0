package libregraph_test

import (
	"net/http"
	"strconv"
	"testing"
)

// TestHead: HEAD answers a GET route with GET's status and headers and no
// body (RFC 9110 9.3.2); an unknown path is still not found.
func TestHead(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	for _, path := range []string{"/groups", "/groups/" + w.group, "/groups/" + w.group + "/members", "/users", "/me"} {
		get := e.do("GET", path, "")
		head := e.do("HEAD", path, "")
		if head.status != http.StatusOK || len(head.body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes", path, head.status, len(head.body))
		}
		if head.header.Get("Content-Type") != get.header.Get("Content-Type") ||
			head.header.Get("Content-Length") != strconv.Itoa(len(get.body)) {
			t.Errorf("HEAD %s: headers %v, GET's body %d bytes", path, head.header, len(get.body))
		}
	}
	if r := e.do("HEAD", "/nowhere", ""); r.status != http.StatusNotFound || len(r.body) != 0 {
		t.Errorf("HEAD /nowhere: %d %s", r.status, r.body)
	}
	if r := e.do("HEAD", "/groups", "", anonymous()); r.status != http.StatusUnauthorized {
		t.Errorf("HEAD /groups without credentials: %d", r.status)
	}
}
