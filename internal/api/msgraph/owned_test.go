package msgraph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestOwnedObjects: the groups a user owns, paged and filtered as
// memberOf, each with its @odata.type.
func TestOwnedObjects(t *testing.T) {
	e := newEnv(t)
	kim := e.user("kim")
	var owned []string
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		gid := e.secGroup(name)
		owned = append(owned, gid)
		e.do(http.MethodPost, "/groups/"+gid+"/owners/$ref", map[string]string{"@odata.id": e.base + "/directoryObjects/" + kim}).want(t, http.StatusNoContent)
	}
	e.secGroup("Others")
	e.do(http.MethodDelete, "/groups/"+owned[2], nil).want(t, http.StatusNoContent) // a security group goes at once

	type page struct {
		Context  string `json:"@odata.context"`
		NextLink string `json:"@odata.nextLink"`
		Count    *int   `json:"@odata.count"`
		Value    []map[string]any
	}
	get := func(path string, opts ...reqOpt) page {
		t.Helper()
		var p page
		if err := json.Unmarshal(e.do(http.MethodGet, path, nil, opts...).want(t, http.StatusOK).body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := get("/users/" + kim + "/ownedObjects?$top=1&$select=displayName")
	if first.Context != e.base+"/$metadata#directoryObjects(displayName)" || len(first.Value) != 1 || first.NextLink == "" ||
		first.Value[0]["@odata.type"] != "#microsoft.graph.group" || first.Value[0]["displayName"] != "Alpha" {
		t.Fatalf("first page: %+v", first)
	}
	second := get(strings.TrimPrefix(first.NextLink, e.base))
	if len(second.Value) != 1 || second.Value[0]["displayName"] != "Beta" || second.NextLink != "" {
		t.Errorf("second page: %+v", second)
	}
	filtered := get("/users/"+kim+"/ownedObjects?$filter=startsWith(displayName,'b')&$count=true", header("ConsistencyLevel", "eventual"))
	if len(filtered.Value) != 1 || filtered.Value[0]["id"] != owned[1] || filtered.Count == nil || *filtered.Count != 1 {
		t.Errorf("filtered: %+v", filtered)
	}
	if r := e.do(http.MethodGet, "/users/"+kim+"/ownedObjects/$count", nil, header("ConsistencyLevel", "eventual")); r.code != http.StatusOK || string(r.body) != "2" {
		t.Errorf("ownedObjects/$count: %d %s", r.code, r.body)
	}
	if p := get("/users/" + kim + "/ownedObjects/microsoft.graph.group?$select=id"); len(p.Value) != 2 || p.Context != e.base+"/$metadata#groups(id)" {
		t.Errorf("ownedObjects/microsoft.graph.group: %+v", p)
	}
	if p := get("/users/" + kim + "/ownedObjects/microsoft.graph.user"); len(p.Value) != 0 {
		t.Errorf("ownedObjects/microsoft.graph.user: %+v", p)
	}
	if p := get("/users/" + string(e.admin) + "/ownedObjects"); len(p.Value) != 0 {
		t.Errorf("the admin owns %v", p.Value)
	}
	e.do(http.MethodGet, "/users/00000000-0000-0000-0000-000000000000/ownedObjects", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '00000000-0000-0000-0000-000000000000' does not exist or one of its queried reference-property objects are not present.")
	if me := get("/me/ownedObjects", as("kim@example.org", adminPass)); len(me.Value) != 2 {
		t.Errorf("/me/ownedObjects: %+v", me)
	}
}
