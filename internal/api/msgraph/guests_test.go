package msgraph_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

const (
	msgGuestMembers   = "Guests users are not allowed to join this Unified Group due to policy setting. paramName: Members, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group"
	msgGuestOwners    = "Guests users are not allowed to be owners of this Unified Group due to policy setting. paramName: Owners, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group"
	codeRequestDenied = "Authorization_RequestDenied"
)

// guest creates a guest user through the API and returns its id.
func (e *env) guest(alias string) string {
	e.t.Helper()
	r := e.do("POST", "/users", map[string]any{"accountEnabled": true, "displayName": alias, "mailNickname": alias,
		"userPrincipalName": alias + "@example.org", "passwordProfile": map[string]any{"password": adminPass},
		"userType": "Guest"}).want(e.t, http.StatusCreated)
	id := r.obj(e.t)["id"].(string)
	// userType is not among the properties Graph returns by default.
	if got := e.do("GET", "/users/"+id+"?$select=userType", nil).want(e.t, http.StatusOK).obj(e.t)["userType"]; got != "Guest" {
		e.t.Fatalf("created guest: userType %v", got)
	}
	return id
}

func (e *env) unifiedSetting(values ...[2]string) {
	e.t.Helper()
	list := []map[string]string{}
	for _, v := range values {
		list = append(list, map[string]string{"name": v[0], "value": v[1]})
	}
	e.do("POST", "/groupSettings", map[string]any{"templateId": unifiedTemplate, "values": list}).want(e.t, http.StatusCreated)
}

// TestUserTypeWire: userType is written on create and update, read back,
// selected and filtered, and an unknown type is refused in Graph's words.
func TestUserTypeWire(t *testing.T) {
	e := newEnv(t)
	ann := e.user("ann")
	gus := e.guest("gus")
	if got := e.do("GET", "/users/"+ann+"?$select=userType", nil).want(t, http.StatusOK).obj(t)["userType"]; got != "Member" {
		t.Errorf("member's userType %v", got)
	}
	list := func(filter string) []string {
		t.Helper()
		r := e.do("GET", "/users?$filter="+url.QueryEscape(filter)+"&$select=id", nil).want(t, http.StatusOK)
		var ids []string
		for _, v := range r.obj(t)["value"].([]any) {
			ids = append(ids, v.(map[string]any)["id"].(string))
		}
		return ids
	}
	if got := list("userType eq 'Guest'"); !slices.Equal(got, []string{gus}) {
		t.Errorf("guests %v, want [%s]", got, gus)
	}
	if got := list("userType in ('Guest', 'x')"); !slices.Equal(got, []string{gus}) {
		t.Errorf("guests by in %v, want [%s]", got, gus)
	}
	e.do("PATCH", "/users/"+gus, map[string]any{"userType": "Member"}).want(t, http.StatusNoContent)
	if got := list("userType eq 'Guest'"); len(got) != 0 {
		t.Errorf("guests after the update %v", got)
	}
	e.do("PATCH", "/users/"+gus, map[string]any{"userType": "Visitor"}).wantError(t, http.StatusBadRequest,
		"Request_BadRequest", "Property userType has an invalid value. Allowed values are Member, Guest.", "userType", "InvalidValue")
	e.do("GET", "/users?$filter="+url.QueryEscape("startsWith(userType,'G')"), nil).wantError(t, http.StatusBadRequest,
		"Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'userType' of resource 'User'.")
}

// TestGuestPolicyWire: the Group.Unified guest settings refuse guests
// with Entra's 403 on member and owner adds, binds at creation and the
// batched single add, and change nothing.
func TestGuestPolicyWire(t *testing.T) {
	e := newEnv(t)
	team, sec := e.unified("team"), e.secGroup("sec")
	ann, gus := e.user("ann"), e.guest("gus")
	e.do("POST", "/groups/"+team+"/owners/$ref", ref(e, "users", gus)).wantError(t, http.StatusForbidden,
		codeRequestDenied, msgGuestOwners)
	e.do("POST", "/groups/"+sec+"/owners/$ref", ref(e, "users", gus)).want(t, http.StatusNoContent)
	n := e.groupCount()
	e.do("POST", "/groups", map[string]any{"displayName": "bound", "mailNickname": "bound", "mailEnabled": true,
		"securityEnabled": false, "groupTypes": []string{"Unified"}, "owners@odata.bind": refs(e, "users", ann, gus)}).
		wantError(t, http.StatusForbidden, codeRequestDenied, msgGuestOwners)
	if e.groupCount() != n {
		t.Fatal("the refused creation left a group")
	}

	e.unifiedSetting([2]string{"AllowToAddGuests", "false"})
	e.do("POST", "/groups/"+team+"/members/$ref", ref(e, "users", gus)).wantError(t, http.StatusForbidden,
		codeRequestDenied, msgGuestMembers)
	e.do("PATCH", "/groups/"+team, map[string]any{"members@odata.bind": refs(e, "users", ann, gus)}).
		wantError(t, http.StatusForbidden, codeRequestDenied, msgGuestMembers)
	if got := e.ids(team, "members"); len(got) != 0 {
		t.Fatalf("members after refusals: %v", got)
	}
	e.do("POST", "/groups/"+sec+"/members/$ref", ref(e, "users", gus)).want(t, http.StatusNoContent)
	e.do("POST", "/groups/"+team+"/members/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	if got := e.ids(team, "members"); !slices.Equal(got, []string{ann}) {
		t.Fatalf("members %v, want [%s]", got, ann)
	}
}

// TestGroupGuestSetting: a Microsoft 365 group's own Group.Unified.Guest
// setting (/groups/{id}/settings) overrides the tenant's AllowToAddGuests
// for that group, and its routes answer as Graph's.
func TestGroupGuestSetting(t *testing.T) {
	e := newEnv(t)
	team, other, sec := e.unified("team"), e.unified("other"), e.secGroup("sec")
	gus := e.guest("gus")
	path := "/groups/" + team + "/settings"
	body := map[string]any{"templateId": guestTemplate, "values": []map[string]string{{"name": "AllowToAddGuests", "value": "False"}}}
	r := e.do("POST", path, body).want(t, http.StatusCreated)
	s := r.obj(t)
	id, _ := s["id"].(string)
	if r.h.Get("Location") != e.base+path+"/"+id || s["@odata.context"] != e.base+"/$metadata#groups('"+team+"')/settings/$entity" ||
		s["displayName"] != "Group.Unified.Guest" || s["templateId"] != guestTemplate ||
		fmt.Sprint(s["values"]) != "[map[name:AllowToAddGuests value:false]]" {
		t.Fatalf("created %s (Location %s)", r.body, r.h.Get("Location"))
	}
	list := e.do("GET", path, nil).want(t, http.StatusOK).obj(t)
	if list["@odata.context"] != e.base+"/$metadata#groups('"+team+"')/settings" || len(list["value"].([]any)) != 1 {
		t.Errorf("list %v", list)
	}
	if got := e.do("GET", "/groupSettings", nil).want(t, http.StatusOK).obj(t)["value"].([]any); len(got) != 0 {
		t.Errorf("the tenant's settings show the group's: %v", got)
	}
	e.do("GET", path+"/"+id, nil).want(t, http.StatusOK)

	e.do("POST", "/groups/"+team+"/members/$ref", ref(e, "users", gus)).wantError(t, http.StatusForbidden, codeRequestDenied, msgGuestMembers)
	e.do("POST", "/groups/"+other+"/members/$ref", ref(e, "users", gus)).want(t, http.StatusNoContent)
	e.do("PATCH", path+"/"+id, map[string]any{"values": []map[string]string{{"name": "AllowToAddGuests", "value": "true"}}}).
		want(t, http.StatusNoContent)
	e.do("POST", "/groups/"+team+"/members/$ref", ref(e, "users", gus)).want(t, http.StatusNoContent)

	e.do("POST", path, body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"A conflicting object with one or more of the specified property values is present in the directory.", "templateId", "ObjectConflict")
	e.do("POST", "/groupSettings", body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Property templateId has an invalid value. The template Group.Unified.Guest holds settings of one Microsoft 365 group, not of the tenant.",
		"templateId", "InvalidValue")
	e.do("POST", path, map[string]any{"templateId": unifiedTemplate}).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Property templateId has an invalid value. The template Group.Unified holds settings of the tenant, not of one group.",
		"templateId", "InvalidValue")
	e.do("POST", "/groups/"+sec+"/settings", body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Property groupTypes has an invalid value. Settings of one group apply to Microsoft 365 groups only.", "groupTypes", "InvalidValue")
	missing := "00000000-0000-0000-0000-000000000001"
	e.do("GET", "/groups/"+missing+"/settings", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+missing+"' does not exist or one of its queried reference-property objects are not present.")
	e.do("GET", "/groups/"+other+"/settings/"+id, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")

	e.do("DELETE", path+"/"+id, nil).want(t, http.StatusNoContent)
	if got := e.do("GET", path, nil).want(t, http.StatusOK).obj(t)["value"].([]any); len(got) != 0 {
		t.Errorf("after delete: %v", got)
	}
}

// TestGuestAccess: a guest who signs in reads itself and its own
// memberships, through /me or its id or name, and nothing else of the
// directory; made a member, it reads as members do on its next request.
func TestGuestAccess(t *testing.T) {
	e := newEnv(t)
	gus, ann := e.guest("gus"), e.user("ann")
	team := e.unified("team")
	e.do("POST", "/groups/"+team+"/members/$ref", ref(e, "users", gus)).want(t, http.StatusNoContent)
	asGus := as("gus@example.org", adminPass)
	if got := e.do("GET", "/me", nil, asGus).want(t, http.StatusOK).obj(t)["id"]; got != gus {
		t.Errorf("/me is %v", got)
	}
	e.do("GET", "/users/gus@example.org", nil, asGus).want(t, http.StatusOK)
	e.do("GET", "/users/GUS%40example.org", nil, asGus).want(t, http.StatusOK)
	e.do("GET", "/users/"+gus+"/memberOf", nil, asGus).want(t, http.StatusOK)
	if v := e.do("GET", "/me/transitiveMemberOf", nil, asGus).want(t, http.StatusOK).obj(t)["value"].([]any); len(v) != 1 {
		t.Errorf("/me/transitiveMemberOf %v", v)
	}
	e.do("POST", "/me/checkMemberGroups", map[string]any{"groupIds": []string{team}}, asGus).want(t, http.StatusOK)
	for _, path := range []string{"/users", "/users/" + ann, "/users/" + ann + "/memberOf", "/groups", "/groups/" + team,
		"/groups/" + team + "/members", "/directoryObjects/" + ann, "/organization"} {
		e.do("GET", path, nil, asGus).wantError(t, http.StatusForbidden, codeRequestDenied, "Insufficient privileges to complete the operation.")
	}
	e.do("PATCH", "/users/"+gus, map[string]any{"userType": "Member"}).want(t, http.StatusNoContent)
	e.do("GET", "/users", nil, asGus).want(t, http.StatusOK)
}
