package libregraph_test

import (
	"context"
	"net/http"
	"testing"
)

// TestNestedGroupsLeftOut: oCIS lists only users as members, so a group
// nested through another dialect appears neither in /members nor in
// $expand=members; it is still a member (removing it works).
func TestNestedGroupsLeftOut(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	e.want(e.do("POST", "/groups/"+w.group+"/members/$ref", `{"@odata.id":"`+seedBase+`/users/`+w.user1+`"}`), http.StatusNoContent, "")
	e.nest(w.group, w.exampleUsers)
	user1 := userJSON("user1", w.user1, "user1@example.org", "user1")
	e.wantArray(e.do("GET", "/groups/"+w.group+"/members", ""), user1)
	e.want(e.do("GET", "/groups/"+w.group+"?$expand=members", ""), http.StatusOK, groupWithMembers("group", w.group, user1))
	e.wantList(e.do("GET", "/groups?$expand=members", ""), groupWithMembers("group", w.group, user1),
		groupWithMembers("Example Users", w.exampleUsers))

	// Only the nested group: an empty list, not a list with a blank user.
	e.want(e.do("DELETE", "/groups/"+w.group+"/members/"+w.user1+"/$ref", ""), http.StatusNoContent, "")
	e.want(e.do("GET", "/groups/"+w.group+"/members", ""), http.StatusOK, "[]")
	e.want(e.do("DELETE", "/groups/"+w.group+"/members/"+w.exampleUsers+"/$ref", ""), http.StatusNoContent, "")
	ctx := context.Background()
	tn, err := e.dir.DefaultTenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.dir.AllMembers(ctx, tn.ID, w.group)
	if err != nil || len(m) != 0 {
		t.Fatalf("members left: %v %v", m, err)
	}
}

// TestMemberRefParsing: references are read as oCIS's parseMemberRef
// reads them: an absolute URL or path whose last segments are users/{id}.
// One that cannot be parsed is 400; one that parses but names no user is
// 404 "not found", oCIS's words for a missing user or group.
func TestMemberRefParsing(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	g := "/groups/" + w.group
	before := e.state()
	const (
		refBad  = "Error parsing @odata.id url"
		bindBad = "Error parsing member@odata.bind values"
	)
	for _, ref := range []string{"users/" + w.user1, "graph/v1.0/users/" + w.user1, seedBase + "/users/", " " + seedBase + "/users/" + w.user1, "", "users"} {
		e.wantError(e.do("POST", g+"/members/$ref", `{"@odata.id":"`+ref+`"}`), http.StatusBadRequest, "invalidRequest", refBad)
		e.wantError(e.do("PATCH", g, `{"members@odata.bind":["`+ref+`"]}`), http.StatusBadRequest, "invalidRequest", bindBad)
	}
	e.wantError(e.do("PATCH", g, `{"members@odata.bind":["`+seedBase+`/users/`+w.user1+`/x"]}`), http.StatusBadRequest,
		"invalidRequest", "Only user are allowed as group members")
	for _, ref := range []string{seedBase + "/users/einstein", seedBase + "/users/" + unknownID, "/users/" + w.group} {
		e.wantError(e.do("PATCH", g, `{"members@odata.bind":["`+ref+`"]}`), http.StatusNotFound, "itemNotFound", "not found")
		e.wantError(e.do("POST", g+"/members/$ref", `{"@odata.id":"`+ref+`"}`), http.StatusNotFound, "itemNotFound", "not found")
	}
	e.wantError(e.do("GET", "/groups/"+unknownID, ""), http.StatusNotFound, "itemNotFound", "not found")
	e.wantError(e.do("GET", "/users/"+unknownID, ""), http.StatusNotFound, "itemNotFound", "not found")
	e.unchanged(before)

	// An absolute path, and any host, are references oCIS takes.
	e.want(e.do("POST", g+"/members/$ref", `{"@odata.id":"/graph/v1.0/users/`+w.user1+`"}`), http.StatusNoContent, "")
	e.want(e.do("PATCH", g, `{"members@odata.bind":["http://elsewhere/Users/`+w.user2+`"]}`), http.StatusNoContent, "")
	e.wantArray(e.do("GET", g+"/members", ""), userJSON("user1", w.user1, "user1@example.org", "user1"),
		userJSON("user2", w.user2, "user2@example.org", "user2"))
}
