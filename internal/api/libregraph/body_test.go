package libregraph_test

import (
	"net/http"
	"testing"
)

// TestBodyLastValueWins: LibreGraph bodies are read as oCIS reads them,
// with encoding/json into its models: a property given twice takes its
// last value, and a key matches its property whatever its case.
func TestBodyLastValueWins(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/groups", `{"displayName":"Dup A","displayName":"Dup B"}`)
	id := e.created(r, "groups")
	e.want(r, http.StatusCreated, groupJSON("Dup B", id))
	e.want(e.do("GET", "/groups/"+id, ""), http.StatusOK, groupJSON("Dup B", id))
	// "Dup A" was never stored, so it is free.
	a := e.created(e.do("POST", "/groups", `{"displayName":"Dup A"}`), "groups")

	e.want(e.do("PATCH", "/groups/"+a, `{"displayName":"Dup C","DisplayName":"Dup D"}`), http.StatusNoContent, "")
	e.want(e.do("GET", "/groups/"+a, ""), http.StatusOK, groupJSON("Dup D", a))
	// The last value decides even when it is null: no name, as oCIS.
	e.wantError(e.do("POST", "/groups", `{"displayName":"x","displayName":null}`), http.StatusBadRequest,
		"invalidRequest", "missing required Attribute: 'displayName'")
	e.wantError(e.do("POST", "/groups", `{"ID":"`+unknownID+`","displayName":"x"}`), http.StatusBadRequest,
		"invalidRequest", "group id is a read-only attribute")
	e.wantError(e.do("POST", "/groups", `{"displayName":"x","displayName":"y","nope":1}`), http.StatusBadRequest,
		"invalidRequest", `invalid request body: json: unknown field "nope"`)

	r = e.do("POST", "/users", `{"displayName":"First","onPremisesSamAccountName":"first","mail":"a@example.org",`+
		`"displayname":"Last","MAIL":"b@example.org","passwordProfile":{"password":"x","Password":"Relativ1ty!"}}`)
	uid := e.created(r, "users")
	e.want(r, http.StatusCreated, userJSON("Last", uid, "b@example.org", "first"))
	e.want(e.do("GET", "/me", "", as("first", "Relativ1ty!")), http.StatusOK, userJSON("Last", uid, "b@example.org", "first"))

	e.want(e.do("PATCH", "/users/first", `{"mail":"c@example.org","mail":"d@example.org"}`), http.StatusOK,
		userJSON("Last", uid, "d@example.org", "first"))
}
