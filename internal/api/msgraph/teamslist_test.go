package msgraph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestListTeams: GET /teams lists the groups that have a team, with the
// properties Graph's list gives, page by page; a deleted group's team
// leaves the list.
func TestListTeams(t *testing.T) {
	e := newEnv(t)
	owner := e.user("owner")
	team := func(name string) string {
		id := e.group(map[string]any{"displayName": name, "mailNickname": name, "description": "About " + name,
			"mailEnabled": true, "securityEnabled": false, "groupTypes": []string{"Unified"},
			"owners@odata.bind": refs(e, "users", owner)})
		e.do("PUT", "/groups/"+id+"/team", map[string]any{}).want(t, http.StatusCreated)
		return id
	}
	ids := []string{team("alpha"), team("beta"), team("gamma")}
	slices.Sort(ids)
	e.unified("noteam") // a Microsoft 365 group without a team
	e.secGroup("security")

	r := e.do("GET", "/teams", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,value" {
		t.Errorf("keys %s", got)
	}
	body := r.obj(t)
	if body["@odata.context"] != e.base+"/$metadata#teams" {
		t.Errorf("context %v", body["@odata.context"])
	}
	items := body["value"].([]any)
	if len(items) != 3 {
		t.Fatalf("%d teams, want 3: %s", len(items), r.body)
	}
	first := items[0].(map[string]any)
	if len(first) != 3 || first["id"] != ids[0] || !strings.HasPrefix(first["description"].(string), "About ") {
		t.Errorf("first team %v", first)
	}

	// Two at a time: the next page follows the link.
	p1 := e.do("GET", "/teams?$top=2", nil).want(t, http.StatusOK).obj(t)
	next, _ := p1["@odata.nextLink"].(string)
	if len(p1["value"].([]any)) != 2 || !strings.HasPrefix(next, e.base+"/teams?$top=2&$skiptoken=") {
		t.Fatalf("first page %v", p1)
	}
	p2 := e.do("GET", next, nil).want(t, http.StatusOK).obj(t)
	if v := p2["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != ids[2] || p2["@odata.nextLink"] != nil {
		t.Errorf("second page %v", p2)
	}

	e.do("DELETE", "/groups/"+ids[1], nil).want(t, http.StatusNoContent)
	if v := e.do("GET", "/teams", nil).want(t, http.StatusOK).obj(t)["value"].([]any); len(v) != 2 {
		t.Errorf("after a group's deletion %d teams, want 2", len(v))
	}
	e.do("GET", "/teams?$top=0", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Invalid page size specified: '0'. Must be between 1 and 999 inclusive.")
	e.do("GET", "/teams?$skiptoken=forged", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"The $skiptoken value 'forged' is not valid.")
}
