package aadgraph_test

import (
	"context"
	"net/http"
	"testing"

	"groupd/internal/directory"
)

// TestMe: /me and the paths below it answer for the signed-in user as
// /users/{id} does; an application's token has no /me; changePassword
// needs the current password and takes effect at once.
func TestMe(t *testing.T) {
	e := newEnv(t)
	dave := e.user("dave")
	g := e.group("Sales", "", "sales")
	e.addMember(g, dave)
	asDave := as("dave@example.org", adminPass)

	me := e.aad("GET", "/me", nil, asDave).want(t, http.StatusOK).obj(t)
	if me["objectId"] != dave || me["userPrincipalName"] != "dave@example.org" || me["odata.type"] != "Microsoft.DirectoryServices.User" {
		t.Errorf("/me %v", me)
	}
	if got := names(t, e.aad("GET", "/me/memberOf", nil, asDave).want(t, http.StatusOK)); len(got) != 1 || got[0] != "Sales" {
		t.Errorf("/me/memberOf %v", got)
	}
	r := e.aad("POST", "/me/checkMemberGroups", map[string]any{"groupIds": []string{g}}, asDave).want(t, http.StatusOK).obj(t)
	if v, _ := r["value"].([]any); len(v) != 1 || v[0] != g {
		t.Errorf("/me/checkMemberGroups %v", r)
	}
	app := e.token(e.tenant, true, aadResource, "User.Read.All")
	e.aad("GET", "/me", nil, bearer(app)).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"/me is valid only for a signed-in user, not for an application's token.")

	e.aad("POST", "/me/changePassword", map[string]string{"currentPassword": "nope", "newPassword": "N3w-passw0rd"}, asDave).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The current password is incorrect.")
	e.aad("POST", "/me/changePassword", map[string]string{"currentPassword": adminPass}, asDave).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "A value is required for property 'newPassword' of resource 'User'.")
	e.aad("POST", "/me/changePassword", map[string]string{"oldPassword": adminPass}, asDave).
		wantError(t, http.StatusBadRequest, "Request_BadRequest",
			"The property 'oldPassword' does not exist on type 'Microsoft.DirectoryServices.User'. Make sure to only use property names that are defined by the type.")
	e.aad("POST", "/me/changePassword", map[string]string{"currentPassword": adminPass, "newPassword": "short"}, asDave).
		wantError(t, http.StatusBadRequest, "Request_BadRequest",
			"The specified password does not comply with password complexity requirements. Please provide a different password.")
	e.aad("POST", "/me/changePassword", map[string]string{"currentPassword": adminPass, "newPassword": "N3w-passw0rd"}, asDave).
		want(t, http.StatusNoContent)
	e.aad("GET", "/me", nil, asDave).want(t, http.StatusUnauthorized)
	e.aad("GET", "/me", nil, as("dave@example.org", "N3w-passw0rd")).want(t, http.StatusOK)
}

// TestGuestMe: a guest reads itself through /me and nothing else.
func TestGuestMe(t *testing.T) {
	e := newEnv(t)
	gus := e.user("gus")
	guestType := "Guest"
	if _, err := e.dir.UpdateUser(context.Background(), e.tenant, gus, directory.UserFields{UserType: &guestType}); err != nil {
		t.Fatal(err)
	}
	asGus := as("gus@example.org", adminPass)
	if got := e.aad("GET", "/me", nil, asGus).want(t, http.StatusOK).obj(t)["userType"]; got != "Guest" {
		t.Errorf("/me userType %v", got)
	}
	e.aad("GET", "/me/memberOf", nil, asGus).want(t, http.StatusOK)
	e.aad("GET", "/users", nil, asGus).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	e.aad("GET", "/groups", nil, asGus).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	e.aad("GET", "/users?deltaLink=", nil, asGus).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	e.aad("GET", "/directoryObjects?deltaLink=&$filter=isof('Microsoft.DirectoryServices.Group')", nil, asGus).
		wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
}
