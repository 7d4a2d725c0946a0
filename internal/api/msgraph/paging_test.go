package msgraph_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"groupd/internal/directory"
)

func TestGroupPaging(t *testing.T) {
	e := newEnv(t)
	var want []string
	for i := range 5 {
		want = append(want, e.secGroup(fmt.Sprintf("page%d", i)))
	}
	sort.Strings(want)
	var got []string
	next := e.base + "/groups?$select=id,displayName&$top=2"
	var links []string
	for next != "" {
		if len(links) > 5 {
			t.Fatal("paging does not end")
		}
		m := e.do("GET", next, nil).want(t, http.StatusOK).obj(t)
		if m["@odata.context"] != e.base+"/$metadata#groups(id,displayName)" {
			t.Errorf("context %v", m["@odata.context"])
		}
		v := m["value"].([]any)
		for _, item := range v {
			got = append(got, item.(map[string]any)["id"].(string))
		}
		next, _ = m["@odata.nextLink"].(string)
		if next != "" {
			links = append(links, next)
			if len(v) != 2 {
				t.Errorf("a page with a nextLink holds %d items", len(v))
			}
		}
	}
	if len(links) != 2 {
		t.Errorf("nextLinks %v, want 2", links)
	}
	for _, l := range links {
		if !strings.HasPrefix(l, e.base+"/groups?$select=id,displayName&$top=2&$skiptoken=") || strings.Count(l, "$skiptoken") != 1 {
			t.Errorf("nextLink %q is not absolute with the same path and query", l)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("paged groups\n%v\nwant every group exactly once\n%v", got, want)
	}
	// Without $top a page holds up to 100.
	m := e.do("GET", "/groups", nil).want(t, http.StatusOK).obj(t)
	if len(m["value"].([]any)) != 5 || m["@odata.nextLink"] != nil {
		t.Errorf("default page %v", m)
	}
}

func TestMemberPaging(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("paged")
	for i := range 3 {
		e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "users", e.user(fmt.Sprintf("m%d", i)))).want(t, http.StatusNoContent)
	}
	seen := map[string]bool{}
	next := e.base + "/groups/" + g + "/members?$top=2"
	for n := 0; next != ""; n++ {
		if n > 2 {
			t.Fatal("paging does not end")
		}
		if n == 1 && !strings.HasPrefix(next, e.base+"/groups/"+g+"/members?$top=2&$skiptoken=") {
			t.Errorf("nextLink %q", next)
		}
		m := e.do("GET", next, nil).want(t, http.StatusOK).obj(t)
		for _, v := range m["value"].([]any) {
			seen[v.(map[string]any)["id"].(string)] = true
		}
		next, _ = m["@odata.nextLink"].(string)
	}
	if len(seen) != 3 {
		t.Errorf("%d members seen, want 3", len(seen))
	}
}

func TestExpandMembersCapped(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("big")
	small := e.secGroup("small")
	var add []directory.MemberRef
	for i := range 25 {
		id, _ := directory.ParseObjectID(e.user(fmt.Sprintf("x%02d", i)))
		add = append(add, directory.MemberRef{ID: id, Kind: directory.KindUser})
	}
	if err := e.dir.AddMembers(context.Background(), e.tenant, g, add, directory.Policy{}); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/groups/"+small+"/members/$ref", ref(e, "users", string(add[0].ID))).want(t, http.StatusNoContent)

	r := e.do("GET", "/groups/"+g+"?$expand=members", nil).want(t, http.StatusOK)
	k := keys(t, r.body)
	if k[len(k)-1] != "members" || strings.Join(k[1:len(k)-1], ",") != groupKeys {
		t.Errorf("keys %v", k)
	}
	m := r.obj(t)
	members := m["members"].([]any)
	if m["@odata.context"] != e.base+"/$metadata#groups(members())/$entity" || len(members) != 20 {
		t.Errorf("context %v, %d members; want 20", m["@odata.context"], len(members))
	}
	for _, v := range members {
		if v.(map[string]any)["@odata.type"] != "#microsoft.graph.user" {
			t.Errorf("member %v", v)
		}
	}

	m = e.do("GET", "/groups?$expand=members&$select=displayName", nil).want(t, http.StatusOK).obj(t)
	if m["@odata.context"] != e.base+"/$metadata#groups(displayName,members())" {
		t.Errorf("context %v", m["@odata.context"])
	}
	counts := map[string]int{}
	for _, v := range m["value"].([]any) {
		item := v.(map[string]any)
		counts[item["displayName"].(string)] = len(item["members"].([]any))
	}
	if counts["big"] != 20 || counts["small"] != 1 || len(counts) != 2 {
		t.Errorf("expanded member counts %v, want big 20, small 1", counts)
	}
}
