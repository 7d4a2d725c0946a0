package aadgraph_test

import (
	"net/http"
	"strings"
	"testing"
)

const (
	aadResource   = "https://graph.windows.net"
	graphResource = "https://graph.microsoft.com"
	deniedMsg     = "Insufficient privileges to complete the operation."
	malformedMsg  = "Access Token missing or malformed."
)

func (r *resp) wantChallenge(t testing.TB) {
	t.Helper()
	if h := r.h.Get("WWW-Authenticate"); !strings.HasPrefix(h, `Bearer realm="", authorization_uri="`) || !strings.HasSuffix(h, `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate %q", h)
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	e.group("Sales", "", "sales")
	v1 := e.token(e.tenant, true, aadResource, "Group.ReadWrite.All")
	v2 := e.token(e.tenant, false, aadResource, "Group.Read.All")
	// Tokens of either endpoint work under myorganization, the tenant id
	// and a verified domain.
	for _, seg := range []string{"myorganization", string(e.tenant), "example.org", "EXAMPLE.org"} {
		for _, tok := range []string{v1, v2} {
			r := e.do("GET", "/"+seg+"/groups?api-version=1.6", nil, bearer(tok)).want(t, http.StatusOK)
			if md := r.obj(t)["odata.metadata"]; md != e.url+"/"+seg+"/$metadata#directoryObjects/Microsoft.DirectoryServices.Group" {
				t.Errorf("odata.metadata %v", md)
			}
		}
	}
	e.aad("POST", "/groups", map[string]any{"displayName": "T", "mailNickname": "t", "mailEnabled": false, "securityEnabled": true},
		bearer(v1)).want(t, http.StatusCreated)
	e.aad("POST", "/groups", map[string]any{"displayName": "U", "mailNickname": "u", "mailEnabled": false, "securityEnabled": true},
		bearer(v2)).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)

	// A Microsoft Graph token is not for this API, nor this API's for /v1.0.
	graph := e.token(e.tenant, false, graphResource, "Group.ReadWrite.All")
	r := e.aad("GET", "/groups", nil, bearer(graph))
	r.wantError(t, http.StatusUnauthorized, "Authentication_MissingOrMalformed", malformedMsg)
	r.wantChallenge(t)
	if r := e.do("GET", "/v1.0/groups", nil, bearer(v1)); r.code != http.StatusUnauthorized {
		t.Errorf("/v1.0 with an Azure AD Graph token: %d", r.code)
	}
	for _, opt := range []reqOpt{anonymous(), bearer("not.a.token"), as(adminLogin, "wrong")} {
		r := e.aad("GET", "/groups", nil, opt)
		r.wantError(t, http.StatusUnauthorized, "Authentication_MissingOrMalformed", malformedMsg)
		r.wantChallenge(t)
	}
}

// TestForeignTenant: a path naming another tenant than the credential's
// is 401 Authentication_Unauthorized (the reference's "Decisions").
func TestForeignTenant(t *testing.T) {
	e := newEnv(t)
	tok := e.token(e.tenant, true, aadResource, "Directory.Read.All")
	theirs := e.token(e.other, true, aadResource, "Directory.Read.All")
	for _, c := range []struct{ seg, opt string }{
		{string(e.other), "token"}, {"fabrikam.example", "token"}, {"nowhere.example", "token"},
		{string(e.other), "basic"}, {"fabrikam.example", "basic"},
	} {
		opt := bearer(tok)
		if c.opt == "basic" {
			opt = as(adminLogin, adminPass)
		}
		r := e.do("GET", "/"+c.seg+"/groups?api-version=1.6", nil, opt)
		r.wantError(t, http.StatusUnauthorized, "Authentication_Unauthorized",
			"Access to tenant '"+c.seg+"' is not permitted with the credential presented.")
		r.wantChallenge(t)
	}
	// The other tenant's own token reads its own (empty) directory.
	r := e.do("GET", "/fabrikam.example/groups?api-version=1.6", nil, bearer(theirs)).want(t, http.StatusOK)
	if v := r.obj(t)["value"].([]any); len(v) != 0 {
		t.Errorf("fabrikam sees %v", v)
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	g := e.group("Sales", "", "sales")
	u := e.user("dave")
	users := e.token(e.tenant, true, aadResource, "User.Read.All")
	members := e.token(e.tenant, true, aadResource, "GroupMember.ReadWrite.All")
	link := map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + u}
	e.aad("GET", "/groups", nil, bearer(users)).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	e.aad("GET", "/users/"+u, nil, bearer(users)).want(t, http.StatusOK)
	e.aad("GET", "/users/"+u+"/memberOf", nil, bearer(users)).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	e.aad("POST", "/groups/"+g+"/$links/members", link, bearer(users)).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	e.aad("POST", "/groups/"+g+"/$links/members", link, bearer(members)).want(t, http.StatusNoContent)
	e.aad("DELETE", "/groups/"+g, nil, bearer(members)).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	// A user who is not an administrator reads but does not write.
	e.user("reader")
	e.aad("GET", "/groups/"+g+"/$links/members", nil, as("reader@example.org", adminPass)).want(t, http.StatusOK)
	e.aad("DELETE", "/groups/"+g+"/$links/members/"+u, nil, as("reader@example.org", adminPass)).
		wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
	if got := e.members(g); len(got) != 1 {
		t.Errorf("members %v", got)
	}
}
