package msgraph_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestServicePrincipalByID: the service principal an owners list names
// (an application that created the group holding Group.Create alone) is
// read by its id at /directoryObjects/{id}; it is no user or group.
func TestServicePrincipalByID(t *testing.T) {
	e := newEnv(t)
	app := header("Authorization", "Bearer "+e.appToken("Group.Create"))
	g := e.do("POST", "/groups", map[string]any{"displayName": "Made by an app", "mailNickname": "byapp",
		"mailEnabled": false, "securityEnabled": true}, app).want(t, http.StatusCreated).obj(t)["id"].(string)
	owners := e.do("GET", "/groups/"+g+"/owners", nil).want(t, http.StatusOK).obj(t)["value"].([]any)
	if len(owners) != 1 {
		t.Fatalf("owners %v", owners)
	}
	owner := owners[0].(map[string]any)
	if owner["@odata.type"] != "#microsoft.graph.servicePrincipal" {
		t.Fatalf("owner %v", owner)
	}
	sp := owner["id"].(string)
	r := e.do("GET", "/directoryObjects/"+sp, nil).want(t, http.StatusOK)
	want := `{"@odata.context":"` + e.base + `/$metadata#directoryObjects/$entity","@odata.type":"#microsoft.graph.servicePrincipal",` +
		`"id":"` + sp + `","appId":"` + owner["appId"].(string) + `","displayName":"` + owner["displayName"].(string) + `"}`
	if string(r.body) != want {
		t.Errorf("GET /directoryObjects/%s\n got %s\nwant %s", sp, r.body, want)
	}
	if !strings.HasPrefix(owner["displayName"].(string), "tool") {
		t.Errorf("displayName %v", owner["displayName"])
	}
	e.do("GET", "/users/"+sp, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(sp))
	e.do("GET", "/groups/"+sp, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(sp))
}
