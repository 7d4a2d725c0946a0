package msgraph_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestInvitation: POST /invitations makes a guest user at once, with
// Entra's userPrincipalName for external users; a second invitation of the
// address names the same user; the guest settings then apply to it.
func TestInvitation(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"invitedUserEmailAddress": "Admin@fabrikam.com", "inviteRedirectUrl": "https://myapp.contoso.com"}
	r := e.do("POST", "/invitations", body).want(t, http.StatusCreated)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,id,inviteRedeemUrl,invitedUserDisplayName,invitedUserType,"+
		"invitedUserEmailAddress,sendInvitationMessage,resetRedemption,inviteRedirectUrl,status,invitedUserMessageInfo,invitedUser" {
		t.Errorf("keys %s", got)
	}
	inv := r.obj(t)
	user, _ := inv["invitedUser"].(map[string]any)
	id, _ := user["id"].(string)
	if inv["@odata.context"] != e.base+"/$metadata#invitations/$entity" || len(inv["id"].(string)) != 36 ||
		inv["inviteRedeemUrl"] != "https://myapp.contoso.com" || inv["invitedUserDisplayName"] != nil ||
		inv["invitedUserType"] != "Guest" || inv["invitedUserEmailAddress"] != "Admin@fabrikam.com" ||
		inv["sendInvitationMessage"] != false || inv["resetRedemption"] != false || inv["status"] != "PendingAcceptance" ||
		len(user) != 1 || len(id) != 36 {
		t.Fatalf("invitation %s", r.body)
	}
	u := e.do("GET", "/users/"+id+"?$select=displayName,userPrincipalName,mail,userType,accountEnabled", nil).want(t, http.StatusOK).obj(t)
	if u["displayName"] != "Admin" || u["userPrincipalName"] != "Admin_fabrikam.com#EXT#@example.org" ||
		u["mail"] != "Admin@fabrikam.com" || u["userType"] != "Guest" || u["accountEnabled"] != true {
		t.Errorf("invited user %v", u)
	}
	again := e.do("POST", "/invitations", map[string]any{"invitedUserEmailAddress": "admin@FABRIKAM.com",
		"inviteRedirectUrl": "https://myapp.contoso.com", "invitedUserDisplayName": "Fab Admin", "sendInvitationMessage": true,
		"invitedUserMessageInfo": map[string]any{"customizedMessageBody": "hi"}}).want(t, http.StatusCreated).obj(t)
	if again["invitedUser"].(map[string]any)["id"] != id || again["invitedUserDisplayName"] != "Fab Admin" || again["sendInvitationMessage"] != false {
		t.Errorf("second invitation %v, want the user %s", again, id)
	}
	// Each invitation is audited as Entra's Invited Users service logs it;
	// the first also adds the user.
	entries, _ := audits(t, e, "?$filter="+url.QueryEscape("targetResources/any(t:t/id eq '"+id+"')"))
	var names []string
	for _, a := range entries {
		names = append(names, a.ActivityDisplayName+"/"+a.LoggedByService+"/"+a.Category+"/"+a.OperationType)
	}
	if want := []string{"Invite external user/Invited Users/UserManagement/Add", "Invite external user/Invited Users/UserManagement/Add",
		"Add user/Core Directory/UserManagement/Add"}; !reflect.DeepEqual(names, want) {
		t.Errorf("audit of the invitations %v, want %v", names, want)
	}
	if byName, _ := audits(t, e, "?$filter="+url.QueryEscape("activityDisplayName eq 'Invite external user'")); len(byName) != 2 {
		t.Errorf("filtered by activity: %d entries, want 2", len(byName))
	}
	team := e.unified("team")
	e.do("POST", "/groups/"+team+"/owners/$ref", ref(e, "users", id)).wantError(t, http.StatusForbidden, codeRequestDenied, msgGuestOwners)
	e.do("POST", "/groups/"+team+"/members/$ref", ref(e, "users", id)).want(t, http.StatusNoContent)

	member := e.do("POST", "/invitations", map[string]any{"invitedUserEmailAddress": "ops@partner.example",
		"inviteRedirectUrl": "http://localhost:8080/", "invitedUserType": "member", "invitedUserDisplayName": "Partner Ops"}).
		want(t, http.StatusCreated).obj(t)
	if member["invitedUserType"] != "Member" || member["invitedUserDisplayName"] != "Partner Ops" {
		t.Errorf("member invitation %v", member)
	}

	for _, c := range []struct {
		body           map[string]any
		message        string
		target, detail string
	}{
		{map[string]any{"inviteRedirectUrl": "https://x.example"}, "Invalid value specified for property 'invitedUserEmailAddress' of resource 'Invitation'. The property is required.", "invitedUserEmailAddress", "PropertyRequired"},
		{map[string]any{"invitedUserEmailAddress": "a@b.example"}, "Invalid value specified for property 'inviteRedirectUrl' of resource 'Invitation'. The property is required.", "inviteRedirectUrl", "PropertyRequired"},
		{map[string]any{"invitedUserEmailAddress": "not an address", "inviteRedirectUrl": "https://x.example"},
			"Property invitedUserEmailAddress has an invalid value. Not a valid email address.", "invitedUserEmailAddress", "InvalidValue"},
		{map[string]any{"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "/relative"},
			"Property inviteRedirectUrl has an invalid value. An absolute http or https URL is required.", "inviteRedirectUrl", "InvalidValue"},
		{map[string]any{"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x.example", "invitedUserType": "Owner"},
			"Property invitedUserType has an invalid value. Allowed values are Guest, Member.", "invitedUserType", "InvalidValue"},
		{map[string]any{"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x.example", "resetRedemption": true},
			"resetRedemption is not supported: groupd keeps no redemption state to reset.", "resetRedemption", "InvalidValue"},
		{map[string]any{"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x.example", "colour": "red"},
			"Invalid property 'colour'.", "colour", "InvalidProperty"},
	} {
		e.do("POST", "/invitations", c.body).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.message, c.target, c.detail)
	}
	// The address of a user of the tenant is taken.
	e.do("PATCH", "/users/"+e.user("carol"), map[string]any{"mail": "carol@partner.example"}).want(t, http.StatusNoContent)
	e.do("POST", "/invitations", map[string]any{"invitedUserEmailAddress": "carol@partner.example", "inviteRedirectUrl": "https://x.example"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest",
			"Another object with the same value for property invitedUserEmailAddress already exists.", "invitedUserEmailAddress", "ObjectConflict")

	e.do("POST", "/invitations", body, header("Authorization", "Bearer "+e.appToken("User.Invite.All"))).want(t, http.StatusCreated)
	e.do("POST", "/invitations", body, header("Authorization", "Bearer "+e.appToken("User.Read.All"))).wantError(t, http.StatusForbidden,
		"Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}
