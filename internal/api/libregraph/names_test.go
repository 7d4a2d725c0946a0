package libregraph_test

import (
	"net/http"
	"testing"
)

// TestNames: control characters are refused in display names, and group
// names are stored trimmed, so a padded name is the same name (409).
func TestNames(t *testing.T) {
	e := newEnv(t)
	w := createSeedObjects(e)
	const controls = "Invalid displayName: contains characters that are not allowed: " +
		"control characters such as tab, line breaks or NUL are not allowed"
	before := e.state()
	for _, body := range []string{
		`{"displayName":"nul\u0000x"}`, `{"displayName":"tab\there"}`, `{"displayName":"line\nbreak"}`,
		`{"displayName":"del\u007fx"}`, `{"displayName":"c1\u0085x"}`, `{"displayName":"trailing\n"}`,
	} {
		e.wantError(e.do("POST", "/groups", body), http.StatusBadRequest, "invalidRequest", controls)
		e.wantError(e.do("PATCH", "/groups/"+w.group, body), http.StatusBadRequest, "invalidRequest", controls)
	}
	e.wantError(e.do("POST", "/users", `{"displayName":"a\u0000b","onPremisesSamAccountName":"ab"}`),
		http.StatusBadRequest, "invalidRequest", controls)
	e.wantError(e.do("PATCH", "/users/user1", `{"displayName":"a\tb"}`), http.StatusBadRequest, "invalidRequest", controls)
	e.wantError(e.do("POST", "/groups", `{"displayName":" Example Users "}`), http.StatusConflict,
		"nameAlreadyExists", "group already exists")
	e.wantError(e.do("POST", "/groups", `{"displayName":"\u00a0example users"}`), http.StatusConflict,
		"nameAlreadyExists", "group already exists")
	e.wantError(e.do("PATCH", "/groups/"+w.group, `{"displayName":"Example Users  "}`), http.StatusConflict,
		"nameAlreadyExists", "Group name already in use")
	e.wantError(e.do("POST", "/groups", `{"displayName":"   "}`), http.StatusBadRequest,
		"invalidRequest", "missing required Attribute: 'displayName'")
	e.unchanged(before)

	r := e.do("POST", "/groups", `{"displayName":"  Padded Team "}`)
	id := e.created(r, "groups")
	e.want(r, http.StatusCreated, groupJSON("Padded Team", id))
	e.wantError(e.do("POST", "/groups", `{"displayName":"Padded Team"}`), http.StatusConflict,
		"nameAlreadyExists", "group already exists")
	e.want(e.do("PATCH", "/groups/"+id, `{"displayName":" Renamed Team"}`), http.StatusNoContent, "")
	e.want(e.do("GET", "/groups/"+id, ""), http.StatusOK, groupJSON("Renamed Team", id))
	// Inner white space and other characters are kept as given.
	r = e.do("POST", "/groups", `{"displayName":"Ünïcode  Team ✓"}`)
	e.want(r, http.StatusCreated, groupJSON("Ünïcode  Team ✓", e.created(r, "groups")))
}
