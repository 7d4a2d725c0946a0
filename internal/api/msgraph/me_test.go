package msgraph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMe: /me is the signed-in user, and every path below it that path
// below /users/{id}, with the same rules.
func TestMe(t *testing.T) {
	e := newEnv(t)
	jim := e.user("jim")
	gid := e.secGroup("Team")
	e.do(http.MethodPost, "/groups/"+gid+"/members/$ref", map[string]string{"@odata.id": e.base + "/directoryObjects/" + jim}).want(t, http.StatusNoContent)
	asJim := as("jim@example.org", adminPass)

	me := e.do(http.MethodGet, "/me", nil, asJim).want(t, http.StatusOK).obj(t)
	if me["id"] != jim || me["userPrincipalName"] != "jim@example.org" || me["@odata.context"] != e.base+"/$metadata#users/$entity" {
		t.Errorf("GET /me: %v", me)
	}
	if got := keys(t, e.do(http.MethodGet, "/me?$select=displayName", nil, asJim).want(t, http.StatusOK).body); strings.Join(got, ",") != "@odata.context,displayName" {
		t.Errorf("GET /me?$select=displayName: keys %v", got)
	}

	var memberOf struct{ Value []map[string]any }
	if err := json.Unmarshal(e.do(http.MethodGet, "/me/memberOf", nil, asJim).want(t, http.StatusOK).body, &memberOf); err != nil {
		t.Fatal(err)
	}
	if len(memberOf.Value) != 1 || memberOf.Value[0]["id"] != gid || memberOf.Value[0]["@odata.type"] != "#microsoft.graph.group" {
		t.Errorf("GET /me/memberOf: %v", memberOf.Value)
	}
	checked := e.do(http.MethodPost, "/me/checkMemberGroups", map[string]any{"groupIds": []string{gid}}, asJim).want(t, http.StatusOK).obj(t)
	if v, _ := checked["value"].([]any); len(v) != 1 || v[0] != gid {
		t.Errorf("POST /me/checkMemberGroups: %v", checked)
	}

	// A user who is not an administrator may read but not write, as under
	// /users/{id}; an administrator may change itself.
	e.do(http.MethodPatch, "/me", map[string]any{"jobTitle": "Pilot"}, asJim).
		wantError(t, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	e.do(http.MethodPatch, "/me", map[string]any{"jobTitle": "Chief"}).want(t, http.StatusNoContent)
	if got := e.do(http.MethodGet, "/users/"+string(e.admin)+"?$select=jobTitle", nil).want(t, http.StatusOK).obj(t); got["jobTitle"] != "Chief" {
		t.Errorf("after PATCH /me: %v", got)
	}
	e.do(http.MethodGet, "/me/nothing", nil, asJim).wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'nothing'.")

	// In a batch too.
	res := e.batch(t, []map[string]any{{"id": "1", "method": "GET", "url": "/me?$select=id"}}, asJim)
	if b := string(res["1"].want(t, http.StatusOK).Body); !strings.Contains(b, `"id":"`+jim+`"`) {
		t.Errorf("/me in a batch: %s", b)
	}

	// An application has no /me.
	e.do(http.MethodGet, "/me", nil, header("Authorization", "Bearer "+e.appToken("User.Read.All"))).
		wantError(t, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
}

// appToken registers an application with roles and gets a token for Graph
// by client credentials, as an SDK does.
func (e *env) appToken(roles ...string) string {
	e.t.Helper()
	return e.appTokenAt("/oauth2/v2.0/token", url.Values{"scope": {"https://graph.microsoft.com/.default"}}, roles...)
}

// appTokenAt is appToken from another token endpoint path of the tenant,
// with the form's extra values (a v1 token for Azure AD Graph, say).
func (e *env) appTokenAt(path string, extra url.Values, roles ...string) string {
	e.t.Helper()
	a, secret, err := e.dir.CreateApplication(context.Background(), e.tenant, "tool", roles)
	if err != nil {
		e.t.Fatal(err)
	}
	form := url.Values{"client_id": {a.AppID}, "client_secret": {secret}, "grant_type": {"client_credentials"}}
	for k, v := range extra {
		form[k] = v
	}
	res, err := http.PostForm(e.url+"/"+string(e.tenant)+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		e.t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	return tok.AccessToken
}
