package aadgraph_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"groupd/internal/directory"
)

const notFoundMsg = "' does not exist or one of its queried reference-property objects are not present."

// groupCount counts the groups of the default tenant, to check that a
// refused request created nothing.
func (e *env) groupCount() int {
	e.t.Helper()
	p, err := e.dir.Groups(context.Background(), e.tenant, directory.GroupListRequest{Page: directory.PageRequest{Top: 999}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(p.Items)
}

func TestUnknownGroup(t *testing.T) {
	e := newEnv(t)
	const missing = "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"
	for _, c := range []struct{ method, path, id string }{
		{"GET", "/groups/" + missing, missing},
		{"GET", "/groups/not-a-guid", "not-a-guid"},
		{"PATCH", "/groups/" + missing, missing},
		{"DELETE", "/groups/" + missing, missing},
		{"GET", "/groups/" + missing + "/$links/members", missing},
		{"GET", "/groups/" + missing + "/members", missing},
		{"GET", "/groups/" + missing + "/$links/memberOf", missing},
		{"GET", "/users/" + missing, missing},
	} {
		var body any
		if c.method == "PATCH" {
			body = map[string]any{"description": "x"}
		}
		e.aad(c.method, c.path, body).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+c.id+notFoundMsg)
	}
	// A user is not a group.
	u := e.user("alice")
	e.aad("GET", "/groups/"+u, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+u+notFoundMsg)
}

func TestBadLinks(t *testing.T) {
	e := newEnv(t)
	g := e.group("Sales", "", "sales")
	u := e.user("bob")
	link := func(url string) map[string]string { return map[string]string{"url": url} }
	for _, c := range []struct {
		body any
		msg  string
	}{
		{link("https://graph.windows.net/myorganization/applications/" + u),
			"The link URL 'https://graph.windows.net/myorganization/applications/" + u + "' does not name a directory object; use <base>/{tenant}/directoryObjects/{objectId}."},
		{link("::not a url"), "The link URL '::not a url' does not name a directory object; use <base>/{tenant}/directoryObjects/{objectId}."},
		{link("https://graph.windows.net/myorganization/directoryObjects/bob"), "Invalid object identifier 'bob'."},
		{map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + u},
			`The request body must be one link: {"url": "<directory object URL>"}.`},
		{map[string]any{"url": 42}, `The request body must be one link: {"url": "<directory object URL>"}.`},
	} {
		e.aad("POST", "/groups/"+g+"/$links/members", c.body).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.msg)
	}
	// An object that does not exist.
	const missing = "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"
	e.aad("POST", "/groups/"+g+"/$links/members", link(e.url+"/myorganization/directoryObjects/"+missing)).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+missing+notFoundMsg)
	if got := e.members(g); len(got) != 0 {
		t.Errorf("refused links left members %v", got)
	}
	// Removing a non-member.
	e.aad("DELETE", "/groups/"+g+"/$links/members/"+u, nil).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+u+notFoundMsg)
}

func TestDuplicateLink(t *testing.T) {
	e := newEnv(t)
	g := e.group("Sales", "", "sales")
	u := e.user("bob")
	body := map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + u}
	e.aad("POST", "/groups/"+g+"/$links/members", body).want(t, http.StatusNoContent)
	e.aad("POST", "/groups/"+g+"/$links/members", body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"One or more added object references already exist for the following modified properties: 'members'.")
	e.aad("POST", "/groups/"+g+"/$links/owners", body).want(t, http.StatusNoContent)
	e.aad("POST", "/groups/"+g+"/$links/owners", body).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"One or more added object references already exist for the following modified properties: 'owners'.")
	if got := e.members(g); !slices.Equal(got, []string{u}) {
		t.Errorf("members %v", got)
	}
}

func TestLinkToAnotherTenant(t *testing.T) {
	e := newEnv(t)
	g := e.group("Sales", "", "sales")
	mine := e.user("bob")
	theirs := e.userIn(e.other, "eve@fabrikam.example")
	for _, url := range []string{
		"https://graph.windows.net/" + string(e.other) + "/directoryObjects/" + mine,
		"https://graph.windows.net/fabrikam.example/directoryObjects/" + mine,
		"https://graph.windows.net/" + string(e.other) + "/directoryObjects/" + theirs,
	} {
		e.aad("POST", "/groups/"+g+"/$links/members", map[string]string{"url": url}).wantError(t, http.StatusBadRequest,
			"Request_BadRequest", "The link URL '"+url+"' names another tenant; objects of other tenants cannot be referenced.")
	}
	// Named through this tenant, the other tenant's user does not exist here.
	e.aad("POST", "/groups/"+g+"/$links/members", map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + theirs}).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+theirs+notFoundMsg)
	if got := e.members(g); len(got) != 0 {
		t.Errorf("members %v", got)
	}
	// This tenant's own id and domain are fine.
	for _, seg := range []string{string(e.tenant), "example.org"} {
		u := e.user("m" + seg[:4])
		e.aad("POST", "/groups/"+g+"/$links/members", map[string]string{"url": "https://graph.windows.net/" + seg + "/directoryObjects/" + u}).
			want(t, http.StatusNoContent)
	}
}

func TestAPIVersion(t *testing.T) {
	e := newEnv(t)
	const missing = "The api-version query parameter is not present."
	const invalid = "The specified api-version is invalid. The value must exactly match a supported version."
	for _, c := range []struct{ method, path, msg string }{
		{"GET", "/myorganization/groups", missing},
		{"DELETE", "/myorganization/groups/0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11", missing},
		{"GET", "/myorganization/groups?api-version=", missing},
		{"GET", "/myorganization/groups?api-version=1.5", invalid},
		{"GET", "/myorganization/groups?api-version=2013-11-08", invalid},
		{"GET", "/myorganization/groups?api-version=1.6&api-version=1.6", invalid},
		{"GET", "/example.org/nothing/here", missing},
		{"GET", "/" + string(e.tenant) + "/users", missing},
	} {
		e.do(c.method, c.path, nil).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.msg)
		e.do(c.method, c.path, nil, anonymous()).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.msg)
	}
	// Paths whose first segment names no tenant stay the server's 404.
	if r := e.do("GET", "/nope/groups", nil); r.code != http.StatusNotFound || r.obj(t)["error"] == nil {
		t.Errorf("GET /nope/groups: %d %s", r.code, r.body)
	}
}

func TestMalformedBodies(t *testing.T) {
	e := newEnv(t)
	g := e.group("Sales", "", "sales")
	for _, c := range []struct{ method, path, body, msg string }{
		{"POST", "/groups", `{"displayName":`, "Invalid JSON. The request body is not valid JSON: unexpected end of input."},
		{"POST", "/groups", `[1]`, "Invalid JSON. The request body must be a JSON object."},
		{"POST", "/groups", ``, "The request body is empty; a JSON object is required."},
		{"PATCH", "/groups/" + g, `{"description":}`, "Invalid JSON. The request body is not valid JSON: invalid character '}' looking for beginning of value at offset 14."},
		{"POST", "/groups/" + g + "/$links/members", `{"url"`, "Invalid JSON. The request body is not valid JSON: unexpected end of input."},
		{"POST", "/isMemberOf", `nope`, "Invalid JSON. The request body is not valid JSON: invalid character 'o' in literal null (expecting 'u') at offset 2."},
	} {
		e.aad(c.method, c.path, c.body).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.msg)
	}
	if n := e.groupCount(); n != 1 {
		t.Errorf("%d groups after refused writes", n)
	}
}

func TestCreateRefused(t *testing.T) {
	e := newEnv(t)
	mailEnabled := "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or set to false."
	invalid := func(p string) string { return "Invalid value specified for property '" + p + "' of resource 'Group'." }
	for _, c := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"mailNickname": "x", "mailEnabled": false, "securityEnabled": true}, invalid("displayName")},
		{map[string]any{"displayName": "X", "mailEnabled": false, "securityEnabled": true}, invalid("mailNickname")},
		{map[string]any{"displayName": "X", "mailNickname": "x", "securityEnabled": true}, invalid("mailEnabled")},
		{map[string]any{"displayName": "X", "mailNickname": "x", "mailEnabled": false}, invalid("securityEnabled")},
		{map[string]any{"displayName": "X", "mailNickname": "x", "mailEnabled": false, "securityEnabled": false}, invalid("securityEnabled")},
		{map[string]any{"displayName": 7, "mailNickname": "x", "mailEnabled": false, "securityEnabled": true}, invalid("displayName")},
		{map[string]any{"displayName": "X", "mailNickname": "x", "mailEnabled": true, "securityEnabled": true}, mailEnabled},
		{map[string]any{"displayName": "X", "mailNickname": "x", "mailEnabled": true, "securityEnabled": false}, mailEnabled},
		{map[string]any{"displayName": "X", "mailNickname": "x", "mailEnabled": false, "securityEnabled": true, "groupTypes": []string{"Unified"}},
			"The property 'groupTypes' does not exist on type 'Microsoft.DirectoryServices.Group'. Make sure to only use property names that are defined by the type."},
		{map[string]any{"displayName": "X", "mailNickname": "x", "mailEnabled": false, "securityEnabled": true, "objectId": "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"},
			"Property 'objectId' is read-only and cannot be set."},
	} {
		e.aad("POST", "/groups", c.body).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.msg)
	}
	if n := e.groupCount(); n != 0 {
		t.Errorf("%d groups after refused creates", n)
	}
}

// TestWritesToMailGroups: 1.6 updates security and mail-enabled security
// groups, deletes and removes members of security groups only, and
// changes no Microsoft 365 group.
func TestWritesToMailGroups(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := func(v string) *string { return &v }
	b := func(v bool) *bool { return &v }
	unified, err := e.dir.CreateGroup(ctx, e.tenant, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("Team"), MailNickname: s("team"), MailEnabled: b(true), SecurityEnabled: b(false),
		GroupTypes: &[]string{"Unified"}}})
	if err != nil {
		t.Fatal(err)
	}
	mailSec, err := e.dir.CreateGroup(ctx, e.tenant, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("MailSec"), MailNickname: s("mailsec"), MailEnabled: b(true), SecurityEnabled: b(true)}})
	if err != nil {
		t.Fatal(err)
	}
	u := e.user("carol")
	msg := "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or set to false."
	link := map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + u}
	e.aad("PATCH", "/groups/"+string(unified.ID), map[string]string{"description": "x"}).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg)
	e.aad("DELETE", "/groups/"+string(unified.ID), nil).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg)
	e.aad("POST", "/groups/"+string(unified.ID)+"/$links/members", link).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg)
	e.aad("DELETE", "/groups/"+string(mailSec.ID), nil).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg)
	// A mail-enabled security group takes updates and new members.
	e.aad("PATCH", "/groups/"+string(mailSec.ID), map[string]string{"description": "x"}).want(t, http.StatusNoContent)
	e.aad("POST", "/groups/"+string(mailSec.ID)+"/$links/members", link).want(t, http.StatusNoContent)
	e.aad("DELETE", "/groups/"+string(mailSec.ID)+"/$links/members/"+u, nil).wantError(t, http.StatusBadRequest, "Request_BadRequest", msg)
	if got := e.members(string(mailSec.ID)); !slices.Equal(got, []string{u}) {
		t.Errorf("members %v", got)
	}
	if got := e.members(string(unified.ID)); len(got) != 0 {
		t.Errorf("unified members %v", got)
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t)
	e.aad("GET", "/contacts", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment 'contacts'.")
	e.aad("GET", "/groups/0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11/appRoleAssignments", nil).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment 'appRoleAssignments'.")
	r := e.aad("PUT", "/groups", map[string]string{})
	r.wantError(t, http.StatusMethodNotAllowed, "Request_BadRequest", "The HTTP method 'PUT' is not allowed for the request target.")
	if got := r.h.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow %q", got)
	}
	e.aad("GET", "/groups?$orderby=displayName", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"The query option '$orderby' is not supported on this resource.")
	// An option that cannot be read is refused, never ignored; other
	// unreadable parameters are ignored.
	e.aad("GET", "/groups?$filter=%zz", nil).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"The query parameter '$filter' is not valid.")
	e.aad("GET", "/groups?x=%zz", nil).want(t, http.StatusOK)
	e.aad("GET", "/groups/0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11?$select=displayName", nil).wantError(t, http.StatusBadRequest,
		"Request_UnsupportedQuery", "The query option '$select' is not supported on this resource.")
}
