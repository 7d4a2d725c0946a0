package msgraph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

// deltaPage is one delta response, decoded.
type deltaPage struct {
	Context string           `json:"@odata.context"`
	Next    string           `json:"@odata.nextLink"`
	Delta   string           `json:"@odata.deltaLink"`
	Value   []map[string]any `json:"value"`
}

func (e *env) delta(t testing.TB, url string, opts ...reqOpt) deltaPage {
	t.Helper()
	r := e.do("GET", url, nil, opts...).want(t, http.StatusOK)
	var p deltaPage
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("delta body: %v: %s", err, r.body)
	}
	if (p.Next == "") == (p.Delta == "") {
		t.Fatalf("want exactly one of nextLink and deltaLink: %s", r.body)
	}
	if p.Value == nil {
		t.Fatalf("no value array: %s", r.body)
	}
	return p
}

// drain follows nextLinks to the deltaLink and returns every item.
func (e *env) drain(t *testing.T, url string, opts ...reqOpt) ([]map[string]any, string) {
	t.Helper()
	var all []map[string]any
	for range 10000 {
		p := e.delta(t, url, opts...)
		all = append(all, p.Value...)
		if p.Delta != "" {
			return all, p.Delta
		}
		url = p.Next
	}
	t.Fatal("delta never ended")
	return nil, ""
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeltaGroupsWire(t *testing.T) {
	e := newEnv(t)
	u1, u2 := e.user("ann"), e.user("bob")
	g := e.secGroup("eng")
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", u1)).want(t, http.StatusNoContent)

	// The first pass, one group a page: a nextLink per page, then the
	// replay of changes since the pass began, ending in a deltaLink.
	r := e.do("GET", "/groups/delta?$select=displayName,members", nil, header("Prefer", "odata.maxpagesize=1")).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,@odata.nextLink,value" {
		t.Fatalf("keys %s", got)
	}
	p := e.delta(t, "/groups/delta?$select=displayName,members", header("Prefer", "odata.maxpagesize=1"))
	if p.Context != e.base+"/$metadata#groups(displayName,members)" {
		t.Errorf("context %q", p.Context)
	}
	if !strings.HasPrefix(p.Next, e.base+"/groups/delta?$skiptoken=") {
		t.Errorf("nextLink %q", p.Next)
	}
	want := `[{"id":"` + g + `","displayName":"eng","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"` + u1 + `"}]}]`
	if got := rawValue(t, r.body); got != want {
		t.Fatalf("first page\n got %s\nwant %s", got, want)
	}
	rest, link := e.drain(t, p.Next)
	if len(rest) != 0 {
		t.Fatalf("rest of the pass: %v", rest)
	}
	if !strings.HasPrefix(link, e.base+"/groups/delta?$deltatoken=") {
		t.Fatalf("deltaLink %q", link)
	}

	// Changes: one item per group, its current state, members@delta by
	// whether each named member is one now.
	e.do("PATCH", "/groups/"+g, map[string]any{"displayName": "eng2"}).want(t, http.StatusNoContent)
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", u2)).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+g+"/members/"+u1+"/$ref", nil).want(t, http.StatusNoContent)
	items, link2 := e.drain(t, link)
	want = `[{"displayName":"eng2","id":"` + g + `","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"` + u2 +
		`"},{"@odata.type":"#microsoft.graph.user","@removed":{"reason":"deleted"},"id":"` + u1 + `"}]}]`
	if got := jsonOf(t, items); got != want {
		t.Fatalf("changes\n got %s\nwant %s", got, want)
	}

	// A security group is gone for good; a Microsoft 365 group is only
	// soft-deleted, so restorable: "changed".
	m := e.unified("team")
	e.do("DELETE", "/groups/"+g, nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+m, nil).want(t, http.StatusNoContent)
	items, link3 := e.drain(t, link2)
	want = `[{"@removed":{"reason":"changed"},"id":"` + m + `"},{"@removed":{"reason":"deleted"},"id":"` + g + `"}]`
	if got := jsonOf(t, items); got != want {
		t.Fatalf("removals\n got %s\nwant %s", got, want)
	}
	// Restoring brings the group back in its state.
	e.do("POST", "/directory/deletedItems/"+m+"/restore", nil).want(t, http.StatusOK)
	items, _ = e.drain(t, link3)
	if len(items) != 1 || items[0]["id"] != m || items[0]["displayName"] != "team" {
		t.Fatalf("after restore: %s", jsonOf(t, items))
	}
	// The old link still answers the same question: no repeats, no losses.
	again, _ := e.drain(t, link2)
	if got := jsonOf(t, again); !strings.Contains(got, `{"@removed":{"reason":"deleted"},"id":"`+g+`"}`) {
		t.Fatalf("replaying an old link: %s", got)
	}
}

func TestDeltaUsersSelectLatestFilter(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann")
	p := e.delta(t, "/users/delta?$deltatoken=latest")
	if len(p.Value) != 0 || p.Delta == "" || p.Context != e.base+"/$metadata#users" {
		t.Fatalf("latest: %+v", p)
	}
	e.do("PATCH", "/users/"+u, map[string]any{"jobTitle": "Engineer"}).want(t, http.StatusNoContent)
	v := e.user("bob")
	items, _ := e.drain(t, p.Delta)
	if len(items) != 2 || items[0]["id"] != u || items[0]["jobTitle"] != "Engineer" || items[1]["id"] != v {
		t.Fatalf("changes since latest: %s", jsonOf(t, items))
	}

	// $select is kept in the token: later pages carry id and the selection.
	first, link := e.drain(t, "/users/delta?$select=displayName")
	for _, it := range first {
		if got := strings.Join(mapKeys(it), ","); got != "displayName,id" {
			t.Fatalf("selected item keys %s: %v", got, it)
		}
	}
	e.do("DELETE", "/users/"+v, nil).want(t, http.StatusNoContent)
	e.do("PATCH", "/users/"+u, map[string]any{"displayName": "Ann L"}).want(t, http.StatusNoContent)
	items, _ = e.drain(t, link)
	want := `[{"@removed":{"reason":"changed"},"id":"` + v + `"},{"displayName":"Ann L","id":"` + u + `"}]`
	if got := jsonOf(t, items); got != want {
		t.Fatalf("selected changes\n got %s\nwant %s", got, want)
	}

	// $filter by id narrows the pass and the changes to those ids.
	items, link = e.drain(t, "/users/delta?$filter="+q("id eq '"+u+"'"))
	if len(items) != 1 || items[0]["id"] != u {
		t.Fatalf("filtered pass: %s", jsonOf(t, items))
	}
	e.user("cid")
	e.do("PATCH", "/users/"+u, map[string]any{"jobTitle": "Lead"}).want(t, http.StatusNoContent)
	items, _ = e.drain(t, link)
	if len(items) != 1 || items[0]["id"] != u || items[0]["jobTitle"] != "Lead" {
		t.Fatalf("filtered changes: %s", jsonOf(t, items))
	}
	items, _ = e.drain(t, "/users/delta?$filter="+q("id in ('"+u+"', '"+v+"')"))
	if len(items) != 1 || items[0]["id"] != u {
		t.Fatalf("id in: %s", jsonOf(t, items))
	}
}

// rawValue returns the value array exactly as written, member order kept.
func rawValue(t *testing.T, body []byte) string {
	t.Helper()
	var m struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return string(m.Value)
}

func mapKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestDeltaErrors(t *testing.T) {
	e := newEnv(t)
	e.user("ann")
	_, link := e.drain(t, "/users/delta")
	tok := link[strings.Index(link, "$deltatoken=")+len("$deltatoken="):]

	bad := func(url, msg string) {
		t.Helper()
		e.do("GET", url, nil).wantError(t, http.StatusBadRequest, "BadRequest", msg)
	}
	// Altered, issued for users, or malformed.
	flipped := []byte(tok)
	flipped[3] ^= 1
	bad("/users/delta?$deltatoken="+string(flipped), "The delta token is not valid: it was altered or issued for another tenant.")
	body, mac, _ := strings.Cut(tok, ".")
	bad("/users/delta?$deltatoken="+body+"."+mac[:len(mac)-2]+"AA", "The delta token is not valid: it was altered or issued for another tenant.")
	bad("/groups/delta?$deltatoken="+tok, "The delta token is not valid: it was issued for another resource.")
	bad("/users/delta?$deltatoken=nonsense", "The delta token is not valid: it was malformed.")
	e.do("GET", "/users/delta?$filter="+q("displayName eq 'x'"), nil).wantError(t, http.StatusBadRequest,
		"Request_UnsupportedQuery", "Unsupported query: only 'id eq' and 'id in' filters are supported with delta.")
	e.do("GET", "/users/delta?$orderby=id", nil).wantError(t, http.StatusBadRequest,
		"Request_UnsupportedQuery", "The query option '$orderby' is not supported on this resource.")
	e.do("GET", "/groups/delta?$select=nope", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'microsoft.graph.group'.")

	// A token of another tenant is refused.
	ctx := context.Background()
	other, err := e.dir.CreateTenant(ctx, "Fabrikam", "fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	on := true
	if _, err := e.dir.CreateUser(ctx, other.ID, directory.UserFields{DisplayName: s("Fay"), MailNickname: s("fay"),
		UserPrincipalName: s("fay@fabrikam.example"), AccountEnabled: &on, Password: s(adminPass)}, directory.Policy{}); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/users/delta?$deltatoken="+tok, nil, as("fay@fabrikam.example", adminPass)).wantError(t,
		http.StatusBadRequest, "BadRequest", "The delta token is not valid: it was altered or issued for another tenant.")
	// Its own tokens work.
	_, own := e.drain(t, "/users/delta", as("fay@fabrikam.example", adminPass))
	e.drain(t, own, as("fay@fabrikam.example", adminPass))

	// Once the log is trimmed past the token: 410 and the resync error.
	e.user("bob")
	time.Sleep(time.Millisecond)
	// The audit log is read from the change log, which keeps its rows for
	// the audit's retention too.
	keep := directory.New(e.dir.Store(), directory.WithChangeRetention(time.Nanosecond))
	if n, err := keep.TrimChanges(ctx); err != nil || n != 0 {
		t.Fatalf("trim within the audit retention: %d rows, %v; want none", n, err)
	}
	trim := directory.New(e.dir.Store(), directory.WithChangeRetention(time.Nanosecond),
		directory.WithAuditRetention(time.Nanosecond))
	if n, err := trim.TrimChanges(ctx); err != nil || n == 0 {
		t.Fatalf("trim: %d rows, %v", n, err)
	}
	e.do("GET", link, nil).wantError(t, http.StatusGone, "syncStateNotFound",
		"The sync state generation is not found. The delta token is expired and data must be synchronized again.")
	// A new pass works and gives a usable token again.
	_, link = e.drain(t, "/users/delta")
	e.drain(t, link)
}

// TestDeltaUsersManager: a users delta that selects manager reports each
// user's manager in the pass and, after a change, the new manager with
// the replaced one removed, as manager@delta; without manager selected no
// item carries it.
func TestDeltaUsersManager(t *testing.T) {
	e := newEnv(t)
	ann, bob, carl := e.user("ann"), e.user("bob"), e.user("carl")
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)

	byID := func(items []map[string]any) map[any]string {
		out := map[any]string{}
		for _, it := range items {
			out[it["id"]] = jsonOf(t, it)
		}
		return out
	}
	userRef := func(id string) string { return `{"@odata.type":"#microsoft.graph.user","id":"` + id + `"}` }
	removedRef := func(id string) string {
		return `{"@odata.type":"#microsoft.graph.user","@removed":{"reason":"deleted"},"id":"` + id + `"}`
	}

	p := e.delta(t, "/users/delta?$select=displayName,manager")
	if p.Context != e.base+"/$metadata#users(displayName,manager)" {
		t.Errorf("context %q", p.Context)
	}
	items, link := e.drain(t, "/users/delta?$select=displayName,Manager")
	got := byID(items)
	if want := `{"displayName":"bob","id":"` + bob + `","manager@delta":[` + userRef(ann) + `]}`; got[bob] != want {
		t.Errorf("pass: bob\n got %s\nwant %s", got[bob], want)
	}
	if want := `{"displayName":"ann","id":"` + ann + `"}`; got[ann] != want {
		t.Errorf("pass: ann\n got %s\nwant %s", got[ann], want)
	}

	// A new manager: the old one removed, the new one added; a change of
	// another property reports no manager.
	e.do("PUT", "/users/"+bob+"/manager/$ref", ref(e, "users", carl)).want(t, http.StatusNoContent)
	e.do("PATCH", "/users/"+ann, map[string]any{"jobTitle": "Lead"}).want(t, http.StatusNoContent)
	items, link = e.drain(t, link)
	got = byID(items)
	if want := `{"displayName":"bob","id":"` + bob + `","manager@delta":[` + removedRef(ann) + `,` + userRef(carl) + `]}`; got[bob] != want {
		t.Errorf("changed: bob\n got %s\nwant %s", got[bob], want)
	}
	if want := `{"displayName":"ann","id":"` + ann + `"}`; got[ann] != want || len(items) != 2 {
		t.Errorf("changed: ann %s, items %d", got[ann], len(items))
	}

	// The audit entry of a change names the replaced manager second.
	entries, _ := audits(t, e, "?$filter="+url.QueryEscape("targetResources/any(t:t/id eq '"+ann+"') and activityDisplayName eq 'Update user'"))
	// (ann's own update is the newest.)
	if len(entries) != 2 || len(entries[1].TargetResources) != 2 || entries[1].TargetResources[0]["id"] != bob ||
		entries[1].TargetResources[1]["id"] != ann || entries[1].TargetResources[1]["type"] != "User" {
		t.Errorf("audit of the change: %+v", entries)
	}

	// Removing the manager reports it removed.
	e.do("DELETE", "/users/"+bob+"/manager/$ref", nil).want(t, http.StatusNoContent)
	items, _ = e.drain(t, link)
	if want := `[{"displayName":"bob","id":"` + bob + `","manager@delta":[` + removedRef(carl) + `]}]`; jsonOf(t, items) != want {
		t.Errorf("removed\n got %s\nwant %s", jsonOf(t, items), want)
	}

	// Not selected: no manager@delta, in the pass or after a change.
	e.do("PUT", "/users/"+carl+"/manager/$ref", ref(e, "users", ann)).want(t, http.StatusNoContent)
	items, link = e.drain(t, "/users/delta?$select=displayName")
	e.do("PUT", "/users/"+carl+"/manager/$ref", ref(e, "users", bob)).want(t, http.StatusNoContent)
	more, _ := e.drain(t, link)
	for _, it := range append(items, more...) {
		if _, ok := it["manager@delta"]; ok {
			t.Errorf("manager@delta without $select=manager: %v", it)
		}
	}
	if len(more) != 1 || more[0]["id"] != carl {
		t.Errorf("unselected manager change: %s", jsonOf(t, more))
	}
	// Each kind's navigation property is the other's unknown one.
	e.do("GET", "/groups/delta?$select=manager", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Parsing OData Select and Expand failed: Could not find a property named 'manager' on type 'microsoft.graph.group'.")
	e.do("GET", "/users/delta?$select=members", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Parsing OData Select and Expand failed: Could not find a property named 'members' on type 'microsoft.graph.user'.")
}

// TestDeltaFunctionSyntax: Graph's SDKs call delta() with parentheses; it
// is the same function, with links in the plain spelling.
func TestDeltaFunctionSyntax(t *testing.T) {
	e := newEnv(t)
	e.user("ann")
	g := e.secGroup("eng")
	for _, path := range []string{"/users/delta()?$select=displayName", "/groups/delta()"} {
		p := e.delta(t, path)
		if !strings.HasPrefix(p.Next, e.base+strings.Split(path, "()")[0]+"?$skiptoken=") {
			t.Errorf("%s: nextLink %q", path, p.Next)
		}
	}
	items, _ := e.drain(t, "/groups/delta()")
	if len(items) != 1 || items[0]["id"] != g {
		t.Errorf("groups delta(): %s", jsonOf(t, items))
	}
}
