package msgraph_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"groupd/internal/directory"
)

var eventual = header("ConsistencyLevel", "eventual")

func queryEnv(t *testing.T) *env { return newEnv(t) }

// values returns the value array of a list answer.
func values(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func names(t *testing.T, m map[string]any) []string {
	var out []string
	for _, v := range values(t, m) {
		out = append(out, v["displayName"].(string))
	}
	return out
}

func q(s string) string { return strings.ReplaceAll(url.PathEscape(s), "&", "%26") }

func TestQueryFilterSearchOrderBy(t *testing.T) {
	e := queryEnv(t)
	alpha := e.group(map[string]any{"displayName": "Alpha Team", "mailNickname": "alpha", "mailEnabled": false, "securityEnabled": true})
	e.secGroup("beta")
	e.unified("Gamma")

	r := e.do("GET", "/groups?$filter="+q("startsWith(displayName,'al')")+"&$select=displayName,id", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,value" {
		t.Errorf("keys %s", got)
	}
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#groups(displayName,id)" {
		t.Errorf("context %v", m["@odata.context"])
	}
	if v := values(t, m); len(v) != 1 || len(v[0]) != 2 || v[0]["id"] != alpha || v[0]["displayName"] != "Alpha Team" {
		t.Errorf("startsWith: %v", v)
	}

	m = e.do("GET", "/groups?$filter="+q("groupTypes/any(c:c eq 'unified')"), nil).want(t, http.StatusOK).obj(t)
	if got := names(t, m); !slices.Equal(got, []string{"Gamma"}) {
		t.Errorf("any: %q", got)
	}

	m = e.do("GET", "/groups?$orderby="+q("displayName desc"), nil).want(t, http.StatusOK).obj(t)
	if got := names(t, m); !slices.Equal(got, []string{"Gamma", "beta", "Alpha Team"}) {
		t.Errorf("orderby desc: %q", got)
	}

	r = e.do("GET", "/groups?$search="+q(`"displayName:team"`)+"&$count=true", nil, eventual).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,@odata.count,value" {
		t.Errorf("keys %s", got)
	}
	m = r.obj(t)
	if m["@odata.count"] != float64(1) || !slices.Equal(names(t, m), []string{"Alpha Team"}) {
		t.Errorf("search: count %v, %q", m["@odata.count"], names(t, m))
	}

	// Advanced queries with the header and $count.
	m = e.do("GET", "/groups?$filter="+q("displayName ne 'beta'")+"&$orderby=displayName&$count=true", nil, eventual).want(t, http.StatusOK).obj(t)
	if m["@odata.count"] != float64(2) || !slices.Equal(names(t, m), []string{"Alpha Team", "Gamma"}) {
		t.Errorf("ne+orderby: count %v, %q", m["@odata.count"], names(t, m))
	}
}

func TestQueryErrors(t *testing.T) {
	e := queryEnv(t)
	for _, tc := range []struct {
		path string
		ev   bool
		code string
		msg  string
	}{
		{"/groups?$filter=" + q("endsWith(mail,'x')"), false, "Request_UnsupportedQuery",
			"Operator 'endsWith' is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information"},
		{"/groups?$filter=" + q("displayName eq 'x'") + "&$orderby=displayName", false, "Request_UnsupportedQuery",
			"Sorting not supported for current query: $orderby together with $filter needs the 'ConsistencyLevel:eventual' header and $count=true. Refer to https://aka.ms/graph-docs/advanced-queries for more information"},
		{"/groups?$filter=" + q("nope eq 'x'"), false, "BadRequest",
			"Invalid filter clause: Could not find a property named 'nope' on type 'microsoft.graph.group'."},
		{"/groups?$filter=" + q("(displayName eq 'x'"), false, "BadRequest",
			"Invalid filter clause: expected ')' or an operator at position 19 in '(displayName eq 'x''."},
		{"/groups?$filter=" + q("displayName eq 1"), false, "BadRequest",
			"Invalid filter clause: A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'Equal'."},
		{"/groups?$filter=" + q("description eq 'x'"), true, "Request_UnsupportedQuery",
			"Unsupported or invalid query filter clause specified for property 'description' of resource 'Group'."},
		{"/groups/$count", false, "Request_BadRequest", "$count is not currently supported."},
		{"/users/$count", false, "Request_BadRequest", "$count is not currently supported."},
		{"/groups/$count?$top=1", true, "Request_UnsupportedQuery", "The query option '$top' is not supported on this resource."},
	} {
		var opts []reqOpt
		if tc.ev {
			opts = append(opts, eventual)
		}
		e.do("GET", tc.path, nil, opts...).wantError(t, http.StatusBadRequest, tc.code, tc.msg)
	}
}

func TestCountSegment(t *testing.T) {
	e := queryEnv(t)
	e.secGroup("one")
	e.secGroup("two")
	e.user("ann")
	for path, want := range map[string]string{
		"/groups/$count": "2",
		"/groups/$count?$filter=" + q("displayName eq 'ONE'"): "1",
		"/groups/$count?$search=" + q(`"displayName:tw"`):     "1",
		"/users/$count": "2", // the admin and ann
	} {
		r := e.do("GET", path, nil, eventual)
		if r.code != http.StatusOK {
			t.Errorf("%s: status %d: %s", path, r.code, r.body)
		}
		if ct := r.h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if string(r.body) != want {
			t.Errorf("%s: %q, want %q", path, r.body, want)
		}
	}
}

// TestSkipTokenRefused: a token from another query or list, or altered,
// is a 400 BadRequest, never a 500 or a page of the wrong list.
func TestSkipTokenRefused(t *testing.T) {
	e := queryEnv(t)
	for _, n := range []string{"a", "b", "c"} {
		e.secGroup(n)
	}
	m := e.do("GET", "/groups?$orderby=displayName&$top=1", nil).want(t, http.StatusOK).obj(t)
	next := m["@odata.nextLink"].(string)
	u, _ := url.Parse(next)
	tok := u.Query().Get("$skiptoken")
	for _, path := range []string{
		"/groups?$orderby=" + q("displayName desc") + "&$skiptoken=" + tok,
		"/groups?$skiptoken=" + tok,
		"/users?$orderby=displayName&$skiptoken=" + tok,
		"/groups?$orderby=displayName&$skiptoken=" + tok[:len(tok)-3] + "zzz",
		"/groups?$orderby=displayName&$skiptoken=" + tok[:20],
	} {
		pu, _ := url.Parse(path)
		bad := pu.Query().Get("$skiptoken")
		e.do("GET", path, nil).wantError(t, http.StatusBadRequest, "BadRequest", "The $skiptoken value '"+bad+"' is not valid.")
	}
	e.do("GET", next, nil).want(t, http.StatusOK)

	// The same list and query in another tenant: the token is foreign.
	ctx := context.Background()
	other, err := e.dir.CreateTenant(ctx, "Fabrikam", "fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	upn, sam, pw, admin, on := "boss@fabrikam.example", "boss", "Other-password-1", true, true
	if _, err := e.dir.CreateUser(ctx, other.ID, directory.UserFields{DisplayName: &sam, AccountEnabled: &on, UserPrincipalName: &upn, OnPremisesSamAccountName: &sam, Password: &pw, IsAdmin: &admin}, directory.Policy{DeriveDefaults: true}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"x", "y"} {
		e.do("POST", "/groups", map[string]any{"displayName": n, "mailNickname": n, "mailEnabled": false, "securityEnabled": true}, as(upn, pw)).want(t, http.StatusCreated)
	}
	e.do("GET", "/groups?$orderby=displayName&$top=1&$skiptoken="+tok, nil, as(upn, pw)).
		wantError(t, http.StatusBadRequest, "BadRequest", "The $skiptoken value '"+tok+"' is not valid.")
	own := e.do("GET", "/groups?$orderby=displayName&$top=1", nil, as(upn, pw)).want(t, http.StatusOK).obj(t)["@odata.nextLink"].(string)
	if m := e.do("GET", own, nil, as(upn, pw)).want(t, http.StatusOK).obj(t); len(values(t, m)) != 1 || values(t, m)[0]["displayName"] != "y" {
		t.Errorf("own next page: %v", m)
	}
}
