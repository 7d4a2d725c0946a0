package msgraph_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// TestPagingUnderChurnEveryOrder pages through /groups under every order
// while groups are created and deleted between pages: each group that
// exists throughout is returned exactly once.
func TestPagingUnderChurnEveryOrder(t *testing.T) {
	e := queryEnv(t)
	var stable []string
	for i := range 9 {
		stable = append(stable, e.secGroup(fmt.Sprintf("s%d", (i*5)%9)))
	}
	for _, order := range []string{"", "&$orderby=displayName", "&$orderby=" + q("displayName desc"),
		"&$orderby=createdDateTime&$count=true", "&$orderby=" + q("createdDateTime desc") + "&$count=true"} {
		seen := map[string]int{}
		next := e.base + "/groups?$top=2&$select=id" + order
		for i := 0; next != ""; i++ {
			if i > 30 {
				t.Fatalf("%s: paging does not end", order)
			}
			m := e.do("GET", next, nil, eventual).want(t, http.StatusOK).obj(t)
			for _, v := range values(t, m) {
				seen[v["id"].(string)]++
			}
			next, _ = m["@odata.nextLink"].(string)
			churn := e.secGroup(fmt.Sprintf("c%d", i))
			if i%2 == 0 {
				e.do("DELETE", "/groups/"+churn, nil).want(t, http.StatusNoContent)
			}
		}
		for _, id := range stable {
			if seen[id] != 1 {
				t.Errorf("%s: %s seen %d times", order, id, seen[id])
			}
		}
	}
}

func TestRelationshipQueries(t *testing.T) {
	e := queryEnv(t)
	g := e.secGroup("parent")
	child := e.group(map[string]any{"displayName": "Alpha child", "mailNickname": "child", "mailEnabled": false, "securityEnabled": true})
	ann, bob := e.user("ann"), e.user("bob")
	e.do("PATCH", "/groups/"+g, map[string]any{"members@odata.bind": refs(e, "directoryObjects", ann, bob, child)}).want(t, http.StatusNoContent)

	m := e.do("GET", "/groups/"+g+"/members?$filter="+q("startsWith(displayName,'a')")+"&$count=true&$select=displayName",
		nil, eventual).want(t, http.StatusOK).obj(t)
	if m["@odata.context"] != e.base+"/$metadata#directoryObjects(displayName)" || m["@odata.count"] != float64(2) {
		t.Errorf("members: context %v count %v", m["@odata.context"], m["@odata.count"])
	}
	var types []string
	for _, v := range values(t, m) {
		types = append(types, v["@odata.type"].(string)+" "+v["displayName"].(string))
		if len(v) != 2 {
			t.Errorf("member keys %v", v)
		}
	}
	slices.Sort(types)
	if want := []string{"#microsoft.graph.group Alpha child", "#microsoft.graph.user ann"}; !slices.Equal(types, want) {
		t.Errorf("members %q, want %q", types, want)
	}

	m = e.do("GET", "/groups/"+child+"/memberOf?$filter="+q("displayName eq 'PARENT'"), nil).want(t, http.StatusOK).obj(t)
	if v := values(t, m); len(v) != 1 || v[0]["id"] != g || v[0]["@odata.type"] != "#microsoft.graph.group" {
		t.Errorf("memberOf: %v", v)
	}

	// $expand with a nested $select, for a list page and for one object.
	m = e.do("GET", "/groups?$filter="+q("displayName eq 'parent'")+"&$select=id&$expand="+q("members($select=id)"), nil).want(t, http.StatusOK).obj(t)
	if m["@odata.context"] != e.base+"/$metadata#groups(id,members(id))" {
		t.Errorf("expand context %v", m["@odata.context"])
	}
	v := values(t, m)
	if len(v) != 1 || len(v[0]["members"].([]any)) != 3 {
		t.Fatalf("expand: %v", v)
	}
	for _, it := range v[0]["members"].([]any) {
		if item := it.(map[string]any); len(item) != 2 || item["id"] == nil || item["@odata.type"] == nil {
			t.Errorf("expanded item %v", item)
		}
	}
	m = e.do("GET", "/users/"+ann+"?$select=displayName&$expand=memberOf", nil).want(t, http.StatusOK).obj(t)
	if mo := m["memberOf"].([]any); len(mo) != 1 || mo[0].(map[string]any)["id"] != g {
		t.Errorf("user expand memberOf: %v", m)
	}
	m = e.do("GET", "/groups/"+child+"?$expand=memberOf($select=displayName)", nil).want(t, http.StatusOK).obj(t)
	if mo := m["memberOf"].([]any); len(mo) != 1 || mo[0].(map[string]any)["displayName"] != "parent" {
		t.Errorf("group expand memberOf: %v", m)
	}
}
