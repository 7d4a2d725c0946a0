package msgraph_test

import (
	"net/http"
	"testing"
)

// Type casts and $count below a relationship: the cast filters inside the
// store query, $count answers text/plain and needs ConsistencyLevel.
func TestMemberCastsAndCount(t *testing.T) {
	e := queryEnv(t)
	g := e.secGroup("parent")
	child := e.secGroup("child")
	ann, bob := e.user("ann"), e.user("bob")
	e.do("PATCH", "/groups/"+g, map[string]any{"members@odata.bind": refs(e, "directoryObjects", ann, bob, child)}).want(t, http.StatusNoContent)
	e.do("POST", "/groups/"+g+"/owners/$ref", map[string]any{"@odata.id": e.base + "/users/" + ann}).want(t, http.StatusNoContent)

	users := e.do("GET", "/groups/"+g+"/members/microsoft.graph.user?$select=id", nil).want(t, http.StatusOK).obj(t)
	if users["@odata.context"] != e.base+"/$metadata#users(id)" {
		t.Errorf("user cast context: %v", users["@odata.context"])
	}
	got := map[string]string{}
	for _, v := range values(t, users) {
		got[v["id"].(string)] = v["@odata.type"].(string)
	}
	if len(got) != 2 || got[ann] != "#microsoft.graph.user" || got[bob] != "#microsoft.graph.user" {
		t.Errorf("user cast: %v", got)
	}
	groups := e.do("GET", "/groups/"+g+"/members/microsoft.graph.group", nil).want(t, http.StatusOK).obj(t)
	if vs := values(t, groups); len(vs) != 1 || vs[0]["id"] != child || vs[0]["@odata.type"] != "#microsoft.graph.group" {
		t.Errorf("group cast: %v", vs)
	}
	owners := e.do("GET", "/groups/"+g+"/owners/microsoft.graph.user", nil).want(t, http.StatusOK).obj(t)
	if vs := values(t, owners); len(vs) != 1 || vs[0]["id"] != ann {
		t.Errorf("owner cast: %v", vs)
	}

	for path, want := range map[string]string{
		"/groups/" + g + "/members/$count":                       "3",
		"/groups/" + g + "/members/microsoft.graph.user/$count":  "2",
		"/groups/" + g + "/members/microsoft.graph.group/$count": "1",
		"/groups/" + g + "/owners/$count":                        "1",
		"/groups/" + g + "/owners/microsoft.graph.user/$count":   "1",
		"/groups/" + g + "/owners/graph.group/$count":            "0",
	} {
		r := e.do("GET", path, nil, eventual)
		if r.code != http.StatusOK || string(r.body) != want || r.h.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s: %d %q %q, want 200 %q text/plain", path, r.code, r.body, r.h.Get("Content-Type"), want)
		}
		if r := e.do("GET", path, nil); r.code != http.StatusBadRequest {
			t.Errorf("%s without ConsistencyLevel: %d %s", path, r.code, r.body)
		}
	}
	e.do("GET", "/groups/"+g+"/members/microsoft.graph.contract", nil).
		wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'microsoft.graph.contract'.")

	// Types groupd keeps none of list nothing, once the object exists.
	for path, set := range map[string]string{
		"/groups/" + g + "/members/microsoft.graph.device":               "devices",
		"/users/" + ann + "/memberOf/graph.directoryRole":                "directoryRoles",
		"/users/" + ann + "/transitiveMemberOf/graph.administrativeUnit": "administrativeUnits",
		"/directory/deletedItems/microsoft.graph.application":            "applications",
	} {
		r := e.do("GET", path, nil).want(t, http.StatusOK)
		if want := `{"@odata.context":"` + e.base + `/$metadata#` + set + `","value":[]}`; string(r.body) != want {
			t.Errorf("%s: %s, want %s", path, r.body, want)
		}
	}
	if r := e.do("GET", "/users/"+ann+"/memberOf/graph.directoryRole/$count", nil, eventual); r.code != http.StatusOK || string(r.body) != "0" {
		t.Errorf("directoryRole $count: %d %s", r.code, r.body)
	}
	e.do("GET", "/users/"+ann+"/memberOf/graph.directoryRole/$count", nil).want(t, http.StatusBadRequest)
	missing := "00000000-0000-0000-0000-0000000000aa"
	e.do("GET", "/users/"+missing+"/memberOf/graph.directoryRole", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(missing))

	// Graph's SDKs write the namespace by its alias: graph.user.
	for path, want := range map[string]int{
		"/groups/" + g + "/members/graph.user":              2,
		"/groups/" + g + "/members/graph.group":             1,
		"/groups/" + g + "/owners/graph.user":               1,
		"/users/" + ann + "/memberOf/graph.group":           1,
		"/users/" + ann + "/transitiveMemberOf/graph.group": 1,
	} {
		if n := len(values(t, e.do("GET", path, nil).want(t, http.StatusOK).obj(t))); n != want {
			t.Errorf("%s: %d items, want %d", path, n, want)
		}
	}
	if r := e.do("GET", "/groups/"+g+"/members/graph.user/$count", nil, eventual); string(r.body) != "2" {
		t.Errorf("graph.user/$count: %d %s", r.code, r.body)
	}
	e.do("GET", "/groups/"+g+"/members/graph.contract", nil).
		wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'graph.contract'.")
}
