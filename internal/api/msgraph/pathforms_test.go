package msgraph_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestPathForms: the forms of a path Graph resolves besides the routes'
// own reach the same handler and give the same answer.
func TestPathForms(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("forms")
	u := e.user("o'neil")
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", u)).want(t, http.StatusNoContent)

	for _, tc := range []struct{ canonical, other string }{
		{"/users?$select=id", "/Users?$select=id"},
		{"/users?$select=id", "/users/?$select=id"},
		{"/users/" + u + "?$select=id", "/users('" + u + "')?$select=id"},
		{"/users/" + u + "?$select=id", "/users('o''neil@example.org')?$select=id"},
		{"/users/" + u + "?$select=id", "/users(%27o%27%27neil%40example.org%27)?$select=id"},
		{"/users/" + u + "?$select=id", "/users/" + u + "/?$select=id"},
		{"/groups/" + g + "/members?$select=id", "/GROUPS/" + g + "/Members?$select=id"},
		{"/groups/" + g + "/members?$select=id", "/groups('" + g + "')/members/?$select=id"},
		{"/groups/" + g + "/members/$count", "/groups/" + g + "/members/$COUNT"},
		{"/users/" + u + "/memberOf?$select=id", "/users('" + u + "')/memberof?$select=id"},
	} {
		want := e.do("GET", tc.canonical, nil, header("ConsistencyLevel", "eventual"))
		got := e.do("GET", tc.other, nil, header("ConsistencyLevel", "eventual"))
		if want.code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tc.canonical, want.code, want.body)
		}
		if got.code != want.code || !bytes.Equal(got.body, want.body) {
			t.Errorf("%s: %d %s\nwant (as %s) %d %s", tc.other, got.code, got.body, tc.canonical, want.code, want.body)
		}
	}
	// Graph's own delta example writes groups/delta/?$filter=.
	d := e.do("GET", "/groups/delta/?$filter="+strings.ReplaceAll("id eq '"+g+"'", " ", "%20"), nil).want(t, http.StatusOK).obj(t)
	if v, _ := d["value"].([]any); len(v) != 1 {
		t.Errorf("groups/delta/ with a filter: %v", d["value"])
	}

	// A segment no route knows is still named as written.
	e.do("GET", "/Users/"+u+"/Calendar", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Resource not found for the segment 'Calendar'.")
	e.do("GET", "/users('"+u+"')/x('y')", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Resource not found for the segment 'x('y')'.")
}

// TestInvalidObjectKey: a group or directory object key that is no object
// id is refused before any lookup, as Graph does; a user key may be a
// principal name, so an unknown one is not found.
func TestInvalidObjectKey(t *testing.T) {
	e := newEnv(t)
	before := e.groupCount()
	for _, tc := range []struct{ method, path, key string }{
		{"GET", "/groups/abc", "abc"},
		{"GET", "/groups/abc/members", "abc"},
		{"PATCH", "/groups/abc", "abc"},
		{"DELETE", "/groups/Enter%20your%20GroupId%20here", "Enter your GroupId here"},
		{"POST", "/groups/abc/members/$ref", "abc"},
		{"GET", "/directoryObjects/abc", "abc"},
	} {
		var body any
		if tc.method == "PATCH" || tc.method == "POST" {
			body = map[string]any{}
		}
		e.do(tc.method, tc.path, body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
			"Invalid object identifier '"+tc.key+"'.")
	}
	if n := e.groupCount(); n != before {
		t.Errorf("groups %d, want %d", n, before)
	}
	e.do("GET", "/users/abc", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		notFoundMsg("abc"))
	// Any GUID is an object id, in any letter case.
	g := e.secGroup("upper")
	e.do("GET", "/groups/"+strings.ToUpper(g)+"?$select=id", nil).want(t, http.StatusOK)
}
