package msgraph_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"groupd/internal/api/httpx"
	"groupd/internal/api/msgraph"
	"groupd/internal/auth"
)

func TestAuthenticationRequired(t *testing.T) {
	e := newEnv(t)
	wantAuth := `Bearer realm="", authorization_uri="` + e.url + `/common/oauth2/authorize", error="invalid_token"`
	for _, tc := range []struct {
		name, method, path string
		opt                reqOpt
		msg                string
	}{
		{"no credentials", "GET", "/groups", anonymous(), "Access token is empty."},
		{"wrong password", "GET", "/groups", as(adminLogin, "Wr0ng!pass"), "Access token validation failure."},
		{"unknown user", "GET", "/groups", as("nobody@example.org", adminPass), "Access token validation failure."},
		{"unknown domain", "GET", "/groups", as("admin@elsewhere.test", adminPass), "Access token validation failure."},
		{"bearer token", "GET", "/groups", header("Authorization", "Bearer eyJ0eXAiOiJKV1QifQ.e30.x"), "Access token validation failure."},
		{"write", "POST", "/groups", anonymous(), "Access token is empty."},
		{"unknown path", "GET", "/nowhere", anonymous(), "Access token is empty."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, nil, tc.opt)
			r.wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken", tc.msg)
			if got := r.h.Get("WWW-Authenticate"); got != wantAuth {
				t.Errorf("WWW-Authenticate %q\nwant %q", got, wantAuth)
			}
		})
	}
	// A token for Azure AD Graph is one Graph did not issue for itself.
	aad := e.appTokenAt("/oauth2/token", url.Values{"resource": {"https://graph.windows.net"}}, "Group.Read.All")
	e.do("GET", "/groups", nil, header("Authorization", "Bearer "+aad)).wantError(t, http.StatusUnauthorized,
		"InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
	// The sam account name signs in too (oCIS style).
	e.do("GET", "/groups", nil, as("admin", adminPass)).want(t, http.StatusOK)
}

func TestRequestIDs(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/organization", nil, header("client-request-id", "my-trace-42")).want(t, http.StatusOK)
	if got := r.h.Get("client-request-id"); got != "my-trace-42" {
		t.Errorf("client-request-id %q, want the echo", got)
	}
	if _, err := uuid.Parse(r.h.Get("request-id")); err != nil {
		t.Errorf("request-id %q is not a GUID", r.h.Get("request-id"))
	}
	// Without one, Graph echoes the request id.
	r = e.do("GET", "/nowhere", nil)
	if r.h.Get("client-request-id") != r.h.Get("request-id") {
		t.Errorf("client-request-id %q, want request-id %q", r.h.Get("client-request-id"), r.h.Get("request-id"))
	}
	r.wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'nowhere'.")
}

func TestOrganization(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/organization", nil).want(t, http.StatusOK)
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#organization" {
		t.Errorf("context %v", m["@odata.context"])
	}
	orgs := m["value"].([]any)
	if len(orgs) != 1 {
		t.Fatalf("%d organizations", len(orgs))
	}
	org := orgs[0].(map[string]any)
	if org["id"] != string(e.tenant) || org["displayName"] != "example.org" || org["city"] != nil || org["tenantType"] != "AAD" {
		t.Errorf("organization %v", org)
	}
	if _, err := time.Parse(time.RFC3339, org["createdDateTime"].(string)); err != nil {
		t.Errorf("createdDateTime: %v", err)
	}
	dom := org["verifiedDomains"].([]any)[0].(map[string]any)
	want := map[string]any{"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": true, "isInitial": true,
		"name": "example.org", "type": "Managed"}
	for k, v := range want {
		if dom[k] != v {
			t.Errorf("verifiedDomains[0].%s = %v, want %v", k, dom[k], v)
		}
	}
	r = e.do("GET", "/organization/"+strings.ToUpper(string(e.tenant))+"?$select=id,verifiedDomains", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,id,verifiedDomains" {
		t.Errorf("keys %s", got)
	}
	if m := r.obj(t); m["@odata.context"] != e.base+"/$metadata#organization(id,verifiedDomains)/$entity" {
		t.Errorf("context %v", m["@odata.context"])
	}
	other := uuid.NewString()
	e.do("GET", "/organization/"+other, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+other+"' does not exist or one of its queried reference-property objects are not present.")
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("routing")
	for _, tc := range []struct{ method, path, segment string }{
		{"GET", "/nowhere", "nowhere"},
		{"GET", "/groups/" + g + "/nowhere", "nowhere"},
		{"GET", "/users/admin@example.org/calendar", "calendar"},
		{"GET", "/groups/" + g + "/members/" + g, g},
		{"POST", "/groups/" + g + "/members/x/y/z", "y"},
		{"GET", "//groups", ""},
	} {
		r := e.do(tc.method, tc.path, nil)
		r.wantError(t, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+tc.segment+"'.")
	}
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/groups", "GET, POST"},
		{"PUT", "/groups/" + g, "GET, PATCH, DELETE"},
		{"PUT", "/groups/" + g + "/members/$ref", "GET, POST, DELETE"},
		{"POST", "/organization", "GET"},
	} {
		r := e.do(tc.method, tc.path, nil)
		r.wantError(t, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
		if got := r.h.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

func TestQueryOptionsRefused(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("query")
	for _, tc := range []struct{ path, code, msg string }{
		{"/groups?$search=%22displayName:x%22", "Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"},
		{"/groups?$count=true", "Request_UnsupportedQuery", "The $count query option is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information"},
		{"/groups?$skip=2", "Request_UnsupportedQuery", "'$skip' is not supported by the service."},
		{"/groups/" + g + "?$top=1", "Request_UnsupportedQuery", "The query option '$top' is not supported on this resource."},
		{"/groups?$top=0", "BadRequest", "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."},
		{"/groups?$top=1000", "BadRequest", "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."},
		{"/groups?$top=ten", "BadRequest", "Invalid page size specified: 'ten'. Must be between 1 and 999 inclusive."},
		{"/groups?$top=-1", "BadRequest", "Invalid page size specified: '-1'. Must be between 1 and 999 inclusive."},
		{"/groups?$top=1&$top=2", "BadRequest", "Query option '$top' was specified more than once, but it must be specified at most once."},
		{"/groups?$skiptoken=bm90LWEtZ3VpZA", "BadRequest", "The $skiptoken value 'bm90LWEtZ3VpZA' is not valid."},
		{"/groups?$skiptoken=***", "BadRequest", "The $skiptoken value '***' is not valid."},
		{"/groups?$select=displayName,nope", "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'microsoft.graph.group'."},
		{"/users?$select=securityEnabled", "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named 'securityEnabled' on type 'microsoft.graph.user'."},
		{"/groups/" + g + "/members?$select=nope", "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'microsoft.graph.directoryObject'."},
		{"/groups?$expand=nope", "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'microsoft.graph.group'."},
		{"/groups/" + g + "?$expand=team", "Request_UnsupportedQuery", "Expanding 'team' is not supported by this service; on type 'microsoft.graph.group' $expand may name members, owners, memberOf."},
		{"/groups/" + g + "?$expand=members,owners", "Request_UnsupportedQuery", "Only one relationship can be expanded in a request: 'members,owners'."},
	} {
		e.do("GET", tc.path, nil).wantError(t, http.StatusBadRequest, tc.code, tc.msg)
	}
	// Parameters without "$" are not OData options; ConsistencyLevel is accepted.
	e.do("GET", "/groups?api-version=1.6&foo=bar", nil, header("ConsistencyLevel", "eventual")).want(t, http.StatusOK)
}

func TestReaderCannotWrite(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("readonly")
	r := e.do("POST", "/users", map[string]any{"accountEnabled": true, "displayName": "Reader", "mailNickname": "reader",
		"userPrincipalName": "reader@example.org", "passwordProfile": map[string]any{"password": "Read3r!pass"}}).want(t, http.StatusCreated)
	reader := r.obj(t)["id"].(string)
	as := as("reader@example.org", "Read3r!pass")
	e.do("GET", "/groups", nil, as).want(t, http.StatusOK)
	e.do("GET", "/users/"+reader+"/memberOf", nil, as).want(t, http.StatusOK)
	const msg = "Insufficient privileges to complete the operation."
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/groups", map[string]any{"displayName": "x", "mailNickname": "x", "mailEnabled": false, "securityEnabled": true}},
		{"PATCH", "/groups/" + g, map[string]any{"displayName": "changed"}},
		{"DELETE", "/groups/" + g, nil},
		{"POST", "/groups/" + g + "/members/$ref", ref(e, "users", reader)},
		{"POST", "/groups/" + g + "/owners/$ref", ref(e, "users", reader)},
		{"PATCH", "/users/" + reader, map[string]any{"jobTitle": "boss"}},
		{"DELETE", "/users/" + string(e.admin), nil},
	} {
		e.do(tc.method, tc.path, tc.body, as).wantError(t, http.StatusForbidden, "Authorization_RequestDenied", msg)
	}
	m := e.do("GET", "/groups/"+g, nil).want(t, http.StatusOK).obj(t)
	if m["displayName"] != "readonly" || e.groupCount() != 1 || len(e.ids(g, "members")) != 0 || len(e.ids(g, "owners")) != 0 {
		t.Errorf("a refused write changed something: %v", m)
	}
	if u := e.do("GET", "/users/"+reader+"?$select=jobTitle", nil).want(t, http.StatusOK).obj(t); u["jobTitle"] != nil {
		t.Errorf("jobTitle changed: %v", u)
	}
}

func TestPanicIsInternalError(t *testing.T) {
	e := newEnv(t)
	// A dialect without a directory panics in every handler; the pipeline
	// must answer 500 in Graph's shape without internal text.
	root := chi.NewRouter()
	root.Mount("/v1.0", msgraph.New(msgraph.Config{Basic: auth.NewBasic(e.dir, time.Minute), Logger: quiet}))
	srv := httptest.NewServer(httpx.WithRequestIDs(root))
	defer srv.Close()
	r := e.do("GET", srv.URL+"/v1.0/groups", nil)
	r.wantError(t, http.StatusInternalServerError, "InternalServerError",
		"An internal error occurred. Quote request-id "+r.h.Get("request-id")+" when reporting it.")
}
