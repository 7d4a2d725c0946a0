package libregraph_test

import (
	"net/http"
	"testing"
)

// TestChangeOwnPassword: POST /me/changePassword as oCIS answers it; the
// old password stops working at once and the new one works.
func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/users", `{"displayName":"Alice","onPremisesSamAccountName":"alice","passwordProfile":{"password":"Start-Pass1"}}`), http.StatusCreated, "")
	alice := as("alice", "Start-Pass1")
	change := func(body string, opts ...reqOpt) response {
		return e.do("POST", "/me/changePassword", body, opts...)
	}
	for _, c := range []struct{ body, msg string }{
		{`{"currentPassword":"","newPassword":"Next-Pass2"}`, "current password cannot be empty"},
		{`{"newPassword":"Next-Pass2"}`, "current password cannot be empty"},
		{`{"currentPassword":"Start-Pass1","newPassword":""}`, "new password cannot be empty"},
		{`{"currentPassword":"Start-Pass1","newPassword":"Start-Pass1"}`, "new password must be different from current password"},
		{`{"currentPassword":"wrong-Pass1","newPassword":"Next-Pass2"}`, "wrong current password"},
		{`{"currentPassword":"Start-Pass1","newPassword":"Next-Pass2","confirm":"x"}`, `invalid request body: json: unknown field "confirm"`},
		{`{"currentPassword":"Start-Pass1","newPassword":"short"}`, "Invalid newPassword: the password must be 8 to*"},
	} {
		e.wantError(change(c.body, alice), http.StatusBadRequest, "invalidRequest", c.msg)
	}
	e.want(change(`{"currentPassword":"Start-Pass1","newPassword":"Next-Pass2"}`, alice), http.StatusNoContent, "")
	e.wantError(e.do("GET", "/me", "", alice), http.StatusUnauthorized, "unauthenticated", "*")
	e.want(e.do("GET", "/me", "", as("alice", "Next-Pass2")), http.StatusOK, "")
}
