package msgraph_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestBatchAbsoluteURLs: an absolute url runs when it names this server's
// own /v1.0 or Graph's (SDKs write Graph's base url into batch items); on
// any other host that request alone is 400 without running, those
// depending on it are 424, and the rest run.
func TestBatchAbsoluteURLs(t *testing.T) {
	e := newEnv(t)
	gid := e.secGroup("Origin")
	foreign := func(u string) string {
		return "Request 'x' has url '" + u + "', which is not on this server (" + e.url + "); give it relative to /v1.0, e.g. /groups."
	}
	for _, u := range []string{"https://evil.example/v1.0/groups", "http://graph.microsoft.com/v1.0/groups", "http://EVIL.example" + e.url[len("http://127.0.0.1"):] + "/v1.0/groups"} {
		res := e.batch(t, []map[string]any{
			{"id": "x", "method": "PATCH", "url": u + "/" + gid, "headers": map[string]string{"Content-Type": "application/json"},
				"body": map[string]any{"description": "moved"}},
			{"id": "after", "method": "GET", "url": "/groups/" + gid, "dependsOn": []string{"x"}},
			{"id": "own", "method": "GET", "url": e.base + "/groups/" + gid + "?$select=description"},
		})
		res["x"].wantError(t, http.StatusBadRequest, "BadRequest", foreign(u+"/"+gid))
		res["after"].wantError(t, http.StatusFailedDependency, "FailedDependency",
			"Request 'after' did not run: it depends on request 'x', which failed with status 400.")
		if string(res["own"].want(t, http.StatusOK).Body) == "" {
			t.Error("own-origin request has no body")
		}
	}
	res := e.batch(t, []map[string]any{{"id": "g", "method": "GET", "url": "https://Graph.Microsoft.com:443/v1.0/groups/" + gid + "?$select=id"}})
	if body := string(res["g"].want(t, http.StatusOK).Body); !strings.Contains(body, `"id":"`+gid+`"`) {
		t.Errorf("Graph's own url: %s", body)
	}
	// The host is matched regardless of case and of a default port.
	res = e.batch(t, []map[string]any{{"id": "1", "method": "GET", "url": "HTTP://127.0.0.1" + e.url[len("http://127.0.0.1"):] + "/v1.0/groups/" + gid}})
	res["1"].want(t, http.StatusOK)
	if g := e.do("GET", "/groups/"+gid+"?$select=description", nil).want(t, http.StatusOK).obj(t); g["description"] != nil {
		t.Errorf("description %v: a refused request ran", g["description"])
	}
}
