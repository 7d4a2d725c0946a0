package libregraph_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestExpandSelect: $expand takes the relationships oCIS knows for the
// resource and refuses the rest; $select never narrows an answer, as in
// oCIS, and members in it expands them.
func TestExpandSelect(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	e.want(e.do("POST", "/groups/"+w.group+"/members/$ref", `{"@odata.id":"`+seedBase+`/users/`+w.user1+`"}`), http.StatusNoContent, "")
	user1 := userJSON("user1", w.user1, "user1@example.org", "user1")
	group := groupJSON("group", w.group)
	groupExpanded := groupWithMembers("group", w.group, user1)
	exampleExpanded := groupWithMembers("Example Users", w.exampleUsers)

	e.wantList(e.do("GET", "/groups?$select=id", ""), group, groupJSON("Example Users", w.exampleUsers))
	e.wantList(e.do("GET", "/groups?$select=id,members", ""), groupExpanded, exampleExpanded)
	e.wantList(e.do("GET", "/groups?$expand=members&$orderby=displayName", ""), groupExpanded, exampleExpanded)
	e.want(e.do("GET", "/groups/"+w.group+"?$select=displayName", ""), http.StatusOK, group)
	e.want(e.do("GET", "/groups/"+w.group+"?$expand="+url.QueryEscape(" members "), ""), http.StatusOK, groupExpanded)

	const groupsExpand = "unsupported $expand: owners (this resource expands members)"
	for _, path := range []string{"/groups?$expand=owners", "/groups?$expand=members,owners", "/groups/" + w.group + "?$expand=owners",
		"/groups?$expand=members&$expand=owners"} {
		e.wantError(e.do("GET", path, ""), http.StatusBadRequest, "invalidRequest", groupsExpand)
	}
	e.wantError(e.do("GET", "/groups?$expand=memberOf", ""), http.StatusBadRequest, "invalidRequest",
		"unsupported $expand: memberOf (this resource expands members)")
	e.wantError(e.do("GET", "/groups?$expand="+url.QueryEscape("members($select=id)"), ""), http.StatusBadRequest,
		"invalidRequest", "options for $expand not supported")
	e.wantError(e.do("GET", "/groups/"+w.group+"?$expand=members/memberOf", ""), http.StatusBadRequest,
		"invalidRequest", "multiple segments in $expand not supported")
	e.wantError(e.do("GET", "/groups?$top=1", ""), http.StatusBadRequest, "invalidRequest", "query option $top is not supported")

	// Users: memberOf expands, also on the list; what ownCloud Web asks
	// for besides (drive, drives, appRoleAssignments) is accepted.
	withGroups := func(u, groups string) string { return strings.TrimSuffix(u, "}") + `,"memberOf":[` + groups + `]}` }
	user2 := userJSON("user2", w.user2, "user2@example.org", "user2")
	r := e.do("GET", "/users?$expand=memberOf&$search=user", "")
	e.wantList(r, withGroups(user1, group), withGroups(user2, ""), withGroups(userJSON("user3", w.user3, "user3@example.org", "user3"), ""),
		withGroups(userJSON("Test User", w.example, "example@example.org", "example"), ""))
	e.wantList(e.do("GET", "/users?$expand=appRoleAssignments&$search=user1", ""), user1)
	e.want(e.do("GET", "/users/user1?$expand=drive,memberOf,appRoleAssignments", ""), http.StatusOK, withGroups(user1, group))
	e.want(e.do("GET", "/users/user1?$select=id", ""), http.StatusOK, user1)
	const usersExpand = "unsupported $expand: members (this resource expands memberOf, drive, drives, appRoleAssignments)"
	e.wantError(e.do("GET", "/users?$expand=members", ""), http.StatusBadRequest, "invalidRequest", usersExpand)
	e.wantError(e.do("GET", "/users/user1?$expand=members", ""), http.StatusBadRequest, "invalidRequest", usersExpand)
	e.wantError(e.do("GET", "/me?$expand=manager", "", as("user1", "Relativ1ty!")), http.StatusBadRequest, "invalidRequest",
		"unsupported $expand: manager (this resource expands memberOf, drive, drives, appRoleAssignments)")
}
