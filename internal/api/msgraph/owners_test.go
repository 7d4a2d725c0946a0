package msgraph_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

func TestOwnersLimit(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("owned")
	var users []string
	for i := range 101 {
		users = append(users, e.user(fmt.Sprintf("o%03d", i)))
	}
	// 100 owners, bound 20 at a time.
	for i := 0; i < 100; i += 20 {
		e.do("PATCH", "/groups/"+g, map[string]any{"owners@odata.bind": refs(e, "users", users[i:i+20]...)}).want(t, http.StatusNoContent)
	}
	if n := len(e.ids(g, "owners")); n != 100 {
		t.Fatalf("%d owners, want 100", n)
	}
	e.do("POST", "/groups/"+g+"/owners/$ref", ref(e, "users", users[100])).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "A group can have at most 100 owners.")
	e.do("PATCH", "/groups/"+g, map[string]any{"owners@odata.bind": refs(e, "users", users[100])}).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "A group can have at most 100 owners.")
	e.do("PATCH", "/groups/"+g, map[string]any{"owners@odata.bind": refs(e, "users", users[:21]...)}).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "At most 20 references can be bound in one request.")
	if n := len(e.ids(g, "owners")); n != 100 {
		t.Errorf("%d owners after refused adds, want 100", n)
	}

	// Paging over owners: 100 items in pages of 40.
	seen := map[string]bool{}
	next := e.base + "/groups/" + g + "/owners?$top=40&$select=id"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		m := e.do("GET", next, nil).want(t, http.StatusOK).obj(t)
		for _, v := range m["value"].([]any) {
			item := v.(map[string]any)
			if item["@odata.type"] != "#microsoft.graph.user" || seen[item["id"].(string)] {
				t.Errorf("item %v", item)
			}
			seen[item["id"].(string)] = true
		}
		next, _ = m["@odata.nextLink"].(string)
	}
	if len(seen) != 100 {
		t.Errorf("%d owners listed, want 100", len(seen))
	}
}

func TestOwnerRules(t *testing.T) {
	e := newEnv(t)
	a, b := e.user("a"), e.user("b")
	team := e.group(map[string]any{"displayName": "team", "mailNickname": "team", "mailEnabled": true, "securityEnabled": false,
		"groupTypes": []string{"Unified"}, "owners@odata.bind": refs(e, "users", a)})
	other := e.secGroup("other")

	e.do("POST", "/groups/"+team+"/owners/$ref", ref(e, "groups", other)).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "Only users can be owners of a group.")
	e.do("POST", "/groups/"+team+"/owners/$ref", ref(e, "directoryObjects", other)).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "Only users can be owners of a group.")
	e.do("POST", "/groups/"+team+"/owners/$ref", ref(e, "users", a)).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "One or more added object references already exist for the following modified properties: 'owners'.")
	e.do("DELETE", "/groups/"+team+"/owners/"+a+"/$ref", nil).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "The last owner of a Microsoft 365 group cannot be removed.")
	if got := e.ids(team, "owners"); !slices.Equal(got, []string{a}) {
		t.Fatalf("owners %v after refused changes", got)
	}
	e.do("DELETE", "/groups/"+team+"/owners/"+b+"/$ref", nil).wantError(t, http.StatusNotFound,
		"Request_ResourceNotFound", notFoundMsg(b))

	e.do("POST", "/groups/"+team+"/owners/$ref", ref(e, "users", b)).want(t, http.StatusNoContent)
	m := e.do("GET", "/groups/"+team+"/owners", nil).want(t, http.StatusOK).obj(t)
	if m["@odata.context"] != e.base+"/$metadata#directoryObjects" || len(m["value"].([]any)) != 2 {
		t.Errorf("owners %v", m)
	}
	e.do("DELETE", "/groups/"+team+"/owners/"+a+"/$ref", nil).want(t, http.StatusNoContent)
	if got := e.ids(team, "owners"); !slices.Equal(got, []string{b}) {
		t.Errorf("owners %v, want [b]", got)
	}
	// A security group may lose its last owner.
	e.do("POST", "/groups/"+other+"/owners/$ref", ref(e, "users", a)).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+other+"/owners/"+a+"/$ref", nil).want(t, http.StatusNoContent)

	// $expand=owners on one group.
	r := e.do("GET", "/groups/"+team+"?$expand=owners&$select=id", nil).want(t, http.StatusOK)
	m = r.obj(t)
	owners := m["owners"].([]any)
	if m["@odata.context"] != e.base+"/$metadata#groups(id,owners())/$entity" || len(owners) != 1 ||
		owners[0].(map[string]any)["id"] != b || owners[0].(map[string]any)["@odata.type"] != "#microsoft.graph.user" {
		t.Errorf("expanded owners %s", r.body)
	}
}
