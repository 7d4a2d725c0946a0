package libregraph_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestExpandMemberOf: $expand=memberOf lists the user's direct groups as
// {displayName, id}, not the groups they are in through nesting, as oCIS.
func TestExpandMemberOf(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	e.want(e.do("POST", "/groups/"+w.exampleUsers+"/members/$ref", `{"@odata.id":"`+seedBase+`/users/`+w.einstein+`"}`), http.StatusNoContent, "")
	e.nest(w.group, w.exampleUsers) // Example Users inside group
	einstein := strings.TrimSuffix(userJSON("Albert Einstein", w.einstein, "einstein@example.org", "einstein"), "}")
	want := einstein + `,"memberOf":[` + groupJSON("Example Users", w.exampleUsers) + `]}`
	for _, key := range []string{w.einstein, "einstein", "einstein@example.org"} {
		e.want(e.do("GET", "/users/"+key+"?$expand=memberOf", ""), http.StatusOK, want)
	}
	e.want(e.do("GET", "/me?$expand=memberOf", "", as("einstein", "Relativ1ty!")), http.StatusOK, want)
	e.want(e.do("GET", "/me", "", as("einstein", "Relativ1ty!")), http.StatusOK, einstein+"}")
	// No groups: an empty list. Other expansions are ignored.
	user1 := strings.TrimSuffix(userJSON("user1", w.user1, "user1@example.org", "user1"), "}")
	e.want(e.do("GET", "/users/user1?$expand=memberOf,drive", ""), http.StatusOK, user1+`,"memberOf":[]}`)
	e.want(e.do("GET", "/users/user1?$expand=drive", ""), http.StatusOK, user1+"}")
	// A write is seen by the next read.
	e.want(e.do("POST", "/groups/"+w.group+"/members/$ref", `{"@odata.id":"`+seedBase+`/users/`+w.user1+`"}`), http.StatusNoContent, "")
	e.want(e.do("GET", "/me?$expand=memberOf", "", as("user1", "Relativ1ty!")), http.StatusOK, user1+`,"memberOf":[`+groupJSON("group", w.group)+`]}`)

	e.wantError(e.do("GET", "/me", "", anonymous()), http.StatusUnauthorized, "unauthenticated", "missing or invalid credentials")
	r := e.do("DELETE", "/me", "")
	e.wantError(r, http.StatusMethodNotAllowed, "notAllowed", "method DELETE is not allowed on this resource")
}
