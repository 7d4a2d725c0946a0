package msgraph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// nesting is top ⊃ mid ⊃ leaf ⊃ ann, mid ⊃ bob, and a Microsoft 365
// group uni ⊃ ann (not security-enabled).
type nesting struct {
	e                   *env
	top, mid, leaf, uni string
	ann, bob            string
}

func newNesting(t *testing.T) nesting {
	e := newEnv(t)
	n := nesting{e: e, top: e.secGroup("top"), mid: e.secGroup("mid"), leaf: e.secGroup("leaf"), uni: e.unified("uni"),
		ann: e.user("ann"), bob: e.user("bob")}
	add := func(g, coll, id string) {
		e.do("POST", "/groups/"+g+"/members/$ref", ref(e, coll, id)).want(t, http.StatusNoContent)
	}
	add(n.top, "groups", n.mid)
	add(n.mid, "groups", n.leaf)
	add(n.leaf, "users", n.ann)
	add(n.mid, "users", n.bob)
	add(n.uni, "users", n.ann)
	return n
}

// listIDs reads every page of a list and checks the shape of each page:
// its context, and items that are typed objects.
func listIDs(t *testing.T, e *env, path, context string) (ids []string, pages int) {
	t.Helper()
	next := e.base + path
	for next != "" {
		r := e.do("GET", next, nil, header("ConsistencyLevel", "eventual")).want(t, http.StatusOK)
		m := r.obj(t)
		if m["@odata.context"] != e.base+"/$metadata#"+context {
			t.Errorf("%s: context %v, want %s", path, m["@odata.context"], context)
		}
		for _, v := range m["value"].([]any) {
			item := v.(map[string]any)
			if _, ok := item["@odata.type"].(string); !ok {
				t.Errorf("%s: item without @odata.type: %v", path, item)
			}
			ids = append(ids, item["id"].(string))
		}
		next, _ = m["@odata.nextLink"].(string)
		pages++
	}
	return ids, pages
}

func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func TestTransitiveLists(t *testing.T) {
	n := newNesting(t)
	e := n.e
	for _, tc := range []struct {
		path, context string
		want          []string
		pages         int
	}{
		{"/users/" + n.ann + "/transitiveMemberOf", "directoryObjects", []string{n.leaf, n.mid, n.top, n.uni}, 1},
		{"/users/ann@example.org/transitiveMemberOf?$top=3", "directoryObjects", []string{n.leaf, n.mid, n.top, n.uni}, 2},
		{"/users/" + n.ann + "/transitiveMemberOf/microsoft.graph.group?$top=1", "groups", []string{n.leaf, n.mid, n.top, n.uni}, 4},
		{"/users/" + n.ann + "/transitiveMemberOf/microsoft.graph.user", "users", nil, 1},
		{"/users/" + n.ann + "/transitiveMemberOf?$filter=securityEnabled+eq+true", "directoryObjects", []string{n.leaf, n.mid, n.top}, 1},
		{"/users/" + n.ann + "/memberOf/microsoft.graph.group", "groups", []string{n.leaf, n.uni}, 1},
		{"/groups/" + n.leaf + "/transitiveMemberOf", "directoryObjects", []string{n.mid, n.top}, 1},
		{"/groups/" + n.leaf + "/memberOf/microsoft.graph.group", "groups", []string{n.mid}, 1},
		{"/groups/" + n.top + "/transitiveMembers", "directoryObjects", []string{n.ann, n.bob, n.leaf, n.mid}, 1},
		{"/groups/" + n.top + "/transitiveMembers?$top=2", "directoryObjects", []string{n.ann, n.bob, n.leaf, n.mid}, 2},
		{"/groups/" + n.top + "/transitiveMembers/microsoft.graph.user", "users", []string{n.ann, n.bob}, 1},
		{"/groups/" + n.top + "/transitiveMembers/microsoft.graph.group", "groups", []string{n.leaf, n.mid}, 1},
		{"/groups/" + n.top + "/transitiveMembers?$filter=startswith(displayName,'b')", "directoryObjects", []string{n.bob}, 1},
		{"/groups/" + n.top + "/transitiveMembers?$select=id,displayName", "directoryObjects(id,displayName)", []string{n.ann, n.bob, n.leaf, n.mid}, 1},
	} {
		ids, pages := listIDs(t, e, tc.path, tc.context)
		want := sortedIDs(tc.want...)
		if tc.want == nil {
			want = nil
		}
		if !slices.Equal(ids, want) || pages != tc.pages {
			t.Errorf("%s: %d pages of %v, want %d of %v", tc.path, pages, ids, tc.pages, want)
		}
	}
	// $select keeps @odata.type and the property.
	r := e.do("GET", "/groups/"+n.top+"/transitiveMembers/microsoft.graph.user?$select=displayName", nil).want(t, http.StatusOK)
	want := `{"@odata.context":"` + e.base + `/$metadata#users(displayName)","value":[`
	if !strings.HasPrefix(string(r.body), want) {
		t.Errorf("body %s\nwant prefix %s", r.body, want)
	}
	for _, v := range r.obj(t)["value"].([]any) {
		if item := v.(map[string]any); len(item) != 2 || item["@odata.type"] != "#microsoft.graph.user" || item["displayName"] == nil {
			t.Errorf("selected item %v", item)
		}
	}
}

func TestTransitiveCounts(t *testing.T) {
	n := newNesting(t)
	e := n.e
	for path, want := range map[string]string{
		"/users/" + n.ann + "/transitiveMemberOf/$count":                              "4",
		"/users/" + n.ann + "/transitiveMemberOf/microsoft.graph.group/$count":        "4",
		"/users/" + n.ann + "/memberOf/$count":                                        "2",
		"/groups/" + n.leaf + "/transitiveMemberOf/$count":                            "2",
		"/groups/" + n.leaf + "/memberOf/$count":                                      "1",
		"/groups/" + n.top + "/transitiveMembers/$count":                              "4",
		"/groups/" + n.top + "/transitiveMembers/microsoft.graph.user/$count":         "2",
		"/groups/" + n.top + "/transitiveMembers/$count?$filter=displayName+eq+'ann'": "1",
	} {
		r := e.do("GET", path, nil, header("ConsistencyLevel", "eventual"))
		if r.code != http.StatusOK || string(r.body) != want || r.h.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s: %d %q %q, want 200 %q text/plain", path, r.code, r.h.Get("Content-Type"), r.body, want)
		}
	}
	// $count needs ConsistencyLevel: eventual, as on every list.
	r := e.do("GET", "/groups/"+n.top+"/transitiveMembers/$count", nil)
	if r.code != http.StatusBadRequest {
		t.Errorf("$count without ConsistencyLevel: %d %s", r.code, r.body)
	}
}

func TestTransitiveListErrors(t *testing.T) {
	n := newNesting(t)
	e := n.e
	missing := "00000000-0000-0000-0000-00000000abcd"
	e.do("GET", "/users/"+missing+"/transitiveMemberOf", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(missing))
	// A group is not a user, and a user is not a group.
	e.do("GET", "/users/"+n.top+"/transitiveMemberOf", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(n.top))
	e.do("GET", "/groups/"+n.ann+"/transitiveMembers", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(n.ann))
	e.do("GET", "/groups/"+n.ann+"/transitiveMemberOf/$count", nil, header("ConsistencyLevel", "eventual")).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(n.ann))
	e.do("GET", "/groups/"+n.top+"/transitiveMembers/microsoft.graph.contract", nil).
		wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'microsoft.graph.contract'.")
	e.do("GET", "/groups/"+n.top+"/transitiveMembers/x/y", nil).
		wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'y'.")
	e.do("GET", "/users/"+n.ann+"/transitiveMemberOf?$select=nope", nil).
		wantError(t, http.StatusBadRequest, "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'microsoft.graph.group'.")
	r := e.do("DELETE", "/groups/"+n.top+"/transitiveMembers", nil)
	r.wantError(t, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	if r.h.Get("Allow") != "GET" {
		t.Errorf("Allow %q", r.h.Get("Allow"))
	}
}
