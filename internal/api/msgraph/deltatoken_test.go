package msgraph_test

import (
	"net/http"
	"testing"
)

// TestDeltaEmptyToken: an empty $deltatoken or $skiptoken is a bad token
// (400, as an altered one), not a request for a new full pass.
func TestDeltaEmptyToken(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/users/delta?$deltatoken=", "/groups/delta?$deltatoken", "/groups/delta()?$skiptoken=", "/users/delta?$DeltaToken="} {
		e.do("GET", path, nil).wantError(t, http.StatusBadRequest, "BadRequest", "The delta token is not valid: it was empty.")
	}
	// A new pass is asked for without any token.
	e.do("GET", "/users/delta", nil).want(t, http.StatusOK)
}
