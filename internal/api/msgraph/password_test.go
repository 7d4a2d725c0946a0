package msgraph_test

import (
	"net/http"
	"testing"
)

// TestChangePassword: a user changes its own password through /me (and
// only its own); the old one stops working at once.
func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	e.user("jim")
	asJim := as("jim@example.org", adminPass)
	change := func(body map[string]any, opts ...reqOpt) *resp {
		return e.do(http.MethodPost, "/me/changePassword", body, opts...)
	}
	change(map[string]any{"currentPassword": "Wr0ng!pass", "newPassword": "Fresh-Pass9"}, asJim).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The current password is incorrect.", "currentPassword", "InvalidValue")
	change(map[string]any{"currentPassword": adminPass}, asJim).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'newPassword' of resource 'User'. The property is required.", "newPassword", "PropertyRequired")
	change(map[string]any{"currentPassword": adminPass, "newPassword": adminPass}, asJim).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "Property newPassword has an invalid value. The new password must differ from the current one.", "newPassword", "InvalidValue")
	change(map[string]any{"currentPassword": adminPass, "newPassword": "simple"}, asJim).
		wantError(t, http.StatusBadRequest, "Request_BadRequest", "The specified password does not comply with password complexity requirements. Please provide a different password.", "newPassword", "InvalidValue")
	change(map[string]any{"currentPassword": adminPass, "newPassword": "Fresh-Pass9", "confirm": "x"}, asJim).
		wantError(t, http.StatusBadRequest, "BadRequest", "The parameter 'confirm' in the request payload is not a valid parameter for the operation 'changePassword'.")
	e.do(http.MethodPost, "/users/"+string(e.admin)+"/changePassword", map[string]any{"currentPassword": adminPass, "newPassword": "Fresh-Pass9"}, asJim).
		wantError(t, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

	change(map[string]any{"currentPassword": adminPass, "newPassword": "Fresh-Pass9"}, asJim).want(t, http.StatusNoContent)
	e.do(http.MethodGet, "/me", nil, asJim).wantError(t, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure.")
	e.do(http.MethodGet, "/me", nil, as("jim@example.org", "Fresh-Pass9")).want(t, http.StatusOK)
	e.do(http.MethodGet, "/me", nil).want(t, http.StatusOK) // the administrator's password is unchanged
}
