package msgraph_test

import (
	"net/http"
	"testing"
)

// TestODataTypeOfBody: a write's @odata.type must name the resource's own
// type (spelled with or without '#', by the namespace or its alias); another
// type of the model is not assignable, a name outside it is not resolved,
// and a refused write changes nothing.
func TestODataTypeOfBody(t *testing.T) {
	e := newEnv(t)
	gid := e.secGroup("Typed")
	for _, ty := range []string{"#microsoft.graph.group", "microsoft.graph.group", "#graph.group", "graph.group"} {
		e.do("PATCH", "/groups/"+gid, map[string]any{"@odata.type": ty, "description": ty}).want(t, http.StatusNoContent)
	}
	mismatch := func(found, want string) string {
		return "A resource with type 'microsoft.graph." + found + "' was found, but it is not assignable to the expected type 'microsoft.graph." +
			want + "'. The type specified in the resource must be equal to either the expected type or a derived type."
	}
	unresolved := func(name string) string {
		return "A type named '" + name + "' could not be resolved by the model. When a model is available, each type name must resolve to a valid type."
	}
	for _, tc := range []struct {
		method, path, ty, msg string
	}{
		{"PATCH", "/groups/" + gid, "#microsoft.graph.user", mismatch("user", "group")},
		{"PATCH", "/groups/" + gid, "#graph.directoryObject", mismatch("directoryObject", "group")},
		{"PATCH", "/groups/" + gid, "#microsoft.graph.groupp", unresolved("microsoft.graph.groupp")},
		{"PATCH", "/groups/" + gid, "#contoso.group", unresolved("contoso.group")},
		{"PATCH", "/groups/" + gid, "group", unresolved("group")},
		{"POST", "/groups", "#microsoft.graph.user", mismatch("user", "group")},
		{"POST", "/users", "#microsoft.graph.group", mismatch("group", "user")},
		{"PATCH", "/users/" + string(e.admin), "#microsoft.graph.device", mismatch("device", "user")},
	} {
		e.do(tc.method, tc.path, map[string]any{"@odata.type": tc.ty, "description": "changed"}).
			wantError(t, http.StatusBadRequest, "Request_BadRequest", tc.msg)
	}
	e.do("PATCH", "/groups/"+gid, map[string]any{"@odata.type": 5}).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Invalid value specified for property '@odata.type' of resource 'Group'.", "@odata.type", "InvalidValue")
	g := e.do("GET", "/groups/"+gid+"?$select=description", nil).want(t, http.StatusOK).obj(t)
	if g["description"] != "graph.group" {
		t.Errorf("description %v after refused writes, want the last accepted one", g["description"])
	}
	uid := e.user("typed")
	e.do("PATCH", "/users/"+uid, map[string]any{"@odata.type": "#microsoft.graph.user", "jobTitle": "Typist"}).want(t, http.StatusNoContent)
	e.do("PATCH", "/users/"+uid, map[string]any{"@odata.type": "#microsoft.graph.group", "jobTitle": "Other"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", mismatch("group", "user"))
	if u := e.do("GET", "/users/"+uid+"?$select=jobTitle", nil).want(t, http.StatusOK).obj(t); u["jobTitle"] != "Typist" {
		t.Errorf("jobTitle %v", u["jobTitle"])
	}
}
