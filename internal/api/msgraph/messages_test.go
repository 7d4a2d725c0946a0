package msgraph_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestUnkeptUserProperties: properties Graph lets clients write that
// groupd does not keep are refused as unsupported, not as read-only, on
// create and update; the refused write changes nothing.
func TestUnkeptUserProperties(t *testing.T) {
	e := newEnv(t)
	uid := e.user("kept")
	for _, p := range []struct {
		name  string
		value any
	}{{"usageLocation", "DE"}, {"employeeHireDate", "2024-01-01T00:00:00Z"}, {"city", "Berlin"}, {"employeeId", "42"}} {
		msg := "Property '" + p.name + "' cannot be set: groupd does not support it."
		e.do("POST", "/users", newUser("u1", p.name, p.value)).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg, p.name, "NotSupported")
		e.do("PATCH", "/users/"+uid, map[string]any{"jobTitle": "Changed", p.name: p.value}).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", msg, p.name, "NotSupported")
	}
	// Graph's read-only properties stay read-only.
	e.do("PATCH", "/users/"+uid, map[string]any{"createdDateTime": "2024-01-01T00:00:00Z"}).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "Property 'createdDateTime' is read-only and cannot be set.", "createdDateTime", "ReadOnlyProperty")
	u := e.do("GET", "/users/"+uid+"?$select=jobTitle,usageLocation", nil).want(t, http.StatusOK).obj(t)
	if u["jobTitle"] != nil || u["usageLocation"] != nil {
		t.Errorf("user after refused writes: %v", u)
	}
	if e.do("GET", "/users/u1@example.org", nil).code != http.StatusNotFound {
		t.Error("a refused create made the user")
	}
}

// TestBindNamesMemberTwice: an @odata.bind list naming one object twice
// (in any URL form) is refused as such, whether or not the object is
// already related, and binds nothing.
func TestBindNamesMemberTwice(t *testing.T) {
	e := newEnv(t)
	gid := e.secGroup("Twice")
	u, v := e.user("once"), e.user("other")
	for _, rel := range []string{"members", "owners"} {
		name := rel + "@odata.bind"
		msg := "The object '" + u + "' is named more than once in '" + name + "'; name each object once."
		e.do("PATCH", "/groups/"+gid, map[string]any{name: []string{e.base + "/users/" + v, e.base + "/users/" + u,
			"https://graph.microsoft.com/v1.0/directoryObjects/" + u}}).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg, name, "InvalidValue")
		if got := e.ids(gid, rel); slices.Contains(got, u) || slices.Contains(got, v) {
			t.Errorf("%s after a refused bind: %v", rel, got)
		}
		e.do("POST", "/groups", map[string]any{"displayName": "Twice " + rel, "mailNickname": "twice" + rel, "mailEnabled": false,
			"securityEnabled": true, name: refs(e, "users", u, u)}).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg, name, "InvalidValue")
	}
	if n := e.groupCount(); n != 1 {
		t.Errorf("%d groups after refused creates, want 1", n)
	}
}

// TestUncastCollections: GET /directory/deletedItems needs a cast, as in
// Graph.
func TestUncastCollections(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/directory/deletedItems", "/directory/deletedItems/", "/Directory/DeletedItems?$top=5"} {
		e.do("GET", path, nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
			"Searches against this resource are not supported. Only specific instances can be queried.")
	}
}
