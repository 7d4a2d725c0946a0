package aadgraph_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// names lists the displayName of each item of a list answer.
func names(t testing.TB, r *resp) []string {
	t.Helper()
	var out []string
	for _, v := range r.obj(t)["value"].([]any) {
		out = append(out, v.(map[string]any)["displayName"].(string))
	}
	slices.Sort(out)
	return out
}

func TestFilters(t *testing.T) {
	e := newEnv(t)
	mk := e.group("Marketing", "", "mk")
	e.group("Engineering", "", "eng")
	e.group("Engine Room", "", "room")
	e.group("Test", "", "test")
	for _, c := range []struct {
		filter string
		want   []string
	}{
		{"displayName eq 'Marketing'", []string{"Marketing"}},
		{"displayName eq 'marketing'", []string{"Marketing"}},
		{"startswith(displayName,'Engine')", []string{"Engine Room", "Engineering"}},
		{"startswith(displayName,'Eng') and mailNickname eq 'room'", []string{"Engine Room"}},
		{"displayName eq 'Test' or mailNickname eq 'mk'", []string{"Marketing", "Test"}},
		{"securityEnabled eq true and mailEnabled eq false and startswith(mailNickname,'te')", []string{"Test"}},
		{"objectId eq '" + mk + "'", []string{"Marketing"}},
		{"displayName eq 'Nobody'", nil},
	} {
		r := e.aad("GET", "/groups?$filter="+url.QueryEscape(c.filter), nil).want(t, http.StatusOK)
		if got := names(t, r); !slices.Equal(got, c.want) {
			t.Errorf("$filter=%s: %v, want %v", c.filter, got, c.want)
		}
	}
	for _, c := range []struct{ filter, msg string }{
		{"displayName ne 'x'", "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'Group'."},
		{"description eq 'x'", "Invalid filter clause: Could not find a property named 'description' on type 'Microsoft.DirectoryServices.Group'."},
		{"displayName eq", ""},
	} {
		r := e.aad("GET", "/groups?$filter="+url.QueryEscape(c.filter), nil)
		if c.msg == "" {
			r.want(t, http.StatusBadRequest)
			if r.obj(t)["odata.error"].(map[string]any)["code"] != "Request_UnsupportedQuery" {
				t.Errorf("$filter=%s: %s", c.filter, r.body)
			}
			continue
		}
		r.wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery", c.msg)
	}
	e.user("zed")
	r := e.aad("GET", "/users?$filter="+url.QueryEscape("startswith(userPrincipalName,'zed@')"), nil).want(t, http.StatusOK)
	if got := names(t, r); !slices.Equal(got, []string{"zed"}) {
		t.Errorf("users: %v", got)
	}
	guest := e.user("gus")
	guestType := "Guest"
	if _, err := e.dir.UpdateUser(context.Background(), e.tenant, guest, directory.UserFields{UserType: &guestType}); err != nil {
		t.Fatal(err)
	}
	r = e.aad("GET", "/users?$filter="+url.QueryEscape("userType eq 'Guest'"), nil).want(t, http.StatusOK)
	if got := names(t, r); !slices.Equal(got, []string{"gus"}) {
		t.Errorf("guests: %v", got)
	}
	if got := e.aad("GET", "/users/"+guest, nil).want(t, http.StatusOK).obj(t)["userType"]; got != "Guest" {
		t.Errorf("guest's userType %v", got)
	}
}

// follow reads every page of a list from path, following the relative
// odata.nextLink with only api-version added, as clients do.
func (e *env) follow(path string) (items []string, pages int) {
	e.t.Helper()
	for {
		r := e.aad("GET", path, nil).want(e.t, http.StatusOK).obj(e.t)
		pages++
		for _, v := range r["value"].([]any) {
			m := v.(map[string]any)
			if id, ok := m["objectId"].(string); ok {
				items = append(items, id)
			} else {
				items = append(items, m["url"].(string))
			}
		}
		next, ok := r["odata.nextLink"].(string)
		if !ok {
			return items, pages
		}
		if strings.HasPrefix(next, "http") || strings.HasPrefix(next, "/") {
			e.t.Fatalf("odata.nextLink %q is not relative", next)
		}
		path = "/" + next
		if pages > 20 {
			e.t.Fatal("too many pages")
		}
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t)
	var all []string
	for _, n := range []string{"A1", "A2", "A3", "A4", "A5", "B1", "B2"} {
		all = append(all, e.group(n, "", strings.ToLower(n)))
	}
	slices.Sort(all)
	r := e.aad("GET", "/groups?$top=2", nil).want(t, http.StatusOK).obj(t)
	next := r["odata.nextLink"].(string)
	if !strings.HasPrefix(next, "directoryObjects/$/Microsoft.DirectoryServices.Group?$skiptoken=X'") {
		t.Errorf("odata.nextLink %q", next)
	}
	got, pages := e.follow("/groups?$top=2")
	if !slices.Equal(got, all) || pages != 4 {
		t.Errorf("%d pages: %v, want %v", pages, got, all)
	}
	// The filter travels in the token.
	got, pages = e.follow("/groups?$top=2&$filter=" + url.QueryEscape("startswith(displayName,'A')"))
	if len(got) != 5 || pages != 3 {
		t.Errorf("filtered: %d pages, %v", pages, got)
	}
	// A token from one list is refused on another, or with another filter.
	tok := strings.TrimPrefix(next, "directoryObjects/$/Microsoft.DirectoryServices.Group?$skiptoken=")
	e.aad("GET", "/users?$skiptoken="+url.QueryEscape(tok), nil).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The $skiptoken value is not valid.")
	e.aad("GET", "/groups?$skiptoken="+url.QueryEscape(tok)+"&$filter="+url.QueryEscape("displayName eq 'A1'"), nil).
		wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery", "The $skiptoken belongs to another $filter.")
	e.aad("GET", "/groups?$skiptoken=X'zz'", nil).wantError(t, http.StatusBadRequest, "Request_BadRequest", "The $skiptoken value is not valid.")
	// A token whose cursor was changed keeps its old MAC and is refused.
	raw, err := hex.DecodeString(strings.TrimSuffix(strings.TrimPrefix(tok, "X'"), "'"))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil || fields["m"] == nil {
		t.Fatalf("token %s: %v, want a MAC", raw, err)
	}
	fields["c"] = all[0]
	forged, _ := json.Marshal(fields)
	e.aad("GET", "/groups?$skiptoken="+url.QueryEscape("X'"+strings.ToUpper(hex.EncodeToString(forged))+"'"), nil).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The $skiptoken value is not valid.")
	e.aad("GET", "/groups?$top=1000", nil).wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery",
		"Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.")

	// Users page the same way: the admin and three more.
	for _, n := range []string{"ua", "ub", "uc"} {
		e.user(n)
	}
	if got, pages := e.follow("/users?$top=3"); len(got) != 4 || pages != 2 {
		t.Errorf("users: %d pages, %v", pages, got)
	}

	// Link lists page the same way.
	parent := all[0]
	var links []string
	for _, id := range all[1:] {
		e.addMember(parent, id)
		links = append(links, e.url+"/myorganization/directoryObjects/"+id+"/Microsoft.DirectoryServices.Group")
	}
	got, pages = e.follow("/groups/" + parent + "/$links/members?$top=4")
	if !slices.Equal(got, links) || pages != 2 {
		t.Errorf("links: %d pages, %v", pages, got)
	}
	e.aad("GET", "/groups/"+parent+"/$links/members?$filter="+url.QueryEscape("displayName eq 'x'"), nil).
		wantError(t, http.StatusBadRequest, "Request_UnsupportedQuery", "The query option '$filter' is not supported on this resource.")
}
