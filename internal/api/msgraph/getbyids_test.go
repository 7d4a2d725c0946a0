package msgraph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestGetByIds(t *testing.T) {
	e := newEnv(t)
	ann := e.user("ann")
	gid := e.secGroup("Pilots")
	bob := e.user("bob")
	missing := "00000000-0000-0000-0000-000000000000"
	get := func(body any, path ...string) []map[string]any {
		t.Helper()
		p := "/directoryObjects/getByIds"
		if len(path) > 0 {
			p += path[0]
		}
		r := e.do(http.MethodPost, p, body).want(t, http.StatusOK)
		var out struct {
			Context string `json:"@odata.context"`
			Value   []map[string]any
		}
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.Context, e.base+"/$metadata#directoryObjects") {
			t.Errorf("@odata.context %q", out.Context)
		}
		return out.Value
	}
	idsOf := func(objs []map[string]any) string {
		var ids []string
		for _, o := range objs {
			ids = append(ids, o["id"].(string)+":"+o["@odata.type"].(string))
		}
		return strings.Join(ids, ",")
	}

	all := get(map[string]any{"ids": []string{bob, missing, gid, ann, bob}})
	if got, want := idsOf(all), bob+":#microsoft.graph.user,"+gid+":#microsoft.graph.group,"+ann+":#microsoft.graph.user"; got != want {
		t.Errorf("getByIds: %s\nwant %s (in the order given, each once, unknown ids left out)", got, want)
	}
	if all[0]["userPrincipalName"] != "bob@example.org" || all[1]["displayName"] != "Pilots" {
		t.Errorf("getByIds bodies: %v", all)
	}
	if got := idsOf(get(map[string]any{"ids": []string{bob, gid}, "types": []string{"group"}})); got != gid+":#microsoft.graph.group" {
		t.Errorf("types [group]: %s", got)
	}
	if got := idsOf(get(map[string]any{"ids": []string{bob, gid}, "types": []string{"microsoft.graph.user", "Device"}})); got != bob+":#microsoft.graph.user" {
		t.Errorf("types [microsoft.graph.user, Device]: %s", got)
	}
	if got := get(map[string]any{"ids": []string{bob, gid}, "types": []string{"device"}}); len(got) != 0 {
		t.Errorf("types [device]: %v", got)
	}
	// Graph's SDKs call it on /users and /groups too: that collection's
	// type only.
	for path, want := range map[string]string{
		"/users/getByIds":  bob + ":#microsoft.graph.user," + ann + ":#microsoft.graph.user",
		"/groups/getByIds": gid + ":#microsoft.graph.group",
	} {
		var out struct{ Value []map[string]any }
		r := e.do(http.MethodPost, path, map[string]any{"ids": []string{bob, gid, ann}}).want(t, http.StatusOK)
		if err := json.Unmarshal(r.body, &out); err != nil || idsOf(out.Value) != want {
			t.Errorf("%s: %s, want %s", path, r.body, want)
		}
	}
	var none struct{ Value []map[string]any }
	r := e.do(http.MethodPost, "/users/getByIds", map[string]any{"ids": []string{bob}, "types": []string{"group"}}).want(t, http.StatusOK)
	if err := json.Unmarshal(r.body, &none); err != nil || len(none.Value) != 0 {
		t.Errorf("/users/getByIds with types [group]: %s", r.body)
	}
	if got := get(map[string]any{"ids": []string{}}); len(got) != 0 {
		t.Errorf("no ids: %v", got)
	}
	sel := get(map[string]any{"ids": []string{ann}}, "?$select=displayName")
	if len(sel) != 1 || len(sel[0]) != 2 || sel[0]["displayName"] != "ann" {
		t.Errorf("$select=displayName: %v (want @odata.type and displayName)", sel)
	}

	many := make([]string, 1001)
	for i := range many {
		many[i] = ann
	}
	for _, c := range []struct {
		body          any
		code, message string
		detail        []string
	}{
		{map[string]any{}, "BadRequest", "The parameter 'ids' is missing in the request payload of the operation 'getByIds'.", nil},
		{map[string]any{"ids": ann}, "Request_BadRequest", "Invalid value specified for property 'ids' of resource 'getByIds'.", []string{"ids", "InvalidValue"}},
		{map[string]any{"ids": []string{"nope"}}, "Request_BadRequest", "Invalid object identifier 'nope'.", nil},
		{map[string]any{"ids": []string{ann}, "types": []string{"printer"}}, "Request_BadRequest",
			"Invalid type 'printer' in types: give directory object types such as user and group.", nil},
		{map[string]any{"ids": []string{ann}, "kinds": []string{"user"}}, "BadRequest",
			"The parameter 'kinds' in the request payload is not a valid parameter for the operation 'getByIds'.", nil},
		{map[string]any{"ids": many}, "Request_BadRequest", "The number of 'ids' cannot exceed 1000.", nil},
	} {
		e.do(http.MethodPost, "/directoryObjects/getByIds", c.body).wantError(t, http.StatusBadRequest, c.code, c.message, c.detail...)
	}
}
