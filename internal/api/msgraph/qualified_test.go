package msgraph_test

import (
	"net/http"
	"testing"
)

// TestQualifiedOperations: bound functions and actions answer by their
// namespace-qualified names too, as OData allows and older SDKs call them.
func TestQualifiedOperations(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann")
	g := e.secGroup("eng")
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "users", u)).want(t, http.StatusNoContent)
	for _, fn := range []string{"getMemberGroups", "microsoft.graph.getMemberGroups", "graph.getMemberGroups"} {
		r := e.do("POST", "/users/"+u+"/"+fn, map[string]any{"securityEnabledOnly": false}).want(t, http.StatusOK)
		if got := jsonOf(t, r.obj(t)["value"]); got != `["`+g+`"]` {
			t.Errorf("%s: %s", fn, r.body)
		}
	}
	for _, path := range []string{"/users/microsoft.graph.delta()", "/groups/microsoft.graph.delta", "/groups/graph.delta()"} {
		e.delta(t, path)
	}
	e.do("POST", "/directoryObjects/microsoft.graph.getByIds", map[string]any{"ids": []string{u}}).want(t, http.StatusOK)
	// Casts keep their meaning; an unknown qualified name stays unknown.
	e.do("GET", "/groups/"+g+"/members/microsoft.graph.user", nil).want(t, http.StatusOK)
	e.do("POST", "/users/"+u+"/microsoft.graph.revokeSignInSessions", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Resource not found for the segment 'microsoft.graph.revokeSignInSessions'.")
}
