package msgraph_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func notFoundMsg(id string) string {
	return "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."
}

func TestMembers(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("parent")
	child := e.secGroup("child")
	u := e.user("ann")
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", u)).want(t, http.StatusNoContent)
	e.do("POST", "/groups/"+g+"/members/$ref", map[string]any{"@odata.id": "https://elsewhere.test/v1.0/groups/" + child}).want(t, http.StatusNoContent)

	r := e.do("GET", "/groups/"+g+"/members", nil).want(t, http.StatusOK)
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#directoryObjects" {
		t.Errorf("context %v", m["@odata.context"])
	}
	types := map[string]string{}
	for _, v := range m["value"].([]any) {
		item := v.(map[string]any)
		types[item["id"].(string)] = item["@odata.type"].(string)
	}
	if types[u] != "#microsoft.graph.user" || types[child] != "#microsoft.graph.group" || len(types) != 2 {
		t.Errorf("members %v", types)
	}
	// @odata.type comes first in each item (msgraph-sdk-go relies on it).
	if !strings.Contains(string(r.body), `"value":[{"@odata.type":`) || strings.Count(string(r.body), `},{"@odata.type":`) != 1 {
		t.Errorf("@odata.type is not the first member of each item: %s", r.body)
	}
	r = e.do("GET", "/groups/"+g+"/members?$select=displayName,mailEnabled", nil).want(t, http.StatusOK)
	if m := r.obj(t); m["@odata.context"] != e.base+"/$metadata#directoryObjects(displayName,mailEnabled)" {
		t.Errorf("context %v", m["@odata.context"])
	}
	for _, v := range r.obj(t)["value"].([]any) {
		item := v.(map[string]any)
		want := 2 // @odata.type, displayName
		if item["@odata.type"] == "#microsoft.graph.group" {
			want = 3 // and mailEnabled
		}
		if len(item) != want {
			t.Errorf("selected item %v", item)
		}
	}

	// memberOf of the user and of the child group.
	for _, path := range []string{"/users/" + u + "/memberOf", "/users/ann@example.org/memberOf", "/groups/" + child + "/memberOf"} {
		m := e.do("GET", path, nil).want(t, http.StatusOK).obj(t)
		v := m["value"].([]any)
		if m["@odata.context"] != e.base+"/$metadata#directoryObjects" || len(v) != 1 ||
			v[0].(map[string]any)["@odata.type"] != "#microsoft.graph.group" || v[0].(map[string]any)["id"] != g {
			t.Errorf("%s: %v", path, m)
		}
	}
	// A directory object of either kind.
	for id, typ := range map[string]string{u: "#microsoft.graph.user", g: "#microsoft.graph.group"} {
		r := e.do("GET", "/directoryObjects/"+id, nil).want(t, http.StatusOK)
		k := keys(t, r.body)
		if m := r.obj(t); m["@odata.context"] != e.base+"/$metadata#directoryObjects/$entity" || m["@odata.type"] != typ ||
			m["id"] != id || k[1] != "@odata.type" {
			t.Errorf("directoryObject %v", m)
		}
	}
	missing := uuid.NewString()
	e.do("GET", "/directoryObjects/"+missing, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(missing))

	e.do("DELETE", "/groups/"+g+"/members/"+u+"/$ref", nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+g+"/members/"+u+"/$ref", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(u))
	if got := e.ids(g, "members"); !slices.Equal(got, []string{child}) {
		t.Errorf("members %v, want [child]", got)
	}
}

// TestRemoveByQuery: DELETE …/members/$ref?@id=<URL> (Graph's SDKs) and
// ?$id= (OData) remove as …/members/{id}/$ref does; owners alike.
func TestRemoveByQuery(t *testing.T) {
	e := newEnv(t)
	g := e.unified("team")
	ann, bob, carl := e.user("ann"), e.user("bob"), e.user("carl")
	for _, u := range []string{ann, bob, carl} {
		e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", u)).want(t, http.StatusNoContent)
	}
	e.do("POST", "/groups/"+g+"/owners/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	e.do("POST", "/groups/"+g+"/owners/$ref", ref(e, "users", bob)).want(t, http.StatusNoContent)

	e.do("DELETE", "/groups/"+g+"/members/$ref?@id="+url.QueryEscape("https://graph.microsoft.com/v1.0/directoryObjects/"+ann), nil).
		want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+g+"/members/$ref?$id="+url.QueryEscape(e.base+"/users/"+bob), nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+g+"/members/$ref?@id="+ann, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(ann))
	if got := e.ids(g, "members"); !slices.Equal(got, []string{carl}) {
		t.Errorf("members %v, want [carl]", got)
	}
	e.do("DELETE", "/groups/"+g+"/owners/$ref?@id="+url.QueryEscape("https://graph.microsoft.com/v1.0/users/"+bob), nil).
		want(t, http.StatusNoContent)
	if got := e.ids(g, "owners"); !slices.Equal(got, []string{ann}) {
		t.Errorf("owners %v, want [ann]", got)
	}

	e.do("DELETE", "/groups/"+g+"/members/$ref", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Name the object to remove: …/$ref?@id=https://graph.microsoft.com/v1.0/directoryObjects/{id}.")
	e.do("DELETE", "/groups/"+g+"/members/$ref?@id="+carl+"&$id="+carl, nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"The object to remove was named more than once: give one @id.")
	e.do("DELETE", "/groups/"+g+"/members/$ref?@id=nonsense", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Invalid @id 'nonsense': expected the URL of a directory object, such as https://graph.microsoft.com/v1.0/directoryObjects/{id}.")
	e.do("DELETE", "/groups/"+g+"/members/$ref?@id="+carl+"&$filter=x", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"The query option '$filter' is not supported on this resource.")
	if got := e.ids(g, "members"); !slices.Equal(got, []string{carl}) {
		t.Errorf("refused removals changed the members: %v", got)
	}
}

func TestMemberAddErrors(t *testing.T) {
	e := newEnv(t)
	sec := e.secGroup("sec")
	inner := e.secGroup("inner")
	innermost := e.secGroup("innermost")
	team := e.unified("team")
	other := e.unified("other")
	mailSec := e.group(map[string]any{"displayName": "mailsec", "mailNickname": "mailsec", "mailEnabled": true, "securityEnabled": true})
	role := e.group(map[string]any{"displayName": "role", "mailNickname": "role", "mailEnabled": false, "securityEnabled": true, "isAssignableToRole": true})
	u := e.user("ann")
	add := func(group string, body any) *resp { return e.do("POST", "/groups/"+group+"/members/$ref", body) }
	add(sec, ref(e, "users", u)).want(t, http.StatusNoContent)
	add(sec, ref(e, "groups", inner)).want(t, http.StatusNoContent)
	add(inner, ref(e, "groups", innermost)).want(t, http.StatusNoContent)
	add(team, ref(e, "users", u)).want(t, http.StatusNoContent)
	state := func() string {
		return fmt.Sprint(e.ids(sec, "members"), e.ids(inner, "members"), e.ids(innermost, "members"), e.ids(team, "members"),
			e.ids(mailSec, "members"), e.ids(role, "members"))
	}
	before := state()
	unknown := uuid.NewString()
	for _, tc := range []struct {
		name, group string
		body        any
		status      int
		code, msg   string
	}{
		{"duplicate", sec, ref(e, "users", u), 400, "Request_BadRequest",
			"One or more added object references already exist for the following modified properties: 'members'."},
		{"unknown id", sec, ref(e, "directoryObjects", unknown), 404, "Request_ResourceNotFound", notFoundMsg(unknown)},
		{"not a GUID", sec, ref(e, "directoryObjects", "nope"), 404, "Request_ResourceNotFound", notFoundMsg("nope")},
		{"wrong kind", sec, ref(e, "groups", u), 404, "Request_ResourceNotFound", notFoundMsg(u)},
		{"bad URL", sec, map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/applications/" + u}, 400, "Request_BadRequest",
			"Invalid object identifier 'https://graph.microsoft.com/v1.0/applications/" + u + "'."},
		{"no @odata.id", sec, map[string]any{"@odata.type": "#microsoft.graph.directoryObject"}, 400, "Request_BadRequest",
			"Invalid value specified for property '@odata.id' of resource 'Group'. The property is required."},
		{"extra property", sec, map[string]any{"@odata.id": e.base + "/users/" + u, "x": 1}, 400, "Request_BadRequest", "Invalid property 'x'."},
		{"group into Unified", team, ref(e, "groups", inner), 400, "Request_BadRequest", "Only users can be members of a Microsoft 365 group."},
		{"Unified into Unified", team, ref(e, "groups", other), 400, "Request_BadRequest", "Only users can be members of a Microsoft 365 group."},
		{"Unified into security", sec, ref(e, "groups", other), 400, "Request_BadRequest", "A Microsoft 365 group cannot be a member of another group."},
		{"group into mail-enabled security", mailSec, ref(e, "groups", inner), 400, "Request_BadRequest", "Groups cannot be added to a mail-enabled security group."},
		{"group into role-assignable", role, ref(e, "groups", inner), 400, "Request_BadRequest", "Groups cannot be added to a role-assignable group."},
		{"self", sec, ref(e, "groups", sec), 400, "Request_BadRequest", "Adding this member would create a membership cycle."},
		{"direct cycle", inner, ref(e, "groups", sec), 400, "Request_BadRequest", "Adding this member would create a membership cycle."},
		{"cycle through nesting", innermost, ref(e, "groups", sec), 400, "Request_BadRequest", "Adding this member would create a membership cycle."},
		{"unknown group", unknown, ref(e, "users", u), 404, "Request_ResourceNotFound", notFoundMsg(unknown)},
		{"empty body", sec, "", 400, "BadRequest", "Empty Payload. JSON content expected."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var detail []string
			if tc.name == "extra property" {
				detail = []string{"x", "InvalidProperty"}
			}
			if tc.name == "no @odata.id" {
				detail = []string{"@odata.id", "PropertyRequired"}
			}
			add(tc.group, tc.body).wantError(t, tc.status, tc.code, tc.msg, detail...)
		})
	}
	if after := state(); after != before {
		t.Errorf("refused adds changed memberships:\n%s\n%s", before, after)
	}
}

func TestBindMembers(t *testing.T) {
	e := newEnv(t)
	var users []string
	for i := range 21 {
		users = append(users, e.user(fmt.Sprintf("user%02d", i)))
	}
	owner := e.user("owner")
	// Create with members and owners bound.
	r := e.do("POST", "/groups", map[string]any{"displayName": "bound", "mailNickname": "bound", "mailEnabled": true,
		"securityEnabled": false, "groupTypes": []string{"Unified"},
		"members@odata.bind": refs(e, "users", users[0], users[1]), "owners@odata.bind": refs(e, "users", owner)}).want(t, http.StatusCreated)
	g := r.obj(t)["id"].(string)
	if got := e.ids(g, "members"); len(got) != 2 {
		t.Errorf("members after create %v", got)
	}
	if got := e.ids(g, "owners"); !slices.Equal(got, []string{owner}) {
		t.Errorf("owners after create %v", got)
	}
	// More than 20 in one PATCH: nothing is added, nothing changed.
	e.do("PATCH", "/groups/"+g, map[string]any{"description": "bulk", "members@odata.bind": refs(e, "users", users...)}).wantError(t,
		http.StatusBadRequest, "Request_BadRequest", "At most 20 references can be bound in one request.")
	// One bad reference spoils the whole bind.
	e.do("PATCH", "/groups/"+g, map[string]any{"description": "bulk", "members@odata.bind": refs(e, "users", users[2], users[3], users[0])}).wantError(t,
		http.StatusBadRequest, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
	e.do("PATCH", "/groups/"+g, map[string]any{"members@odata.bind": []string{e.base + "/users/" + users[2], "not a url"}}).wantError(t,
		http.StatusBadRequest, "Request_BadRequest", "Invalid object identifier 'not a url'.")
	e.do("PATCH", "/groups/"+g, map[string]any{"members@odata.bind": "x"}).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Invalid value specified for property 'members@odata.bind' of resource 'Group'.", "members@odata.bind", "InvalidValue")
	if got := e.ids(g, "members"); len(got) != 2 {
		t.Errorf("members after refused binds %v", got)
	}
	if d := e.do("GET", "/groups/"+g+"?$select=description", nil).obj(t)["description"]; d != nil {
		t.Errorf("description %v after refused binds", d)
	}
	// Twenty at once is fine.
	e.do("PATCH", "/groups/"+g, map[string]any{"members@odata.bind": refs(e, "directoryObjects", users[2:21]...)}).want(t, http.StatusNoContent)
	if got := e.ids(g, "members"); len(got) != 21 {
		t.Errorf("%d members, want 21", len(got))
	}
	// A create binding more than 20 in total creates nothing.
	n := e.groupCount()
	e.do("POST", "/groups", map[string]any{"displayName": "big", "mailNickname": "big", "mailEnabled": false, "securityEnabled": true,
		"members@odata.bind": refs(e, "users", users[:20]...), "owners@odata.bind": refs(e, "users", owner)}).wantError(t,
		http.StatusBadRequest, "Request_BadRequest", "At most 20 references can be bound in one request.")
	if e.groupCount() != n {
		t.Error("a refused create left a group behind")
	}
}
