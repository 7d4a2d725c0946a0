package aadgraph_test

import (
	"net/http"
	"testing"
)

// TestManager: $links/manager sets, reads and removes a user's manager as
// Set-AzureADUserManager and its kin do; manager and directReports read
// the entities.
func TestManager(t *testing.T) {
	e := newEnv(t)
	ann, bob := e.user("ann"), e.user("bob")
	notFound := "Resource 'manager' does not exist or one of its queried reference-property objects are not present."
	e.aad("GET", "/users/"+bob+"/manager", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFound)
	link := map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + ann}
	e.aad("PUT", "/users/"+bob+"/$links/manager", link).want(t, http.StatusNoContent)

	m := e.aad("GET", "/users/"+bob+"/manager", nil).want(t, http.StatusOK).obj(t)
	if m["objectId"] != ann || m["odata.type"] != "Microsoft.DirectoryServices.User" ||
		m["odata.metadata"] != e.url+"/myorganization/$metadata#directoryObjects/@Element" {
		t.Errorf("manager %v", m)
	}
	l := e.aad("GET", "/users/"+bob+"/$links/manager", nil).want(t, http.StatusOK).obj(t)
	if l["url"] != e.url+"/myorganization/directoryObjects/"+ann+"/Microsoft.DirectoryServices.User" ||
		l["odata.metadata"] != e.url+"/myorganization/$metadata#directoryObjects/$links/manager" || len(l) != 2 {
		t.Errorf("$links/manager %v", l)
	}
	reports := e.aad("GET", "/users/"+ann+"/directReports", nil).want(t, http.StatusOK).obj(t)["value"].([]any)
	if len(reports) != 1 || reports[0].(map[string]any)["objectId"] != bob {
		t.Errorf("directReports %v", reports)
	}
	e.aad("PUT", "/users/"+bob+"/$links/manager", map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + bob}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'manager' of resource 'User'. A user cannot be its own manager.")
	e.aad("DELETE", "/users/"+bob+"/$links/manager", nil).want(t, http.StatusNoContent)
	e.aad("GET", "/users/"+bob+"/manager", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFound)
	e.aad("DELETE", "/users/"+bob+"/$links/manager", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFound)
}
