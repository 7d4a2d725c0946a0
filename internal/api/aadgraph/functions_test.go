package aadgraph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"groupd/internal/directory"
)

// nesting: user u in g1, g1 in g2, g2 in g3; g4 holds nobody.
type nesting struct{ u, g1, g2, g3, g4 string }

func (e *env) nesting() nesting {
	e.t.Helper()
	n := nesting{u: e.user("una"), g1: e.group("G1", "", "g1"), g2: e.group("G2", "", "g2"),
		g3: e.group("G3", "", "g3"), g4: e.group("G4", "", "g4")}
	e.addMember(n.g1, n.u)
	e.addMember(n.g2, n.g1)
	e.addMember(n.g3, n.g2)
	return n
}

// wantIDs checks a Collection(Edm.String) answer holding exactly ids, in
// the order given.
func (e *env) wantIDs(r *resp, ids ...string) {
	e.t.Helper()
	r.want(e.t, http.StatusOK)
	if ids == nil {
		ids = []string{}
	}
	want, _ := json.Marshal(map[string]any{"odata.metadata": e.url + "/myorganization/$metadata#Collection(Edm.String)", "value": ids})
	if string(r.body) != string(want) {
		e.t.Errorf("body\n got %s\nwant %s", r.body, want)
	}
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

func TestIsMemberOf(t *testing.T) {
	e := newEnv(t)
	n := e.nesting()
	for _, c := range []struct {
		group, member string
		want          bool
	}{{n.g3, n.u, true}, {n.g1, n.u, true}, {n.g3, n.g1, true}, {n.g4, n.u, false}, {n.g1, n.g3, false}} {
		r := e.aad("POST", "/isMemberOf", map[string]string{"groupId": c.group, "memberId": c.member}).want(t, http.StatusOK)
		want := `{"odata.metadata":"` + e.url + `/myorganization/$metadata#Edm.Boolean","value":` + map[bool]string{true: "true", false: "false"}[c.want] + `}`
		if string(r.body) != want {
			t.Errorf("isMemberOf(%s, %s)\n got %s\nwant %s", c.group, c.member, r.body, want)
		}
	}
	const missing = "0b9f5a7e-2b7a-4d3a-9d55-2b1d4d1f0c11"
	e.aad("POST", "/isMemberOf", map[string]string{"groupId": missing, "memberId": n.u}).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+missing+notFoundMsg)
	e.aad("POST", "/isMemberOf", map[string]string{"groupId": n.g1}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The parameter 'memberId' is required.")
	e.aad("POST", "/isMemberOf", map[string]string{"groupId": "g1", "memberId": n.u}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid object identifier 'g1'.")
	e.aad("POST", "/isMemberOf", map[string]string{"groupId": n.g1, "memberId": n.u, "x": "y"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The parameter 'x' is not valid for this function.")
}

func TestMemberGroupFunctions(t *testing.T) {
	e := newEnv(t)
	n := e.nesting()
	check := map[string][]string{"groupIds": {n.g3, n.g4, n.g1}}
	e.wantIDs(e.aad("POST", "/users/"+n.u+"/checkMemberGroups", check), n.g3, n.g1)
	e.wantIDs(e.aad("POST", "/users/una@example.org/checkMemberGroups", check), n.g3, n.g1)
	e.wantIDs(e.aad("POST", "/groups/"+n.g1+"/checkMemberGroups", check), n.g3)
	e.wantIDs(e.aad("POST", "/groups/"+n.g3+"/checkMemberGroups", check))
	for _, fn := range []string{"getMemberGroups", "getMemberObjects"} {
		for _, body := range []any{map[string]bool{"securityEnabledOnly": false}, map[string]bool{"securityEnabledOnly": true}} {
			e.wantIDs(e.aad("POST", "/users/"+n.u+"/"+fn, body), sorted(n.g1, n.g2, n.g3)...)
			e.wantIDs(e.aad("POST", "/groups/"+n.g1+"/"+fn, body), sorted(n.g2, n.g3)...)
			e.wantIDs(e.aad("POST", "/groups/"+n.g4+"/"+fn, body))
		}
	}
	// The collection in the path is checked: a user is no group.
	e.aad("POST", "/groups/"+n.u+"/getMemberGroups", map[string]bool{"securityEnabledOnly": false}).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+n.u+notFoundMsg)
	e.aad("POST", "/users/"+n.g1+"/checkMemberGroups", check).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+n.g1+notFoundMsg)
	many := make([]string, 21)
	for i := range many {
		many[i] = n.g1
	}
	e.aad("POST", "/users/"+n.u+"/checkMemberGroups", map[string][]string{"groupIds": many}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "At most 20 groupIds are allowed.")
	e.aad("POST", "/users/"+n.u+"/getMemberGroups", map[string]string{"securityEnabledOnly": "yes"}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for parameter 'securityEnabledOnly'.")
	e.aad("POST", "/users/"+n.u+"/checkMemberGroups", map[string]string{"groupIds": n.g1}).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for parameter 'groupIds'.")
}

// TestSecurityEnabledOnly: a Microsoft 365 group is no security group.
func TestSecurityEnabledOnly(t *testing.T) {
	e := newEnv(t)
	n := e.nesting()
	s := func(v string) *string { return &v }
	b := func(v bool) *bool { return &v }
	team, err := e.dir.CreateGroup(context.Background(), e.tenant, directory.GroupCreate{Fields: directory.GroupFields{
		DisplayName: s("Team"), MailNickname: s("team"), MailEnabled: b(true), SecurityEnabled: b(false),
		GroupTypes: &[]string{"Unified"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.addMember(string(team.ID), n.u)
	e.wantIDs(e.aad("POST", "/users/"+n.u+"/getMemberGroups", map[string]bool{"securityEnabledOnly": false}),
		sorted(n.g1, n.g2, n.g3, string(team.ID))...)
	e.wantIDs(e.aad("POST", "/users/"+n.u+"/getMemberGroups", map[string]bool{"securityEnabledOnly": true}),
		sorted(n.g1, n.g2, n.g3)...)
	e.wantIDs(e.aad("POST", "/users/"+n.u+"/getMemberGroups", map[string]any{}), sorted(n.g1, n.g2, n.g3, string(team.ID))...)
}

func TestNavigation(t *testing.T) {
	e := newEnv(t)
	n := e.nesting()
	r := e.aad("GET", "/groups/"+n.g1+"/members", nil).want(t, http.StatusOK).obj(t)
	if r["odata.metadata"] != e.url+"/myorganization/$metadata#directoryObjects" {
		t.Errorf("odata.metadata %v", r["odata.metadata"])
	}
	v := r["value"].([]any)
	if len(v) != 1 || v[0].(map[string]any)["objectId"] != n.u || v[0].(map[string]any)["odata.type"] != "Microsoft.DirectoryServices.User" ||
		v[0].(map[string]any)["userPrincipalName"] != "una@example.org" {
		t.Errorf("members %v", v)
	}
	r = e.aad("GET", "/users/"+n.u+"/$links/memberOf", nil).want(t, http.StatusOK).obj(t)
	want := []any{map[string]any{"url": e.url + "/myorganization/directoryObjects/" + n.g1 + "/Microsoft.DirectoryServices.Group"}}
	if r["odata.metadata"] != e.url+"/myorganization/$metadata#directoryObjects/$links/memberOf" || !jsonEqual(r["value"], want) {
		t.Errorf("user $links/memberOf %v", r)
	}
	r = e.aad("GET", "/users/una@example.org/memberOf", nil).want(t, http.StatusOK).obj(t)
	if v := r["value"].([]any); len(v) != 1 || v[0].(map[string]any)["objectId"] != n.g1 {
		t.Errorf("user memberOf %v", r)
	}
	r = e.aad("GET", "/group/"+n.g2+"/memberOf", nil).want(t, http.StatusOK).obj(t)
	if v := r["value"].([]any); len(v) != 1 || v[0].(map[string]any)["objectId"] != n.g3 {
		t.Errorf("group memberOf %v", r)
	}
	// Owners, by link.
	link := map[string]string{"url": "https://graph.windows.net/myorganization/directoryObjects/" + n.u}
	e.aad("POST", "/groups/"+n.g4+"/$links/owners", link).want(t, http.StatusNoContent)
	r = e.aad("GET", "/groups/"+n.g4+"/$links/owners", nil).want(t, http.StatusOK).obj(t)
	want = []any{map[string]any{"url": e.url + "/myorganization/directoryObjects/" + n.u + "/Microsoft.DirectoryServices.User"}}
	if r["odata.metadata"] != e.url+"/myorganization/$metadata#directoryObjects/$links/owners" || !jsonEqual(r["value"], want) {
		t.Errorf("$links/owners %v", r)
	}
	r = e.aad("GET", "/groups/"+n.g4+"/owners", nil).want(t, http.StatusOK).obj(t)
	if v := r["value"].([]any); len(v) != 1 || v[0].(map[string]any)["objectId"] != n.u {
		t.Errorf("owners %v", r)
	}
	e.aad("DELETE", "/groups/"+n.g4+"/$links/owners/"+n.u, nil).want(t, http.StatusNoContent)
	// "%24links" is "$links".
	e.do("GET", "/myorganization/groups/"+n.g1+"/%24links/members?api-version=1.6", nil).want(t, http.StatusOK)
	// A user, whole.
	u := e.aad("GET", "/users/"+n.u, nil).want(t, http.StatusOK).obj(t)
	if u["odata.metadata"] != e.url+"/myorganization/$metadata#directoryObjects/Microsoft.DirectoryServices.User/@Element" ||
		u["objectType"] != "User" || u["accountEnabled"] != true || u["displayName"] != "una" || u["mail"] != nil {
		t.Errorf("user %v", u)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
