package msgraph_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestManager: PUT manager/$ref sets a user's manager, GET manager reads
// it as a typed directory object, directReports lists the reverse, DELETE
// removes it; a missing manager, a self-reference and an unknown user get
// Graph's errors.
func TestManager(t *testing.T) {
	e := newEnv(t)
	ann, bob, carl := e.user("ann"), e.user("bob"), e.user("carl")
	e.do("GET", "/users/"+bob+"/manager", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource 'manager' does not exist or one of its queried reference-property objects are not present.")
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	e.do("PUT", "/users/"+carl+"/manager/$ref", map[string]any{"@odata.id": e.base + "/directoryObjects/" + ann}).want(t, http.StatusNoContent)

	r := e.do("GET", "/users/"+bob+"/manager", nil).want(t, http.StatusOK)
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#directoryObjects/$entity" || m["@odata.type"] != "#microsoft.graph.user" ||
		m["id"] != ann || m["userPrincipalName"] != "ann@example.org" {
		t.Errorf("manager %s", r.body)
	}
	sel := e.do("GET", "/users/"+bob+"/manager?$select=displayName", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, sel.body), ","); got != "@odata.context,@odata.type,displayName" {
		t.Errorf("$select: keys %s", got)
	}
	list := e.do("GET", "/users/"+ann+"/directReports", nil).want(t, http.StatusOK).obj(t)
	var ids []string
	for _, v := range list["value"].([]any) {
		item := v.(map[string]any)
		if item["@odata.type"] != "#microsoft.graph.user" {
			t.Errorf("report %v", item)
		}
		ids = append(ids, item["id"].(string))
	}
	if len(ids) != 2 || !(ids[0] == bob && ids[1] == carl || ids[0] == carl && ids[1] == bob) {
		t.Errorf("directReports %v, want %s and %s", ids, bob, carl)
	}
	if n := e.do("GET", "/users/"+ann+"/directReports/$count", nil, header("ConsistencyLevel", "eventual")); n.code != http.StatusOK || string(n.body) != "2" {
		t.Errorf("directReports/$count %d %s", n.code, n.body)
	}
	filtered := e.do("GET", "/users/"+ann+"/directReports/microsoft.graph.user?$filter=startsWith(displayName,'c')", nil).want(t, http.StatusOK).obj(t)
	if v := filtered["value"].([]any); len(v) != 1 || v[0].(map[string]any)["id"] != carl {
		t.Errorf("filtered directReports %v", v)
	}

	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", bob)).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Property manager has an invalid value. A user cannot be its own manager.", "manager", "InvalidValue")
	missing := "00000000-0000-0000-0000-0000000000aa"
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", missing)).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+missing+"' does not exist or one of its queried reference-property objects are not present.")
	if got := e.do("GET", "/users/"+bob+"/manager", nil).want(t, http.StatusOK).obj(t)["id"]; got != ann {
		t.Errorf("a refused PUT changed the manager to %v", got)
	}

	// A deleted manager reads as none, and comes back with a restore.
	e.do("DELETE", "/users/"+ann, nil).want(t, http.StatusNoContent)
	e.do("GET", "/users/"+bob+"/manager", nil).want(t, http.StatusNotFound)
	e.do("POST", "/directory/deletedItems/"+ann+"/restore", nil).want(t, http.StatusOK)
	e.do("GET", "/users/"+bob+"/manager", nil).want(t, http.StatusOK)

	e.do("DELETE", "/users/"+bob+"/manager/$ref", nil).want(t, http.StatusNoContent)
	e.do("GET", "/users/"+bob+"/manager", nil).want(t, http.StatusNotFound)
	e.do("DELETE", "/users/"+bob+"/manager/$ref", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource 'manager' does not exist or one of its queried reference-property objects are not present.")
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", carl), header("Authorization", "Bearer "+e.appToken("User.Read.All"))).
		wantError(t, http.StatusForbidden, codeRequestDenied, "Insufficient privileges to complete the operation.")
}

// TestExpandManager: $expand=manager writes each user's manager as a typed
// object with the nested $select, and leaves it out where there is none.
func TestExpandManager(t *testing.T) {
	e := newEnv(t)
	ann, bob := e.user("ann"), e.user("bob")
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)

	one := e.do("GET", "/users/"+bob+"?$select=id&$expand=manager($select=id,displayName)", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, one.body), ","); got != "@odata.context,id,manager" {
		t.Errorf("keys %s", got)
	}
	m := one.obj(t)["manager"].(map[string]any)
	if m["@odata.type"] != "#microsoft.graph.user" || m["id"] != ann || m["displayName"] != "ann" || len(m) != 3 {
		t.Errorf("manager %v", m)
	}
	if _, ok := e.do("GET", "/users/"+ann+"?$expand=manager", nil).want(t, http.StatusOK).obj(t)["manager"]; ok {
		t.Error("a user without a manager has a manager member")
	}
	list := e.do("GET", "/users?$select=id&$expand=manager($select=id)", nil).want(t, http.StatusOK).obj(t)
	found := 0
	for _, v := range list["value"].([]any) {
		item := v.(map[string]any)
		mgr, has := item["manager"].(map[string]any)
		switch item["id"] {
		case bob:
			found++
			if !has || mgr["id"] != ann {
				t.Errorf("bob's manager %v", item)
			}
		default:
			if has {
				t.Errorf("%v has a manager member", item["id"])
			}
		}
	}
	if found != 1 {
		t.Errorf("bob not listed: %v", list)
	}
	// A deleted manager is none.
	e.do("DELETE", "/users/"+ann, nil).want(t, http.StatusNoContent)
	if _, ok := e.do("GET", "/users/"+bob+"?$expand=manager", nil).want(t, http.StatusOK).obj(t)["manager"]; ok {
		t.Error("a deleted manager is expanded")
	}
}

// TestManagerChain: $expand=manager($levels=…) on one user nests the
// chain of managers, as Graph's documented request shows; a loop in the
// chain ends it; a list refuses $levels.
func TestManagerChain(t *testing.T) {
	e := newEnv(t)
	ann, bob, carl := e.user("ann"), e.user("bob"), e.user("carl")
	e.do("PUT", "/users/"+carl+"/manager/$ref", ref(e, "users", bob)).want(t, http.StatusNoContent)
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	obj := func(id, name, inner string) string {
		return `{"@odata.type":"#microsoft.graph.user","displayName":"` + name + `","id":"` + id + `"` + inner + `}`
	}

	r := e.do("GET", "/users/"+carl+"?$expand=manager($levels=max;$select=id,displayName)&$select=id,displayName", nil).want(t, http.StatusOK)
	want := `{"@odata.context":"` + e.base + `/$metadata#users(id,displayName,manager(id,displayName))/$entity","displayName":"carl","id":"` + carl +
		`","manager":` + obj(bob, "bob", `,"manager":`+obj(ann, "ann", "")) + `}`
	if string(r.body) != want {
		t.Errorf("max levels\n got %s\nwant %s", r.body, want)
	}
	one := e.do("GET", "/users/"+carl+"?$expand=manager($levels=1;$select=id,displayName)&$select=id,displayName", nil).want(t, http.StatusOK)
	if want := `{"@odata.context":"` + e.base + `/$metadata#users(id,displayName,manager(id,displayName))/$entity","displayName":"carl","id":"` + carl +
		`","manager":` + obj(bob, "bob", "") + `}`; string(one.body) != want {
		t.Errorf("one level\n got %s\nwant %s", one.body, want)
	}

	// A loop: ann reports to carl. The chain from carl stops before carl.
	e.do("PUT", "/users/"+ann+"/manager/$ref", ref(e, "users", carl)).want(t, http.StatusNoContent)
	loop := e.do("GET", "/users/"+carl+"?$expand=manager($levels=max;$select=id,displayName)&$select=id,displayName", nil).want(t, http.StatusOK)
	if string(loop.body) != want {
		t.Errorf("loop\n got %s\nwant %s", loop.body, want)
	}

	e.do("GET", "/users?$expand=manager($levels=max)", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"$levels in $expand=manager is supported on a single user (/users/{id} or /me), not on a collection.")
	e.do("GET", "/users/"+carl+"?$expand=manager($levels=0)", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Invalid value '0' for $levels: expected 'max' or a number from 1 to 1000.")
}

// TestExpandDirectReports: $expand=directReports on one user and on a
// list, with a nested $select; deleted reports are left out.
func TestExpandDirectReports(t *testing.T) {
	e := newEnv(t)
	ann, bob, carl := e.user("ann"), e.user("bob"), e.user("carl")
	for _, u := range []string{bob, carl} {
		e.do("PUT", "/users/"+u+"/manager/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	}
	e.do("DELETE", "/users/"+carl, nil).want(t, http.StatusNoContent)

	one := e.do("GET", "/users/"+ann+"?$select=displayName&$expand=directReports($select=displayName)", nil).want(t, http.StatusOK)
	want := `{"@odata.context":"` + e.base + `/$metadata#users(displayName,directReports(displayName))/$entity","displayName":"ann",` +
		`"directReports":[{"@odata.type":"#microsoft.graph.user","displayName":"bob"}]}`
	if string(one.body) != want {
		t.Errorf("one user\n got %s\nwant %s", one.body, want)
	}
	list := e.do("GET", "/users?$select=id&$expand=directReports($select=id)&$filter="+q("id in ('"+ann+"','"+bob+"')"), nil).want(t, http.StatusOK).obj(t)
	reports := map[any]any{}
	for _, v := range list["value"].([]any) {
		it := v.(map[string]any)
		reports[it["id"]] = it["directReports"]
	}
	if got := jsonOf(t, reports[ann]); got != `[{"@odata.type":"#microsoft.graph.user","id":"`+bob+`"}]` {
		t.Errorf("list: ann's reports %s", got)
	}
	if got := jsonOf(t, reports[bob]); got != `[]` {
		t.Errorf("list: bob's reports %s", got)
	}
}
