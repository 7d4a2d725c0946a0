package aadgraph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// deltaBody is one page of a differential query.
type deltaBody struct {
	Metadata  string           `json:"odata.metadata"`
	NextLink  string           `json:"aad.nextLink"`
	DeltaLink string           `json:"aad.deltaLink"`
	Value     []map[string]any `json:"value"`
}

// differential follows a differential query from path (below
// /myorganization) through its aad.nextLinks and returns the items and
// the aad.deltaLink's path.
func (e *env) differential(t *testing.T, path string) ([]map[string]any, string) {
	t.Helper()
	var all []map[string]any
	for range 1000 {
		var b deltaBody
		r := e.aad("GET", path, nil).want(t, http.StatusOK)
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatal(err)
		}
		if b.Metadata != e.url+"/myorganization/$metadata#directoryObjects" || (b.NextLink == "") == (b.DeltaLink == "") || b.Value == nil {
			t.Fatalf("page %s", r.body)
		}
		all = append(all, b.Value...)
		link := b.NextLink + b.DeltaLink
		rest, ok := strings.CutPrefix(link, e.url+"/myorganization")
		if !ok {
			t.Fatalf("link %q is not below %s/myorganization", link, e.url)
		}
		if b.DeltaLink != "" {
			return all, rest
		}
		path = rest
	}
	t.Fatal("the differential query never ended")
	return nil, ""
}

// TestDifferentialQuery: users and groups asked with deltaLink page
// through every object, then answer what changed: changed objects whole,
// deleted ones with aad.isDeleted, membership changes as
// DirectoryLinkChange objects after their group.
func TestDifferentialQuery(t *testing.T) {
	e := newEnv(t)
	ann, bob := e.user("ann"), e.user("bob")
	eng, ops := e.group("eng", "Engineering", "eng"), e.group("ops", "Operations", "ops")
	e.aad("POST", "/groups/"+eng+"/$links/members", map[string]string{"url": e.url + "/myorganization/directoryObjects/" + ann}).
		want(t, http.StatusNoContent)

	link := func(group, member string, deleted bool) string {
		s := `{"odata.type":"Microsoft.DirectoryServices.DirectoryLinkChange","objectType":"DirectoryLinkChange","associationType":"Member",` +
			`"sourceObjectId":"` + group + `","sourceObjectType":"Group","sourceObjectUri":"` + e.url + `/myorganization/groups/` + group + `",` +
			`"targetObjectId":"` + member + `","targetObjectType":"User","targetObjectUri":"` + e.url + `/myorganization/users/` + member + `"`
		if deleted {
			s += `,"aad.isDeleted":true`
		}
		return s + "}"
	}
	asJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	// The first pass: every group, each followed by its members.
	items, next := e.differential(t, "/groups?deltaLink=")
	var seen []string
	for i, it := range items {
		seen = append(seen, it["objectType"].(string))
		if it["objectId"] == eng {
			if it["odata.type"] != "Microsoft.DirectoryServices.Group" || it["displayName"] != "eng" || it["description"] != "Engineering" {
				t.Errorf("group entity %v", it)
			}
			if i+1 >= len(items) || asJSON(items[i+1]) != sortedJSON(t, link(eng, ann, false)) {
				t.Errorf("after eng: %v, want its member ann", items[i+1:])
			}
		}
	}
	if strings.Join(seen, ",") != "Group,DirectoryLinkChange,Group" && strings.Join(seen, ",") != "Group,Group,DirectoryLinkChange" {
		t.Errorf("first pass %v", seen)
	}

	// Changes: a member removed, a member added, a group deleted.
	e.aad("DELETE", "/groups/"+eng+"/$links/members/"+ann, nil).want(t, http.StatusNoContent)
	e.aad("POST", "/groups/"+eng+"/$links/members", map[string]string{"url": e.url + "/myorganization/directoryObjects/" + bob}).
		want(t, http.StatusNoContent)
	e.aad("DELETE", "/groups/"+ops, nil).want(t, http.StatusNoContent)
	items, next = e.differential(t, next)
	if len(items) != 4 || items[0]["objectId"] != eng || asJSON(items[1]) != sortedJSON(t, link(eng, ann, true)) ||
		asJSON(items[2]) != sortedJSON(t, link(eng, bob, false)) ||
		asJSON(items[3]) != `{"aad.isDeleted":true,"objectId":"`+ops+`","objectType":"Group","odata.type":"Microsoft.DirectoryServices.Group"}` {
		t.Errorf("changes %s", asJSON(items))
	}
	if items, _ = e.differential(t, next); len(items) != 0 {
		t.Errorf("nothing changed, got %s", asJSON(items))
	}

	// Users, also as directoryObjects of one type.
	users, userNext := e.differential(t, "/users?deltaLink=")
	if len(users) != 3 { // the admin, ann, bob
		t.Errorf("users pass %d items", len(users))
	}
	objs, objNext := e.differential(t, "/directoryObjects?deltaLink=&$filter="+url.QueryEscape("isof('Microsoft.DirectoryServices.User')"))
	if len(objs) != 3 || !strings.Contains(objNext, "/directoryObjects?deltaLink=") || !strings.Contains(objNext, "isof") {
		t.Errorf("directoryObjects pass: %d items, deltaLink %s", len(objs), objNext)
	}
	if err := e.dir.DeleteUser(context.Background(), e.tenant, bob); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{userNext, objNext} {
		items, _ := e.differential(t, n)
		if asJSON(items) != `[{"aad.isDeleted":true,"objectId":"`+bob+`","objectType":"User","odata.type":"Microsoft.DirectoryServices.User"}]` {
			t.Errorf("%s: %s", n, asJSON(items))
		}
	}

	// Errors.
	e.aad("GET", "/directoryObjects?deltaLink=", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"A differential query of directoryObjects needs $filter=isof('Microsoft.DirectoryServices.User') or isof('Microsoft.DirectoryServices.Group'): groupd tracks users and groups apart.")
	e.aad("GET", "/directoryObjects", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"groupd lists directoryObjects only as a differential query (deltaLink=): list /users or /groups instead.")
	e.aad("GET", "/users?deltaLink=&$top=5", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"The query option '$top' is not supported with deltaLink.")
	e.aad("GET", "/users?deltaLink=nonsense", nil).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"The deltaLink is not valid: it was malformed.")
	groupToken := strings.TrimPrefix(next, "/groups?deltaLink=")
	e.aad("GET", "/users?deltaLink="+groupToken, nil).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"The deltaLink is not valid: it was issued for another resource.")
}

// sortedJSON re-encodes a JSON object with its keys sorted, as
// encoding/json writes a map.
func sortedJSON(t *testing.T, s string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
