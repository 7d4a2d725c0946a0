package aadgraph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// entityOf is a GET answer without its odata.metadata: the entity as a
// list item carries it.
func entityOf(t *testing.T, r *resp) map[string]any {
	t.Helper()
	m := r.want(t, http.StatusOK).obj(t)
	delete(m, "odata.metadata")
	return m
}

// wantSameEntity checks that got holds exactly want's properties, one by
// one.
func wantSameEntity(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, v) {
			t.Errorf("%s: %s = %#v (present %v), want %#v", what, k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected property %s", what, k)
		}
	}
}

// TestDirectoryObjectGet: /directoryObjects/{id} reads a user or a group
// as its own collection renders it, under the base type's metadata; the
// casts read it under the derived type's, and find nothing of the other
// type.
func TestDirectoryObjectGet(t *testing.T) {
	e := newEnv(t)
	u := e.user("ada")
	g := e.group("Sales", "the sales team", "sales")
	md := e.url + "/myorganization/$metadata#"
	for _, c := range []struct {
		id, typ, objectType, own string
	}{
		{u, "Microsoft.DirectoryServices.User", "User", "/users/" + u},
		{g, "Microsoft.DirectoryServices.Group", "Group", "/groups/" + g},
	} {
		own := e.aad("GET", c.own, nil).want(t, http.StatusOK)
		r := e.aad("GET", "/directoryObjects/"+c.id, nil).want(t, http.StatusOK)
		prefix := `{"odata.metadata":"` + md + `directoryObjects/@Element","odata.type":"` + c.typ +
			`","objectType":"` + c.objectType + `","objectId":"` + c.id + `","deletionTimestamp":null,`
		if !strings.HasPrefix(string(r.body), prefix) {
			t.Errorf("GET /directoryObjects/%s\n got %s\nwant prefix %s", c.id, r.body, prefix)
		}
		wantSameEntity(t, "directoryObjects/"+c.id, entityOf(t, r), entityOf(t, own))
		// Property order is the entity's own too.
		if want := strings.Replace(string(own.body), "#directoryObjects/"+c.typ+"/@Element", "#directoryObjects/@Element", 1); string(r.body) != want {
			t.Errorf("GET /directoryObjects/%s\n got %s\nwant %s", c.id, r.body, want)
		}
		cast := e.aad("GET", "/directoryObjects/"+c.id+"/"+c.typ, nil).want(t, http.StatusOK)
		if string(cast.body) != string(own.body) {
			t.Errorf("cast to %s\n got %s\nwant %s", c.typ, cast.body, own.body)
		}
		if m := cast.obj(t)["odata.metadata"]; m != md+"directoryObjects/"+c.typ+"/@Element" {
			t.Errorf("cast odata.metadata %v", m)
		}
	}
	if m := entityOf(t, e.aad("GET", "/directoryObjects/"+u, nil)); m["displayName"] != "ada" || m["userPrincipalName"] != "ada@example.org" {
		t.Errorf("user properties %v", m)
	}
	if m := entityOf(t, e.aad("GET", "/directoryObjects/"+g, nil)); m["displayName"] != "Sales" || m["description"] != "the sales team" || m["mailNickname"] != "sales" {
		t.Errorf("group properties %v", m)
	}

	// The form of {tenant} the caller used names the metadata.
	r := e.do("GET", "/example.org/directoryObjects/"+u+"?api-version=1.6", nil).want(t, http.StatusOK)
	if m := r.obj(t)["odata.metadata"]; m != e.url+"/example.org/$metadata#directoryObjects/@Element" {
		t.Errorf("odata.metadata under a domain: %v", m)
	}

	// Not found: another type under a cast, an unknown id, another
	// tenant's object, and an id that is no GUID, as /users/{id} answers.
	missing := "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"
	stranger := e.userIn(e.other, "zed@fabrikam.example")
	for path, id := range map[string]string{
		"/directoryObjects/" + g + "/Microsoft.DirectoryServices.User":       g,
		"/directoryObjects/" + u + "/Microsoft.DirectoryServices.Group":      u,
		"/directoryObjects/" + missing:                                       missing,
		"/directoryObjects/" + missing + "/Microsoft.DirectoryServices.User": missing,
		"/directoryObjects/" + stranger:                                      stranger,
		"/directoryObjects/nope":                                             "nope",
	} {
		e.aad("GET", path, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+notFoundMsg)
	}
	if a, b := e.aad("GET", "/directoryObjects/nope", nil), e.aad("GET", "/users/nope", nil); string(a.body) != string(b.body) || a.code != b.code {
		t.Errorf("malformed id: %d %s, /users answers %d %s", a.code, a.body, b.code, b.body)
	}
	e.aad("GET", "/directoryObjects/"+u+"?$select=displayName", nil).
		wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery", "The query option '$select' is not supported on this resource.")
	e.aad("GET", "/directoryObjects/"+u+"/Microsoft.DirectoryServices.Device", nil).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment 'Microsoft.DirectoryServices.Device'.")
	if r := e.aad("DELETE", "/directoryObjects/"+u, nil); r.code != http.StatusMethodNotAllowed || r.h.Get("Allow") != "GET" {
		t.Errorf("DELETE /directoryObjects/{id}: %d, Allow %q", r.code, r.h.Get("Allow"))
	}
}

// TestDirectoryObjectLinksResolve: the URLs $links answers and the seed's
// {"url": …/directoryObjects/{id}} are addresses that answer.
func TestDirectoryObjectLinksResolve(t *testing.T) {
	e := newEnv(t)
	u := e.user("ada")
	inner := e.group("Inner", "", "inner")
	g := e.group("Sales", "", "sales")
	e.aad("POST", "/groups/"+g+"/$links/members", map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + u}).
		want(t, http.StatusNoContent)
	e.addMember(g, inner)
	var links struct {
		Value []struct {
			URL string `json:"url"`
		} `json:"value"`
	}
	r := e.aad("GET", "/groups/"+g+"/$links/members", nil).want(t, http.StatusOK)
	if err := json.Unmarshal(r.body, &links); err != nil || len(links.Value) != 2 {
		t.Fatalf("links %s", r.body)
	}
	own := map[string]string{u: "/users/" + u, inner: "/groups/" + inner}
	for _, l := range links.Value {
		path, ok := strings.CutPrefix(l.URL, e.url)
		if !ok {
			t.Fatalf("link %s is not on %s", l.URL, e.url)
		}
		id := strings.Split(path, "/")[3]
		got := e.do("GET", withVersion(path), nil).want(t, http.StatusOK)
		if want := e.aad("GET", own[id], nil); string(got.body) != string(want.body) {
			t.Errorf("GET %s\n got %s\nwant %s", path, got.body, want.body)
		}
	}
}

// TestDirectoryObjectFunctions: the membership functions under
// /directoryObjects/{id} answer as under the object's own collection.
func TestDirectoryObjectFunctions(t *testing.T) {
	e := newEnv(t)
	n := e.nesting()
	check := map[string][]string{"groupIds": {n.g3, n.g4, n.g1}}
	e.wantIDs(e.aad("POST", "/directoryObjects/"+n.u+"/checkMemberGroups", check), n.g3, n.g1)
	e.wantIDs(e.aad("POST", "/directoryObjects/"+n.g1+"/checkMemberGroups", check), n.g3)
	for _, fn := range []string{"getMemberGroups", "getMemberObjects"} {
		body := map[string]bool{"securityEnabledOnly": false}
		e.wantIDs(e.aad("POST", "/directoryObjects/"+n.u+"/"+fn, body), sorted(n.g1, n.g2, n.g3)...)
		e.wantIDs(e.aad("POST", "/directoryObjects/"+n.g1+"/"+fn, body), sorted(n.g2, n.g3)...)
		e.wantIDs(e.aad("POST", "/directoryObjects/"+n.g4+"/"+fn, body))
	}
	missing := "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"
	e.aad("POST", "/directoryObjects/"+missing+"/getMemberGroups", map[string]bool{"securityEnabledOnly": false}).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+missing+notFoundMsg)
	e.aad("POST", "/directoryObjects/una@example.org/getMemberGroups", map[string]bool{"securityEnabledOnly": false}).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource 'una@example.org"+notFoundMsg)
	e.aad("POST", "/directoryObjects/"+n.u+"/getMemberGroups", map[string]any{"securityEnabledOnly": "yes"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for parameter 'securityEnabledOnly'.")
}

// TestGetObjectsByObjectIds: the users and groups among the ids, in the
// order given, each once, typed as their own reads render them; unknown
// ids are left out and types narrows the search.
func TestGetObjectsByObjectIds(t *testing.T) {
	e := newEnv(t)
	u := e.user("ada")
	g := e.group("Sales", "", "sales")
	missing := "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"
	stranger := e.userIn(e.other, "zed@fabrikam.example")
	user, group := entityOf(t, e.aad("GET", "/users/"+u, nil)), entityOf(t, e.aad("GET", "/groups/"+g, nil))
	ids := []string{g, missing, u, stranger, g, u}
	for _, c := range []struct {
		name  string
		types any
		want  []map[string]any
	}{
		{"no types", nil, []map[string]any{group, user}},
		{"null types", json.RawMessage("null"), []map[string]any{group, user}},
		{"empty types", []string{}, []map[string]any{group, user}},
		{"user", []string{"user"}, []map[string]any{user}},
		{"qualified group", []string{"Microsoft.DirectoryServices.Group"}, []map[string]any{group}},
		{"both, any case", []string{"Group", "USER"}, []map[string]any{group, user}},
		{"base type", []string{"directoryObject"}, []map[string]any{group, user}},
		{"a type groupd keeps none of", []string{"device", "servicePrincipal"}, []map[string]any{}},
	} {
		body := map[string]any{"objectIds": ids}
		if c.types != nil {
			body["types"] = c.types
		}
		r := e.aad("POST", "/getObjectsByObjectIds", body).want(t, http.StatusOK)
		var got struct {
			Metadata string           `json:"odata.metadata"`
			Value    []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatalf("%s: %v %s", c.name, err, r.body)
		}
		if got.Metadata != e.url+"/myorganization/$metadata#directoryObjects" {
			t.Errorf("%s: odata.metadata %s", c.name, got.Metadata)
		}
		if keys := len(r.obj(t)); keys != 2 {
			t.Errorf("%s: %d top-level keys in %s", c.name, keys, r.body)
		}
		if len(got.Value) != len(c.want) {
			t.Errorf("%s: %d objects, want %d: %s", c.name, len(got.Value), len(c.want), r.body)
			continue
		}
		for i := range c.want {
			wantSameEntity(t, fmt.Sprintf("%s: value[%d]", c.name, i), got.Value[i], c.want[i])
		}
	}
	e.aad("POST", "/getObjectsByObjectIds", map[string]any{"objectIds": []string{u}, "includeDirectoryObjectReferences": true}).
		want(t, http.StatusOK)

	tooMany := make([]string, 1001)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
	}
	e.aad("POST", "/getObjectsByObjectIds", map[string]any{"objectIds": tooMany[:1000]}).want(t, http.StatusOK)
	for _, c := range []struct {
		body any
		msg  string
	}{
		{map[string]any{"objectIds": tooMany}, "At most 1000 objectIds may be given in one request."},
		{map[string]any{"types": []string{"user"}}, "The parameter 'objectIds' is required."},
		{map[string]any{"objectIds": u}, "Invalid value specified for parameter 'objectIds'."},
		{map[string]any{"objectIds": nil}, "Invalid value specified for parameter 'objectIds'."},
		{map[string]any{"objectIds": []string{u, "ada"}}, "Invalid object identifier 'ada'."},
		{map[string]any{"objectIds": []string{u}, "types": "user"}, "Invalid value specified for parameter 'types'."},
		{map[string]any{"objectIds": []string{u}, "types": []string{"planet"}}, "Invalid value specified for parameter 'types': 'planet' is no directory object type."},
		{map[string]any{"objectIds": []string{u}, "includeDirectoryObjectReferences": "yes"}, "Invalid value specified for parameter 'includeDirectoryObjectReferences'."},
		{map[string]any{"objectIds": []string{u}, "ids": []string{u}}, "The parameter 'ids' is not valid for this function."},
	} {
		e.aad("POST", "/getObjectsByObjectIds", c.body).wantError(t, http.StatusBadRequest, "Request_BadRequest", c.msg)
	}
	if r := e.aad("GET", "/getObjectsByObjectIds", nil); r.code != http.StatusMethodNotAllowed || r.h.Get("Allow") != "POST" {
		t.Errorf("GET /getObjectsByObjectIds: %d, Allow %q", r.code, r.h.Get("Allow"))
	}
	e.do("POST", "/myorganization/getObjectsByObjectIds", map[string]any{"objectIds": []string{u}}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The api-version query parameter is not present.")
}

// TestDirectoryObjectPermissions: reading an object through the base
// type takes the read permission of its kind, as its own route does.
func TestDirectoryObjectPermissions(t *testing.T) {
	e := newEnv(t)
	u := e.user("ada")
	g := e.group("Sales", "", "sales")
	users := e.token(e.tenant, true, aadResource, "User.Read.All")
	groups := e.token(e.tenant, true, aadResource, "GroupMember.Read.All")
	both := e.token(e.tenant, true, aadResource, "Directory.Read.All")
	none := e.token(e.tenant, true, aadResource, "Group.Create")
	objects := func(tok string, types ...string) *resp {
		body := map[string]any{"objectIds": []string{u, g}}
		if types != nil {
			body["types"] = types
		}
		return e.aad("POST", "/getObjectsByObjectIds", body, bearer(tok))
	}
	ids := func(r *resp) []string {
		var got struct {
			Value []struct {
				ObjectID string `json:"objectId"`
			} `json:"value"`
		}
		if err := json.Unmarshal(r.want(t, http.StatusOK).body, &got); err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, v := range got.Value {
			out = append(out, v.ObjectID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		r    *resp
		ok   bool
	}{
		{"user with User.Read.All", e.aad("GET", "/directoryObjects/"+u, nil, bearer(users)), true},
		{"user with GroupMember.Read.All", e.aad("GET", "/directoryObjects/"+u, nil, bearer(groups)), false},
		{"group with GroupMember.Read.All", e.aad("GET", "/directoryObjects/"+g, nil, bearer(groups)), true},
		{"group with User.Read.All", e.aad("GET", "/directoryObjects/"+g, nil, bearer(users)), false},
		{"user cast with GroupMember.Read.All", e.aad("GET", "/directoryObjects/"+u+"/Microsoft.DirectoryServices.User", nil, bearer(groups)), false},
		{"group cast with User.Read.All", e.aad("GET", "/directoryObjects/"+g+"/Microsoft.DirectoryServices.Group", nil, bearer(users)), false},
		{"user with Group.Create", e.aad("GET", "/directoryObjects/"+u, nil, bearer(none)), false},
		// A user's memberships take both, as /users/{id}/getMemberGroups.
		{"user's groups with User.Read.All", e.aad("POST", "/directoryObjects/"+u+"/getMemberGroups", map[string]bool{"securityEnabledOnly": false}, bearer(users)), false},
		{"user's groups with Directory.Read.All", e.aad("POST", "/directoryObjects/"+u+"/getMemberGroups", map[string]bool{"securityEnabledOnly": false}, bearer(both)), true},
		{"group's groups with GroupMember.Read.All", e.aad("POST", "/directoryObjects/"+g+"/getMemberGroups", map[string]bool{"securityEnabledOnly": false}, bearer(groups)), true},
		{"getObjectsByObjectIds naming groups with User.Read.All", objects(users, "group"), false},
		{"getObjectsByObjectIds naming users with GroupMember.Read.All", objects(groups, "User", "Group"), false},
		{"getObjectsByObjectIds with Group.Create", objects(none), false},
	} {
		if c.ok {
			c.r.want(t, http.StatusOK)
		} else {
			c.r.wantError(t, http.StatusForbidden, "Authorization_RequestDenied", deniedMsg)
		}
	}
	// Without types, the kinds the caller may read.
	for name, c := range map[string]struct {
		r    *resp
		want []string
	}{
		"User.Read.All":        {objects(users), []string{u}},
		"GroupMember.Read.All": {objects(groups), []string{g}},
		"Directory.Read.All":   {objects(both), []string{u, g}},
		"types user":           {objects(users, "user"), []string{u}},
	} {
		if got := ids(c.r); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}

// TestServicePrincipalOwnerResolves: an application that creates a group
// holding Group.Create alone owns it, and the $links answer names its
// service principal; that URL, and the object by id, read it.
func TestServicePrincipalOwnerResolves(t *testing.T) {
	e := newEnv(t)
	creator := e.token(e.tenant, true, aadResource, "Group.Create")
	r := e.aad("POST", "/groups", map[string]any{"displayName": "Made by an app", "mailNickname": "byapp",
		"mailEnabled": false, "securityEnabled": true}, bearer(creator)).want(t, http.StatusCreated)
	g := r.obj(t)["objectId"].(string)
	var links struct {
		Value []struct {
			URL string `json:"url"`
		} `json:"value"`
	}
	lr := e.aad("GET", "/groups/"+g+"/$links/owners", nil).want(t, http.StatusOK)
	if err := json.Unmarshal(lr.body, &links); err != nil || len(links.Value) != 1 ||
		!strings.HasSuffix(links.Value[0].URL, "/Microsoft.DirectoryServices.ServicePrincipal") {
		t.Fatalf("owner links %s", lr.body)
	}
	path, _ := strings.CutPrefix(links.Value[0].URL, e.url)
	sp := strings.Split(path, "/")[3]
	md := e.url + "/myorganization/$metadata#"
	want := func(fragment string) string {
		return `{"odata.metadata":"` + md + fragment + `","odata.type":"Microsoft.DirectoryServices.ServicePrincipal",` +
			`"objectType":"ServicePrincipal","objectId":"` + sp + `","deletionTimestamp":null,"appId":"`
	}
	cast := e.do("GET", withVersion(path), nil).want(t, http.StatusOK)
	if !strings.HasPrefix(string(cast.body), want("directoryObjects/Microsoft.DirectoryServices.ServicePrincipal/@Element")) ||
		!strings.HasSuffix(string(cast.body), `","displayName":"aad test app"}`) {
		t.Errorf("GET %s: %s", path, cast.body)
	}
	base := e.aad("GET", "/directoryObjects/"+sp, nil).want(t, http.StatusOK)
	if !strings.HasPrefix(string(base.body), want("directoryObjects/@Element")) {
		t.Errorf("GET /directoryObjects/%s: %s", sp, base.body)
	}
	// A service principal is neither a user nor a group.
	e.aad("GET", "/directoryObjects/"+sp+"/Microsoft.DirectoryServices.User", nil).want(t, http.StatusNotFound)
	e.aad("GET", "/users/"+sp, nil).want(t, http.StatusNotFound)
}

// TestHead: HEAD answers a GET route with GET's status and headers and no
// body (RFC 9110 9.3.2).
func TestHead(t *testing.T) {
	e := newEnv(t)
	g := e.group("Sales", "", "sales")
	for _, path := range []string{"/groups", "/groups/" + g, "/directoryObjects/" + g, "/tenantDetails"} {
		get := e.aad("GET", path, nil)
		head := e.aad("HEAD", path, nil)
		if head.code != http.StatusOK || len(head.body) != 0 || head.h.Get("Content-Type") != get.h.Get("Content-Type") {
			t.Errorf("HEAD %s: %d with %d bytes, Content-Type %q", path, head.code, len(head.body), head.h.Get("Content-Type"))
		}
	}
}
