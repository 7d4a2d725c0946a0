package msgraph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"groupd/internal/directory"
)

var deletedUserKeys = "businessPhones,displayName,givenName,jobTitle,mail,mobilePhone,officeLocation," +
	"preferredLanguage,surname,userPrincipalName,id,deletedDateTime"

func TestDeletedItemsUsers(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann")
	e.user("pat") // signs in without write permissions
	g, sec := e.unified("team"), e.secGroup("eng")
	for _, grp := range []string{g, sec} {
		e.do("POST", "/groups/"+grp+"/members/$ref", ref(e, "directoryObjects", u)).want(t, http.StatusNoContent)
	}
	e.do("POST", "/groups/"+g+"/owners/$ref", ref(e, "users", u)).want(t, http.StatusNoContent)
	e.do("DELETE", "/users/"+u, nil).want(t, http.StatusNoContent)
	e.do("GET", "/users/"+u, nil).want(t, http.StatusNotFound)

	r := e.do("GET", "/directory/deletedItems/microsoft.graph.user", nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,value" {
		t.Fatalf("keys %s", got)
	}
	m := r.obj(t)
	if m["@odata.context"] != e.base+"/$metadata#directory/deletedItems/microsoft.graph.user" {
		t.Errorf("context %v", m["@odata.context"])
	}
	items := values(t, m)
	if len(items) != 1 || items[0]["id"] != u || items[0]["userPrincipalName"] != "ann@example.org" {
		t.Fatalf("deleted users %v", items)
	}
	if alias := values(t, e.do("GET", "/directory/deletedItems/graph.user", nil).want(t, http.StatusOK).obj(t)); len(alias) != 1 || alias[0]["id"] != u {
		t.Errorf("deleted users by graph.user: %v", alias)
	}
	if got := strings.Join(keys(t, []byte(rawValue(t, r.body)[1:len(rawValue(t, r.body))-1])), ","); got != deletedUserKeys {
		t.Errorf("item keys %s\nwant %s", got, deletedUserKeys)
	}
	if ts, _ := items[0]["deletedDateTime"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("deletedDateTime %v", items[0]["deletedDateTime"])
	}

	r = e.do("GET", "/directory/deletedItems/"+u, nil).want(t, http.StatusOK)
	if got := strings.Join(keys(t, r.body), ","); got != "@odata.context,@odata.type,"+deletedUserKeys {
		t.Errorf("entity keys %s", got)
	}
	if o := r.obj(t); o["@odata.context"] != e.base+"/$metadata#directoryObjects/$entity" || o["@odata.type"] != "#microsoft.graph.user" {
		t.Errorf("entity %v", o)
	}

	// Someone took the name meanwhile: the restore is refused, naming it.
	taker := e.user("ann")
	e.do("POST", "/directory/deletedItems/"+u+"/restore", nil).wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Another object with the same value for property userPrincipalName already exists.", "userPrincipalName", "ObjectConflict")
	e.do("GET", "/directory/deletedItems/"+u, nil).want(t, http.StatusOK)

	// A user without write permissions may not restore or purge.
	e.do("POST", "/directory/deletedItems/"+u+"/restore", nil, as("pat@example.org", adminPass)).wantError(t,
		http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	e.do("DELETE", "/directory/deletedItems/"+u, nil, as("pat@example.org", adminPass)).wantError(t,
		http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

	// Once the name is free again, the user comes back with its memberships
	// and ownerships.
	e.do("DELETE", "/users/"+taker, nil).want(t, http.StatusNoContent)
	r = e.do("POST", "/directory/deletedItems/"+u+"/restore", nil).want(t, http.StatusOK)
	o := r.obj(t)
	if o["@odata.type"] != "#microsoft.graph.user" || o["id"] != u || o["deletedDateTime"] != nil {
		t.Fatalf("restored %v", o)
	}
	e.do("GET", "/users/"+u, nil).want(t, http.StatusOK)
	for _, c := range []struct{ group, rel string }{{g, "members"}, {sec, "members"}, {g, "owners"}} {
		if ids := e.ids(c.group, c.rel); !contains(ids, u) {
			t.Errorf("%s of %s after restore: %v", c.rel, c.group, ids)
		}
	}
	e.do("GET", "/directory/deletedItems/"+u, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(u))

	// Paging with $top, and purge.
	for _, a := range []string{"x1", "x2", "x3"} {
		e.do("DELETE", "/users/"+e.user(a), nil).want(t, http.StatusNoContent)
	}
	var seen []string
	url := "/directory/deletedItems/microsoft.graph.user?$top=2&$select=id"
	for url != "" {
		m := e.do("GET", url, nil).want(t, http.StatusOK).obj(t)
		for _, it := range values(t, m) {
			seen = append(seen, it["id"].(string))
			if len(it) != 1 {
				t.Errorf("selected item %v", it)
			}
		}
		url, _ = m["@odata.nextLink"].(string)
	}
	if len(seen) != 4 { // taker and x1..x3
		t.Fatalf("paged deleted users %v", seen)
	}
	e.do("DELETE", "/directory/deletedItems/"+taker, nil).want(t, http.StatusNoContent)
	e.do("GET", "/directory/deletedItems/"+taker, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(taker))
	e.do("DELETE", "/directory/deletedItems/"+taker, nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(taker))
	e.do("POST", "/directory/deletedItems/"+taker+"/restore", nil).wantError(t, http.StatusNotFound, "Request_ResourceNotFound", notFoundMsg(taker))

	e.do("GET", "/directory/deletedItems/microsoft.graph.contract", nil).wantError(t, http.StatusBadRequest, "BadRequest",
		"Resource not found for the segment 'microsoft.graph.contract'.")
	e.do("GET", "/directory/deletedItems/microsoft.graph.user?$orderby=id", nil).wantError(t, http.StatusBadRequest,
		"Request_UnsupportedQuery", "The query option '$orderby' is not supported on this resource.")
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func TestDeletedItemsGroups(t *testing.T) {
	e := newEnv(t)
	u := e.user("ann")
	g := e.unified("team")
	sec := e.secGroup("eng")
	e.do("POST", "/groups/"+g+"/members/$ref", ref(e, "directoryObjects", u)).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+g, nil).want(t, http.StatusNoContent)
	e.do("DELETE", "/groups/"+sec, nil).want(t, http.StatusNoContent)

	list := func(filter string) []string {
		t.Helper()
		path := "/directory/deletedItems/microsoft.graph.group"
		if filter != "" {
			path += "?$filter=" + q(filter)
		}
		var ids []string
		for _, it := range values(t, e.do("GET", path, nil).want(t, http.StatusOK).obj(t)) {
			ids = append(ids, it["id"].(string))
		}
		return ids
	}
	// A security group is gone at once; the Microsoft 365 group waits.
	if ids := list(""); len(ids) != 1 || ids[0] != g {
		t.Fatalf("deleted groups %v", ids)
	}
	e.do("GET", "/directory/deletedItems/"+sec, nil).want(t, http.StatusNotFound)
	if ids := list("startswith(displayName,'TE')"); len(ids) != 1 {
		t.Fatalf("startswith: %v", ids)
	}
	if ids := list("displayName eq 'te'"); len(ids) != 0 {
		t.Fatalf("eq: %v", ids)
	}
	e.do("GET", "/directory/deletedItems/microsoft.graph.group?$filter="+q("mail eq 'x'"), nil).wantError(t,
		http.StatusBadRequest, "Request_UnsupportedQuery",
		"Unsupported query: deleted items filter on displayName with 'eq' or 'startswith' only.")

	r := e.do("GET", "/directory/deletedItems/"+g, nil).want(t, http.StatusOK)
	if o := r.obj(t); o["@odata.type"] != "#microsoft.graph.group" || o["deletedDateTime"] == nil || o["displayName"] != "team" {
		t.Fatalf("deleted group %v", o)
	}
	// Another group took the name (its mail derives from it): refused,
	// naming the property; the engines may notice either first.
	e.unified("team")
	r = e.do("POST", "/directory/deletedItems/"+g+"/restore", nil)
	prop := "mailNickname"
	if strings.Contains(string(r.body), "property mail ") {
		prop = "mail"
	}
	r.wantError(t, http.StatusBadRequest, "Request_BadRequest",
		"Another object with the same value for property "+prop+" already exists.", prop, "ObjectConflict")
	e.do("GET", "/directory/deletedItems/"+g, nil).want(t, http.StatusOK)
	e.do("DELETE", "/directory/deletedItems/"+g, nil).want(t, http.StatusNoContent)
	if ids := list(""); len(ids) != 0 {
		t.Fatalf("after purge %v", ids)
	}
}

// TestDeletedRetention: the keep option makes security groups restorable,
// and the expiry job purges what is older than the retention.
func TestDeletedRetention(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keep := directory.New(e.dir.Store(), directory.WithKeepDeletedSecurityGroups(true))
	sec := e.secGroup("eng")
	u := e.user("ann")
	e.do("POST", "/groups/"+sec+"/members/$ref", ref(e, "directoryObjects", u)).want(t, http.StatusNoContent)
	if err := keep.DeleteGroup(ctx, e.tenant, sec); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/directory/deletedItems/"+sec, nil).want(t, http.StatusOK)
	e.do("POST", "/directory/deletedItems/"+sec+"/restore", nil).want(t, http.StatusOK)
	if ids := e.ids(sec, "members"); len(ids) != 1 || ids[0] != u {
		t.Fatalf("members after restore %v", ids)
	}

	e.do("DELETE", "/users/"+u, nil).want(t, http.StatusNoContent)
	long := directory.New(e.dir.Store())
	if n, err := long.PurgeExpired(ctx); err != nil || n != 0 {
		t.Fatalf("purge within retention: %d, %v", n, err)
	}
	e.do("GET", "/directory/deletedItems/"+u, nil).want(t, http.StatusOK)
	short := directory.New(e.dir.Store(), directory.WithDeletedRetention(time.Nanosecond))
	time.Sleep(time.Millisecond)
	if n, err := short.PurgeExpired(ctx); err != nil || n != 1 {
		t.Fatalf("purge after retention: %d, %v", n, err)
	}
	e.do("GET", "/directory/deletedItems/"+u, nil).want(t, http.StatusNotFound)
	if ids := e.ids(sec, "members"); len(ids) != 0 {
		t.Fatalf("members after purge %v", ids)
	}
}
