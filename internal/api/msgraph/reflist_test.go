package msgraph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestListRefs: GET …/members/$ref and …/owners/$ref list the
// relationship as entity references that resolve here, page by page;
// $select and $expand do not apply to references.
func TestListRefs(t *testing.T) {
	e := newEnv(t)
	g := e.secGroup("refs")
	ann := e.user("ann")
	ids := []string{ann, e.user("bob"), e.secGroup("inner")}
	for _, id := range ids {
		e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", id)).want(t, http.StatusNoContent)
	}
	e.do("POST", "/groups/"+g+"/owners/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	slices.Sort(ids)

	r := e.do("GET", "/groups/"+g+"/members/$ref", nil).want(t, http.StatusOK)
	want := `{"@odata.context":"` + e.base + `/$metadata#Collection($ref)","value":[`
	for i, id := range ids {
		if i > 0 {
			want += ","
		}
		want += `{"@odata.id":"` + e.base + `/directoryObjects/` + id + `"}`
	}
	want += `]}`
	if string(r.body) != want {
		t.Errorf("members/$ref\n got %s\nwant %s", r.body, want)
	}
	// Each reference reads its object.
	for _, v := range r.obj(t)["value"].([]any) {
		e.do("GET", v.(map[string]any)["@odata.id"].(string), nil).want(t, http.StatusOK)
	}
	o := e.do("GET", "/groups/"+g+"/owners/$ref", nil).want(t, http.StatusOK).obj(t)["value"].([]any)
	if len(o) != 1 || o[0].(map[string]any)["@odata.id"] != e.base+"/directoryObjects/"+ann {
		t.Errorf("owners/$ref %v", o)
	}

	p1 := e.do("GET", "/groups/"+g+"/members/$ref?$top=2", nil).want(t, http.StatusOK).obj(t)
	next, _ := p1["@odata.nextLink"].(string)
	if len(p1["value"].([]any)) != 2 || !strings.HasPrefix(next, e.base+"/groups/"+g+"/members/$ref?$top=2&$skiptoken=") {
		t.Fatalf("first page %v", p1)
	}
	if p2 := e.do("GET", next, nil).want(t, http.StatusOK).obj(t); len(p2["value"].([]any)) != 1 {
		t.Errorf("second page %v", p2)
	}
	if c := e.do("GET", "/groups/"+g+"/members/$ref?$count=true", nil, header("ConsistencyLevel", "eventual")).
		want(t, http.StatusOK).obj(t)["@odata.count"]; c != float64(3) {
		t.Errorf("@odata.count %v", c)
	}
	for _, opt := range []string{"$select=id", "$expand=members"} {
		r := e.do("GET", "/groups/"+g+"/members/$ref?"+opt, nil)
		if r.code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", opt, r.code, r.body)
		}
	}
	e.do("GET", "/groups/00000000-0000-0000-0000-000000000001/members/$ref", nil).
		wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg("00000000-0000-0000-0000-000000000001"))
}
